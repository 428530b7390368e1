// The drill's arithmetic: from the canary's acknowledgements, what was read back afterwards, the
// fault time T0 and what the pollers saw, compute RTO, write gap, RPO (lost and in-doubt writes),
// time to healthy, and pass/fail against the runbook's targets. Pure; table-tested.
import type {
  AckBuckets,
  CanaryLog,
  DrillAnalysis,
  DrillTargets,
  Observation,
  TimelineEvent,
  Verdict,
} from './model.js';

export interface StepMark {
  kind: 'step-started' | 'step-finished';
  atMs: number;
  label: string;
}

export interface AnalysisInput {
  log: CanaryLog;
  /**
   * Seqs found afterwards on the current leader/master; null when they could not be read back (nothing
   * answers after a failed activation): the writes lost are then unknown, never 0.
   */
  present: readonly number[] | null;
  /** Why the read-back failed (with `present: null`). */
  readBackError?: string;
  /** Fault time: the lab's crash record, or the fault step's command-started time. */
  t0Ms: number | null;
  observations: readonly Observation[];
  targets: DrillTargets;
  steps?: readonly StepMark[];
  /** Bucket width for acks-per-interval; chosen from the drill's length when absent. */
  bucketMs?: number;
}

const SAMPLE = 20;
const NICE_BUCKETS = [50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000];

/**
 * The write the clients saw succeed again. An acknowledgement that arrives just after T0 may be a
 * write the old leader finished before it died, so when the fault disrupted the canary (an error
 * after T0) recovery is the first ack of a write sent after that first error.
 */
export function recoveryAck(log: CanaryLog, t0Ms: number) {
  const firstError = log.errors.find((e) => e.atMs >= t0Ms);
  if (!firstError) return log.acks.find((a) => a.atMs >= t0Ms);
  const sentAfter = firstError.seq;
  return log.acks.find((a) => a.atMs >= firstError.atMs && (sentAfter === undefined || a.seq > sentAfter));
}

export function chooseBucketMs(spanMs: number, columns = 120): number {
  const raw = Math.max(1, spanMs / columns);
  return NICE_BUCKETS.find((b) => b >= raw) ?? NICE_BUCKETS[NICE_BUCKETS.length - 1]!;
}

export function bucketize(log: CanaryLog, intervalMs: number): AckBuckets {
  const startMs = log.startedAtMs;
  const n = Math.max(1, Math.ceil((log.stoppedAtMs - startMs) / intervalMs));
  const counts = new Array<number>(n).fill(0);
  const errors = new Array<number>(n).fill(0);
  const slot = (at: number) => Math.min(n - 1, Math.max(0, Math.floor((at - startMs) / intervalMs)));
  for (const a of log.acks) counts[slot(a.atMs)]!++;
  for (const e of log.errors) errors[slot(e.atMs)]!++;
  return { intervalMs, startMs, counts, errors };
}

export function rtoVerdict(rtoMs: number | null, targetMs: number | undefined, t0Ms: number | null, log: CanaryLog): Verdict {
  if (t0Ms === null) {
    return { status: 'fail', target_ms: targetMs ?? null, actual_ms: null, reason: 'no fault time was recorded, so RTO could not be measured' };
  }
  if (rtoMs === null) {
    const ran = Math.round(log.stoppedAtMs - t0Ms);
    return {
      status: 'fail',
      target_ms: targetMs ?? null,
      actual_ms: null,
      reason: `no acknowledged write after the fault (canary ran ${ran} ms past it): RTO not met`,
    };
  }
  if (targetMs === undefined) return { status: 'no-target', target_ms: null, actual_ms: rtoMs, reason: 'the runbook sets no rto target' };
  return rtoMs <= targetMs
    ? { status: 'pass', target_ms: targetMs, actual_ms: rtoMs, reason: `first acknowledged write ${rtoMs} ms after the fault` }
    : { status: 'fail', target_ms: targetMs, actual_ms: rtoMs, reason: `first acknowledged write ${rtoMs} ms after the fault, target ${targetMs} ms` };
}

export function rpoVerdict(lost: number, windowMs: number, targetMs: number | undefined): Verdict {
  if (targetMs === undefined) {
    return { status: 'no-target', target_ms: null, actual_ms: windowMs, reason: `${lost} acknowledged write(s) lost; the runbook sets no rpo target` };
  }
  if (lost === 0) return { status: 'pass', target_ms: targetMs, actual_ms: 0, reason: 'no acknowledged write was lost' };
  if (targetMs === 0) {
    return { status: 'fail', target_ms: 0, actual_ms: windowMs, reason: `${lost} acknowledged write(s) lost; rpo 0 allows none` };
  }
  return windowMs <= targetMs
    ? { status: 'pass', target_ms: targetMs, actual_ms: windowMs, reason: `${lost} acknowledged write(s) lost from a ${windowMs} ms window, within ${targetMs} ms` }
    : { status: 'fail', target_ms: targetMs, actual_ms: windowMs, reason: `${lost} acknowledged write(s) lost from a ${windowMs} ms window, target ${targetMs} ms` };
}

function firstAfter(observations: readonly Observation[], kind: Observation['kind'], fromMs: number): Observation | undefined {
  return observations.find((o) => o.kind === kind && o.atMs >= fromMs);
}

