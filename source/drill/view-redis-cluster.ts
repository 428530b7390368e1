// A Redis Cluster view for drills, about the shard the canary writes to (the slot of `{hatui-canary}`):
// leader = the member that the reachable nodes' CLUSTER NODES name as that slot's master (without a
// fail flag) and that itself answers ROLE master; healthy = every member answers, every one says
// cluster_state ok, and every master serving slots has a connected replica (the restarted old master
// included, once it has rejoined as a replica).
import { Redis } from 'ioredis';
import { parseClusterNodes, type ClusterNodeLine } from '../adapters/probes/redis-cluster-parse.js';
import type { ClusterView } from '../core/drill/observe.js';
import { CANARY_HASH_TAG } from './canary-redis-cluster.js';

/** One Redis Cluster node the view asks: its inventory name and address. */
export interface RedisMemberRef {
  name: string;
  host: string;
  port: number;
}

export interface RedisClusterViewSource {
  source: (now: () => number) => Promise<ClusterView>;
  close(): void;
}

const owns = (line: ClusterNodeLine, slot: number) => line.slots.some(([a, b]) => slot >= a && slot <= b);

export function redisClusterViewSource(opts: { members: RedisMemberRef[]; password?: string }): RedisClusterViewSource {
  const conns = opts.members.map((m) => {
    const c = new Redis({ host: m.host, port: m.port, password: opts.password, commandTimeout: 400, connectTimeout: 400, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 200, lazyConnect: true });
    c.on('error', () => {});
    c.connect().catch(() => {});
    return { ref: m, conn: c };
  });
  const nameOf = (address: string) => opts.members.find((m) => `${m.host}:${m.port}` === address)?.name ?? address;
  let slot: number | null = null;
  const warm = (async () => {
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && conns.some((c) => c.conn.status !== 'ready')) await new Promise((r) => setTimeout(r, 20));
  })();
  const ask = <T>(c: Redis, ...args: string[]) => (c.call(args[0]!, ...args.slice(1)) as Promise<T>).then((r) => r, () => null);
  return {
    close() {
      for (const c of conns) c.conn.disconnect();
    },
    async source(now) {
      await warm;
      if (slot === null) for (const c of conns) slot ??= await ask<number>(c.conn, 'CLUSTER', 'KEYSLOT', CANARY_HASH_TAG);
      const answers = await Promise.all(
        conns.map(async (c) => {
          const [nodes, info, role] = await Promise.all([ask<string>(c.conn, 'CLUSTER', 'NODES'), ask<string>(c.conn, 'CLUSTER', 'INFO'), ask<unknown[]>(c.conn, 'ROLE')]);
          return nodes === null || info === null || role === null ? null : { lines: parseClusterNodes(nodes), state: /cluster_state:(\w+)/.exec(info)?.[1] ?? '?', role: String(role[0]) };
        }),
      );
      const atMs = now();
      const reachable = conns.filter((_, i) => answers[i] !== null).map((c) => c.ref.name);
      const votes = new Map<string, number>();
      for (const a of answers) {
        const owner = slot === null ? undefined : a?.lines.find((l) => l.flags.includes('master') && !l.flags.includes('fail') && owns(l, slot!));
        if (owner) votes.set(owner.address, (votes.get(owner.address) ?? 0) + 1);
      }
      const named = [...votes.entries()].sort((x, y) => y[1] - x[1])[0]?.[0] ?? null;
      const namedAnswer = named ? answers[conns.findIndex((c) => `${c.ref.host}:${c.ref.port}` === named)] : null;
      const leader = named && namedAnswer?.role === 'master' ? nameOf(named) : null;
      const view = namedAnswer?.lines ?? answers.find((a) => a)?.lines ?? [];
      const masters = view.filter((l) => l.flags.includes('master') && l.slots.length > 0);
      const covered = masters.every((m) => view.some((r) => r.masterId === m.id && r.linkState === 'connected' && !r.flags.some((f) => f.startsWith('fail'))));
      const healthy = leader !== null && answers.every((a) => a !== null && a.state === 'ok') && covered;
      const detail = [`slot ${slot ?? '?'} on ${named ? nameOf(named) : '?'}`, ...conns.map((c, i) => `${c.ref.name} ${answers[i] ? `${answers[i]!.role}/${answers[i]!.state}` : 'unreachable'}`)].join(', ');
      return { atMs, leader, healthy, detail, reachable };
    },
  };
}
