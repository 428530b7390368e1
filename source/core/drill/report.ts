// The drill report as one JSON-ready record. report.json is this record; report.md, the SVG chart
// and the terminal chart are rendered from it alone, so they cannot disagree.
import type { DrillAlerts } from './alerts.js';
import type { DrillAnalysis, Observation, TimelineKind, Verdict } from './model.js';

export const REPORT_SCHEMA = 'hatui.drill-report/1';

export interface ReportTimelineEntry {
  at: string;
  /** Milliseconds from T0 (from the canary start when there is no T0). */
  offset_ms: number;
  kind: TimelineKind;
  label: string;
}

export interface DrillReport {
  schema: typeof REPORT_SCHEMA;
  runbook: { id: string; title: string; path: string };
  system: string;
  fault: string;
  /** The inventory cluster drilled (absent in reports made before hatui recorded it). */
  cluster?: string | null;
  /**
   * `wire-level-double` when the cluster was served by hatui's wire-level double (the inventory's
   * `servedBy`), not the real server: the figures then measure hatui, the runbook and the double's model,
   * not the real server's failover. Every rendering's header says so (measuredOnNote).
   */
  served_by?: 'wire-level-double' | null;
  environment: string | null;
  ticket: string | null;
  started_at: string;
  finished_at: string;
  t0: string | null;
  rto_ms: number | null;
  write_gap_ms: number | null;
  /** null: the canary's writes could not be read back (verdicts.rpo says why). */
  rpo_lost_writes: number | null;
  in_doubt_writes: number | null;
  rpo_window_ms: number | null;
  healthy_ms: number | null;
  leader_lost_ms: number | null;
  new_leader_ms: number | null;
  targets: { rto_ms: number | null; rpo_ms: number | null };
  verdicts: { rto: Verdict; rpo: Verdict };
  pass: boolean;
  canary: {
    target: string;
    first_seq: number;
    attempted: number;
    acknowledged: number;
    errors: number;
    present: number | null;
    lost_sample: number[];
    in_doubt_sample: number[];
    first_errors: string[];
  };
  timeline: ReportTimelineEntry[];
  observations: { at: string; offset_ms: number; kind: Observation['kind']; detail: string }[];
  steps: { id: string; outcome: string }[];
  run_outcome: string;
  audit: { log: string | null; head: { seq: number; hash: string } | null; verified: boolean | null; message?: string };
  acks_per_interval: { interval_ms: number; start: string; start_offset_ms: number; counts: number[]; errors: number[] };
  chart: string;
  /** Alerts Alertmanager reported during the drill (absent in reports made before hatui measured them). */
  alerts?: DrillAlerts;
  /**
   * A standby (DR) cluster drilled: its delay behind the primary region when the fault step started, as
   * its panel showed it: what a region loss at that moment would cost at most (streaming; the WAL archive
   * may hold less).
   */
  standby_at_fault?: { of: string; delay_bytes: number | null; delay_seconds: number | null; error: string | null } | null;
}

export interface ReportMeta {
  runbook: { id: string; title: string; path: string };
  system: string;
  fault: string;
  cluster?: string;
  servedBy?: 'wire-level-double' | null;
  standbyAtFault?: { of: string; delayBytes: number | null; delaySeconds: number | null; error: string | null } | null;
  environment?: string;
  ticket?: string;
  startedAtMs: number;
  finishedAtMs: number;
  targets: { rtoMs?: number; rpoMs?: number };
  canaryTarget: string;
  firstSeq: number;
  firstErrors: string[];
  observations: readonly Observation[];
  steps: { id: string; outcome: string }[];
  runOutcome: string;
  audit?: { log: string; head?: { seq: number; hash: string }; verified?: boolean; message?: string };
  chart?: string;
}

const iso = (ms: number) => new Date(Math.round(ms)).toISOString();

