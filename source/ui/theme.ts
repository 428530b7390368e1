// Colours, honouring NO_COLOR (https://no-color.org): with it set, no colour is ever emitted and
// every status still reads as text (a word and a glyph), never by colour alone.
import type { StepStatus } from '../core/outcome.js';
import { assertNever } from '../core/outcome.js';

export function colorEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NO_COLOR === undefined || env.NO_COLOR === '';
}

export interface Theme {
  color(name: 'red' | 'green' | 'yellow' | 'cyan' | 'gray' | 'magenta'): string | undefined;
}

export function makeTheme(enabled = colorEnabled()): Theme {
  return { color: (name) => (enabled ? name : undefined) };
}

export function statusGlyph(status: StepStatus): { glyph: string; color: 'red' | 'green' | 'yellow' | 'cyan' | 'gray' | 'magenta' } {
  switch (status) {
    case 'pending':
      return { glyph: '·', color: 'gray' };
    case 'running':
      return { glyph: '▶', color: 'cyan' };
    case 'awaiting-confirmation':
      return { glyph: '?', color: 'yellow' };
    case 'ok':
      return { glyph: '✓', color: 'green' };
    case 'failed':
      return { glyph: '✗', color: 'red' };
    case 'timed-out':
      return { glyph: '⧗', color: 'red' };
    case 'cancelled':
      return { glyph: '⊘', color: 'magenta' };
    case 'skipped':
      return { glyph: '↷', color: 'gray' };
    case 'unknown':
      return { glyph: '‽', color: 'yellow' };
    default:
      return assertNever(status);
  }
}

export function environmentColor(environment: string): 'red' | 'yellow' | 'green' {
  return environment === 'production' ? 'red' : environment === 'staging' ? 'yellow' : 'green';
}
