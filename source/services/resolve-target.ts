// Host selectors → inventory hosts, resolved from live state when the step starts:
//   local | <inventory host> | <cluster>.<member name> | <cluster>.members
//   patroni: <cluster>.leader | replicas | sync-standby   (roles as the Patroni probe's snapshot reads /cluster)
//   redis-sentinel: <cluster>.master | replicas           (the Sentinel probe's snapshot; the master needs a
//                                                          majority of the configured sentinels naming it)
//   etcd: <cluster>.leader                                (the etcd probe's snapshot: the member that says it leads)
//   mongodb: <cluster>.primary | secondaries               (the mongodb probe's snapshot)
//   kafka: <cluster>.controller | brokers                  (controller: the kafka probe's snapshot)
//   redis-cluster: <cluster>.masters | replicas            (the redis-cluster probe's snapshot)
// Every live role comes from one probe snapshot (services/snapshot.ts): the resolver asks no server itself, so
// it can never disagree with the panels, CEL's `clusters.<name>` or the drill's views on who leads.
// Live addresses map back to inventory members (by name, then endpoint/address:port), then to hosts.
// Each SSH target carries its address and the verified host-key fingerprint from the pooled transport.
import type { ClusterState, RedisSentinelState, TargetStatus } from '../core/cluster-state.js';
import type { ResolvedTarget } from '../core/engine/events.js';
import type { Cluster, ClusterMember, Inventory } from '../core/inventory/model.js';
import { HatuiError } from '../core/exit-codes.js';
import type { CredentialReader } from '../core/secrets/credentials.js';
import { probeFor } from '../adapters/probes/index.js';
import { createRedisSentinelProbe } from '../adapters/probes/redis-sentinel.js';
import type { ClusterProbe } from '../adapters/probes/types.js';
import { snapshotCluster } from './snapshot.js';

/** Roles resolved from live state, per cluster kind (besides `members` and member names). */
export const LIVE_ROLES: Partial<Record<Cluster['kind'], readonly string[]>> = {
  patroni: ['leader', 'replicas', 'sync-standby'],
  'redis-sentinel': ['master', 'replicas'],
  etcd: ['leader'],
  mongodb: ['primary', 'secondaries'],
  kafka: ['controller', 'brokers'],
  'redis-cluster': ['masters', 'replicas'],
};

export interface TargetResolverDeps {
  /** One probe snapshot of a cluster (default: services/snapshot.ts with the shipped probes). */
  snapshot?: (name: string, cluster: Cluster, inventory: Inventory) => Promise<ClusterState>;
  /** The probe of a kind, for the default snapshot (default: the shipped probes; tests pass doubles). */
  probeFor?: (kind: Cluster['kind']) => ClusterProbe<unknown> | undefined;
  /** Reads the clusters' credentials for the default Sentinel probe (default: hatui's environment and files). */
  credentials?: CredentialReader;
  /** Verified host key of an SSH host (SshTransport.hostKey); refusals (HostKeyError) propagate. */
  hostKey?: (host: string) => Promise<{ address: string; fingerprint: string }>;
  /** Per-target timeout of the default snapshot (default 2 s). */
  requestTimeoutMs?: number;
}

export interface TargetResolver {
  resolve(selector: string): Promise<ResolvedTarget[]>;
}

export class TargetResolveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetResolveError';
  }
}

