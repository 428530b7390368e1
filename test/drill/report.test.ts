import { describe, expect, it } from 'vitest';
import { analyze } from '../../source/core/drill/analyze.js';
import { buildReport, figureRows, type DrillReport } from '../../source/core/drill/report.js';
import { parseMarkdownFigures, renderMarkdown } from '../../source/core/drill/render-markdown.js';
import { renderSvg } from '../../source/core/drill/render-svg.js';
import { renderTerminalChart } from '../../source/core/drill/render-terminal.js';
import { observations, syntheticLog } from './fixtures.js';
import { findAll, parseXml } from './xml.js';

const START = 1_700_000_000_000;

function sampleReport(opts: { lostLastMs?: number; noRecovery?: boolean; title?: string } = {}): DrillReport {
  const log = syntheticLog({ startMs: START, durationMs: 25_000, periodMs: 5, outageFrom: 5_000, outageTo: opts.noRecovery ? 25_000 : 14_000 });
  const t0 = START + 5_000;
  const lost = new Set(log.acks.filter((a) => a.atMs >= t0 - (opts.lostLastMs ?? 0) && a.atMs < t0).map((a) => a.seq));
  const present = [...log.acks.map((a) => a.seq).filter((s) => !lost.has(s)), log.errors[0]!.seq!];
  const obs = observations(START, [['leader-seen', 50], ['leader-lost', 5_400], ['new-leader', 13_500], ['healthy', 20_000]]);
  const a = analyze({ log, present, t0Ms: t0, observations: obs, targets: { rtoMs: 300_000, rpoMs: 0 } });
  return buildReport(
    {
      runbook: { id: 'drill-pg', title: opts.title ?? 'PostgreSQL primary failure <drill> & "co"', path: 'runbooks/drill-pg.md' },
      system: 'postgresql',
      fault: 'primary-crash',
      environment: 'lab',
      startedAtMs: START,
      finishedAtMs: START + 26_000,
      targets: { rtoMs: 300_000, rpoMs: 0 },
      canaryTarget: '127.0.0.1:55000 hatui_canary',
      firstSeq: 1,
      firstErrors: ['connection | refused'],
      observations: obs,
      steps: [{ id: 'fault', outcome: 'ok' }],
      runOutcome: 'ok',
      audit: { log: '/tmp/x.jsonl', head: { seq: 12, hash: 'ab'.repeat(32) }, verified: true },
    },
    a,
  );
}

describe('drill report', () => {
  it('markdown carries the same figures as the JSON report', () => {
    for (const r of [sampleReport(), sampleReport({ lostLastMs: 800 }), sampleReport({ noRecovery: true })]) {
      const json = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
      const md = renderMarkdown(r);
      const figures = parseMarkdownFigures(md);
      const fields = figureRows(r).map((row) => row.field as string);
      expect(Object.keys(figures).sort()).toEqual([...fields].sort());
      for (const field of fields) expect(figures[field]).toEqual(json[field]);
      expect(md).toContain(`**Result: ${r.pass ? 'PASS' : 'FAIL'}**`);
      expect(md).toContain(`- RTO: **${r.verdicts.rto.status}**`);
      expect(md).toContain(`- RPO: **${r.verdicts.rpo.status}**`);
      expect(md).toContain('![Drill timeline](timeline.svg)');
      expect(md).toContain(`12:${'ab'.repeat(32)}`);
      for (const e of r.timeline) expect(md).toContain(`| ${e.offset_ms >= 0 ? '+' : ''}${e.offset_ms} | ${e.at} |`);
    }
  });

  it('has the issue 8 fields and verdicts per target in report.json', () => {
    const r = sampleReport({ lostLastMs: 800 });
    for (const k of ['rto_ms', 'write_gap_ms', 'rpo_lost_writes', 'in_doubt_writes', 'rpo_window_ms', 'healthy_ms']) expect(r).toHaveProperty(k);
    expect(r.rpo_lost_writes).toBeGreaterThan(0);
    expect(r.in_doubt_writes).toBe(1);
    expect(r.verdicts.rpo.status).toBe('fail');
    expect(r.verdicts.rto.status).toBe('pass');
    expect(r.pass).toBe(false);
    expect(r.timeline.find((e) => e.kind === 'fault')!.offset_ms).toBe(0);
    expect(r.audit.head!.seq).toBe(12);
  });

  it('renders a well-formed SVG with bars and a marker per timeline event', () => {
    const r = sampleReport();
    const svg = parseXml(renderSvg(r));
    expect(svg.name).toBe('svg');
    expect(svg.attributes.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(findAll(svg, 'title')[0]!.text).toContain('&lt;drill&gt; &amp; &quot;co&quot;');
    const bars = findAll(svg, 'rect').filter((e) => e.attributes.fill === undefined);
    expect(bars.length).toBe(r.acks_per_interval.counts.filter((c) => c > 0).length + r.acks_per_interval.errors.filter((c) => c > 0).length);
    const dashed = findAll(svg, 'line').filter((l) => l.attributes['stroke-dasharray']);
    expect(dashed).toHaveLength(5); // fault, leader lost, new leader, first write, healthy
    for (const el of findAll(svg, 'rect')) for (const k of ['x', 'y', 'width', 'height']) expect(Number.isFinite(Number(el.attributes[k]))).toBe(true);
  });

  it('renders the SVG even when nothing recovered', () => {
    const svg = parseXml(renderSvg(sampleReport({ noRecovery: true })));
    expect(findAll(svg, 'text').some((t) => t.text.includes('FAIL'))).toBe(true);
  });

  it('prints a terminal chart without escape codes unless colour is asked for', () => {
    const r = sampleReport();
    const plain = renderTerminalChart(r, { width: 80, color: false });
    expect(plain).not.toMatch(/\u001b\[/);
    expect(plain).toContain('Drill drill-pg: PASS');
    expect(plain).toMatch(/F fault \(T0\) \+0 ms/);
    for (const line of plain.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
    const markerRow = plain.split('\n')[4]!;
    for (const ch of ['F', 'N', 'W', 'H']) expect(markerRow).toContain(ch);
    const coloured = renderTerminalChart(r, { width: 80, color: true });
    expect(coloured).toMatch(/\u001b\[31mF\u001b\[0m/);
  });
});

describe('drill report on a wire-level double', () => {
  it('says "measured on a wire-level double" in report.json, the head of report.md and the terminal summary; a real cluster says nothing of the kind', () => {
    const real = sampleReport();
    const double: DrillReport = { ...real, system: 'mongodb', cluster: 'mongo', served_by: 'wire-level-double' };
    expect(real.served_by).toBeNull();
    expect(renderMarkdown(real)).not.toMatch(/wire-level double/);
    expect(renderTerminalChart(real)).not.toMatch(/wire-level double/);
    const md = renderMarkdown(double).split('\n');
    expect(md.slice(0, 4).join('\n')).toContain("measured on a wire-level double (cluster mongo is hatui's lab double, not MongoDB)");
    const terminal = renderTerminalChart(double).split('\n');
    expect(terminal[1]).toMatch(/^ {2}Measured on a wire-level double \(cluster mongo is hatui's lab double, not MongoDB\)/);
    expect(JSON.parse(JSON.stringify(double))).toMatchObject({ served_by: 'wire-level-double', cluster: 'mongo' });
  });
});
