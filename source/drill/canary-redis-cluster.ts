// Redis Cluster canary: an ioredis Cluster client RPUSHing sequence numbers to one list, one write at a
// time. The key carries the hash tag `{hatui-canary}`, so every run writes to the same slot and the drill
// knows which shard (master) it measures. The client follows MOVED / refreshes the slot map after errors
// as any cluster client does; nothing here knows the roles.
import { Cluster } from 'ioredis';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import { canaryHandle, canaryRecorder, errorMessage, retryFor, writeLoop, writePacer, type Canary } from './canary.js';
import { drillClock, sleep, type DrillClock } from './clock.js';

/** The hash tag of every canary key (CLUSTER KEYSLOT of it is the shard a drill faults). */
export const CANARY_HASH_TAG = '{hatui-canary}';

export interface RedisClusterCanaryOptions {
  nodes: { host: string; port: number }[];
  password?: string;
  /** List key; default `{hatui-canary}:<epoch ms>`. */
  key?: string;
  /** Upper bound on writes per second (default 2 000). */
  maxRate?: number;
  clock?: DrillClock;
}

function clusterClient(o: RedisClusterCanaryOptions): Cluster {
  const cluster = new Cluster(o.nodes, {
    redisOptions: { password: o.password, connectTimeout: 1000, commandTimeout: 1000, maxRetriesPerRequest: 0 },
    enableOfflineQueue: false,
    // A slot whose master died: ask again soon (the replica takes over after cluster-node-timeout + election).
    retryDelayOnClusterDown: 50,
    retryDelayOnFailover: 50,
    retryDelayOnTryAgain: 50,
    maxRedirections: 16,
    clusterRetryStrategy: () => 100,
    slotsRefreshTimeout: 1000,
    lazyConnect: true,
  });
  cluster.on('error', () => {});
  return cluster;
}

async function ready(cluster: Cluster, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  cluster.connect().catch(() => {});
  while (cluster.status !== 'ready') {
    if (Date.now() > deadline) throw new HatuiError(`canary: cannot reach the Redis Cluster through ${what} (status ${cluster.status})`, ExitCode.failed);
    await sleep(50);
  }
}

export async function startRedisClusterCanary(options: RedisClusterCanaryOptions): Promise<Canary> {
  if (options.nodes.length === 0) throw new HatuiError('canary: no Redis Cluster node given', ExitCode.usage);
  const clock = options.clock ?? drillClock();
  const key = options.key ?? `${CANARY_HASH_TAG}:${Date.now()}`;
  const via = options.nodes.map((n) => `${n.host}:${n.port}`).join(',');
  const target = `Redis Cluster ${via} list ${key}`;
  const client = clusterClient(options);
  await ready(client, 10_000, via);
  const record = canaryRecorder('redis-cluster', 1, clock);
  const writes = writeLoop(record, (seq) => client.rpush(key, String(seq)), { pace: writePacer(clock, options.maxRate ?? 2000) });
  return canaryHandle(target, record, {
    stop: () => writes.stop(),
    async verify() {
      const reader = clusterClient(options);
      const deadline = Date.now() + 60_000;
      try {
        return await retryFor(
          async () => {
            await ready(reader, Math.max(1000, deadline - Date.now()), via);
            const values = await reader.lrange(key, 0, -1);
            await reader.expire(key, 86_400);
            return values.map(Number);
          },
          (error) => new HatuiError(`canary: cannot read back ${key} through ${via}: ${errorMessage(error)}`, ExitCode.failed),
        );
      } finally {
        reader.disconnect();
      }
    },
    async close() {
      await writes.stop();
      client.disconnect();
    },
  });
}