export function createTargetResolver(inventory: Inventory, deps: TargetResolverDeps = {}): TargetResolver {
  const timeoutMs = deps.requestTimeoutMs ?? 2000;
  const sentinelProbe = deps.credentials ? createRedisSentinelProbe(deps.credentials) : undefined;
  const kindProbe = deps.probeFor ?? ((kind: Cluster['kind']) => (kind === 'redis-sentinel' && sentinelProbe ? sentinelProbe : probeFor(kind)));
  const snapshot = deps.snapshot ?? ((name: string, cluster: Cluster, inv: Inventory) => snapshotCluster(name, cluster, inv, { timeoutMs, probeFor: kindProbe }));

  async function resolve(selector: string): Promise<ResolvedTarget[]> {
    if (selector === 'local') return [{ selector, host: 'local' }];
    if (Object.hasOwn(inventory.hosts, selector)) return withKeys(selector, [selector]);
    const dot = selector.indexOf('.');
    const clusterName = dot > 0 ? selector.slice(0, dot) : '';
    const role = selector.slice(dot + 1);
    if (!clusterName || !Object.hasOwn(inventory.clusters, clusterName)) {
      throw new TargetResolveError(`host=${selector}: no inventory host or cluster by that name (hosts: ${Object.keys(inventory.hosts).join(', ') || 'none'}; clusters: ${Object.keys(inventory.clusters).join(', ') || 'none'})`);
    }
    const cluster = inventory.clusters[clusterName]!;
    const fail = (why: string): never => {
      throw new TargetResolveError(`host=${selector}: ${why}`);
    };
    let members: ClusterMember[];
    if (role === 'members') members = cluster.members;
    else if (cluster.members.some((m) => m.name === role)) members = cluster.members.filter((m) => m.name === role);
    else members = await liveRole(selector, cluster, role, fail);
    if (members.length === 0) fail(`no member of ${cluster.kind} cluster '${clusterName}' has role '${role}' right now`);
    return withKeys(selector, [...new Set(members.map((m) => m.host))]);
  }

  async function withKeys(selector: string, hosts: string[]): Promise<ResolvedTarget[]> {
    return Promise.all(
      hosts.map(async (host): Promise<ResolvedTarget> => {
        const h = inventory.hosts[host];
        if (!h) throw new TargetResolveError(`host=${selector}: member host '${host}' is not in the inventory`);
        if (h.transport === 'local') return { selector, host };
        const port = h.ssh?.port ?? inventory.defaults?.ssh?.port ?? 22;
        const fallback: ResolvedTarget = { selector, host, address: `${h.address}:${port}` };
        if (!deps.hostKey) return fallback;
        try {
          const key = await deps.hostKey(host);
          return { selector, host, address: key.address, fingerprint: key.fingerprint };
        } catch (error) {
          // A host-key refusal must stop the step; an unreachable host fails when its command runs.
          if (error instanceof HatuiError) throw error;
          return fallback;
        }
      }),
    );
  }

  async function liveRole(selector: string, cluster: Cluster, role: string, fail: (why: string) => never): Promise<ClusterMember[]> {
    if (!(LIVE_ROLES[cluster.kind] ?? []).includes(role)) {
      const live = LIVE_ROLES[cluster.kind] ?? [];
      return fail(`'${role}' is not a role hatui can resolve for ${cluster.kind} clusters (roles: ${[...live, 'members'].join(', ')}; or a member name: ${cluster.members.map((m) => m.name).join(', ') || 'none'})`);
    }
    const state = await probed(selector, cluster);
    const name = clusterOf(selector);
    switch (state.kind) {
      case 'patroni': {
        if (!state.members.some((m) => m.apiReachable) && state.members.every((m) => m.role === 'unknown')) {
          return fail(`no Patroni member answered /cluster${unanswered(state.targets) || ' (no member has a REST endpoint)'}`);
        }
        // Roles as the Patroni probe reads /cluster (a standby cluster's standby_leader is its leader).
        const pick = (pred: (role: string) => boolean) => cluster.members.filter((m) => pred(state.members.find((x) => x.name === m.name)?.role ?? 'unknown'));
        if (role === 'leader') return pick((r) => r === 'leader');
        if (role === 'replicas') return pick((r) => r === 'replica' || r === 'sync_standby');
        if (role === 'sync-standby') return pick((r) => r === 'sync_standby');
        break;
      }
      case 'redis-sentinel': {
        const master = sentinelMajority(name, cluster, state, fail);
        if (role === 'master') return [mapAddress(cluster, master, fail)];
        if (role === 'replicas') {
          // The probe's replicas of that master that answer (or that a Sentinel lists with its link), never the master.
          const live = state.replicas.filter((r) => r.address !== master && r.stale === null && r.masterOfReplica !== null);
          return live.map((r) => mapAddress(cluster, r.address, fail));
        }
        break;
      }
      case 'etcd':
        if (role === 'leader') {
          const leader = state.members.find((m) => m.isLeader === true);
          if (!leader) return fail(`no etcd member reports itself leader${unanswered(state.targets)}`);
          return cluster.members.filter((m) => m.name === leader.name);
        }
        break;
      case 'mongodb': {
        // The probe's view: the primary's own replSetGetStatus when it answers (as the panel shows it).
        if (role === 'primary') {
          if (!state.primary) return fail(`no member of mongodb cluster '${clusterOf(selector)}' is PRIMARY right now${unanswered(state.targets)}`);
          return cluster.members.filter((m) => m.name === state.primary);
        }
        if (role === 'secondaries') return cluster.members.filter((m) => state.members.find((x) => x.name === m.name)?.stateStr === 'SECONDARY');
        break;
      }
      case 'kafka': {
        if (role === 'brokers') return cluster.members;
        const controller = state.brokers.find((b) => b.controller);
        if (!controller) return fail(`no broker of kafka cluster '${clusterOf(selector)}' is named controller right now${unanswered(state.targets)}`);
        const member = cluster.members.find((m) => m.name === controller.name);
        return member ? [member] : fail(`the controller is broker ${controller.nodeId} (${controller.address}), which the inventory does not list`);
      }
      case 'redis-cluster': {
        // Masters serving slots, replicas of them, as the probe's CLUSTER NODES view names them.
        const state = await probed(selector, cluster);
        if (state.kind !== 'redis-cluster') break;
        if (!state.viewFrom) return fail(`no member of redis-cluster '${clusterOf(selector)}' answered CLUSTER NODES${unanswered(state.targets)}`);
        const live = role === 'masters' ? state.masters.filter((m) => m.slots > 0).map((m) => m.name) : state.masters.flatMap((m) => m.replicas.map((r) => r.name));
        return cluster.members.filter((m) => live.includes(m.name));
      }
      default:
        break;
    }
    return fail(`'${role}' is not a role hatui can resolve for ${cluster.kind} clusters (use members or a member name: ${cluster.members.map((m) => m.name).join(', ') || 'none'})`);
  }

  /** The cluster as its probe sees it right now: the one place roles are decided (panels, CEL, resolver, drills). */
  function probed(selector: string, cluster: Cluster): Promise<ClusterState> {
    return snapshot(clusterOf(selector), cluster, inventory);
  }

  function mapAddress(cluster: Cluster, address: string, fail: (why: string) => never): ClusterMember {
    const found = cluster.members.find((m) => {
      if (m.endpoint && stripScheme(m.endpoint) === address) return true;
      const host = inventory.hosts[m.host];
      return host !== undefined && m.port !== undefined && `${host.address}:${m.port}` === address;
    });
    return found ?? fail(`live address ${address} matches no member in the inventory`);
  }

  return { resolve };
}

