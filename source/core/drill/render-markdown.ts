// report.md from the report record: the figures table carries each JSON field name, so a reader
// (and a test) can match every number to report.json.
import { figureRows, humanMs, measuredOnNote, type DrillReport } from './report.js';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const signed = (ms: number) => (ms >= 0 ? `+${ms}` : `${ms}`);

export function renderMarkdown(r: DrillReport): string {
  const out: string[] = [];
  out.push(`# Drill report: ${r.runbook.title}`, '');
  const double = measuredOnNote(r);
  if (double) out.push(`> [!IMPORTANT]\n> This drill was ${double}.`, '');
  out.push(`**Result: ${r.pass ? 'PASS' : 'FAIL'}** — ${r.system}, fault \`${r.fault}\`, runbook \`${r.runbook.id}\` (${r.runbook.path})`, '');
  out.push(`- Started ${r.started_at}, finished ${r.finished_at} (UTC)`);
  out.push(`- Fault time T0: ${r.t0 ?? 'not recorded'}`);
  if (r.environment) out.push(`- Environment: ${r.environment}`);
  if (r.ticket) out.push(`- Ticket: ${r.ticket}`);
  out.push(`- Run outcome: ${r.run_outcome}`);
  if (r.standby_at_fault) {
    const st = r.standby_at_fault;
    out.push(`- Standby (DR) delay behind ${st.of} at the fault: ${st.delay_bytes === null ? `unknown (${st.error ?? 'no answer'})` : `${st.delay_bytes} bytes, ${st.delay_seconds ?? '?'} s`}`);
  }
  out.push('');
  if (r.run_outcome !== 'ok') out.push(`> [!WARNING]\n> The run did not end ok (${r.run_outcome}): the figures cover the drill up to where it stopped.`, '');

  out.push('## Figures', '');
  out.push('| field | figure | value (ms or count) | readable | target | verdict |', '|---|---|---|---|---|---|');
  for (const row of figureRows(r)) {
    const readable = row.field === 'rpo_lost_writes' || row.field === 'in_doubt_writes' ? (row.value === null ? 'not counted' : String(row.value)) : humanMs(row.value);
    out.push(`| \`${row.field}\` | ${cell(row.label)} | ${row.value === null ? 'null' : row.value} | ${readable} | ${row.target} | ${row.verdict} |`);
  }
  out.push('');
  out.push(`- RTO: **${r.verdicts.rto.status}** — ${r.verdicts.rto.reason}`);
  out.push(`- RPO: **${r.verdicts.rpo.status}** — ${r.verdicts.rpo.reason}`, '');

  if (r.alerts) {
    out.push('## Alerts (监控和告警系统是否正常工作)', '', `- ${cell(r.alerts.summary)}`);
    for (const a of r.alerts.fired) out.push(`- \`${a.name}\` started ${a.starts_at}${a.latency_ms === null ? '' : ` (T0 ${signed(a.latency_ms)} ms; seen in Alertmanager at T0 ${signed(a.seen_after_ms ?? 0)} ms)`}${a.runbook ? `, runbook \`${a.runbook}\`` : ''}`);
    out.push('');
  }
  out.push('## Timeline', '', `![Drill timeline](${r.chart})`, '');
  out.push('| from T0 (ms) | time (UTC) | event |', '|---|---|---|');
  for (const e of r.timeline) out.push(`| ${signed(e.offset_ms)} | ${e.at} | ${cell(e.label)} |`);
  out.push('');

  out.push('## Canary', '');
  out.push(`- Target: ${r.canary.target}`);
  out.push(`- Sent ${r.canary.attempted}, acknowledged ${r.canary.acknowledged}, errors ${r.canary.errors}, present afterwards ${r.canary.present ?? 'not read back'}`);
  if (r.canary.lost_sample.length > 0) out.push(`- Lost acknowledged seqs (first ${r.canary.lost_sample.length}): ${r.canary.lost_sample.join(', ')}`);
  if (r.canary.in_doubt_sample.length > 0) out.push(`- In-doubt seqs (first ${r.canary.in_doubt_sample.length}): ${r.canary.in_doubt_sample.join(', ')}`);
  for (const e of r.canary.first_errors) out.push(`- Error seen: \`${e.replace(/`/g, "'")}\``);
  out.push('');

  out.push('## What the panels saw', '');
  if (r.observations.length === 0) out.push('No poller observations were recorded.');
  else {
    out.push('| from T0 (ms) | observation | detail |', '|---|---|---|');
    for (const o of r.observations) out.push(`| ${signed(o.offset_ms)} | ${o.kind} | ${cell(o.detail)} |`);
  }
  out.push('');

  out.push('## Steps', '');
  if (r.steps.length === 0) out.push('No step results were recorded.');
  for (const s of r.steps) out.push(`- \`${s.id}\`: ${s.outcome}`);
  out.push('');

  out.push('## Audit log', '');
  out.push(`- Log: ${r.audit.log ?? 'none'}`);
  out.push(`- Head: ${r.audit.head ? `${r.audit.head.seq}:${r.audit.head.hash}` : 'none'}`);
  out.push(`- Verified: ${r.audit.verified === null ? 'not checked' : r.audit.verified ? 'yes' : 'NO'}${r.audit.message ? ` (${r.audit.message})` : ''}`);
  out.push('');
  return out.join('\n');
}

/** Reads the figures table back: field → value. Used to prove markdown and JSON agree. */
export function parseMarkdownFigures(markdown: string): Record<string, number | null> {
  const figures: Record<string, number | null> = {};
  for (const line of markdown.split('\n')) {
    const m = /^\| `([a-z_]+)` \| .*? \| (null|-?\d+) \|/.exec(line);
    if (m) figures[m[1]!] = m[2] === 'null' ? null : Number(m[2]);
  }
  return figures;
}
