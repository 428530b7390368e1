// timeline.svg: acknowledged writes per interval as bars (failed writes in red below the axis),
// vertical markers for fault, leader lost, new leader, first write and healthy. Hand-written SVG,
// every text escaped; a test parses it as XML.
import type { TimelineKind } from './model.js';
import { humanMs, type DrillReport } from './report.js';

export const MARKER_STYLE: Partial<Record<TimelineKind, { color: string; short: string; name: string }>> = {
  fault: { color: '#d62728', short: 'F', name: 'fault (T0)' },
  'leader-lost': { color: '#ff7f0e', short: 'L', name: 'leader lost' },
  'new-leader': { color: '#1f77b4', short: 'N', name: 'new leader' },
  'first-write': { color: '#2ca02c', short: 'W', name: 'first write' },
  healthy: { color: '#17becf', short: 'H', name: 'healthy' },
};

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const W = 960;
const H = 370;
const PAD_L = 60;
const PAD_R = 20;
const TOP = 110;
const AXIS_Y = 270;
const ERR_H = 30;

export function renderSvg(r: DrillReport): string {
  const b = r.acks_per_interval;
  const n = Math.max(1, b.counts.length);
  const spanMs = n * b.interval_ms;
  const plotW = W - PAD_L - PAD_R;
  const x = (offsetMs: number) => PAD_L + ((offsetMs - b.start_offset_ms) / spanMs) * plotW;
  const maxCount = Math.max(1, ...b.counts);
  const maxErr = Math.max(1, ...b.errors);
  const barW = plotW / n;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  parts.push(`<title>${escapeXml(`Drill timeline: ${r.runbook.title}`)}</title>`);
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  const verdict = r.pass ? 'PASS' : 'FAIL';
  parts.push(`<text x="${PAD_L}" y="22" font-size="15" font-weight="bold">${escapeXml(`${r.runbook.title} — ${verdict}`)}</text>`);
  parts.push(
    `<text x="${PAD_L}" y="42" fill="#333">${escapeXml(
      `RTO ${humanMs(r.rto_ms)} · write gap ${humanMs(r.write_gap_ms)} · lost acked writes ${r.rpo_lost_writes ?? 'not counted'} · in doubt ${r.in_doubt_writes ?? '?'} · healthy ${humanMs(r.healthy_ms)}`,
    )}</text>`,
  );
  // Bars.
  parts.push('<g fill="#9ecae1">');
  b.counts.forEach((c, i) => {
    if (c === 0) return;
    const h = (c / maxCount) * (AXIS_Y - TOP);
    parts.push(`<rect x="${(PAD_L + i * barW).toFixed(1)}" y="${(AXIS_Y - h).toFixed(1)}" width="${Math.max(0.5, barW - 0.5).toFixed(1)}" height="${h.toFixed(1)}"/>`);
  });
  parts.push('</g>');
  parts.push('<g fill="#f4a6a6">');
  b.errors.forEach((c, i) => {
    if (c === 0) return;
    const h = (c / maxErr) * ERR_H;
    parts.push(`<rect x="${(PAD_L + i * barW).toFixed(1)}" y="${AXIS_Y}" width="${Math.max(0.5, barW - 0.5).toFixed(1)}" height="${h.toFixed(1)}"/>`);
  });
  parts.push('</g>');
  // Axis and ticks (seconds from T0).
  parts.push(`<line x1="${PAD_L}" y1="${AXIS_Y}" x2="${W - PAD_R}" y2="${AXIS_Y}" stroke="#333"/>`);
  parts.push(`<text x="8" y="${TOP + 4}" fill="#555">${maxCount}</text>`);
  parts.push(`<text x="8" y="${AXIS_Y - 4}" fill="#555">acks/${escapeXml(humanMs(b.interval_ms))}</text>`);
  const stepS = niceTick(spanMs / 1000 / 8);
  const firstS = Math.ceil(b.start_offset_ms / 1000 / stepS) * stepS;
  for (let s = firstS; s * 1000 <= b.start_offset_ms + spanMs; s += stepS) {
    const px = x(s * 1000).toFixed(1);
    parts.push(`<line x1="${px}" y1="${AXIS_Y}" x2="${px}" y2="${AXIS_Y + 5}" stroke="#333"/>`);
    parts.push(`<text x="${px}" y="${AXIS_Y + ERR_H + 16}" text-anchor="middle" fill="#333">${s > 0 ? '+' : ''}${Number(s.toFixed(3))} s</text>`);
  }
  // Markers.
  let row = 0;
  for (const e of r.timeline) {
    const style = MARKER_STYLE[e.kind];
    if (!style) continue;
    const at = x(e.offset_ms);
    const px = at.toFixed(1);
    // Labels in a band above the bars, one row per marker; near the right edge they end at the line.
    const ly = 58 + (row % 5) * 12;
    row++;
    const anchor = at > W - 180 ? ' text-anchor="end" dx="-3"' : ' dx="3"';
    parts.push(`<line x1="${px}" y1="${ly - 10}" x2="${px}" y2="${AXIS_Y}" stroke="${style.color}" stroke-width="2" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${px}" y="${ly}"${anchor} fill="${style.color}">${escapeXml(`${style.name} ${e.offset_ms >= 0 ? '+' : ''}${humanMs(e.offset_ms)}`)}</text>`);
  }
  // Legend.
  const ly = H - 14;
  parts.push(`<rect x="${PAD_L}" y="${ly - 9}" width="10" height="10" fill="#9ecae1"/><text x="${PAD_L + 14}" y="${ly}">acknowledged writes</text>`);
  parts.push(`<rect x="${PAD_L + 170}" y="${ly - 9}" width="10" height="10" fill="#f4a6a6"/><text x="${PAD_L + 184}" y="${ly}">failed writes</text>`);
  parts.push(`<text x="${W - PAD_R}" y="${ly}" text-anchor="end" fill="#555">${escapeXml(`T0 ${r.t0 ?? 'not recorded'}`)}</text>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function niceTick(raw: number): number {
  for (const t of [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600]) if (t >= raw) return t;
  return 1200;
}
