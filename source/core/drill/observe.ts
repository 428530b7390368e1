// Turns a stream of polled cluster views into the observations a drill report needs: the leader
// seen before the fault, the moment it was lost, the new leader, and healthy/degraded transitions.
import type { Observation } from './model.js';

export interface ClusterView {
  atMs: number;
  /** The member that is leader/master right now (reachable and acting as one), or null. */
  leader: string | null;
  /** One leader, every member up and replicating from it. */
  healthy: boolean;
  /** Short summary of the members, for the report. */
  detail: string;
  /** Members that answered this poll. */
  reachable?: string[];
}

export interface ObserverState {
  started: boolean;
  /** Last leader seen. */
  current: string | null;
  /** The current leader stopped being one and no new leader was seen yet. */
  lost: boolean;
  healthy: boolean;
}

export const initialObserverState: ObserverState = { started: false, current: null, lost: false, healthy: false };

export function observeView(state: ObserverState, view: ClusterView): { state: ObserverState; observations: Observation[] } {
  const out: Observation[] = [];
  const at = view.atMs;
  const next: ObserverState = { ...state, started: true };
  if (state.current === null) {
    // Until a first leader is seen (pollers still connecting, or a leaderless start) there is
    // nothing to lose: the first leader is the one seen before the fault.
    if (view.leader) {
      out.push({ kind: 'leader-seen', atMs: at, detail: `leader ${view.leader}; ${view.detail}`, leader: view.leader });
      next.current = view.leader;
    } else {
      next.lost = true;
    }
  } else if (view.leader !== state.current || (state.lost && view.leader !== null)) {
    if (!state.lost && state.current !== null) {
      out.push({ kind: 'leader-lost', atMs: at, detail: `${state.current} is no longer a reachable leader; ${view.detail}`, leader: state.current });
      next.lost = true;
    }
    if (view.leader !== null) {
      out.push({ kind: 'new-leader', atMs: at, detail: `${view.leader}${view.leader === state.current ? ' (the same member again)' : ''}; ${view.detail}`, leader: view.leader });
      next.current = view.leader;
      next.lost = false;
    }
  }
  if (view.healthy && (!state.healthy || !state.started)) out.push({ kind: 'healthy', atMs: at, detail: view.detail, ...(view.leader ? { leader: view.leader } : {}) });
  if (!view.healthy && (state.healthy || !state.started)) out.push({ kind: 'degraded', atMs: at, detail: view.detail });
  next.healthy = view.healthy;
  return { state: next, observations: out };
}
