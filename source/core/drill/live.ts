// What the app's drill panel shows while a drill runs, folded from the same canary log and
// observations the analysis reads: acknowledged and failed writes per interval, the clock since the
// fault, and when the panels saw the leader lost, the new leader and the first acknowledged write.
import type { Ack, CanaryError, Observation } from './model.js';

export interface LiveInterval {
  acked: number;
  failed: number;
}

export interface LiveMark {
  kind: 'leader-lost' | 'new-leader' | 'first-ack';
  /** ms since the fault */
  sinceFaultMs: number;
  label: string;
}

export interface LiveDrill {
  intervals: LiveInterval[];
  intervalMs: number;
  /** ms since the fault, or null before the fault is known */
  sinceFaultMs: number | null;
  acked: number;
  failed: number;
  marks: LiveMark[];
}

export interface LiveInput {
  acks: readonly Ack[];
  errors: readonly CanaryError[];
  observations: readonly Observation[];
  startedAtMs: number;
  nowMs: number;
  /** the fault time (drill clock), once known */
  t0Ms: number | null;
  intervalMs?: number;
  /** keep the last this many intervals */
  maxIntervals?: number;
}

export function liveDrill(input: LiveInput): LiveDrill {
  const intervalMs = input.intervalMs ?? 1000;
  const total = Math.max(1, Math.ceil((input.nowMs - input.startedAtMs) / intervalMs));
  const keep = Math.min(total, input.maxIntervals ?? 60);
  const first = total - keep;
  const intervals: LiveInterval[] = Array.from({ length: keep }, () => ({ acked: 0, failed: 0 }));
  const slot = (atMs: number) => Math.min(total - 1, Math.floor((atMs - input.startedAtMs) / intervalMs)) - first;
  for (const a of input.acks) {
    const i = slot(a.atMs);
    if (i >= 0) intervals[i]!.acked++;
  }
  for (const e of input.errors) {
    const i = slot(e.atMs);
    if (i >= 0) intervals[i]!.failed++;
  }
  const marks: LiveMark[] = [];
  const t0 = input.t0Ms;
  if (t0 !== null) {
    const lost = input.observations.find((o) => o.kind === 'leader-lost' && o.atMs >= t0);
    if (lost) marks.push({ kind: 'leader-lost', sinceFaultMs: Math.round(lost.atMs - t0), label: `leader lost: ${lost.detail}` });
    const elected = input.observations.find((o) => o.kind === 'new-leader' && o.atMs >= t0);
    if (elected) marks.push({ kind: 'new-leader', sinceFaultMs: Math.round(elected.atMs - t0), label: `new leader: ${elected.detail}` });
    const ack = input.acks.find((a) => a.atMs >= t0);
    if (ack) marks.push({ kind: 'first-ack', sinceFaultMs: Math.round(ack.atMs - t0), label: `first acknowledged write (seq ${ack.seq})` });
  }
  return {
    intervals,
    intervalMs,
    sinceFaultMs: t0 === null ? null : Math.max(0, Math.round(input.nowMs - t0)),
    acked: input.acks.length,
    failed: input.errors.length,
    marks,
  };
}

const BARS = '▁▂▃▄▅▆▇█';

/** One sparkline character per value, scaled to the largest; zero is a space-like lowest bar. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (v <= 0 || max === 0 ? ' ' : BARS[Math.min(BARS.length - 1, Math.ceil((v / max) * BARS.length) - 1)]!)).join('');
}
