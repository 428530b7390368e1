// A probe is data: how to list a cluster's poll targets, how to ask one target, and how to fold
// the targets' latest answers into the cluster's state (pure). The poller runs the targets.
import type { ClusterState } from '../../core/cluster-state.js';
import type { Cluster, ClusterKind, Inventory } from '../../core/inventory/model.js';

export interface ProbeTarget<O = unknown> {
  /** Unique within the cluster, e.g. `pg1` or `sentinel 127.0.0.1:56390`. */
  id: string;
  /** What the operator sees in errors: `host:port` or URL. */
  address: string;
  /** Ask once; must give up when `signal` aborts (per-request timeout). */
  fetch(signal: AbortSignal): Promise<O>;
  /**
   * The first ask waits this long after the poller starts: a target that loads a client library and
   * changes slowly (the WAL archiver over SQL) must not hold the event loop while the first frame and the
   * members' first answers are drawn.
   */
  startAfterMs?: number;
}

/** The poller's record of one target, handed to `combine` (the last good answer is kept). */
export interface TargetResult<O = unknown> {
  id: string;
  address: string;
  /** Last good answer (possibly old), null if it never answered. */
  last: O | null;
  /** Epoch ms of the last good answer. */
  lastOkAt: number | null;
  /** Error of the latest attempt when it failed (or is hung past the timeout); null when fresh. */
  error: string | null;
  /** Epoch ms the poller started (for the age of a target that never answered). */
  startedAt: number;
}

export interface ClusterProbe<O = unknown> {
  kinds: readonly ClusterKind[];
  targets(name: string, cluster: Cluster, inventory: Inventory): ProbeTarget<O>[];
  /** Pure: the cluster's state from its targets' results and the previous state (for change history). */
  combine(name: string, cluster: Cluster, results: readonly TargetResult<O>[], prev: ClusterState | undefined, now: number): ClusterState;
}
