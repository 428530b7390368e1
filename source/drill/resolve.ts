// Host selectors for drill steps: the run's own target resolver (services/resolve-target.ts), which reads the
// clusters' live roles and gives SSH targets the inventory host's address and verified host-key fingerprint,
// so a drill step runs on exactly the host a run's step would. The drill accepts the same role names as a run
// (`pg.leader`, `redis.master`, `<cluster>.replicas`, `<cluster>.members`…); the old drill spellings
// `<cluster>.primary|master|leader` (for the cluster's leader) and `<cluster>.all` are read as those names.
// The drill's own acceptance on top: `<cluster>.replicas` while the cluster has no agreed leader (right after
// the fault) is every member the cluster's probe reaches, as the drill always allowed.
// Selectors that name no cluster go to the fallback resolver (local, inventory host names).
import type { ResolvedTarget } from '../core/engine/events.js';
import type { Cluster, Inventory } from '../core/inventory/model.js';
import { memberEndpoint } from '../adapters/probes/common.js';
import type { ClusterState } from '../core/cluster-state.js';
import { createTargetResolver, LIVE_ROLES, TargetResolveError, type TargetResolverDeps } from '../services/resolve-target.js';
import { snapshotCluster } from '../services/snapshot.js';

export type Resolve = (selector: string) => Promise<ResolvedTarget[]>;

/** Each kind's leader role under the run resolver's name. */
const LEADER_ROLE: Partial<Record<Cluster['kind'], string>> = { patroni: 'leader', 'redis-sentinel': 'master', etcd: 'leader', mongodb: 'primary', kafka: 'controller' };

/** The run resolver's deps: `snapshot` (or `probeFor`) feeds both the resolver and the drill's fallback below. */
export type DrillResolverDeps = TargetResolverDeps;

export function drillResolver(inventory: Inventory, fallback: Resolve, deps: DrillResolverDeps = {}): Resolve {
  const resolver = createTargetResolver(inventory, deps);
  return async (selector) => {
    const dot = selector.indexOf('.');
    const name = dot > 0 ? selector.slice(0, dot) : '';
    const cluster = name && Object.hasOwn(inventory.clusters, name) ? inventory.clusters[name]! : undefined;
    if (!cluster) return fallback(selector);
    const role = selector.slice(dot + 1);
    const canonical = role === 'all' ? 'members' : ['leader', 'primary', 'master'].includes(role) && !(LIVE_ROLES[cluster.kind] ?? []).includes(role) ? (LEADER_ROLE[cluster.kind] ?? role) : role;
    let targets: ResolvedTarget[];
    try {
      targets = await resolver.resolve(`${name}.${canonical}`);
    } catch (error) {
      if (!(error instanceof TargetResolveError) || canonical !== 'replicas') throw error;
      const reached = reachable(inventory, cluster, await (deps.snapshot ?? ((n: string, c: Cluster, i: Inventory) => snapshotCluster(n, c, i, deps.probeFor ? { probeFor: deps.probeFor } : {})))(name, cluster, inventory));
      if (reached.length === 0) throw error;
      targets = (await Promise.all(reached.map((member) => resolver.resolve(`${name}.${member}`)))).flat();
    }
    return targets.map((t) => ({ ...t, selector }));
  };
}

/** Members the probe reached in this snapshot, leaving out the one it names leader. */
function reachable(inventory: Inventory, cluster: Cluster, state: ClusterState): string[] {
  if (state.kind === 'patroni') return state.members.filter((m) => m.apiReachable && m.name !== state.leader).map((m) => m.name);
  if (state.kind === 'redis-sentinel') {
    return cluster.members
      .filter((m) => {
        const address = memberEndpoint(m, inventory).replace(/^redis:\/\//, '');
        return address !== state.master && state.targets.some((t) => t.target === address && t.stale === null);
      })
      .map((m) => m.name);
  }
  return [];
}
