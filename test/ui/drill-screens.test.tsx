import React from 'react';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../source/core/drill/analyze.js';
import { liveDrill, sparkline } from '../../source/core/drill/live.js';
import { buildReport, figureRows, humanMs, type DrillReport } from '../../source/core/drill/report.js';
import { DrillPanel, formatClock } from '../../source/ui/components/drill-panel.js';
import { DrillReportScreen } from '../../source/ui/screens/drill-report.js';
import { observations, syntheticLog } from '../drill/fixtures.js';

const START = 1_700_000_000_000;
const T0 = START + 5_000;
const log = syntheticLog({ startMs: START, durationMs: 25_000, periodMs: 5, outageFrom: 5_000, outageTo: 14_000 });
const obs = observations(START, [['leader-seen', 50], ['leader-lost', 5_400], ['new-leader', 13_500], ['healthy', 20_000]]);

function report(targets = { rtoMs: 300_000, rpoMs: 0 }): DrillReport {
  const present = [...log.acks.map((a) => a.seq), log.errors[0]!.seq!];
  const a = analyze({ log, present, t0Ms: T0, observations: obs, targets });
  return buildReport(
    {
      runbook: { id: 'drill-pg', title: 'PostgreSQL primary failure', path: 'runbooks/drill-pg.md' },
      system: 'postgresql',
      fault: 'primary-crash',
      startedAtMs: START,
      finishedAtMs: START + 26_000,
      targets,
      canaryTarget: '127.0.0.1:55000 hatui_canary',
      firstSeq: 1,
      firstErrors: [],
      observations: obs,
      steps: [{ id: 'fault', outcome: 'ok' }],
      runOutcome: 'ok',
    },
    a,
  );
}

describe('drill panel (live)', () => {
  it('counts acknowledged and failed writes per interval and marks leader lost, new leader and first ack after the fault', () => {
    const nowMs = START + 16_000;
    const live = liveDrill({ acks: log.acks.filter((a) => a.atMs <= nowMs), errors: log.errors.filter((e) => e.atMs <= nowMs), observations: obs, startedAtMs: START, nowMs, t0Ms: T0 });
    expect(live.intervals).toHaveLength(16);
    // outage 5 s..14 s: no acks in those intervals, acks before and after
    expect(live.intervals[2]!.acked).toBeGreaterThan(0);
    for (let i = 5; i < 14; i++) expect(live.intervals[i]!.acked).toBe(0);
    expect(live.intervals[15]!.acked).toBeGreaterThan(0);
    expect(live.intervals.slice(5, 14).some((i) => i.failed > 0)).toBe(true);
    expect(live.sinceFaultMs).toBe(11_000);
    expect(live.marks.map((m) => [m.kind, m.sinceFaultMs])).toEqual([
      ['leader-lost', 400],
      ['new-leader', 8_500],
      ['first-ack', report().rto_ms],
    ]);

    const { lastFrame } = render(<DrillPanel live={live} canaryTarget="127.0.0.1:55000 hatui_canary" width={100} />);
    const frame = lastFrame()!;
    expect(frame).toContain('T+00:11.0 since the fault');
    expect(frame).toContain(`acked  ${sparkline(live.intervals.map((i) => i.acked))} ${live.acked}`);
    expect(frame).toContain(`failed ${sparkline(live.intervals.map((i) => i.failed))} ${live.failed}`);
    expect(frame).toContain('◆ T+00:00.4 leader lost');
    expect(frame).toContain('◆ T+00:08.5 new leader');
    expect(frame).toContain(`◆ T+${formatClock(report().rto_ms!)} first acknowledged write`);
  });

  it('before the fault shows no clock and no marks', () => {
    const nowMs = START + 3_000;
    const live = liveDrill({ acks: log.acks.filter((a) => a.atMs <= nowMs), errors: [], observations: obs, startedAtMs: START, nowMs, t0Ms: null });
    expect(live.marks).toEqual([]);
    const { lastFrame } = render(<DrillPanel live={live} canaryTarget="c" width={80} />);
    expect(lastFrame()).toContain('fault not yet');
    expect(lastFrame()).not.toContain('◆');
  });
});

describe('drill report screen', () => {
  it('shows every figure of the report against its target with the verdict, and where the files are', () => {
    const r = report();
    const files = { markdown: '/tmp/r/report.md', json: '/tmp/r/report.json', svg: '/tmp/r/timeline.svg' };
    const { lastFrame } = render(<DrillReportScreen report={r} files={files} width={160} />);
    const frame = lastFrame()!;
    expect(frame).toContain('PASS');
    for (const row of figureRows(r)) {
      const line = frame.split('\n').find((l) => l.includes(row.label))!;
      expect(line).toBeDefined();
      expect(line).toContain(row.field.endsWith('_ms') ? humanMs(row.value) : String(row.value));
      expect(line).toContain(row.verdict);
    }
    expect(frame).toContain(`RTO: fault → first acknowledged write`);
    expect(frame).toContain(humanMs(r.rto_ms));
    for (const f of Object.values(files)) expect(frame).toContain(f);
  });

  it('says FAIL with the missed target', () => {
    const r = report({ rtoMs: 1_000, rpoMs: 0 });
    expect(r.verdicts.rto.status).toBe('fail');
    const { lastFrame } = render(<DrillReportScreen report={r} files={{ markdown: 'a', json: 'b', svg: 'c' }} width={160} />);
    expect(lastFrame()).toContain('FAIL');
    expect(lastFrame()!.split('\n').find((l) => l.includes('RTO: fault'))).toMatch(/fail$/);
  });
});
