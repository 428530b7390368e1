// Redis Sentinel probe: one target per Sentinel (`SENTINEL MASTER`, `SENTINEL REPLICAS`,
// `SENTINEL CKQUORUM`) and one per Redis node (`INFO replication`). Combined: the master each
// Sentinel reports, whether they agree, and each replica's link and offset lag.
import type { LeaderChange, RedisReplica, RedisSentinelState, SentinelView } from '../../core/cluster-state.js';
import { REDIS_AUTH_KEY } from '../../core/inventory/credential-keys.js';
import type { Cluster } from '../../core/inventory/model.js';
import { clusterCredential, type CredentialReader } from '../../core/secrets/credentials.js';
import { systemCredentialReader } from '../credential-reader.js';
import { fresh, memberEndpoint, num, staleOf, targetStatuses, trackChanges } from './common.js';
import { pairs, respPipeline, RespError, type RespValue } from './resp.js';
import type { ClusterProbe, TargetResult } from './types.js';

export interface SentinelObservation {
  type: 'sentinel';
  master: Record<string, string>;
  replicas: Record<string, string>[];
  quorumOk: boolean | null;
}
export interface NodeObservation {
  type: 'node';
  info: Record<string, string>;
}
export type RedisObservation = SentinelObservation | NodeObservation;

/** Parses `INFO` text (`# Section` headers, `key:value` lines). */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Parses the Sentinel replies (RESP values) into an observation; an error reply for MASTER throws. */
export function parseSentinelReplies(master: RespValue, replicas: RespValue, ckquorum: RespValue): SentinelObservation {
  if (master instanceof RespError) throw new Error(`SENTINEL MASTER: ${master.message}`);
  return {
    type: 'sentinel',
    master: pairs(master),
    replicas: Array.isArray(replicas) ? replicas.map(pairs) : [],
    quorumOk: ckquorum instanceof RespError ? false : typeof ckquorum === 'string' ? ckquorum.startsWith('OK') : null,
  };
}

function addr(ip: string | undefined, port: string | undefined): string | null {
  return ip && port ? `${ip}:${port}` : null;
}