export function buildReport(meta: ReportMeta, a: DrillAnalysis): DrillReport {
  const origin = a.t0Ms ?? meta.startedAtMs;
  const offset = (ms: number) => Math.round(ms - origin);
  return {
    schema: REPORT_SCHEMA,
    runbook: meta.runbook,
    system: meta.system,
    fault: meta.fault,
    cluster: meta.cluster ?? null,
    served_by: meta.servedBy ?? null,
    ...(meta.standbyAtFault !== undefined ? { standby_at_fault: meta.standbyAtFault && { of: meta.standbyAtFault.of, delay_bytes: meta.standbyAtFault.delayBytes, delay_seconds: meta.standbyAtFault.delaySeconds, error: meta.standbyAtFault.error } } : {}),
    environment: meta.environment ?? null,
    ticket: meta.ticket ?? null,
    started_at: iso(meta.startedAtMs),
    finished_at: iso(meta.finishedAtMs),
    t0: a.t0Ms === null ? null : iso(a.t0Ms),
    rto_ms: a.rto_ms,
    write_gap_ms: a.write_gap_ms,
    rpo_lost_writes: a.rpo_lost_writes,
    in_doubt_writes: a.in_doubt_writes,
    rpo_window_ms: a.rpo_window_ms,
    healthy_ms: a.healthy_ms,
    leader_lost_ms: a.leader_lost_ms,
    new_leader_ms: a.new_leader_ms,
    targets: { rto_ms: meta.targets.rtoMs ?? null, rpo_ms: meta.targets.rpoMs ?? null },
    verdicts: a.verdicts,
    // A drill whose steps did not all end ok measured something else than the drill: never a pass.
    pass: a.pass && meta.runOutcome === 'ok',
    canary: {
      target: meta.canaryTarget,
      first_seq: meta.firstSeq,
      attempted: a.attempts_total,
      acknowledged: a.acks_total,
      errors: a.errors_total,
      present: a.present_total,
      lost_sample: a.lost_sample,
      in_doubt_sample: a.in_doubt_sample,
      first_errors: meta.firstErrors.slice(0, 5),
    },
    timeline: a.timeline.map((e) => ({ at: iso(e.atMs), offset_ms: offset(e.atMs), kind: e.kind, label: e.label })),
    observations: meta.observations.map((o) => ({ at: iso(o.atMs), offset_ms: offset(o.atMs), kind: o.kind, detail: o.detail })),
    steps: meta.steps,
    run_outcome: meta.runOutcome,
    audit: {
      log: meta.audit?.log ?? null,
      head: meta.audit?.head ?? null,
      verified: meta.audit?.verified ?? null,
      ...(meta.audit?.message ? { message: meta.audit.message } : {}),
    },
    acks_per_interval: {
      interval_ms: a.buckets.intervalMs,
      start: iso(a.buckets.startMs),
      start_offset_ms: offset(a.buckets.startMs),
      counts: a.buckets.counts,
      errors: a.buckets.errors,
    },
    chart: meta.chart ?? 'timeline.svg',
  };
}

const REAL_NAME: Record<string, string> = { mongodb: 'MongoDB', kafka: 'Kafka', postgresql: 'PostgreSQL', redis: 'Redis', 'redis-cluster': 'Redis Cluster', weaviate: 'Weaviate' };

/** The header line of a drill measured on a wire-level double (null for a real cluster). */
export function measuredOnNote(r: Pick<DrillReport, 'served_by' | 'system' | 'cluster'>): string | null {
  if (r.served_by !== 'wire-level-double') return null;
  const real = REAL_NAME[r.system] ?? r.system;
  return `measured on a wire-level double (cluster ${r.cluster ?? '?'} is hatui's lab double, not ${real}): the figures show what hatui, the runbook and the double's model do, not how ${real} itself fails over`;
}

/** `9 578 ms (9.6 s)` style, for people. */
export function humanMs(ms: number | null): string {
  if (ms === null) return 'not measured';
  if (Math.abs(ms) < 1000) return `${ms} ms`;
  if (Math.abs(ms) < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** The figures every rendering shows, in one table of (json field, label, value, target, verdict). */
export function figureRows(r: DrillReport): { field: keyof DrillReport; label: string; value: number | null; target: string; verdict: string }[] {
  const rto = r.verdicts.rto;
  const rpo = r.verdicts.rpo;
  const tgt = (ms: number | null, prefix: string) => (ms === null ? '—' : `${prefix} ${ms} ms`);
  return [
    { field: 'rto_ms', label: 'RTO: fault → first acknowledged write', value: r.rto_ms, target: tgt(r.targets.rto_ms, '≤'), verdict: rto.status },
    { field: 'write_gap_ms', label: 'write gap: last ack before outage → first after', value: r.write_gap_ms, target: '—', verdict: '—' },
    { field: 'rpo_lost_writes', label: 'acknowledged writes lost', value: r.rpo_lost_writes, target: r.targets.rpo_ms === 0 ? '0' : '—', verdict: rpo.status },
    { field: 'rpo_window_ms', label: 'RPO window: oldest lost ack → fault', value: r.rpo_window_ms, target: tgt(r.targets.rpo_ms, '≤'), verdict: rpo.status },
    { field: 'in_doubt_writes', label: 'in-doubt writes (present, never acknowledged)', value: r.in_doubt_writes, target: '—', verdict: '—' },
    { field: 'leader_lost_ms', label: 'fault → panels saw the leader lost', value: r.leader_lost_ms, target: '—', verdict: '—' },
    { field: 'new_leader_ms', label: 'fault → new leader', value: r.new_leader_ms, target: '—', verdict: '—' },
    { field: 'healthy_ms', label: 'fault → fully healthy (old node rejoined)', value: r.healthy_ms, target: '—', verdict: '—' },
  ];
}
