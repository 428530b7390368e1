// The confirmation ladder as a pure reducer: `yes` takes y/N (default no), `typed` takes the exact
// text (checked by the policy's checkAnswer), a blocked pre-flight takes a typed override.
import type { ConfirmationVerdict } from '../../core/policy/confirm.js';
import { checkAnswer } from '../../core/policy/confirm.js';
import { actionFor } from '../keymap.js';

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
  /** Lines the step's commands are scrolled down, and whether their last line has been on screen. */
  scroll: number;
  seenEnd: boolean;
}
export const initialConfirmUi: ConfirmUi = { typed: '', error: null, scroll: 0, seenEnd: false };

/** How far the box's commands scroll (0: they all fit) and a page of them. */
export interface ConfirmView {
  maxScroll: number;
  page: number;
}

export function reduceConfirm(ui: ConfirmUi, name: string, input: string, prompt: ConfirmPrompt, view: ConfirmView = { maxScroll: 0, page: 1 }): { ui: ConfirmUi; answer?: ConfirmAnswer } {
  if (name === 'esc') return { ui, answer: { kind: 'refused', reason: prompt.kind === 'preflight-override' ? 'operator kept the pre-flight block' : 'operator refused' } };
  const action = actionFor('confirm', name);
  const step = action === 'line-up' ? -1 : action === 'line-down' ? 1 : action === 'scroll-up' ? -view.page : action === 'scroll-down' ? view.page : 0;
  if (step !== 0) {
    const scroll = Math.max(0, Math.min(view.maxScroll, ui.scroll + step));
    return { ui: { ...ui, scroll, seenEnd: ui.seenEnd || scroll >= view.maxScroll, error: null } };
  }
  // Running what was never on screen is not a confirmation: the commands' last line must have been shown.
  const unseen = view.maxScroll > 0 && !ui.seenEnd && ui.scroll < view.maxScroll;
  const unseenError = 'scroll to the end of the commands first (down / pagedown): not all of them have been on screen';
  if (prompt.kind === 'decide') {
    if (name === 'backspace') return { ui: { ...ui, typed: ui.typed.slice(0, -1), error: null } };
    if (name === 'enter') {
      const option = ui.typed.trim();
      if (!prompt.options.includes(option)) return { ui: { ...ui, error: `type one of: ${prompt.options.join(', ')}` } };
      return { ui, answer: { kind: 'decided', option } };
    }
    if (input && !name.startsWith('ctrl+') && ![...input].some((ch) => ch < ' ')) return { ui: { ...ui, typed: ui.typed + input, error: null } };
    return { ui };
  }
  const level = prompt.kind === 'confirm' ? prompt.verdict.level : 'typed';
  if (level === 'none') return { ui, answer: { kind: 'given' } };
  if (level === 'yes') {
    const c = input.toLowerCase();
    if (c === 'y') return unseen ? { ui: { ...ui, error: unseenError } } : { ui, answer: { kind: 'given', typed: 'y' } };
    if (c === 'n' || name === 'enter') return { ui, answer: { kind: 'refused', reason: 'operator answered no' } };
    return { ui: { ...ui, error: 'answer y or n (default n)' } };
  }
  if (name === 'backspace') return { ui: { ...ui, typed: ui.typed.slice(0, -1), error: null } };
  if (name === 'enter') {
    const expected = prompt.kind === 'confirm' ? prompt.verdict : { level: 'typed' as const, expectedText: prompt.expectedText, reason: '' };
    const check = checkAnswer(expected, ui.typed);
    if (!check.ok) return { ui: { ...ui, error: check.reason } };
    if (unseen) return { ui: { ...ui, error: unseenError } };
    return { ui, answer: prompt.kind === 'confirm' ? { kind: 'given', typed: ui.typed.trim() } : { kind: 'override', typed: ui.typed.trim() } };
  }
  if (input && !name.startsWith('ctrl+') && ![...input].some((ch) => ch < ' ')) return { ui: { ...ui, typed: ui.typed + input, error: null } };
  return { ui };
}
