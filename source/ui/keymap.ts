// THE key-binding table. The help screen renders it and the tests read it: one source of truth.
// Keys are normalised names produced by `keyName` from Ink's (input, key) pair.

export type ScreenName = 'home' | 'vars' | 'walkthrough' | 'confirm' | 'help' | 'replay';

export type Action =
  | 'help'
  | 'back'
  | 'filter'
  | 'command-line'
  | 'up'
  | 'down'
  | 'open'
  | 'interrupt'
  | 'scroll-up'
  | 'scroll-down'
  | 'follow'
  | 'tick'
  | 'next-step'
  | 'prev-step'
  | 'jump'
  | 'search'
  | 'search-next'
  | 'prev-field'
  | 'next-field'
  | 'prev-choice'
  | 'next-choice'
  | 'clear-field'
  | 'start'
  | 'focus-alerts'
  | 'line-up'
  | 'line-down';

export interface Binding {
  action: Action;
  /** Normalised key names (`q`, `esc`, `enter`, `up`, `ctrl+c`, `pagedown`, …). */
  keys: readonly string[];
  screens: readonly ScreenName[];
  /** Footer hint (the help screen shows `description`). */
  short: string;
  description: string;
}

const ALL: readonly ScreenName[] = ['home', 'vars', 'walkthrough', 'confirm', 'help', 'replay'];

export const KEYMAP: readonly Binding[] = [
  { action: 'help', keys: ['?'], screens: ['home', 'walkthrough', 'replay'], short: 'help', description: 'show key bindings' },
  { action: 'back', keys: ['q', 'esc'], screens: ['home', 'walkthrough', 'help', 'replay'], short: 'back', description: 'back (quit on the home screen)' },
  { action: 'filter', keys: ['/'], screens: ['home'], short: 'filter', description: 'filter runbooks by id, title or tag' },
  { action: 'command-line', keys: [':'], screens: ['home'], short: 'command', description: 'command line (:open <id>, :help, :q)' },
  { action: 'up', keys: ['up', 'k'], screens: ['home', 'walkthrough', 'replay'], short: 'prev', description: 'previous item' },
  { action: 'down', keys: ['down', 'j'], screens: ['home', 'walkthrough', 'replay'], short: 'next', description: 'next item' },
  { action: 'open', keys: ['enter'], screens: ['home'], short: 'open', description: 'open the selected runbook (or the selected alert\'s runbook, prefilled from its labels)' },
  { action: 'focus-alerts', keys: ['tab'], screens: ['home'], short: 'alerts', description: 'select among the firing alerts / back to the runbook list' },
  { action: 'interrupt', keys: ['ctrl+c'], screens: ALL, short: 'abort', description: 'once: ask to abort; twice: cancel the running command' },
  { action: 'scroll-up', keys: ['pageup', 'u'], screens: ['walkthrough', 'replay'], short: 'scroll up', description: 'scroll output up' },
  { action: 'scroll-down', keys: ['pagedown', 'd'], screens: ['walkthrough', 'replay'], short: 'scroll down', description: 'scroll output down' },
  { action: 'follow', keys: ['f'], screens: ['walkthrough'], short: 'follow', description: 'follow the output tail again' },
  { action: 'tick', keys: ['space'], screens: ['walkthrough'], short: 'tick', description: 'tick the next checklist item' },
  { action: 'next-step', keys: ['n', 'right'], screens: ['replay'], short: 'next step', description: 'next step' },
  { action: 'prev-step', keys: ['p', 'left'], screens: ['replay'], short: 'prev step', description: 'previous step' },
  { action: 'jump', keys: ['g'], screens: ['replay'], short: 'jump', description: 'jump to step (type its number or id)' },
  { action: 'search', keys: ['/'], screens: ['replay'], short: 'search', description: 'search output' },
  { action: 'search-next', keys: ['N'], screens: ['replay'], short: 'next match', description: 'next search match' },
  // The variables form: letters are text there, so only keys that type nothing move or act.
  { action: 'prev-field', keys: ['up'], screens: ['vars'], short: 'prev', description: 'previous variable' },
  { action: 'next-field', keys: ['down', 'tab'], screens: ['vars'], short: 'next', description: 'next variable' },
  { action: 'prev-choice', keys: ['left'], screens: ['vars'], short: 'choice', description: 'previous allowed value (variables with choices)' },
  { action: 'next-choice', keys: ['right'], screens: ['vars'], short: 'choice', description: 'next allowed value (variables with choices)' },
  { action: 'clear-field', keys: ['ctrl+u'], screens: ['vars'], short: 'clear', description: 'clear the variable' },
  { action: 'start', keys: ['enter'], screens: ['vars'], short: 'start', description: 'start the run with these values' },
  { action: 'back', keys: ['esc'], screens: ['vars'], short: 'back', description: 'back to the runbook list; nothing runs' },
  // A confirmation: letters are the typed answer, so only keys that type nothing scroll its commands.
  { action: 'line-up', keys: ['up'], screens: ['confirm'], short: 'line', description: "scroll the step's commands up a line" },
  { action: 'line-down', keys: ['down'], screens: ['confirm'], short: 'line', description: "scroll the step's commands down a line" },
  { action: 'scroll-up', keys: ['pageup'], screens: ['confirm'], short: 'page', description: "scroll the step's commands up a page" },
  { action: 'scroll-down', keys: ['pagedown'], screens: ['confirm'], short: 'page', description: "scroll the step's commands down a page (the end must be seen before confirming)" },
];

/** Ink's key flags (subset) — kept structural so this file needs no Ink import. */
export interface InkKey {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
  tab?: boolean;
  backspace?: boolean;
  delete?: boolean;
}

export function keyName(input: string, key: InkKey): string {
  if (key.ctrl && input) return `ctrl+${input.toLowerCase()}`;
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.return) return 'enter';
  if (key.escape) return 'esc';
  if (key.tab) return 'tab';
  if (key.backspace || key.delete) return 'backspace';
  if (input === ' ') return 'space';
  return input;
}

/**
 * Pasted or fast-typed text (`pg⏎` typed quickly, a paste) arrives as one chunk that Ink reports as plain
 * input: split it into one key event per character so no keystroke, Enter included, is lost.
 */
export function keyEvents(input: string, key: InkKey): { name: string; input: string }[] {
  const name = keyName(input, key);
  if (name !== input || input.length <= 1) return [{ name, input }];
  return [...input].map((c) => ({ name: charKeyName(c), input: c }));
}

function charKeyName(c: string): string {
  if (c === '\r' || c === '\n') return 'enter';
  if (c === '\x7f' || c === '\b') return 'backspace';
  if (c === '\x1b') return 'esc';
  return c === ' ' ? 'space' : c;
}

export function actionFor(screen: ScreenName, name: string): Action | undefined {
  return KEYMAP.find((b) => b.screens.includes(screen) && b.keys.includes(name))?.action;
}

export function bindingsFor(screen: ScreenName): Binding[] {
  return KEYMAP.filter((b) => b.screens.includes(screen));
}

/** `q/esc back · ? help` footer text from the table. */
export function hints(screen: ScreenName, actions: readonly Action[]): string {
  return actions
    .map((a) => KEYMAP.find((b) => b.action === a && b.screens.includes(screen)))
    .filter((b): b is Binding => b !== undefined)
    .map((b) => `${b.keys.join('/')} ${b.short}`)
    .join(' · ');
}
