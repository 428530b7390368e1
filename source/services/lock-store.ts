// What the operator lock needs from a cluster's coordination store. Two keys per cluster:
//   lock   — the live claim, attached to a lease / TTL that the holder keeps refreshing;
//   holder — who claimed it last, without expiry, deleted only by a clean release.
// A lock key that is gone while the holder key remains means the holder stopped refreshing without
// releasing (process killed, host lost): the lock is stale. Every operation is atomic on the store.

export type AcquireOutcome =
  | { status: 'acquired'; token: string }
  /** Someone holds it now (value = their holder record). */
  | { status: 'held'; current: string }
  /** The last holder's lease ran out without a release (value = their holder record). */
  | { status: 'stale'; previous: string };

export interface LockStore {
  /** Where the lock lives, for messages (`etcd http://127.0.0.1:2379 /hatui/locks/pg`). */
  readonly where: string;
  /**
   * Claims the lock when no one holds it and no stale record is left — or the stale record equals
   * `takeOver` exactly (a confirmed takeover of that holder).
   */
  acquire(value: string, ttlMs: number, takeOver?: string): Promise<AcquireOutcome>;
  /** Extends the claim; false when it is no longer ours (expired or taken). */
  refresh(token: string, value: string, ttlMs: number): Promise<boolean>;
  /** Drops the claim and the holder record if they are still ours. */
  release(token: string, value: string): Promise<void>;
  inspect(): Promise<{ current?: string; previous?: string }>;
  close(): Promise<void>;
}
