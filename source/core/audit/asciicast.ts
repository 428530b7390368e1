// `hatui replay --asciicast`: asciicast v3 (https://docs.asciinema.org/manual/asciicast/v3/), read from the
// engine reducer's fold of the log (replay-fold.ts). Header line, then events `[interval, code, data]` where
// interval is seconds since the previous event. The screen shows what the operator saw: each step's header,
// the confirmation asked and its answer, every command as sent, its output and its outcome, the run's end.
// `o` data uses CRLF line ends (a terminal's newline only moves down; players do not translate it);
// each step gets one `m` (marker) event labelled with its step id when it first starts.
import { type FoldedRun, describeEvent, describeTarget } from './replay-fold.js';

export interface AsciicastOptions {
  cols?: number;
  rows?: number;
  title?: string;
}

const GLYPH: Partial<Record<string, string>> = {
  'confirmation-requested': '? ',
  'confirmation-given': '✓ ',
  'confirmation-refused': '✗ ',
  'command-finished': '→ ',
  'step-finished': '■ ',
  'run-aborted': '✗ ',
  'run-finished': '■ ',
};

export function toAsciicast(run: FoldedRun, options: AsciicastOptions = {}): string {
  const start = run.startedAt ? Date.parse(run.startedAt) : 0;
  const header: Record<string, unknown> = {
    version: 3,
    term: { cols: options.cols ?? 80, rows: options.rows ?? 24 },
    timestamp: Number.isFinite(start) ? Math.floor(start / 1000) : 0,
  };
  if (options.title) header.title = options.title;
  const lines = [JSON.stringify(header)];
  let previous = Number.isFinite(start) ? start : 0;
  let atLineStart = true;
  const marked = new Set<string>();
  const emit = (at: string, code: 'o' | 'm', data: string) => {
    const time = Date.parse(at);
    const now = Number.isFinite(time) ? Math.max(time, previous) : previous;
    const interval = Math.round(now - previous) / 1000;
    previous = now;
    lines.push(JSON.stringify([interval, code, data]));
  };
  const print = (at: string, text: string) => {
    const data = text.replace(/\r?\n/g, '\r\n');
    emit(at, 'o', data);
    atLineStart = data.endsWith('\n');
  };
  const line = (at: string, text: string) => print(at, `${atLineStart ? '' : '\n'}${text}\n`);
  for (const entry of run.entries) {
    const { event } = entry;
    switch (event.type) {
      case 'step-started':
        if (!marked.has(event.stepId)) {
          marked.add(event.stepId);
          emit(event.at, 'm', event.stepId);
        }
        line(event.at, `\n== step ${event.stepId}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}${entry.anomaly ? ` [not applied: ${entry.anomaly.message}]` : ''}`);
        break;
      case 'command-started':
        line(event.at, `$ ${event.command}    # on ${describeTarget(event.target)}${entry.anomaly ? ` [not applied: ${entry.anomaly.message}]` : ''}`);
        break;
      case 'command-output':
        if (event.data !== '' && !entry.anomaly) print(event.at, event.data);
        break;
      default: {
        const text = describeEvent(entry);
        if (text !== null) line(event.at, `${GLYPH[event.type] ?? '  '}${text}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}
