// The timeline chart printed at the end of a headless drill: a sparkline of acknowledged writes per
// interval, a marker row (F fault, L leader lost, N new leader, W first write, H healthy), a time
// axis from T0 and the figures. Plain text; ANSI colour only when asked (callers honour NO_COLOR).
import { MARKER_STYLE } from './render-svg.js';
import { figureRows, humanMs, measuredOnNote, type DrillReport } from './report.js';

const BLOCKS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const ANSI: Record<string, string> = { F: '31', L: '33', N: '34', W: '32', H: '36' };

export interface TerminalChartOptions {
  width?: number;
  color?: boolean;
}

export function renderTerminalChart(r: DrillReport, options: TerminalChartOptions = {}): string {
  const width = Math.max(20, (options.width ?? 80) - 2);
  const paint = (code: string, text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const b = r.acks_per_interval;
  const n = Math.max(1, b.counts.length);
  const spanMs = n * b.interval_ms;
  // Merge k neighbouring buckets per column so the chart fits the width without aliasing.
  const k = Math.ceil(n / width);
  const cols = Math.ceil(n / k);
  const acks = new Array<number>(cols).fill(0);
  const errs = new Array<number>(cols).fill(0);
  b.counts.forEach((c, i) => (acks[Math.floor(i / k)]! += c));
  b.errors.forEach((c, i) => (errs[Math.floor(i / k)]! += c));
  // A last, partial column is scaled up to a full one so its bar is comparable.
  const lastSize = n - (cols - 1) * k;
  if (lastSize < k) acks[cols - 1] = Math.round((acks[cols - 1]! * k) / lastSize);
  const max = Math.max(1, ...acks);
  const spark = acks.map((c) => (c === 0 ? ' ' : BLOCKS[Math.max(1, Math.round((c / max) * 8))]!)).join('');
  const errRow = errs.map((c) => (c > 0 ? '×' : ' ')).join('');
  const col = (offsetMs: number) => Math.min(cols - 1, Math.max(0, Math.floor((offsetMs - b.start_offset_ms) / (b.interval_ms * k))));
  const markers = new Array<string>(cols).fill(' ');
  const legend: string[] = [];
  for (const e of r.timeline) {
    const style = MARKER_STYLE[e.kind];
    if (!style) continue;
    // Events closer than a column apart: the later one moves right to the next free column.
    let c = col(e.offset_ms);
    while (c < cols - 1 && markers[c] !== ' ') c++;
    markers[c] = markers[c] === ' ' ? style.short : '*';
    legend.push(`${paint(ANSI[style.short] ?? '0', style.short)} ${style.name} ${e.offset_ms >= 0 ? '+' : ''}${humanMs(e.offset_ms)}`);
  }
  const markerRow = markers.map((m) => (m === ' ' || m === '*' ? m : paint(ANSI[m] ?? '0', m))).join('');
  const startLabel = `${signedSeconds(b.start_offset_ms)}`;
  const endLabel = `${signedSeconds(b.start_offset_ms + spanMs)}`;
  const axis = startLabel + ' '.repeat(Math.max(1, cols - startLabel.length - endLabel.length)) + endLabel;

  const lines: string[] = [];
  const verdict = r.pass ? paint('32;1', 'PASS') : paint('31;1', 'FAIL');
  const run = r.run_outcome === 'ok' ? '' : `   (run ${r.run_outcome}: see the run output above)`;
  lines.push(`Drill ${r.runbook.id}: ${verdict}${run}`);
  const double = measuredOnNote(r);
  if (double) lines.push(paint('33;1', `  ${double[0]!.toUpperCase()}${double.slice(1)}`));
  lines.push(`acknowledged writes per ${humanMs(b.interval_ms * k)} (peak ${max}), × failed writes`);
  lines.push('│' + spark);
  lines.push('│' + paint('31', errRow));
  lines.push('│' + markerRow);
  lines.push('└' + '─'.repeat(cols));
  lines.push(' ' + axis + '  (s from T0)');
  // Legend entries wrapped to the width (colour codes do not count).
  let current = '';
  let visible = 0;
  for (const entry of legend) {
    const len = entry.replace(/\u001b\[[0-9;]*m/g, '').length;
    if (visible > 0 && visible + 2 + len > width) {
      lines.push(' ' + current);
      current = '';
      visible = 0;
    }
    current += (visible > 0 ? '  ' : '') + entry;
    visible += (visible > 0 ? 2 : 0) + len;
  }
  if (visible > 0) lines.push(' ' + current);
  for (const row of figureRows(r)) {
    const value = row.field === 'rpo_lost_writes' || row.field === 'in_doubt_writes' ? (row.value === null ? 'not counted' : String(row.value)) : humanMs(row.value);
    const verdictText = row.verdict === 'pass' ? paint('32', 'pass') : row.verdict === 'fail' ? paint('31', 'fail') : row.verdict;
    lines.push(`  ${row.label.padEnd(46)} ${value.padStart(12)} ${row.target.padEnd(12)} ${verdictText}`);
  }
  const st = r.standby_at_fault;
  if (st) lines.push(`  Standby (DR) delay behind ${st.of} at the fault: ${st.delay_bytes === null ? `unknown (${st.error ?? 'no answer'})` : `${st.delay_bytes} B, ${st.delay_seconds ?? '?'} s`}`);
  return lines.join('\n') + '\n';
}

function signedSeconds(ms: number): string {
  const s = ms / 1000;
  return `${s > 0 ? '+' : ''}${Number(s.toFixed(1))}s`;
}
