// The canary writer contract shared by the PostgreSQL and Redis canaries.
import type { CanaryLog } from '../core/drill/model.js';

export interface Canary {
  /** Human description of where it writes. */
  readonly target: string;
  /** Acks so far (for progress output). */
  acked(): number;
  /** Stops writing (waits for the write in flight) and returns the full log. */
  stop(): Promise<CanaryLog>;
  /** Reads back which of this run's seqs are present now, from the current leader/master. */
  verify(): Promise<number[]>;
  /** Closes every connection (after verify). */
  close(): Promise<void>;
}

export const MAX_ERRORS_KEPT = 100_000;
