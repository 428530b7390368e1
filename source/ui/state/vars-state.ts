// The variables form a runbook opens with (when it declares any): every variable with its description,
// prefilled from `:open <id> name=value`, then HATUI_VAR_<NAME>, then the runbook default: the same
// order `hatui run` uses. A pure reducer over normalised keys. Secrets are edited blind: the screen
// shows that one is set and where it came from, never its text or its length.
import { envVarName } from '../../services/runner-vars.js';
import { actionFor } from '../keymap.js';

export interface VarSpecLike {
  description?: string;
  default?: string;
  secret: boolean;
  choices?: string[];
  from?: unknown;
}

export type VarSource = 'command line' | 'environment' | 'default' | 'typed' | 'none';

export interface VarField {
  name: string;
  description?: string;
  secret: boolean;
  choices?: string[];
  value: string;
  source: VarSource;
  /** The environment variable that can carry it (HATUI_VAR_<NAME>). */
  envName: string;
}

export interface VarsUi {
  runbookId: string;
  fields: VarField[];
  focus: number;
  message: string | null;
}

export type VarsEffect = { kind: 'start'; values: Record<string, string> } | { kind: 'back' };

export function initialVarsUi(runbookId: string, specs: Record<string, VarSpecLike>, given: Record<string, string>, env: Record<string, string | undefined>): VarsUi {
  const fields = Object.entries(specs).map(([name, spec]): VarField => {
    const envName = envVarName(name);
    const [value, source]: [string, VarSource] = Object.hasOwn(given, name)
      ? [given[name]!, 'command line']
      : env[envName] !== undefined
        ? [env[envName]!, 'environment']
        : spec.default !== undefined
          ? [spec.default, 'default']
          : ['', 'none'];
    return {
      name,
      secret: spec.secret,
      value,
      source,
      envName,
      ...(spec.description ? { description: spec.description } : {}),
      ...(spec.choices?.length ? { choices: spec.choices } : {}),
    };
  });
  // Start on the first variable that still needs a value, else the first.
  const focus = Math.max(0, fields.findIndex((f) => problemOf(f) !== null));
  return { runbookId, fields, focus, message: null };
}

/** Why a field cannot start the run yet, or null. */
export function problemOf(field: VarField): string | null {
  if (field.value === '') return `${field.name} needs a value${field.secret ? ` (type it, or set ${field.envName})` : ''}`;
  if (field.choices && !field.choices.includes(field.value)) return `${field.name} must be one of ${field.choices.join(', ')}`;
  return null;
}

export function reduceVars(ui: VarsUi, name: string, input: string): { ui: VarsUi; effect?: VarsEffect } {
  const field = ui.fields[ui.focus];
  switch (actionFor('vars', name)) {
    case 'back':
    case 'interrupt':
      return { ui, effect: { kind: 'back' } };
    case 'prev-field':
      return { ui: { ...ui, focus: Math.max(0, ui.focus - 1), message: null } };
    case 'next-field':
      return { ui: { ...ui, focus: Math.min(ui.fields.length - 1, ui.focus + 1), message: null } };
    case 'prev-choice':
    case 'next-choice': {
      if (!field?.choices) return { ui };
      const at = field.choices.indexOf(field.value);
      const step = actionFor('vars', name) === 'next-choice' ? 1 : -1;
      const next = field.choices[(at + step + field.choices.length) % field.choices.length]!;
      return { ui: edit(ui, next) };
    }
    case 'clear-field':
      return field ? { ui: edit(ui, '') } : { ui };
    case 'start': {
      const bad = ui.fields.findIndex((f) => problemOf(f) !== null);
      if (bad >= 0) return { ui: { ...ui, focus: bad, message: problemOf(ui.fields[bad]!) } };
      return { ui, effect: { kind: 'start', values: Object.fromEntries(ui.fields.map((f) => [f.name, f.value])) } };
    }
    default:
      break;
  }
  if (!field) return { ui };
  if (name === 'backspace') return { ui: edit(ui, field.value.slice(0, -1)) };
  // Printable text (one key, or one character of a paste) goes into the focused field.
  const text = name === 'space' ? ' ' : input;
  if (text && !name.startsWith('ctrl+') && ![...text].some((c) => c < ' ' || c === '\x7f')) return { ui: edit(ui, field.value + text) };
  return { ui };
}

function edit(ui: VarsUi, value: string): VarsUi {
  const fields = ui.fields.map((f, i) => (i === ui.focus ? { ...f, value, source: 'typed' as const } : f));
  return { ...ui, fields, message: null };
}
