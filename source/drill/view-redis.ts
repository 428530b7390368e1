// A Redis Sentinel view: the master is the address every reachable Sentinel names (at least a
// majority reachable) that answers ROLE master; healthy = all Sentinels agree and that master has
// every other member connected as a replica (the old master converted back included).
import { Redis } from 'ioredis';
import type { ClusterView } from '../core/drill/observe.js';

export interface RedisMemberRef {
  name: string;
  host: string;
  port: number;
}

function client(host: string, port: number, password?: string): Redis {
  const c = new Redis({ host, port, password, commandTimeout: 400, connectTimeout: 400, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 200, lazyConnect: true });
  c.on('error', () => {});
  c.connect().catch(() => {});
  return c;
}

export interface RedisViewSource {
  source: (now: () => number) => Promise<ClusterView>;
  close(): void;
}

export function redisViewSource(opts: { sentinels: { host: string; port: number }[]; name: string; members: RedisMemberRef[]; password?: string; sentinelPassword?: string }): RedisViewSource {
  const sentinels = opts.sentinels.map((s) => client(s.host, s.port, opts.sentinelPassword));
  const nodes = new Map(opts.members.map((m) => [`${m.host}:${m.port}`, { ref: m, conn: client(m.host, m.port, opts.password) }]));
  const nameOf = (addr: string) => nodes.get(addr)?.ref.name ?? addr;
  // The first view waits (briefly) for the connections, so it does not report a leaderless cluster.
  const all = [...sentinels, ...[...nodes.values()].map((n) => n.conn)];
  const warm = (async () => {
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && all.some((c) => c.status !== 'ready')) await new Promise((r) => setTimeout(r, 20));
  })();
  return {
    close() {
      for (const s of sentinels) s.disconnect();
      for (const n of nodes.values()) n.conn.disconnect();
    },
    async source(now) {
      await warm;
      const named = await Promise.all(
        sentinels.map((s) => (s.call('SENTINEL', 'get-master-addr-by-name', opts.name) as Promise<[string, string] | null>).then((r) => (r ? `${r[0]}:${r[1]}` : null), () => null)),
      );
      const roles = await Promise.all([...nodes.values()].map((n) => (n.conn.call('ROLE') as Promise<unknown[]>).then((r) => r, () => null)));
      const atMs = now();
      const answered = named.filter((a): a is string => a !== null);
      const agreed = answered.length > sentinels.length / 2 && answered.every((a) => a === answered[0]) ? answered[0]! : null;
      const entries = [...nodes.values()];
      const roleOf = (addr: string) => roles[entries.findIndex((e) => `${e.ref.host}:${e.ref.port}` === addr)] ?? null;
      let leader: string | null = null;
      let replicas: string[] = [];
      if (agreed) {
        const role = roleOf(agreed);
        if (role && role[0] === 'master') {
          leader = nameOf(agreed);
          replicas = ((role[2] as [string, string, string][] | undefined) ?? []).map(([h, p]) => nameOf(`${h}:${p}`));
        }
      }
      const healthy =
        leader !== null &&
        answered.length === sentinels.length &&
        opts.members.filter((m) => m.name !== leader).every((m) => replicas.includes(m.name) && roleOf(`${m.host}:${m.port}`)?.[0] === 'slave');
      const detail = [
        `sentinels: ${named.map((a) => (a ? nameOf(a) : '?')).join('/')}`,
        ...entries.map((e, i) => `${e.ref.name} ${roles[i] ? String(roles[i]![0]) : 'unreachable'}`),
      ].join(', ');
      return { atMs, leader, healthy, detail, reachable: entries.filter((_, i) => roles[i] !== null).map((e) => e.ref.name) };
    },
  };
}
