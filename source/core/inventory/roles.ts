// Host selectors (`host=` on sh blocks): `local`, an inventory host name, or `<cluster>.<role>`.
// The roles each cluster kind understands are data: validate, plan and the target resolver read this table.
// Only roles the resolver can answer at run time are listed, so a runbook that validates can also run.
import type { ClusterKind, Inventory } from './model.js';

export const ROLES: Record<ClusterKind, readonly string[]> = {
  patroni: ['leader', 'replicas', 'sync-standby', 'members'],
  haproxy: ['members'],
  'redis-sentinel': ['master', 'replicas', 'members'],
  'redis-cluster': ['masters', 'replicas', 'members'],
  mongodb: ['primary', 'secondaries', 'members'],
  kafka: ['controller', 'brokers', 'members'],
  weaviate: ['members'],
  etcd: ['leader', 'members'],
  dns: ['members'],
};

export type SelectorCheck = { ok: true; kind: 'local' | 'host' | 'role' | 'member'; cluster?: string; role?: string } | { ok: false; error: string };

/** Checks a selector against an inventory (static: a role is resolved from live state at run time). */
export function checkSelector(selector: string, inventory: Inventory): SelectorCheck {
  if (selector === 'local') return { ok: true, kind: 'local' };
  if (Object.prototype.hasOwnProperty.call(inventory.hosts, selector)) return { ok: true, kind: 'host' };
  const dot = selector.indexOf('.');
  if (dot === -1) {
    return { ok: false, error: `host=${selector}: no such host in the inventory (hosts: ${list(Object.keys(inventory.hosts))}; or local, or <cluster>.<role>)` };
  }
  const clusterName = selector.slice(0, dot);
  const role = selector.slice(dot + 1);
  const cluster = Object.prototype.hasOwnProperty.call(inventory.clusters, clusterName) ? inventory.clusters[clusterName] : undefined;
  if (!cluster) return { ok: false, error: `host=${selector}: no cluster '${clusterName}' in the inventory (clusters: ${list(Object.keys(inventory.clusters))})` };
  if (ROLES[cluster.kind].includes(role)) return { ok: true, kind: 'role', cluster: clusterName, role };
  const members = cluster.members.map((m) => m.name);
  if (members.includes(role)) return { ok: true, kind: 'member', cluster: clusterName, role };
  return {
    ok: false,
    error: `host=${selector}: '${role}' is not a role of ${cluster.kind} cluster '${clusterName}' (roles: ${ROLES[cluster.kind].join(', ')}; or a member: ${list(members)})`,
  };
}

function list(names: string[]): string {
  if (names.length === 0) return 'none';
  return names.length > 12 ? `${names.slice(0, 12).join(', ')}, …` : names.join(', ');
}
