// Patroni probe: one target per member REST API; each poll asks `/cluster` (the DCS view) and
// `/patroni` (the member's own status). The freshest `/cluster` answer names roles and the leader.
import type { PatroniMember, PatroniState, LeaderChange } from '../../core/cluster-state.js';
import type { Cluster, Inventory } from '../../core/inventory/model.js';
import { fresh, httpJson, memberEndpoint, num, staleOf, str, targetStatuses, trackChanges } from './common.js';
import { ARCHIVER_TARGET, archiveOf, archiverTarget, isArchiver, type ArchiverObservation } from './pg-archiver.js';
import type { ClusterProbe, ProbeTarget, TargetResult } from './types.js';

export interface PatroniClusterMember {
  name: string;
  role: PatroniMember['role'];
  state: string | null;
  timeline: number | null;
  lagBytes: number | null;
  host: string | null;
  port: number | null;
}

export interface PatroniStatus {
  role: string | null;
  state: string | null;
  timeline: number | null;
  /** Epoch seconds Patroni last talked to the DCS. */
  dcsLastSeen: number | null;
  replayedTimestamp: string | null;
  /** WAL positions (bytes) from `xlog`: `location` on a leader, received/replayed on a replica or standby leader. */
  walLocation: number | null;
  receivedLocation: number | null;
  replayedLocation: number | null;
  syncStandby: boolean;
  replication: { name: string; state: string | null; syncState: string | null }[];
  scope: string | null;
}

export interface PatroniObservation {
  members: PatroniClusterMember[];
  status: PatroniStatus;
  /** Epoch ms the answer arrived. */
  at: number;
}

/** A standby cluster's extra target: the upstream cluster's leader and its current WAL position. */
export interface UpstreamObservation {
  upstream: { leader: string; walLocation: number; at: number };
}

export type PatroniProbeObservation = PatroniObservation | UpstreamObservation | ArchiverObservation;

/** Target id of a standby cluster's upstream leader (member names never contain a space). */
export const UPSTREAM_TARGET = 'upstream leader';

function isUpstream(o: PatroniProbeObservation | null): o is UpstreamObservation {
  return o !== null && 'upstream' in o;
}

/** Parses Patroni's `GET /cluster`. Leader has no `lag`; Patroni may say `"unknown"` for lag. */
export function parsePatroniCluster(json: unknown): PatroniClusterMember[] {
  const members = (json as { members?: unknown } | null)?.members;
  if (!Array.isArray(members)) throw new Error('/cluster: no members array');
  return members.map((m: Record<string, unknown>) => {
    // `primary`/`master` (the /patroni spellings, before and after Patroni 3.x's rename) and a standby cluster's
    // `standby_leader` all name the leader; `quorum_standby` (Patroni 4 quorum commit) is a synchronous standby.
    const r = m.role;
    const role = r === 'leader' || r === 'primary' || r === 'master' || r === 'standby_leader' ? 'leader' : r === 'replica' ? 'replica' : r === 'sync_standby' || r === 'quorum_standby' ? 'sync_standby' : 'unknown';
    return {
      name: String(m.name),
      role,
      state: str(m.state),
      timeline: num(m.timeline),
      lagBytes: role === 'leader' ? 0 : num(m.lag),
      host: str(m.host),
      port: num(m.port),
    };
  });
}

/** Parses Patroni's `GET /patroni` (also `/health`, `/primary`… bodies). */
export function parsePatroniStatus(json: unknown): PatroniStatus {
  const j = (json ?? {}) as Record<string, unknown>;
  const xlog = (j.xlog ?? {}) as Record<string, unknown>;
  const replication = Array.isArray(j.replication) ? (j.replication as Record<string, unknown>[]) : [];
  const patroni = (j.patroni ?? {}) as Record<string, unknown>;
  return {
    role: str(j.role),
    state: str(j.state),
    timeline: num(j.timeline),
    dcsLastSeen: num(j.dcs_last_seen),
    replayedTimestamp: str(xlog.replayed_timestamp),
    walLocation: num(xlog.location),
    receivedLocation: num(xlog.received_location),
    replayedLocation: num(xlog.replayed_location),
    syncStandby: j.sync_standby === true,
    replication: replication.map((r) => ({ name: String(r.application_name), state: str(r.state), syncState: str(r.sync_state) })),
    scope: str(patroni.scope),
  };
}