/** Healthy again means healthy after the fault disturbed the cluster, not the pre-fault state. */
function healthyAfter(observations: readonly Observation[], t0Ms: number): Observation | undefined {
  const disturbed = observations.find((o) => o.atMs >= t0Ms && (o.kind === 'leader-lost' || o.kind === 'degraded' || o.kind === 'new-leader'));
  return firstAfter(observations, 'healthy', disturbed ? disturbed.atMs : t0Ms);
}

const round = (ms: number) => Math.round(ms);

export function analyze(input: AnalysisInput): DrillAnalysis {
  const { log, t0Ms, observations, targets } = input;
  const attempted = new Set(log.attempted);
  const acked = new Map(log.acks.map((a) => [a.seq, a]));
  const counted = input.present !== null;
  const present = new Set((input.present ?? []).filter((s) => attempted.has(s)));

  const lostAcks = counted ? log.acks.filter((a) => !present.has(a.seq)) : [];
  const inDoubt = counted ? [...present].filter((s) => !acked.has(s)).sort((a, b) => a - b) : [];

  let windowMs = 0;
  if (lostAcks.length > 0) {
    const oldest = Math.min(...lostAcks.map((a) => a.atMs));
    const newest = Math.max(...lostAcks.map((a) => a.atMs));
    windowMs = round(Math.max(0, Math.max(t0Ms ?? newest, newest) - oldest));
  }

  let rto: number | null = null;
  let gap: number | null = null;
  let healthy: number | null = null;
  let leaderLost: number | null = null;
  let newLeader: number | null = null;
  const timeline: TimelineEvent[] = [
    { kind: 'canary-started', atMs: log.startedAtMs, label: `canary started (${log.target})` },
    { kind: 'canary-stopped', atMs: log.stoppedAtMs, label: `canary stopped: ${log.acks.length} acknowledged of ${log.attempted.length} sent` },
  ];
  for (const s of input.steps ?? []) timeline.push({ kind: s.kind, atMs: s.atMs, label: s.label });

  if (t0Ms !== null) {
    timeline.push({ kind: 'fault', atMs: t0Ms, label: 'fault injected (T0)' });
    const first = recoveryAck(log, t0Ms);
    if (first) {
      rto = round(first.atMs - t0Ms);
      timeline.push({ kind: 'first-write', atMs: first.atMs, label: `first acknowledged write after the fault (seq ${first.seq})` });
      // The gap clients saw: from the last ack before the disruption (the first error after T0; T0
      // itself when nothing failed) to recovery. A planned switchover keeps acking for a while after T0.
      const disruption = log.errors.find((e) => e.atMs >= t0Ms)?.atMs ?? t0Ms;
      const before = [...log.acks].reverse().find((a) => a.atMs < Math.min(disruption, first.atMs));
      if (before) gap = round(first.atMs - before.atMs);
    }
    const lost = firstAfter(observations, 'leader-lost', t0Ms);
    if (lost) {
      leaderLost = round(lost.atMs - t0Ms);
      timeline.push({ kind: 'leader-lost', atMs: lost.atMs, label: `leader lost: ${lost.detail}` });
    }
    const elected = firstAfter(observations, 'new-leader', t0Ms);
    if (elected) {
      newLeader = round(elected.atMs - t0Ms);
      timeline.push({ kind: 'new-leader', atMs: elected.atMs, label: `new leader: ${elected.detail}` });
    }
    const ok = healthyAfter(observations, t0Ms);
    if (ok) {
      healthy = round(ok.atMs - t0Ms);
      timeline.push({ kind: 'healthy', atMs: ok.atMs, label: `cluster healthy: ${ok.detail}` });
    }
  }
  timeline.sort((a, b) => a.atMs - b.atMs);

  const verdicts = {
    rto: rtoVerdict(rto, targets.rtoMs, t0Ms, log),
    rpo: counted
      ? rpoVerdict(lostAcks.length, windowMs, targets.rpoMs)
      : { status: 'fail' as const, target_ms: targets.rpoMs ?? null, actual_ms: null, reason: `acknowledged writes could not be counted: read back failed (${input.readBackError ?? 'no answer'}): RPO not measured` },
  };
  const span = Math.max(1, log.stoppedAtMs - log.startedAtMs);
  return {
    t0Ms,
    rto_ms: rto,
    write_gap_ms: gap,
    rpo_lost_writes: counted ? lostAcks.length : null,
    in_doubt_writes: counted ? inDoubt.length : null,
    rpo_window_ms: counted ? windowMs : null,
    healthy_ms: healthy,
    leader_lost_ms: leaderLost,
    new_leader_ms: newLeader,
    lost_sample: lostAcks.slice(0, SAMPLE).map((a) => a.seq),
    in_doubt_sample: inDoubt.slice(0, SAMPLE),
    acks_total: log.acks.length,
    attempts_total: log.attempted.length,
    errors_total: log.errors.length,
    present_total: counted ? present.size : null,
    verdicts,
    pass: verdicts.rto.status !== 'fail' && verdicts.rpo.status !== 'fail',
    timeline,
    buckets: bucketize(log, input.bucketMs ?? chooseBucketMs(span)),
  };
}
