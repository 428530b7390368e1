// Host selectors for drill steps, resolved from live state when the step starts: `<cluster>.leader`
// (also `primary`, `master`), `<cluster>.replicas` (reachable members that are not the leader; while
// there is no leader, every reachable member), `<cluster>.members`. Anything else goes to the fallback
// resolver (local, inventory host names).
import type { ResolvedTarget } from '../core/engine/events.js';
import { REDIS_AUTH_KEY } from '../core/inventory/credential-keys.js';
import type { Cluster, Inventory } from '../core/inventory/model.js';
import { clusterCredential } from '../core/secrets/credentials.js';
import { systemCredentialReader } from '../adapters/credential-reader.js';
import { parseHostPort } from './canary-redis.js';
import { patroniViewSource } from './view-patroni.js';
import { redisViewSource } from './view-redis.js';

export type Resolve = (selector: string) => Promise<ResolvedTarget[]>;

interface Roles {
  leader: string | null;
  reachable: string[];
}

async function roles(name: string, cluster: Cluster): Promise<Roles> {
  if (cluster.kind === 'patroni') {
    const members = cluster.members.map((m) => ({ name: m.name, url: (m.endpoint ?? '').replace(/\/+$/, '') }));
    const view = await patroniViewSource(members)(() => Date.now());
    return { leader: view.leader, reachable: view.reachable ?? [] };
  }
  if (cluster.kind === 'redis-sentinel') {
    // One password for the Sentinels and the data nodes: the cluster's `auth` credential.
    const password = clusterCredential(name, cluster, REDIS_AUTH_KEY, systemCredentialReader());
    const src = redisViewSource({
      ...(password ? { password, sentinelPassword: password } : {}),
      sentinels: (cluster.sentinels ?? []).map(parseHostPort),
      name: cluster.masterName ?? '',
      members: cluster.members.map((m) => ({ name: m.name, ...parseHostPort(m.endpoint ?? `127.0.0.1:${m.port ?? 6379}`) })),
    });
    try {
      const view = await src.source(() => Date.now());
      return { leader: view.leader, reachable: view.reachable ?? [] };
    } finally {
      src.close();
    }
  }
  throw new Error(`role selectors on ${cluster.kind} clusters are not supported by the drill resolver`);
}

export function drillResolver(inventory: Inventory, fallback: Resolve): Resolve {
  return async (selector) => {
    const dot = selector.indexOf('.');
    const name = dot > 0 ? selector.slice(0, dot) : '';
    const cluster = name && Object.hasOwn(inventory.clusters, name) ? inventory.clusters[name]! : undefined;
    const role = selector.slice(dot + 1);
    if (!cluster || !['leader', 'primary', 'master', 'replicas', 'members', 'all'].includes(role)) return fallback(selector);
    const target = (member: string): ResolvedTarget => {
      const m = cluster.members.find((x) => x.name === member)!;
      const address = inventory.hosts[m.host]?.address;
      return { selector, host: m.host, ...(address ? { address } : {}) };
    };
    if (role === 'members' || role === 'all') return cluster.members.map((m) => target(m.name));
    const r = await roles(name, cluster);
    if (role === 'replicas') return r.reachable.filter((m) => m !== r.leader).map(target);
    if (!r.leader) throw new Error(`${selector}: cluster ${name} has no reachable leader right now`);
    return [target(r.leader)];
  };
}
