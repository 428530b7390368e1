// `hatui replay --asciicast`: asciicast v3 (https://docs.asciinema.org/manual/asciicast/v3/).
// Header line, then events `[interval, code, data]` where interval is seconds since the previous
// event. Output chunks are `o` events (their data concatenated is exactly the logged output);
// each step gets one `m` (marker) event labelled with its step id when it first starts.
import type { RunEvent } from '../engine/events.js';

export interface AsciicastOptions {
  cols?: number;
  rows?: number;
  title?: string;
}

export function toAsciicast(events: readonly RunEvent[], options: AsciicastOptions = {}): string {
  const first = events[0];
  const start = first ? Date.parse(first.at) : 0;
  const header: Record<string, unknown> = {
    version: 3,
    term: { cols: options.cols ?? 80, rows: options.rows ?? 24 },
    timestamp: Number.isFinite(start) ? Math.floor(start / 1000) : 0,
  };
  if (options.title) header.title = options.title;
  const lines = [JSON.stringify(header)];
  let previous = Number.isFinite(start) ? start : 0;
  const marked = new Set<string>();
  const emit = (at: string, code: 'o' | 'm', data: string) => {
    const time = Date.parse(at);
    const now = Number.isFinite(time) ? Math.max(time, previous) : previous;
    const interval = Math.round(now - previous) / 1000;
    previous = now;
    lines.push(JSON.stringify([interval, code, data]));
  };
  for (const event of events) {
    if (event.type === 'step-started' && !marked.has(event.stepId)) {
      marked.add(event.stepId);
      emit(event.at, 'm', event.stepId);
    } else if (event.type === 'command-output' && event.data !== '') {
      emit(event.at, 'o', event.data);
    }
  }
  return lines.join('\n') + '\n';
}
