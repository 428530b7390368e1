// etcd probe: one target per member (`GET /health`, `POST /v3/maintenance/status`).
import type { EtcdMember, EtcdState } from '../../core/cluster-state.js';
import type { Cluster } from '../../core/inventory/model.js';
import { httpJson, memberEndpoint, num, staleOf, str, targetStatuses } from './common.js';
import type { ClusterProbe, TargetResult } from './types.js';

export interface EtcdObservation {
  healthy: boolean;
  version: string | null;
  isLeader: boolean | null;
  raftTerm: number | null;
  dbSize: number | null;
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
  void cluster;
  return {
    kind: 'etcd',
    name,
    fetchedAt: new Date(now).toISOString(),
    targets: targetStatuses(results, now),
    members,
    healthyCount: members.filter((m) => m.healthy === true).length,
  };
}

export const etcdProbe: ClusterProbe<EtcdObservation> = {
  kinds: ['etcd'],
  targets(_name, cluster, inventory) {
    return cluster.members.map((member) => {
      const base = memberEndpoint(member, inventory, 'http').replace(/\/$/, '');
      return {
        id: member.name,
        address: base,
        async fetch(signal) {
          const [health, status] = await Promise.all([
            httpJson(`${base}/health`, signal),
            httpJson(`${base}/v3/maintenance/status`, signal, { method: 'POST', body: '{}' }),
          ]);
          return { healthy: parseEtcdHealth(health), ...parseEtcdStatus(status) };
        },
      };
    });
  },
  combine: (name, cluster, results, _prev, now) => combineEtcd(name, cluster, results, now),
};