export function combineRedisSentinel(
  name: string,
  cluster: Cluster,
  results: readonly TargetResult<RedisObservation>[],
  prev: RedisSentinelState | undefined,
  now: number,
): RedisSentinelState {
  const at = new Date(now).toISOString();
  const sentinelResults = results.filter((r) => r.id.startsWith('sentinel '));
  const nodeResults = results.filter((r) => r.id.startsWith('node '));
  const sentinels: SentinelView[] = sentinelResults.map((r) => {
    const o = r.last?.type === 'sentinel' ? r.last : null;
    return {
      address: r.address,
      master: o ? addr(o.master.ip, o.master.port) : null,
      flags: o?.master.flags ?? null,
      quorum: o ? num(o.master.quorum) : null,
      quorumReachable: o?.quorumOk ?? null,
      stale: staleOf(r, now),
    };
  });
  const liveSentinels = fresh(sentinelResults).flatMap((f) => (f.value.type === 'sentinel' ? [f.value] : []));
  const votes = new Map<string, number>();
  for (const o of liveSentinels) {
    const m = addr(o.master.ip, o.master.port);
    if (m) votes.set(m, (votes.get(m) ?? 0) + 1);
  }
  const master = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  const nodes = new Map<string, { info: Record<string, string>; result: TargetResult<RedisObservation> }>();
  for (const r of nodeResults) if (r.last?.type === 'node') nodes.set(r.address, { info: r.last.info, result: r });
  const masterNode = master ? nodes.get(master) : undefined;
  const masterOffset = masterNode && masterNode.result.error === null ? num(masterNode.info.master_repl_offset) : null;
  const sentinelReplicas = liveSentinels[0]?.replicas ?? [];
  const replicaAddresses = [
    ...new Set([
      ...sentinelReplicas.map((r) => addr(r.ip, r.port)).filter((a): a is string => a !== null),
      ...nodeResults.map((r) => r.address).filter((a) => a !== master),
    ]),
  ];
  const replicas: RedisReplica[] = replicaAddresses.map((address) => {
    const node = nodes.get(address);
    const own = node && node.result.error === null && node.info.role === 'slave' ? node.info : null;
    const viaSentinel = sentinelReplicas.find((r) => addr(r.ip, r.port) === address);
    const offset = own ? num(own.slave_repl_offset) : viaSentinel ? num(viaSentinel['slave-repl-offset']) : null;
    return {
      address,
      linkStatus: own?.master_link_status ?? viaSentinel?.['master-link-status'] ?? null,
      offset,
      offsetLag: masterOffset !== null && offset !== null ? Math.max(0, masterOffset - offset) : null,
      masterOfReplica: own ? addr(own.master_host, own.master_port) : viaSentinel ? addr(viaSentinel['master-host'], viaSentinel['master-port']) : null,
      stale: node ? staleOf(node.result, now) : null,
    };
  });
  const leaderChanges = trackChanges<LeaderChange>(prev?.leaderChanges, prev?.master, (prev?.sentinelsReachable ?? 0) > 0, master, liveSentinels.length > 0, at);
  return {
    kind: 'redis-sentinel',
    name,
    fetchedAt: at,
    targets: targetStatuses(results, now),
    masterName: cluster.masterName ?? name,
    sentinels,
    master,
    agreement: liveSentinels.length > 0 && votes.size === 1,
    quorum: liveSentinels.map((o) => num(o.master.quorum)).find((q) => q !== null) ?? null,
    sentinelsReachable: liveSentinels.length,
    masterRole: masterNode && masterNode.result.error === null ? (masterNode.info.role ?? null) : null,
    masterOffset,
    replicas,
    leaderChanges,
  };
}

/**
 * The probe. The cluster's `auth` credential (one password for Sentinels and data nodes) is read through
 * `reader` at each poll, so a rotated password file is picked up, and sent as `AUTH` first on every connection.
 */
export function createRedisSentinelProbe(reader: CredentialReader = systemCredentialReader()): ClusterProbe<RedisObservation> {
  return {
    kinds: ['redis-sentinel'],
    targets(name, cluster, inventory) {
      const masterName = cluster.masterName ?? name;
      const auth = () => clusterCredential(name, cluster, REDIS_AUTH_KEY, reader);
      const sentinels = (cluster.sentinels ?? []).map((address) => ({
        id: `sentinel ${address}`,
        address,
        async fetch(signal: AbortSignal): Promise<RedisObservation> {
          const [m, r, q] = await respPipeline(
            address,
            [['SENTINEL', 'MASTER', masterName], ['SENTINEL', 'REPLICAS', masterName], ['SENTINEL', 'CKQUORUM', masterName]],
            signal,
            auth(),
          );
          return parseSentinelReplies(m ?? null, r ?? null, q ?? null);
        },
      }));
      const nodes = cluster.members.map((member) => {
        const address = memberEndpoint(member, inventory).replace(/^redis:\/\//, '');
        return {
          id: `node ${address}`,
          address,
          async fetch(signal: AbortSignal): Promise<RedisObservation> {
            const [info] = await respPipeline(address, [['INFO', 'replication']], signal, auth());
            if (typeof info !== 'string') throw new Error(`${address}: INFO replication: ${info instanceof RespError ? info.message : 'no answer'}`);
            return { type: 'node', info: parseInfo(info) };
          },
        };
      });
      return [...sentinels, ...nodes];
    },
    combine: (name, cluster, results, prev, now) => combineRedisSentinel(name, cluster, results, prev?.kind === 'redis-sentinel' ? prev : undefined, now),
  };
}

export const redisSentinelProbe = createRedisSentinelProbe();
