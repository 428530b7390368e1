// The confirmation ladder as a pure reducer: `yes` takes y/N (default no), `typed` takes the exact
// text (checked by the policy's checkAnswer), a blocked pre-flight takes a typed override.
import type { ConfirmationVerdict } from '../../core/policy/confirm.js';
import { checkAnswer } from '../../core/policy/confirm.js';

export type ConfirmPrompt =
  | { kind: 'confirm'; stepId: string; verdict: ConfirmationVerdict }
  /** Pre-flight failed: the step is blocked unless the operator types `expectedText` (recorded). */
  | { kind: 'preflight-override'; stepId: string; expectedText: string }
  /** A step is `unknown` or failed with on-fail=ask: the operator types one of the options. */
  | { kind: 'decide'; stepId: string; options: readonly string[]; message?: string };

export type ConfirmAnswer =
  | { kind: 'given'; typed?: string }
  | { kind: 'refused'; reason: string }
  | { kind: 'override'; typed: string }
  | { kind: 'decided'; option: string };

export interface ConfirmUi {
  typed: string;
  error: string | null;
}
export const initialConfirmUi: ConfirmUi = { typed: '', error: null };

export function reduceConfirm(ui: ConfirmUi, name: string, input: string, prompt: ConfirmPrompt): { ui: ConfirmUi; answer?: ConfirmAnswer } {
  if (name === 'esc') return { ui, answer: { kind: 'refused', reason: prompt.kind === 'preflight-override' ? 'operator kept the pre-flight block' : 'operator refused' } };
  if (prompt.kind === 'decide') {
    if (name === 'backspace') return { ui: { typed: ui.typed.slice(0, -1), error: null } };
    if (name === 'enter') {
      const option = ui.typed.trim();
      if (!prompt.options.includes(option)) return { ui: { ...ui, error: `type one of: ${prompt.options.join(', ')}` } };
      return { ui, answer: { kind: 'decided', option } };
    }
    if (input && !name.startsWith('ctrl+') && ![...input].some((ch) => ch < ' ')) return { ui: { typed: ui.typed + input, error: null } };
    return { ui };
  }
  const level = prompt.kind === 'confirm' ? prompt.verdict.level : 'typed';
  if (level === 'none') return { ui, answer: { kind: 'given' } };
  if (level === 'yes') {
    const c = input.toLowerCase();
    if (c === 'y') return { ui, answer: { kind: 'given', typed: 'y' } };
    if (c === 'n' || name === 'enter') return { ui, answer: { kind: 'refused', reason: 'operator answered no' } };
    return { ui: { ...ui, error: 'answer y or n (default n)' } };
  }
  if (name === 'backspace') return { ui: { typed: ui.typed.slice(0, -1), error: null } };
  if (name === 'enter') {
    const expected = prompt.kind === 'confirm' ? prompt.verdict : { level: 'typed' as const, expectedText: prompt.expectedText, reason: '' };
    const check = checkAnswer(expected, ui.typed);
    if (!check.ok) return { ui: { ...ui, error: check.reason } };
    return { ui, answer: prompt.kind === 'confirm' ? { kind: 'given', typed: ui.typed.trim() } : { kind: 'override', typed: ui.typed.trim() } };
  }
  if (input && !name.startsWith('ctrl+') && ![...input].some((ch) => ch < ' ')) return { ui: { typed: ui.typed + input, error: null } };
  return { ui };
}
