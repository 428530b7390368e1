// Host selectors → inventory hosts, resolved from live state when the step starts:
//   local | <inventory host> | <cluster>.<member name> | <cluster>.members
//   patroni: <cluster>.leader | replicas | sync-standby   (Patroni REST /cluster, first member answering)
//   redis-sentinel: <cluster>.master | replicas           (Sentinel; the master needs a majority of sentinels)
//   etcd: <cluster>.leader                                (v3 /maintenance/status)
//   mongodb: <cluster>.primary | secondaries               (one snapshot through the mongodb probe)
//   kafka: <cluster>.controller | brokers                  (controller: one snapshot through the kafka probe)
// Live addresses map back to inventory members (by name, then endpoint/address:port), then to hosts.
// Each SSH target carries its address and the verified host-key fingerprint from the pooled transport.
import { httpFetch, type HttpFetch, type HttpRequestInit } from '../adapters/http-client.js';
import type { ClusterState, TargetStatus } from '../core/cluster-state.js';
import type { ResolvedTarget } from '../core/engine/events.js';
import type { Cluster, ClusterMember, Inventory } from '../core/inventory/model.js';
import { HatuiError } from '../core/exit-codes.js';
import { REDIS_AUTH_KEY } from '../core/inventory/credential-keys.js';
import { clusterCredential, type CredentialReader } from '../core/secrets/credentials.js';
import { systemCredentialReader } from '../adapters/credential-reader.js';
import { snapshotCluster } from './snapshot.js';

/** Roles resolved from live state, per cluster kind (besides `members` and member names). */
export const LIVE_ROLES: Partial<Record<Cluster['kind'], readonly string[]>> = {
  patroni: ['leader', 'replicas', 'sync-standby'],
  'redis-sentinel': ['master', 'replicas'],
  etcd: ['leader'],
  mongodb: ['primary', 'secondaries'],
  kafka: ['controller', 'brokers'],
};

export interface TargetResolverDeps {
  fetch?: HttpFetch;
  /** One command to a Redis/Sentinel at `host:port` (after AUTH when `auth` is given); resolves with the raw reply. */
  redisCommand?: (endpoint: string, args: string[], timeoutMs: number, auth?: string) => Promise<unknown>;
  /** Reads the clusters' credentials (default: hatui's environment and files). */
  credentials?: CredentialReader;
  /** Verified host key of an SSH host (SshTransport.hostKey); refusals (HostKeyError) propagate. */
  hostKey?: (host: string) => Promise<{ address: string; fingerprint: string }>;
  /** Per-request timeout for REST and Sentinel queries (default 2 s). */
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

interface PatroniMember {
  name: string;
  role: string;
  host?: string;
  port?: number;
  state?: string;
}

export function createTargetResolver(inventory: Inventory, deps: TargetResolverDeps = {}): TargetResolver {
  const doFetch = deps.fetch ?? httpFetch;
  const timeoutMs = deps.requestTimeoutMs ?? 2000;
  const redis = deps.redisCommand ?? ioredisCommand;

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
    switch (cluster.kind) {
      case 'patroni': {
        const live = await patroniCluster(cluster, fail);
        const pick = (pred: (m: PatroniMember) => boolean) => live.filter(pred).map((m) => mapPatroni(cluster, m, fail));
        if (role === 'leader') return pick((m) => m.role === 'leader' || m.role === 'standby_leader');
        if (role === 'replicas') return pick((m) => m.role === 'replica' || m.role === 'sync_standby');
        if (role === 'sync-standby') return pick((m) => m.role === 'sync_standby');
        break;
      }
      case 'redis-sentinel': {
        if (role === 'master') return [mapAddress(cluster, await sentinelMaster(cluster, fail), fail)];
        if (role === 'replicas') return sentinelReplicas(cluster, fail);
        break;
      }
      case 'etcd':
        if (role === 'leader') return [await etcdLeader(cluster, fail)];
        break;
      case 'mongodb': {
        // The probe's view: the primary's own replSetGetStatus when it answers (as the panel shows it).
        const state = await probed(selector, cluster);
        if (state.kind !== 'mongodb') break;
        if (role === 'primary') {
          if (!state.primary) return fail(`no member of mongodb cluster '${clusterOf(selector)}' is PRIMARY right now${unanswered(state.targets)}`);
          return cluster.members.filter((m) => m.name === state.primary);
        }
        if (role === 'secondaries') return cluster.members.filter((m) => state.members.find((x) => x.name === m.name)?.stateStr === 'SECONDARY');
        break;
      }
      case 'kafka': {
        if (role === 'brokers') return cluster.members;
        const state = await probed(selector, cluster);
        if (state.kind !== 'kafka') break;
        const controller = state.brokers.find((b) => b.controller);
        if (!controller) return fail(`no broker of kafka cluster '${clusterOf(selector)}' is named controller right now${unanswered(state.targets)}`);
        const member = cluster.members.find((m) => m.name === controller.name);
        return member ? [member] : fail(`the controller is broker ${controller.nodeId} (${controller.address}), which the inventory does not list`);
      }
      default:
        break;
    }
    return fail(`'${role}' is not a role hatui can resolve for ${cluster.kind} clusters (use members or a member name: ${cluster.members.map((m) => m.name).join(', ') || 'none'})`);
  }

