// Synthetic canary logs: a steady writer at `rateHz` with an outage, for the drill analysis tests.
import type { CanaryLog, Observation } from '../../source/core/drill/model.js';

export interface Synthetic {
  startMs?: number;
  durationMs: number;
  periodMs: number;
  /** Writes sent in [outageFrom, outageTo) fail (one error per period). */
  outageFrom?: number;
  outageTo?: number;
}

export function syntheticLog(s: Synthetic): CanaryLog {
  const start = s.startMs ?? 1_000_000;
  const log: CanaryLog = { system: 'postgresql', target: 'test', firstSeq: 1, attempted: [], acks: [], errors: [], startedAtMs: start, stoppedAtMs: start + s.durationMs };
  let seq = 1;
  for (let t = 0; t < s.durationMs; t += s.periodMs, seq++) {
    log.attempted.push(seq);
    const at = start + t;
    if (s.outageFrom !== undefined && s.outageTo !== undefined && t >= s.outageFrom && t < s.outageTo) {
      log.errors.push({ seq, atMs: at + 1, wallMs: at + 1, message: 'connection refused' });
    } else {
      log.acks.push({ seq, atMs: at + 1, wallMs: at + 1 });
    }
  }
  return log;
}

export function observations(startMs: number, marks: [Observation['kind'], number][]): Observation[] {
  return marks.map(([kind, at]) => ({ kind, atMs: startMs + at, detail: kind === 'new-leader' ? 'pg2' : kind, ...(kind === 'new-leader' ? { leader: 'pg2' } : {}) }));
}
