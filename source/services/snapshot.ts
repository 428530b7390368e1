// One fresh state of one cluster from its probe: every probe target asked once, in parallel, each bounded
// by its own timeout (a dead or hung target shows as stale and never delays the others beyond that bound).
// Used for CEL's `clusters.<name>` (live-deps.snapshotClusters) and for role selectors that only a probe
// can answer (resolve-target: `mongo.primary`, `kafka.controller`).
import type { ClusterState } from '../core/cluster-state.js';
import type { Cluster, Inventory } from '../core/inventory/model.js';
import { noProbeState, probeFor as shippedProbeFor } from '../adapters/probes/index.js';
import type { ClusterProbe, TargetResult } from '../adapters/probes/types.js';

export interface ClusterSnapshotOptions {
  /** Per-target timeout (default 1500 ms). */
  timeoutMs?: number;
  /** The cluster's previous state, so change histories (leader changes) carry over. */
  prev?: ClusterState;
  probeFor?: (kind: Cluster['kind']) => ClusterProbe<unknown> | undefined;
  now?: () => number;
}

export async function snapshotCluster(name: string, cluster: Cluster, inventory: Inventory, opts: ClusterSnapshotOptions = {}): Promise<ClusterState> {
  const timeoutMs = opts.timeoutMs ?? 1500;
  const now = opts.now ?? Date.now;
  const probe = (opts.probeFor ?? shippedProbeFor)(cluster.kind);
  const startedAt = now();
  if (!probe) return noProbeState(name, cluster, startedAt);
  let results: TargetResult[];
  try {
    const targets = probe.targets(name, cluster, inventory);
    results = await Promise.all(
      targets.map(async (target): Promise<TargetResult> => {
        const base = { id: target.id, address: target.address, startedAt };
        const signal = AbortSignal.timeout(timeoutMs);
        try {
          const last = await withDeadline(target.fetch(signal), signal, `${target.address}: timed out after ${timeoutMs} ms`);
          return { ...base, last, lastOkAt: now(), error: null };
        } catch (error) {
          return { ...base, last: null, lastOkAt: null, error: (error as Error).message || 'failed' };
        }
      }),
    );
  } catch (error) {
    // A probe that cannot even list its targets: the cluster shows every target as unanswered.
    results = [{ id: name, address: name, startedAt, last: null, lastOkAt: null, error: (error as Error).message }];
  }
  return probe.combine(name, cluster, results, opts.prev, now());
}

/** Rejects when the signal aborts even if the fetch ignores it (a hung socket must not hold the snapshot). */
function withDeadline<T>(promise: Promise<T>, signal: AbortSignal, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error(message));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? new Error(message) : e);
      },
    );
  });
}