/** A member's REST base URL (`http://127.0.0.1:58001`), tolerating an `/patroni` suffix. */
function restBase(url: string): string {
  return url.replace(/\/(patroni|cluster)?\/?$/, '');
}

/** DCS counts as reachable when a member saw it within this many seconds. */
export const DCS_FRESH_SECONDS = 20;

/** Seconds since a Patroni `replayed_timestamp` (`2026-12-03 12:00:00.1+00`) at `at` (epoch ms). */
function secondsSince(timestamp: string | null | undefined, at: number): number | null {
  if (!timestamp) return null;
  const replayed = Date.parse(timestamp.replace(' ', 'T'));
  return Number.isFinite(replayed) ? Math.max(0, (at - replayed) / 1000) : null;
}

/** The standby leader's delay behind the upstream leader (`standbyOf`), from both targets' last answers. */
export function standbyDelay(
  of: string,
  upstream: TargetResult<PatroniProbeObservation> | undefined,
  standbyLeader: PatroniObservation | null,
): NonNullable<PatroniState['standby']> {
  const up = upstream && upstream.error === null && isUpstream(upstream.last) ? upstream.last.upstream : null;
  const none = { of, upstreamLeader: up?.leader ?? null, delayBytes: null, delaySeconds: null };
  if (!up) {
    const why = upstream?.error ?? 'no answer yet';
    // the upstream target's own errors name each member's host:port; others get the target's addresses
    const named = upstream !== undefined && upstream.address.split(' ').some((a) => why.includes(a.replace(/^https?:\/\//, '')));
    return { ...none, error: `${of} leader: ${why}${upstream && !named ? ` (${upstream.address})` : ''}` };
  }
  if (!standbyLeader) return { ...none, error: 'no standby leader answers' };
  const received = standbyLeader.status.receivedLocation ?? standbyLeader.status.replayedLocation;
  if (received === null) return { ...none, error: 'standby leader reports no received WAL position (not streaming?)' };
  const delayBytes = Math.max(0, up.walLocation - received);
  const delaySeconds = delayBytes === 0 ? 0 : secondsSince(standbyLeader.status.replayedTimestamp, standbyLeader.at);
  return { of, upstreamLeader: up.leader, delayBytes, delaySeconds, error: null };
}

export function combinePatroni(
  name: string,
  cluster: Cluster,
  allResults: readonly TargetResult<PatroniProbeObservation>[],
  prev: PatroniState | undefined,
  now: number,
): PatroniState {
  const at = new Date(now).toISOString();
  const results = allResults.filter((r): r is TargetResult<PatroniObservation> => r.id !== UPSTREAM_TARGET && r.id !== ARCHIVER_TARGET && !isUpstream(r.last) && !isArchiver(r.last));
  const live = fresh(results);
  const newest = live.reduce<PatroniObservation | null>((best, f) => (!best || f.value.at > best.at ? f.value : best), null);
  const byName = new Map(results.map((r) => [r.id, r]));
  const names = [...new Set([...(newest?.members.map((m) => m.name) ?? []), ...cluster.members.map((m) => m.name)])];
  const members: PatroniMember[] = names.map((memberName) => {
    const view = newest?.members.find((m) => m.name === memberName);
    const target = byName.get(memberName);
    const own = target && target.error === null ? target.last : null;
    const lagBytes = view?.lagBytes ?? null;
    let lagSeconds: number | null = null;
    if (lagBytes === 0) lagSeconds = 0;
    else if (lagBytes !== null && own) lagSeconds = secondsSince(own.status.replayedTimestamp, own.at);
    const leaderStatus = view?.role === 'leader' ? own?.status : undefined;
    return {
      name: memberName,
      role: view?.role ?? 'unknown',
      state: view?.state ?? own?.status.state ?? null,
      timeline: view?.timeline ?? own?.status.timeline ?? null,
      lagBytes,
      lagSeconds,
      apiReachable: own !== null && own !== undefined,
      replicationState: leaderStatus ? leaderStatus.replication.map((r) => `${r.name}:${r.state ?? '?'}`).join(' ') || null : null,
      stale: target ? staleOf(target, now) : null,
    };
  });
  const leader = newest ? (newest.members.find((m) => m.role === 'leader')?.name ?? null) : null;
  const syncStandby = newest ? (newest.members.find((m) => m.role === 'sync_standby')?.name ?? null) : null;
  const dcsSeen = live.filter((f) => f.value.status.dcsLastSeen !== null);
  const dcsReachable = dcsSeen.length === 0 ? null : dcsSeen.some((f) => f.value.at / 1000 - (f.value.status.dcsLastSeen ?? 0) <= DCS_FRESH_SECONDS);
  const prevObserved = prev !== undefined && prev.members.some((m) => m.apiReachable);
  const leaderChanges = trackChanges<LeaderChange>(prev?.leaderChanges, prev?.leader, prevObserved, leader, newest !== null, at);
  const leaderTarget = leader ? byName.get(leader) : undefined;
  const standby = cluster.standbyOf
    ? standbyDelay(cluster.standbyOf, allResults.find((r) => r.id === UPSTREAM_TARGET), leaderTarget?.error === null ? leaderTarget.last : null)
    : undefined;
  return {
    kind: 'patroni',
    name,
    fetchedAt: at,
    targets: targetStatuses(allResults, now),
    scope: cluster.scope ?? newest?.status.scope ?? null,
    members,
    leader,
    syncStandby,
    leaderChanges,
    dcsReachable,
    ...(standby ? { standby } : {}),
    ...(cluster.walArchive ? { archive: archiveOf(allResults.find((r) => r.id === ARCHIVER_TARGET)) } : {}),
  };
}

/** The upstream cluster's leader and its WAL position: the first of its members answering as leader. */
function upstreamTarget(of: string, inventory: Inventory): ProbeTarget<PatroniProbeObservation> {
  const upstream = inventory.clusters[of];
  const bases = upstream?.kind === 'patroni' ? upstream.members.map((m) => ({ name: m.name, base: restBase(memberEndpoint(m, inventory, 'http')) })) : [];
  return {
    id: UPSTREAM_TARGET,
    address: bases.map((b) => b.base).join(' ') || `cluster ${of}`,
    async fetch(signal) {
      if (upstream?.kind !== 'patroni') throw new Error(`standbyOf: ${of} is not a patroni cluster of the inventory`);
      const answers = await Promise.allSettled(bases.map(async (b) => ({ name: b.name, base: b.base, status: parsePatroniStatus(await httpJson(`${b.base}/patroni`, signal)) })));
      for (const a of answers) {
        if (a.status === 'fulfilled' && LEADER_ROLES.has(a.value.status.role ?? '') && a.value.status.walLocation !== null) {
          return { upstream: { leader: a.value.name, walLocation: a.value.status.walLocation, at: Date.now() } };
        }
      }
      const why = answers.map((a, i) => `${bases[i]!.base}: ${a.status === 'fulfilled' ? `role ${a.value.status.role ?? '?'}` : (a.reason as Error).message}`);
      throw new Error(`no ${of} member answers as leader (${why.join('; ')})`);
    },
  };
}

/** Roles Patroni's `/patroni` gives a read-write leader (`primary` since Patroni 3.x). */
const LEADER_ROLES = new Set(['master', 'primary']);

export const patroniProbe: ClusterProbe<PatroniProbeObservation> = {
  kinds: ['patroni'],
  targets(_name, cluster, inventory) {
    const members = cluster.members.map((member): ProbeTarget<PatroniProbeObservation> => {
      const base = restBase(memberEndpoint(member, inventory, 'http'));
      return {
        id: member.name,
        address: base,
        async fetch(signal) {
          const [clusterJson, statusJson] = await Promise.all([httpJson(`${base}/cluster`, signal), httpJson(`${base}/patroni`, signal)]);
          return { members: parsePatroniCluster(clusterJson), status: parsePatroniStatus(statusJson), at: Date.now() };
        },
      };
    });
    const extra: ProbeTarget<PatroniProbeObservation>[] = [];
    if (cluster.standbyOf) extra.push(upstreamTarget(cluster.standbyOf, inventory));
    if (cluster.walArchive) extra.push(archiverTarget(_name, cluster, inventory));
    return [...members, ...extra];
  },
  combine: (name, cluster, results, prev, now) => combinePatroni(name, cluster, results, prev?.kind === 'patroni' ? prev : undefined, now),
};
