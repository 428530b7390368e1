// Redis Cluster probe: one target per member (`AUTH` with the cluster's `auth` credential, then
// `CLUSTER INFO`, `CLUSTER NODES`, `INFO replication`). Combined: slots assigned / ok / pfail / fail out
// of 16384 and cluster_state from one member's view (the first fresh one in inventory order), masters
// with their slots, config epochs and replicas (link state, offset lag from both nodes' own answers).
import { readFileSync } from 'node:fs';
import type { LeaderChange, RedisClusterMaster, RedisClusterNodeView, RedisClusterState } from '../../core/cluster-state.js';
import type { Cluster } from '../../core/inventory/model.js';
import { readCredential, type CredentialReader } from '../../core/secrets/credentials.js';
import { fresh, memberEndpoint, num, staleOf, targetStatuses, trackChanges } from './common.js';
import { parseClusterNodes, parseInfo, slotCount, type ClusterNodeLine } from './redis-cluster-parse.js';
import { respPipeline, RespError, type RespValue } from './resp.js';
import type { ClusterProbe, TargetResult } from './types.js';

export const TOTAL_SLOTS = 16384;

export interface RedisClusterObservation {
  info: Record<string, string>;
  nodes: ClusterNodeLine[];
  replication: Record<string, string>;
}

function text(reply: RespValue | undefined, address: string, what: string): string {
  if (typeof reply === 'string') return reply;
  throw new Error(`${address}: ${what}: ${reply instanceof RespError ? reply.message : 'no answer'}`);
}

/** Asks one node; with a password the first reply is AUTH's, and a refused AUTH is the error shown. */
export async function askClusterNode(address: string, password: string | undefined, signal: AbortSignal): Promise<RedisClusterObservation> {
  const commands = [['CLUSTER', 'INFO'], ['CLUSTER', 'NODES'], ['INFO', 'replication']];
  const replies = await respPipeline(address, password === undefined ? commands : [['AUTH', password], ...commands], signal);
  if (password !== undefined) {
    const auth = replies.shift();
    if (auth instanceof RespError) throw new Error(`${address}: AUTH: ${auth.message}`);
  }
  return {
    info: parseInfo(text(replies[0], address, 'CLUSTER INFO')),
    nodes: parseClusterNodes(text(replies[1], address, 'CLUSTER NODES')),
    replication: parseInfo(text(replies[2], address, 'INFO replication')),
  };
}

function ranges(slots: ClusterNodeLine['slots']): string[] {
  return slots.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`));
}

const shownFlags = (flags: string[]) => flags.filter((f) => !['myself', 'master', 'slave'].includes(f));

export function combineRedisCluster(
  name: string,
  _cluster: Cluster,
  results: readonly TargetResult<RedisClusterObservation>[],
  prev: RedisClusterState | undefined,
  now: number,
): RedisClusterState {
  const at = new Date(now).toISOString();
  // Targets are the inventory members (id = member name, address = its endpoint).
  const nameOf = (address: string) => results.find((r) => r.address === address)?.id ?? address;
  const live = fresh(results);
  const byAddress = new Map(live.map((f) => [f.result.address, f.value]));
  const view = live[0] ?? null;
  const lines = view?.value.nodes ?? [];
  const masters: RedisClusterMaster[] = lines
    .filter((l) => l.flags.includes('master'))
    .sort((a, b) => (a.slots[0]?.[0] ?? TOTAL_SLOTS) - (b.slots[0]?.[0] ?? TOTAL_SLOTS) || a.address.localeCompare(b.address))
    .map((m) => {
      const masterOffset = num(byAddress.get(m.address)?.replication.master_repl_offset);
      return {
        name: nameOf(m.address),
        address: m.address,
        id: m.id,
        slots: slotCount(m.slots),
        slotRanges: ranges(m.slots),
        configEpoch: m.configEpoch,
        linkState: m.linkState,
        flags: shownFlags(m.flags),
        replicas: lines
          .filter((r) => r.masterId === m.id)
          .map((r) => {
            const own = byAddress.get(r.address)?.replication;
            const offset = own?.role === 'slave' ? num(own.slave_repl_offset) : null;
            return {
              name: nameOf(r.address),
              address: r.address,
              linkState: r.linkState,
              masterLinkStatus: own?.role === 'slave' ? (own.master_link_status ?? null) : null,
              offsetLag: masterOffset !== null && offset !== null ? Math.max(0, masterOffset - offset) : null,
              flags: shownFlags(r.flags),
            };
          }),
      };
    });
  const nodes: RedisClusterNodeView[] = results.map((r) => {
    const o = r.error === null ? r.last : null;
    return {
      name: r.id,
      address: r.address,
      role: o ? (o.replication.role === 'master' ? 'master' : 'replica') : null,
      clusterState: o?.info.cluster_state ?? null,
      stale: staleOf(r, now),
    };
  });
  const masterSet = view ? masters.filter((m) => m.slots > 0).map((m) => m.name).sort().join(',') : null;
  const prevSet = prev ? prev.masters.filter((m) => m.slots > 0).map((m) => m.name).sort().join(',') : null;
  const info = view?.value.info;
  return {
    kind: 'redis-cluster',
    name,
    fetchedAt: at,
    targets: targetStatuses(results, now),
    clusterState: info?.cluster_state ?? null,
    totalSlots: TOTAL_SLOTS,
    slotsAssigned: num(info?.cluster_slots_assigned),
    slotsOk: num(info?.cluster_slots_ok),
    slotsPfail: num(info?.cluster_slots_pfail),
    slotsFail: num(info?.cluster_slots_fail),
    knownNodes: num(info?.cluster_known_nodes),
    currentEpoch: num(info?.cluster_current_epoch),
    viewFrom: view?.result.id ?? null,
    masters,
    nodes,
    masterChanges: trackChanges<LeaderChange>(prev?.masterChanges, prevSet, prev?.viewFrom != null, masterSet, view !== null, at),
  };
}

/** The probe, reading the `auth` credential through `reader` on first use (the value goes only into AUTH). */
export function createRedisClusterProbe(reader: CredentialReader = { env: process.env, readFile: (path) => readFileSync(path, 'utf8') }): ClusterProbe<RedisClusterObservation> {
  return {
    kinds: ['redis-cluster'],
    targets(name, cluster, inventory) {
      const source = cluster.credentials?.auth;
      let password: string | undefined;
      const auth = () => (source ? (password ??= readCredential(source, reader, `${name}.credentials.auth`)) : undefined);
      return cluster.members.map((member) => {
        const address = memberEndpoint(member, inventory).replace(/^redis:\/\//, '');
        return { id: member.name, address, fetch: (signal: AbortSignal) => askClusterNode(address, auth(), signal) };
      });
    },
    combine: (name, cluster, results, prev, now) =>
      combineRedisCluster(name, cluster, results, prev?.kind === 'redis-cluster' ? prev : undefined, now),
  };
}

export const redisClusterProbe = createRedisClusterProbe();
