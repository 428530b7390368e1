// etcd probe: one target per member (`GET /health`, `POST /v3/maintenance/status`) and, when the cluster
// names a key `namespace` (Patroni's `/service/<scope>/`), the leader key and its lease: a quorum read,
// so a member cut off from the majority cannot report it.
import type { EtcdLeaderKey, EtcdMember, EtcdState } from '../../core/cluster-state.js';
import type { Cluster } from '../../core/inventory/model.js';
import { fresh, httpJson, memberEndpoint, num, staleOf, str, targetStatuses } from './common.js';
import type { ClusterProbe, TargetResult } from './types.js';

export interface EtcdObservation {
  healthy: boolean;
  version: string | null;
  isLeader: boolean | null;
  raftTerm: number | null;
  dbSize: number | null;
  /** The leader key as this member read it (undefined: not asked; null: the read failed). */
  leaderKey?: EtcdLeaderKey | null;
  /** Epoch ms the answer arrived (the freshest leader key wins). */
  at?: number;
}

/** `/health` → `{"health":"true"}` (3.4) or `{"health":"true","reason":""}`. */
export function parseEtcdHealth(json: unknown): boolean {
  const h = (json as { health?: unknown } | null)?.health;
  return h === true || h === 'true';
}

/** `/v3/maintenance/status` (gRPC gateway: uint64 as strings) or etcdctl's JSON (numbers). */
export function parseEtcdStatus(json: unknown): Omit<EtcdObservation, 'healthy'> {
  const j = (json ?? {}) as Record<string, unknown>;
  const status = (j.Status ?? j) as Record<string, unknown>;
  const header = (status.header ?? {}) as Record<string, unknown>;
  const memberId = str(header.member_id);
  const leader = str(status.leader);
  return {
    version: str(status.version),
    isLeader: memberId !== null && leader !== null ? memberId === leader : null,
    raftTerm: num(status.raftTerm ?? header.raft_term),
    dbSize: num(status.dbSize),
  };
}

/** A majority of `members`. */
export function quorumOf(members: number): number {
  return Math.floor(members / 2) + 1;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** `/v3/kv/range` for the key → `{holder, lease}`; `/v3/lease/timetolive` → the lease's TTLs. */
export function parseLeaderRange(json: unknown): { holder: string | null; lease: string | null } {
  const kv = ((json as { kvs?: unknown[] } | null)?.kvs ?? [])[0] as { value?: string; lease?: string } | undefined;
  if (!kv) return { holder: null, lease: null };
  const lease = str(kv.lease);
  return { holder: kv.value === undefined ? '' : Buffer.from(kv.value, 'base64').toString('utf8'), lease: lease && lease !== '0' ? lease : null };
}

export function leaderKeyFrom(key: string, range: { holder: string | null; lease: string | null }, ttl: unknown): EtcdLeaderKey {
  const t = (ttl ?? {}) as Record<string, unknown>;
  const remaining = num(t.TTL);
  const granted = num(t.grantedTTL);
  // TTL -1: the lease expired between the two reads.
  const live = remaining !== null && remaining >= 0 && granted !== null;
  return {
    key,
    holder: range.holder,
    ageSeconds: live ? granted - remaining : null,
    ttlSeconds: live ? remaining : null,
    grantedTtlSeconds: live ? granted : null,
  };
}

async function readLeaderKey(base: string, key: string, signal: AbortSignal): Promise<EtcdLeaderKey> {
  const range = parseLeaderRange(await httpJson(`${base}/v3/kv/range`, signal, { method: 'POST', body: JSON.stringify({ key: b64(key) }) }));
  if (range.holder === null) return { key, holder: null, ageSeconds: null, ttlSeconds: null, grantedTtlSeconds: null };
  const ttl = range.lease ? await httpJson(`${base}/v3/lease/timetolive`, signal, { method: 'POST', body: JSON.stringify({ ID: range.lease }) }) : {};
  return leaderKeyFrom(key, range, ttl);
}

export function leaderKeyPath(cluster: Cluster): string | null {
  if (!cluster.namespace) return null;
  return `${cluster.namespace.replace(/\/*$/, '/')}leader`;
}

export function combineEtcd(name: string, cluster: Cluster, results: readonly TargetResult<EtcdObservation>[], now: number): EtcdState {
  const members: EtcdMember[] = results.map((r) => {
    const o = r.last;
    const isFresh = r.error === null;
    return {
      name: r.id,
      endpoint: r.address,
      healthy: o && isFresh ? o.healthy : null,
      version: o?.version ?? null,
      isLeader: o && isFresh ? o.isLeader : null,
      raftTerm: o?.raftTerm ?? null,
      dbSize: o?.dbSize ?? null,
      stale: staleOf(r, now),
    };
  });
  const healthyCount = members.filter((m) => m.healthy === true).length;
  const quorumSize = quorumOf(Math.max(cluster.members.length, members.length));
  const answered = members.some((m) => m.healthy !== null);
  // Only a healthy member's quorum read counts; the freshest one wins.
  const keys = fresh(results)
    .filter((f) => f.value.healthy && f.value.leaderKey)
    .sort((a, b) => (b.value.at ?? 0) - (a.value.at ?? 0));
  return {
    kind: 'etcd',
    name,
    fetchedAt: new Date(now).toISOString(),
    targets: targetStatuses(results, now),
    members,
    healthyCount,
    quorumSize,
    hasQuorum: answered ? healthyCount >= quorumSize : null,
    leaderKey: keys[0]?.value.leaderKey ?? null,
  };
}

export const etcdProbe: ClusterProbe<EtcdObservation> = {
  kinds: ['etcd'],
  targets(_name, cluster, inventory) {
    const key = leaderKeyPath(cluster);
    return cluster.members.map((member) => {
      const base = memberEndpoint(member, inventory, 'http').replace(/\/$/, '');
      return {
        id: member.name,
        address: base,
        async fetch(signal) {
          const [health, status] = await Promise.all([
            httpJson(`${base}/health`, signal, { acceptStatus: [503] }),
            httpJson(`${base}/v3/maintenance/status`, signal, { method: 'POST', body: '{}' }),
          ]);
          const healthy = parseEtcdHealth(health);
          let leaderKey: EtcdLeaderKey | null | undefined;
          // Without a raft leader the read would hang until the timeout: not asked then.
          if (key !== null && healthy) leaderKey = await readLeaderKey(base, key, signal).catch(() => null);
          return { healthy, ...parseEtcdStatus(status), ...(leaderKey !== undefined ? { leaderKey } : {}), at: Date.now() };
        },
      };
    });
  },
  combine: (name, cluster, results, _prev, now) => combineEtcd(name, cluster, results, now),
};
