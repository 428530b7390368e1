// Host selectors for drill steps: the run's own target resolver (services/resolve-target.ts), which reads the
// clusters' live roles and gives SSH targets the inventory host's address and verified host-key fingerprint,
// so a drill step runs on exactly the host a run's step would. The drill accepts the same role names as a run
// (`pg.leader`, `redis.master`, `<cluster>.replicas`, `<cluster>.members`…); the old drill spellings
// `<cluster>.primary|master|leader` (for the cluster's leader) and `<cluster>.all` are read as those names.
// Selectors that name no cluster go to the fallback resolver (local, inventory host names).
import type { ResolvedTarget } from '../core/engine/events.js';
import type { Cluster, Inventory } from '../core/inventory/model.js';
import { createTargetResolver, LIVE_ROLES, type TargetResolverDeps } from '../services/resolve-target.js';

export type Resolve = (selector: string) => Promise<ResolvedTarget[]>;

/** Each kind's leader role under the run resolver's name. */
const LEADER_ROLE: Partial<Record<Cluster['kind'], string>> = { patroni: 'leader', 'redis-sentinel': 'master', etcd: 'leader', mongodb: 'primary', kafka: 'controller' };

export function drillResolver(inventory: Inventory, fallback: Resolve, deps: TargetResolverDeps = {}): Resolve {
  const resolver = createTargetResolver(inventory, deps);
  return async (selector) => {
    const dot = selector.indexOf('.');
    const name = dot > 0 ? selector.slice(0, dot) : '';
    const cluster = name && Object.hasOwn(inventory.clusters, name) ? inventory.clusters[name]! : undefined;
    if (!cluster) return fallback(selector);
    const role = selector.slice(dot + 1);
    const canonical = role === 'all' ? 'members' : ['leader', 'primary', 'master'].includes(role) && !(LIVE_ROLES[cluster.kind] ?? []).includes(role) ? (LEADER_ROLE[cluster.kind] ?? role) : role;
    const targets = await resolver.resolve(`${name}.${canonical}`);
    return targets.map((t) => ({ ...t, selector }));
  };
}