  /** The cluster as its probe sees it right now (MongoDB and Kafka roles: only their drivers can ask). */
  function probed(selector: string, cluster: Cluster): Promise<ClusterState> {
    return snapshotCluster(clusterOf(selector), cluster, inventory, { timeoutMs });
  }

  async function getJson(url: string, init?: HttpRequestInit): Promise<unknown> {
    const response = await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json();
  }

  async function patroniCluster(cluster: Cluster, fail: (why: string) => never): Promise<PatroniMember[]> {
    const errors: string[] = [];
    for (const m of cluster.members) {
      if (!m.endpoint) continue;
      const url = `${m.endpoint.replace(/\/+$/, '')}/cluster`;
      try {
        const body = (await getJson(url)) as { members?: PatroniMember[] };
        if (!Array.isArray(body.members)) throw new Error('no members in the answer');
        return body.members;
      } catch (error) {
        errors.push(`${url}: ${(error as Error).message}`);
      }
    }
    return fail(`no Patroni member answered /cluster (${errors.join('; ') || 'no member has a REST endpoint'})`);
  }

  function mapPatroni(cluster: Cluster, live: PatroniMember, fail: (why: string) => never): ClusterMember {
    const byName = cluster.members.find((m) => m.name === live.name);
    if (byName) return byName;
    if (live.host && live.port !== undefined) return mapAddress(cluster, `${live.host}:${live.port}`, fail);
    return fail(`Patroni member '${live.name}' is not in the inventory`);
  }

  function mapAddress(cluster: Cluster, address: string, fail: (why: string) => never): ClusterMember {
    const found = cluster.members.find((m) => {
      if (m.endpoint && stripScheme(m.endpoint) === address) return true;
      const host = inventory.hosts[m.host];
      return host !== undefined && m.port !== undefined && `${host.address}:${m.port}` === address;
    });
    return found ?? fail(`live address ${address} matches no member in the inventory`);
  }

  async function askSentinels(cluster: Cluster, args: string[], fail: (why: string) => never): Promise<Array<{ sentinel: string; reply?: unknown; error?: string }>> {
    const sentinels = cluster.sentinels ?? [];
    if (sentinels.length === 0) fail('the cluster lists no sentinels');
    const name = Object.keys(inventory.clusters).find((n) => inventory.clusters[n] === cluster) ?? '?';
    let auth: string | undefined;
    try {
      auth = clusterCredential(name, cluster, REDIS_AUTH_KEY, deps.credentials ?? systemCredentialReader());
    } catch (error) {
      fail((error as Error).message);
    }
    return Promise.all(
      sentinels.map(async (sentinel) => {
        try {
          return { sentinel, reply: await redis(sentinel, args, timeoutMs, auth) };
        } catch (error) {
          return { sentinel, error: (error as Error).message };
        }
      }),
    );
  }

