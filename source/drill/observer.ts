// Pollers for the drill: every ~200 ms they take a cluster view (Patroni REST, or Sentinels + Redis
// ROLE), fold it into observations (leader lost, new leader, healthy) and keep the list. Each poll
// has a short timeout, so a dead node never stalls the poller.
import { initialObserverState, observeView, type ClusterView } from '../core/drill/observe.js';
import type { Observation } from '../core/drill/model.js';
import { drillClock, sleep, type DrillClock } from './clock.js';

export interface Observer {
  observations(): Observation[];
  /** Latest view (for progress output). */
  latest(): ClusterView | null;
  stop(): Promise<Observation[]>;
}

export type ViewSource = (now: () => number) => Promise<ClusterView>;

export function startObserver(source: ViewSource, options: { intervalMs?: number; clock?: DrillClock } = {}): Observer {
  const clock = options.clock ?? drillClock();
  const interval = options.intervalMs ?? 200;
  const list: Observation[] = [];
  let state = initialObserverState;
  let latest: ClusterView | null = null;
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      const started = clock.now();
      try {
        const view = await source(() => clock.now());
        latest = view;
        const r = observeView(state, view);
        state = r.state;
        list.push(...r.observations);
      } catch {
        // a view source reports unreachable members inside the view; a throw is a bug there, skip the tick
      }
      await sleep(Math.max(10, interval - (clock.now() - started)));
    }
  })();
  return {
    observations: () => [...list],
    latest: () => latest,
    async stop() {
      stopping = true;
      await loop;
      return [...list];
    },
  };
}
