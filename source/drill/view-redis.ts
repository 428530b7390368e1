// A Redis Sentinel view from the Sentinel probe's snapshot (the one reading of who the master is, shared with
// the panels, CEL and the target resolver), with the drill's stricter acceptance on top: the leader is the
// master a majority of the configured Sentinels name, all reachable Sentinels agreeing, whose own node
// answers role master; healthy = every Sentinel answers and agrees and every other member replicates from
// that master with its link up (the old master converted back included).
import type { ClusterState } from '../core/cluster-state.js';
import type { Cluster, Inventory } from '../core/inventory/model.js';
import type { ClusterView } from '../core/drill/observe.js';
import { memberEndpoint } from '../adapters/probes/common.js';

export interface RedisViewSource {
  source: (now: () => number) => Promise<ClusterView>;
  close(): void;
}

export type RedisSnapshot = () => Promise<ClusterState>;

export function redisViewSource(opts: { cluster: Cluster; inventory: Inventory; snapshot: RedisSnapshot }): RedisViewSource {
  const members = opts.cluster.members.map((m) => ({ name: m.name, address: memberEndpoint(m, opts.inventory).replace(/^redis:\/\//, '') }));
  const nameOf = (addr: string) => members.find((m) => m.address === addr)?.name ?? addr;
  return {
    close() {},
    async source(now) {
      const state = await opts.snapshot();
      const atMs = now();
      if (state.kind !== 'redis-sentinel') return { atMs, leader: null, healthy: false, detail: `no Sentinel probe state (${state.kind})`, reachable: [] };
      const configured = opts.cluster.sentinels?.length ?? state.sentinels.length;
      const answered = state.sentinels.filter((s) => s.stale === null && s.master !== null);
      const agreed = state.master !== null && state.agreement && answered.length > configured / 2 ? state.master : null;
      const leader = agreed !== null && state.masterRole === 'master' ? nameOf(agreed) : null;
      const replicating = state.replicas.filter((r) => r.stale === null && r.masterOfReplica === agreed && (r.linkStatus === 'up' || r.linkStatus === 'ok')).map((r) => nameOf(r.address));
      const reachable = members.filter((m) => state.targets.some((t) => t.target === m.address && t.stale === null)).map((m) => m.name);
      const healthy = leader !== null && answered.length === configured && members.filter((m) => m.name !== leader).every((m) => replicating.includes(m.name));
      const detail = [
        `sentinels: ${state.sentinels.map((s) => (s.master && s.stale === null ? nameOf(s.master) : '?')).join('/')}`,
        ...members.map((m) => `${m.name} ${!reachable.includes(m.name) ? 'unreachable' : m.name === leader ? 'master' : replicating.includes(m.name) ? 'slave' : 'up'}`),
      ].join(', ');
      return { atMs, leader, healthy, detail, reachable };
    },
  };
}
