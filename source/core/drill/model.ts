// Drill data: what a canary writer records, what the pollers observed, and what the analysis
// concludes. Pure JSON data. Times (`atMs`) are epoch milliseconds derived from a monotonic clock
// anchored once at canary start, so differences between them are monotonic durations; `wallMs` is
// the wall clock (Date.now()) at the same instant, kept for the report.

/** One acknowledged write: the server confirmed seq. */
export interface Ack {
  seq: number;
  atMs: number;
  wallMs: number;
}

/** A write that failed (error, timeout, connection lost): its seq is in doubt until verified. */
export interface CanaryError {
  seq?: number;
  atMs: number;
  wallMs: number;
  message: string;
}

export type DrillSystem = 'postgresql' | 'redis' | 'redis-cluster' | 'mongodb' | 'kafka';

/** What a drill runbook's front matter may name as `drill.system`: each system and the spellings read as it. */
export const DRILL_SYSTEM_NAMES: Record<string, DrillSystem> = {
  postgresql: 'postgresql',
  postgres: 'postgresql',
  pg: 'postgresql',
  patroni: 'postgresql',
  redis: 'redis',
  'redis-sentinel': 'redis',
  'redis-cluster': 'redis-cluster',
  mongodb: 'mongodb',
  mongo: 'mongodb',
  kafka: 'kafka',
};

export interface CanaryLog {
  system: DrillSystem;
  /** Where the canary wrote (`127.0.0.1:55000 table hatui_canary`, `sentinel mymaster list hatui:canary:…`). */
  target: string;
  /** Sequence numbers start here (PostgreSQL: a per-run base so runs never collide). */
  firstSeq: number;
  /** Every seq the canary sent, acknowledged or not (in order). */
  attempted: number[];
  acks: Ack[];
  errors: CanaryError[];
  startedAtMs: number;
  stoppedAtMs: number;
}

export type ObservationKind =
  /** the leader/master seen before the fault, recorded once at start */
  | 'leader-seen'
  /** the pre-fault leader stopped being a reachable, running leader */
  | 'leader-lost'
  /** a different member became leader (Sentinels: all agree on a new master) */
  | 'new-leader'
  /** one leader, every member running and replicating (the old node rejoined) */
  | 'healthy'
  /** cluster no longer healthy (member down, replica not streaming) */
  | 'degraded';

/** What the panels (pollers) saw, with the snapshot summary at that moment. */
export interface Observation {
  kind: ObservationKind;
  atMs: number;
  /** Human text: `leader pg2`, `members: pg1 running leader, pg2 stopped, …`. */
  detail: string;
  leader?: string;
}

export interface DrillTargets {
  rtoMs?: number;
  rpoMs?: number;
}

export type VerdictStatus = 'pass' | 'fail' | 'no-target';

export interface Verdict {
  status: VerdictStatus;
  target_ms: number | null;
  actual_ms: number | null;
  /** Why it failed or what it measured, in words. */
  reason: string;
}

export type TimelineKind =
  | 'canary-started'
  | 'fault'
  | 'leader-lost'
  | 'new-leader'
  | 'first-write'
  | 'healthy'
  | 'step-started'
  | 'step-finished'
  | 'canary-stopped';

export interface TimelineEvent {
  kind: TimelineKind;
  atMs: number;
  label: string;
}

export interface AckBuckets {
  intervalMs: number;
  /** Start of bucket 0 (epoch ms). */
  startMs: number;
  counts: number[];
  /** Failed writes per bucket. */
  errors: number[];
}

export interface DrillAnalysis {
  t0Ms: number | null;
  rto_ms: number | null;
  write_gap_ms: number | null;
  /** null: the canary's writes could not be read back (RPO not measured). */
  rpo_lost_writes: number | null;
  in_doubt_writes: number | null;
  rpo_window_ms: number | null;
  healthy_ms: number | null;
  leader_lost_ms: number | null;
  new_leader_ms: number | null;
  /** A few lost seqs (at most 20) for the report. */
  lost_sample: number[];
  in_doubt_sample: number[];
  acks_total: number;
  attempts_total: number;
  errors_total: number;
  present_total: number | null;
  verdicts: { rto: Verdict; rpo: Verdict };
  /** True when no verdict is `fail`. */
  pass: boolean;
  timeline: TimelineEvent[];
  buckets: AckBuckets;
}
