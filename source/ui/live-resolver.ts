// Resolves `<cluster>.<role>` host selectors from the live cluster snapshot (the poller's), for runs
// started from the terminal app. Stopgap until the shared resolver (services/resolve-target.ts) lands:
// it reads the same ROLES table and the same snapshot. Never guesses: no live answer → no match.
import type { ClusterState } from '../core/cluster-state.js';
import type { ResolvedTarget } from '../core/engine/events.js';
import type { Inventory } from '../core/inventory/model.js';
import { checkSelector } from '../core/inventory/roles.js';

export function resolveLive(selector: string, inventory: Inventory, clusters: Record<string, unknown>): ResolvedTarget[] {
  const check = checkSelector(selector, inventory);
  if (!check.ok) throw new Error(check.error);
  const target = (host: string): ResolvedTarget => ({ selector, host, ...(inventory.hosts[host] ? { address: `${inventory.hosts[host]!.address}:${inventory.hosts[host]!.ssh?.port ?? inventory.defaults?.ssh?.port ?? 22}` } : {}) });
  if (check.kind === 'local') return [{ selector, host: 'local' }];
  if (check.kind === 'host') return [target(selector)];
  const cluster = inventory.clusters[check.cluster!]!;
  const byName = (names: readonly (string | null | undefined)[]) =>
    cluster.members.filter((m) => names.includes(m.name)).map((m) => target(m.host));
  if (check.kind === 'member' || check.role === 'members') return check.kind === 'member' ? byName([check.role]) : cluster.members.map((m) => target(m.host));
  const state = clusters[check.cluster!] as ClusterState | undefined;
  if (!state) return [];
  switch (state.kind) {
    case 'patroni': {
      if (check.role === 'leader') return byName([state.leader]);
      if (check.role === 'sync-standby') return byName([state.syncStandby]);
      if (check.role === 'replicas') return byName(state.members.filter((m) => m.role === 'replica' || m.role === 'sync_standby').map((m) => m.name));
      return [];
    }
    case 'redis-sentinel': {
      const endpointOf = (m: (typeof cluster.members)[number]) => m.endpoint ?? `${inventory.hosts[m.host]?.address ?? m.host}:${m.port ?? ''}`;
      if (check.role === 'master') return cluster.members.filter((m) => endpointOf(m) === state.master).map((m) => target(m.host));
      if (check.role === 'replicas') return cluster.members.filter((m) => state.master !== null && endpointOf(m) !== state.master).map((m) => target(m.host));
      return [];
    }
    case 'etcd':
      if (check.role === 'leader') return byName(state.members.filter((m) => m.isLeader).map((m) => m.name));
      return [];
    default:
      return [];
  }
}
