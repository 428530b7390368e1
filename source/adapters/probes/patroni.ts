// Patroni probe: one target per member REST API; each poll asks `/cluster` (the DCS view) and
// `/patroni` (the member's own status). The freshest `/cluster` answer names roles and the leader.
import type { PatroniMember, PatroniState, LeaderChange } from '../../core/cluster-state.js';
import type { Cluster } from '../../core/inventory/model.js';
import { fresh, httpJson, memberEndpoint, num, staleOf, str, targetStatuses, trackChanges } from './common.js';
import type { ClusterProbe, TargetResult } from './types.js';

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

export function combinePatroni(
  name: string,
  cluster: Cluster,
  results: readonly TargetResult<PatroniObservation>[],
  prev: PatroniState | undefined,
  now: number,
): PatroniState {
  const at = new Date(now).toISOString();
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
    else if (lagBytes !== null && own?.status.replayedTimestamp) {
      const replayed = Date.parse(own.status.replayedTimestamp.replace(' ', 'T'));
      if (Number.isFinite(replayed)) lagSeconds = Math.max(0, (own.at - replayed) / 1000);
    }
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
  return {
    kind: 'patroni',
    name,
    fetchedAt: at,
    targets: targetStatuses(results, now),
    scope: cluster.scope ?? newest?.status.scope ?? null,
    members,
    leader,
    syncStandby,
    leaderChanges,
    dcsReachable,
  };
}

export const patroniProbe: ClusterProbe<PatroniObservation> = {
  kinds: ['patroni'],
  targets(_name, cluster, inventory) {
    return cluster.members.map((member) => {
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
  },
  combine: (name, cluster, results, prev, now) => combinePatroni(name, cluster, results, prev?.kind === 'patroni' ? prev : undefined, now),
};
