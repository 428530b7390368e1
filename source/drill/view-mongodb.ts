// A MongoDB replica set view for drills, from the MongoDB probe's snapshot (the one reading of who the
// primary is, shared with the panels, CEL and the target resolver): leader = the member the probe names
// primary (the primary's own replSetGetStatus when it answers); healthy = a primary, and every inventory
// member answering the probe, reported up (health 1) and PRIMARY or SECONDARY (the old primary rejoined).
import type { ClusterState } from '../core/cluster-state.js';
import type { ClusterView } from '../core/drill/observe.js';

export type MongoSnapshot = () => Promise<ClusterState>;

export function mongoView(state: ClusterState, atMs: number): ClusterView {
  if (state.kind !== 'mongodb') return { atMs, leader: null, healthy: false, detail: `no MongoDB probe state (${state.kind})`, reachable: [] };
  const reachable = state.members.filter((m) => m.stale === null).map((m) => m.name);
  const healthy = state.primary !== null && state.members.every((m) => m.stale === null && m.health === 1 && (m.stateStr === 'PRIMARY' || m.stateStr === 'SECONDARY'));
  const detail = state.members.map((m) => `${m.name} ${m.stale !== null ? 'unreachable' : (m.stateStr ?? '?')}`).join(', ');
  return { atMs, leader: state.primary, healthy, detail, reachable };
}

export function mongoViewSource(snapshot: MongoSnapshot): (now: () => number) => Promise<ClusterView> {
  return async (now) => mongoView(await snapshot(), now());
}