  async function sentinelMaster(cluster: Cluster, fail: (why: string) => never): Promise<string> {
    if (!cluster.masterName) fail('the cluster has no masterName');
    const answers = await askSentinels(cluster, ['SENTINEL', 'get-master-addr-by-name', cluster.masterName!], fail);
    const votes = new Map<string, number>();
    for (const a of answers) {
      if (Array.isArray(a.reply) && a.reply.length === 2) {
        const addr = `${String(a.reply[0])}:${String(a.reply[1])}`;
        votes.set(addr, (votes.get(addr) ?? 0) + 1);
      }
    }
    const need = Math.floor(answers.length / 2) + 1;
    const winner = [...votes.entries()].find(([, n]) => n >= need);
    if (!winner) {
      const seen = answers.map((a) => `${a.sentinel} → ${a.error ?? (Array.isArray(a.reply) ? a.reply.join(':') : 'no master')}`).join('; ');
      return fail(`no majority of sentinels (${need} of ${answers.length}) agrees on the master of '${cluster.masterName}' (${seen})`);
    }
    return winner[0];
  }

  async function sentinelReplicas(cluster: Cluster, fail: (why: string) => never): Promise<ClusterMember[]> {
    const master = await sentinelMaster(cluster, fail);
    const answers = await askSentinels(cluster, ['SENTINEL', 'replicas', cluster.masterName!], fail);
    const first = answers.find((a) => Array.isArray(a.reply));
    if (!first) return fail(`no sentinel listed the replicas (${answers.map((a) => `${a.sentinel}: ${a.error}`).join('; ')})`);
    const out: ClusterMember[] = [];
    for (const entry of first.reply as unknown[]) {
      const fields = pairs(entry);
      const flags = (fields.flags ?? '').split(',');
      if (flags.some((f) => f === 's_down' || f === 'o_down' || f === 'disconnected')) continue;
      const addr = `${fields.ip}:${fields.port}`;
      if (addr === master) continue;
      out.push(mapAddress(cluster, addr, fail));
    }
    return out;
  }

  async function etcdLeader(cluster: Cluster, fail: (why: string) => never): Promise<ClusterMember> {
    const errors: string[] = [];
    for (const m of cluster.members) {
      const base = m.endpoint ? (m.endpoint.includes('://') ? m.endpoint : `http://${m.endpoint}`) : undefined;
      if (!base) continue;
      try {
        const body = (await getJson(`${base}/v3/maintenance/status`, { method: 'POST', body: '{}' })) as { leader?: string; header?: { member_id?: string } };
        if (body.leader && body.leader === body.header?.member_id) return m;
      } catch (error) {
        errors.push(`${base}: ${(error as Error).message}`);
      }
    }
    return fail(`no etcd member reports itself leader${errors.length ? ` (${errors.join('; ')})` : ''}`);
  }

  return { resolve };
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

/** RESP flat key/value array → record. */
function pairs(entry: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(entry)) return out;
  for (let i = 0; i + 1 < entry.length; i += 2) out[String(entry[i])] = String(entry[i + 1]);
  return out;
}

async function ioredisCommand(endpoint: string, args: string[], timeoutMs: number, auth?: string): Promise<unknown> {
  const [host, port] = splitHostPort(endpoint);
  // Loaded on first use: runs that never ask a Sentinel never pay for ioredis.
  // Through `default` (module.exports): the bundle hands a lazily imported CommonJS module over as its default export only.
  const { Redis } = (await import('ioredis')).default;
  const client = new Redis({ host, port, ...(auth === undefined ? {} : { password: auth }), lazyConnect: true, connectTimeout: timeoutMs, commandTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => {});
  try {
    await client.connect();
    return await client.call(args[0]!, ...args.slice(1));
  } finally {
    client.disconnect();
  }
}

export function splitHostPort(endpoint: string): [string, number] {
  const stripped = stripScheme(endpoint);
  const i = stripped.lastIndexOf(':');
  return [stripped.slice(0, i).replace(/^\[|\]$/g, ''), Number(stripped.slice(i + 1))];
}