/**
 * The master the probe's snapshot names, accepted only when a majority of the configured sentinels name it
 * (the probe's own `master` is the most-named; a run must not act on a minority's word).
 */
function sentinelMajority(name: string, cluster: Cluster, state: RedisSentinelState, fail: (why: string) => never): string {
  if ((cluster.sentinels ?? []).length === 0) return fail('the cluster lists no sentinels');
  if (!cluster.masterName) return fail('the cluster has no masterName');
  const credentialError = state.targets.map((t) => t.stale?.error ?? '').find((e) => e.startsWith(`clusters.${name}.credentials.`));
  if (credentialError) return fail(credentialError);
  const need = Math.floor(state.sentinels.length / 2) + 1;
  const votes = state.master ? state.sentinels.filter((s) => s.master === state.master).length : 0;
  if (!state.master || votes < need) {
    const seen = state.sentinels.map((s) => `${s.address} → ${s.stale?.error ?? s.master ?? 'no master'}`).join('; ');
    return fail(`no majority of sentinels (${need} of ${state.sentinels.length}) agrees on the master of '${cluster.masterName}' (${seen})`);
  }
  return state.master;
}

function clusterOf(selector: string): string {
  return selector.slice(0, selector.indexOf('.'));
}

/** ` (a:1 → timed out…; b:2 → ECONNREFUSED)` for the targets that did not answer, or ''. */
function unanswered(targets: readonly TargetStatus[]): string {
  const failed = targets.filter((t) => t.stale !== null);
  return failed.length ? ` (${failed.map((t) => `${t.target} → ${t.stale!.error}`).join('; ')})` : '';
}

function stripScheme(endpoint: string): string {
  return endpoint.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
}
