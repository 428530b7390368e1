// The canary writer contract shared by the PostgreSQL and Redis canaries, and the bookkeeping both do:
// sequence numbers handed out, acknowledgements and (capped) errors, each stamped with the drill clock.
import type { Ack, CanaryError, CanaryLog, DrillSystem } from '../core/drill/model.js';
import { sleep, type DrillClock } from './clock.js';

export interface Canary {
  /** Human description of where it writes. */
  readonly target: string;
  /** Acks so far (for progress output). */
  acked(): number;
  /** The log so far (acks and errors up to now), for the app's live drill panel (core/drill/live.ts). */
  snapshot(): CanaryLog;
  /** Stops writing (waits for the write in flight) and returns the full log. */
  stop(): Promise<CanaryLog>;
  /** Reads back which of this run's seqs are present now, from the current leader/master. */
  verify(): Promise<number[]>;
  /** Closes every connection (after verify). */
  close(): Promise<void>;
}

export const MAX_ERRORS_KEPT = 100_000;

/** An error's message for the log (its name when the message is empty). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

export interface CanaryRecorder {
  /** The next sequence number, recorded as attempted. */
  attempt(): number;
  /** Records that `seq` was acknowledged (now). */
  ack(seq: number): void;
  /** Records a failed write (`seq` in doubt) or a connection problem (no seq); at most MAX_ERRORS_KEPT. */
  error(error: unknown, seq?: number): void;
  acked(): number;
  /** One past the last sequence number handed out. */
  nextSeq(): number;
  /** The log so far, stopped now. */
  log(target: string): CanaryLog;
}

/** Starts the record (startedAtMs is now). */
export function canaryRecorder(system: DrillSystem, firstSeq: number, clock: DrillClock): CanaryRecorder {
  let next = firstSeq;
  const attempted: number[] = [];
  const acks: Ack[] = [];
  const errors: CanaryError[] = [];
  const startedAtMs = clock.now();
  return {
    attempt() {
      const seq = next++;
      attempted.push(seq);
      return seq;
    },
    ack(seq) {
      acks.push({ seq, atMs: clock.now(), wallMs: clock.wall() });
    },
    error(error, seq) {
      if (errors.length < MAX_ERRORS_KEPT) errors.push({ ...(seq === undefined ? {} : { seq }), atMs: clock.now(), wallMs: clock.wall(), message: errorMessage(error) });
    },
    acked: () => acks.length,
    nextSeq: () => next,
    log: (target) => ({ system, target, firstSeq, attempted, acks, errors, startedAtMs, stoppedAtMs: clock.now() }),
  };
}

/**
 * Paces a write loop to at most `maxRate` writes per second (a canary must not load a production
 * primary): call before each write. It sleeps in windows of 20 writes, since setTimeout cannot sleep
 * less than ~1 ms.
 */
export function writePacer(clock: DrillClock, maxRate: number): () => Promise<void> {
  const pace = 1000 / maxRate;
  let windowStart = clock.now();
  let inWindow = 0;
  return async () => {
    if (++inWindow < 20) return;
    const ahead = windowStart + inWindow * pace - clock.now();
    if (ahead > 0) await sleep(ahead);
    windowStart = clock.now();
    inWindow = 0;
  };
}

/**
 * The write loop of the canaries that need no reconnect logic of their own (their client reconnects):
 * paced, each attempt recorded as acknowledged or failed (in doubt), a short wait after a failure.
 * `stop()` ends the loop and waits for the write in flight.
 */
export function writeLoop(record: CanaryRecorder, write: (seq: number) => Promise<unknown>, o: { pace: () => Promise<void>; retryMs?: number }): { stop(): Promise<void> } {
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      await o.pace();
      const seq = record.attempt();
      try {
        await write(seq);
        record.ack(seq);
      } catch (error) {
        record.error(error, seq);
        await sleep(o.retryMs ?? 20);
      }
    }
  })();
  return {
    async stop() {
      stopping = true;
      await loop;
    },
  };
}

/** A Canary over its recorder: the log is frozen at the first stop(); verify and close are the canary's own. */
export function canaryHandle(target: string, record: CanaryRecorder, parts: { stop(): Promise<void>; verify(): Promise<number[]>; close(): Promise<void> }): Canary {
  let log: CanaryLog | undefined;
  return {
    target,
    acked: record.acked,
    snapshot: () => log ?? record.log(target),
    async stop() {
      if (!log) {
        await parts.stop();
        log = record.log(target);
      }
      return log;
    },
    verify: parts.verify,
    close: parts.close,
  };
}

/** Asks `read` every 250 ms until it answers, for at most `ms` (the cluster may still be settling); then throws `fail(last error)`. */
export async function retryFor<T>(read: () => Promise<T>, fail: (error: unknown) => Error, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (Date.now() > deadline) throw fail(error);
      await sleep(250);
    }
  }
}
