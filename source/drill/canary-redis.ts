// Redis canary: a Sentinel-aware ioredis client RPUSHing sequence numbers to one list, one write at a
// time. Besides ioredis' own Sentinel handling it re-asks the Sentinels every ~100 ms which master
// they name and reconnects when it is no longer the one it writes to (a client that only re-asks after
// errors keeps writing to a demoted master for ~11 s: LAB-FACTS §5).
import { Redis } from 'ioredis';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import { canaryHandle, canaryRecorder, errorMessage as message, retryFor, writePacer, type Canary } from './canary.js';
import { drillClock, sleep, type DrillClock } from './clock.js';

export interface RedisCanaryOptions {
  sentinels: { host: string; port: number }[];
  /** Sentinel master name. */
  name: string;
  password?: string;
  sentinelPassword?: string;
  /** List key; default `hatui:canary:<epoch ms>`. */
  key?: string;
  reconnectMs?: number;
  commandTimeoutMs?: number;
  roleCheckMs?: number;
  /** Upper bound on writes per second (default 2 000: a canary must not load a production master). */
  maxRate?: number;
  clock?: DrillClock;
}

function sentinelAware(o: RedisCanaryOptions, reconnectMs: number): Redis {
  return new Redis({
    sentinels: o.sentinels,
    name: o.name,
    role: 'master',
    password: o.password,
    sentinelPassword: o.sentinelPassword,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: o.commandTimeoutMs ?? 2000,
    connectTimeout: 1000,
    retryStrategy: () => reconnectMs,
    sentinelRetryStrategy: () => 100,
    sentinelCommandTimeout: 500,
    // A demoted master answers READONLY: reconnect (through Sentinel) instead of retrying there.
    reconnectOnError: (err) => /READONLY|LOADING|MASTERDOWN/.test(err.message),
    lazyConnect: true,
  });
}

async function waitReady(client: Redis, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  client.on('error', () => {});
  client.connect().catch(() => {});
  while (client.status !== 'ready') {
    if (Date.now() > deadline) throw new HatuiError(`canary: cannot reach the Redis master through ${what} (status ${client.status})`, ExitCode.failed);
    await sleep(50);
  }
}

/** Which master the Sentinels name: the address a majority agrees on, or null. */
async function sentinelMaster(sentinels: Redis[], name: string): Promise<string | null> {
  const answers = await Promise.all(
    sentinels.map((s) =>
      (s.call('SENTINEL', 'get-master-addr-by-name', name) as Promise<[string, string] | null>).then(
        (r) => (r ? `${r[0]}:${r[1]}` : null),
        () => null,
      ),
    ),
  );
  const counts = new Map<string, number>();
  for (const a of answers) if (a) counts.set(a, (counts.get(a) ?? 0) + 1);
  for (const [addr, n] of counts) if (n > sentinels.length / 2) return addr;
  return null;
}

export async function startRedisCanary(options: RedisCanaryOptions): Promise<Canary> {
  if (options.sentinels.length === 0) throw new HatuiError('canary: no Sentinel endpoints given', ExitCode.usage);
  const clock = options.clock ?? drillClock();
  const reconnectMs = options.reconnectMs ?? 20;
  const key = options.key ?? `hatui:canary:${Date.now()}`;
  const via = `Sentinels ${options.sentinels.map((s) => `${s.host}:${s.port}`).join(',')} master ${options.name}`;
  const target = `Redis ${via} list ${key}`;
  let client = sentinelAware(options, reconnectMs);
  await waitReady(client, 10_000, via);
  // A client that stays unready (stuck on a dead or demoted master) is replaced by a new one that asks
  // the Sentinels afresh: the canary must find the new master as soon as any client could.
  const rebuild = () => {
    const old = client;
    client = sentinelAware(options, reconnectMs);
    client.on('error', () => {});
    client.connect().catch(() => {});
    old.disconnect();
  };
  const watchers = options.sentinels.map(
    (s) =>
      new Redis({ host: s.host, port: s.port, password: options.sentinelPassword, commandTimeout: 300, connectTimeout: 500, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 200, lazyConnect: true }),
  );
  for (const w of watchers) {
    w.on('error', () => {});
    w.connect().catch(() => {});
  }

  const record = canaryRecorder('redis', 1, clock);
  let stopping = false;
  const roleCheck = (async () => {
    while (!stopping) {
      await sleep(options.roleCheckMs ?? 100);
      const named = await sentinelMaster(watchers, options.name);
      const stream = client.stream as { remoteAddress?: string; remotePort?: number } | undefined;
      const connected = stream?.remoteAddress && stream.remotePort ? `${stream.remoteAddress.replace(/^::ffff:/, '')}:${stream.remotePort}` : null;
      if (named && connected && client.status === 'ready' && named !== connected) {
        record.error(new Error(`Sentinels name ${named}, canary writes to ${connected}: reconnecting`));
        rebuild();
      }
    }
  })();

  const pace = writePacer(clock, options.maxRate ?? 2000);
  const loop = (async () => {
    let unreadySince: number | null = null;
    while (!stopping) {
      await pace();
      if (client.status !== 'ready') {
        unreadySince ??= clock.now();
        if (clock.now() - unreadySince > 1000) {
          record.error(new Error(`no ready connection for 1 s (status ${client.status}): reconnecting through Sentinel`));
          rebuild();
          unreadySince = clock.now();
        }
        await sleep(5);
        continue;
      }
      unreadySince = null;
      const seq = record.attempt();
      try {
        await client.rpush(key, String(seq));
        record.ack(seq);
      } catch (error) {
        record.error(error, seq);
        await sleep(reconnectMs);
      }
    }
  })();

  const stopAll = async () => {
    stopping = true;
    await Promise.all([loop, roleCheck]);
  };
  return canaryHandle(target, record, {
    stop: stopAll,
    async verify() {
      const reader = sentinelAware(options, 100);
      const deadline = Date.now() + 60_000;
      try {
        return await retryFor(
          async () => {
            try {
              await waitReady(reader, Math.max(1000, deadline - Date.now()), via);
              const role = (await reader.call('ROLE')) as unknown[];
              if (role[0] !== 'master') throw new Error('reached a replica');
              const values = await reader.lrange(key, 0, -1);
              await reader.expire(key, 86_400);
              return values.map(Number);
            } catch (error) {
              // Reconnect through the Sentinels before the next try (it may have reached the old master).
              reader.disconnect(true);
              throw error;
            }
          },
          (error) => new HatuiError(`canary: cannot read back ${key} through ${via}: ${message(error)}`, ExitCode.failed),
        );
      } finally {
        reader.disconnect();
      }
    },
    async close() {
      await stopAll();
      client.disconnect();
      for (const w of watchers) w.disconnect();
    },
  });
}
