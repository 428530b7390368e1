// Home screen state as a pure reducer over normalised keys: runbook selection, `/` filter, `:` line.
import { actionFor } from '../keymap.js';
import type { VarSpecLike } from './vars-state.js';
import type { Alert } from '../../core/alerts.js';

export interface RunbookEntry {
  id: string;
  title: string;
  tags: string[];
  path: string;
  summary?: string;
  clusters: string[];
  /** Validation problems (`file:line:col: message`): such a runbook is listed but cannot be opened. */
  problems: string[];
  /** The variables it declares: opening it shows the variables form first when there are any. */
  vars?: Record<string, VarSpecLike>;
}

export interface HomeUi {
  selected: number;
  filter: string;
  mode: 'list' | 'filter' | 'command';
  commandLine: string;
  message: string | null;
}

export type HomeEffect =
  | { kind: 'open'; entry: RunbookEntry }
  | { kind: 'help' }
  | { kind: 'quit' }
  | { kind: 'command'; text: string }
  /** Enter on an alert in the alerts panel: open the runbook it names, prefilled from its labels. */
  | { kind: 'open-alert'; alert: Alert };

export const initialHomeUi: HomeUi = { selected: 0, filter: '', mode: 'list', commandLine: '', message: null };

export function filterRunbooks(entries: readonly RunbookEntry[], filter: string): RunbookEntry[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...entries];
  return entries.filter((e) => {
    const hay = `${e.id} ${e.title} ${e.tags.map((t) => `#${t} ${t}`).join(' ')}`.toLowerCase();
    return words.every((w) => hay.includes(w.replace(/^#/, '')));
  });
}

/** `name` is a key name from keyName(); `input` the raw text typed (for filter and command line). */
export function reduceHome(ui: HomeUi, name: string, input: string, entries: readonly RunbookEntry[]): { ui: HomeUi; effect?: HomeEffect } {
  const shown = filterRunbooks(entries, ui.filter);
  if (ui.mode === 'filter' || ui.mode === 'command') {
    const field = ui.mode === 'filter' ? 'filter' : 'commandLine';
    if (name === 'esc') return { ui: { ...ui, mode: 'list', ...(ui.mode === 'filter' ? { filter: '' } : { commandLine: '' }), selected: 0 } };
    if (name === 'enter') {
      if (ui.mode === 'filter') return { ui: { ...ui, mode: 'list', selected: 0 } };
      return { ui: { ...ui, mode: 'list', commandLine: '' }, effect: { kind: 'command', text: ui.commandLine.trim() } };
    }
    if (name === 'backspace') return { ui: { ...ui, [field]: ui[field].slice(0, -1), selected: 0 } };
    if (name === 'up' || name === 'down') return { ui: { ...ui, selected: move(ui.selected, name === 'up' ? -1 : 1, shown.length) } };
    if (input && !name.startsWith('ctrl+') && name.length >= 1 && ![...input].some((c) => c < ' ')) {
      return { ui: { ...ui, [field]: ui[field] + input, selected: 0 } };
    }
    return { ui };
  }
  switch (actionFor('home', name)) {
    case 'up':
      return { ui: { ...ui, selected: move(ui.selected, -1, shown.length), message: null } };
    case 'down':
      return { ui: { ...ui, selected: move(ui.selected, 1, shown.length), message: null } };
    case 'filter':
      return { ui: { ...ui, mode: 'filter', message: null } };
    case 'command-line':
      return { ui: { ...ui, mode: 'command', commandLine: '', message: null } };
    case 'help':
      return { ui, effect: { kind: 'help' } };
    case 'back':
      if (ui.filter) return { ui: { ...ui, filter: '', selected: 0 } };
      return { ui, effect: { kind: 'quit' } };
    case 'interrupt':
      return { ui, effect: { kind: 'quit' } };
    case 'open': {
      const entry = shown[ui.selected];
      if (!entry) return { ui: { ...ui, message: 'no runbook selected' } };
      if (entry.problems.length) return { ui: { ...ui, message: `cannot open ${entry.id}: ${entry.problems[0]}` } };
      return { ui, effect: { kind: 'open', entry } };
    }
    default:
      return { ui };
  }
}

function move(index: number, delta: number, length: number): number {
  if (length === 0) return 0;
  return Math.min(length - 1, Math.max(0, index + delta));
}
