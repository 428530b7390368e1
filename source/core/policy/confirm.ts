// Confirmation policy: a pure verdict on what a step needs from the operator before it runs.
// Reads nothing itself (no config, no network); the runner, the TUI and `plan` all ask this one function.
import type { ResolvedTarget } from '../engine/events.js';
import type { ConfirmLevel, Step } from '../runbook/model.js';

export interface ConfirmationContext {
  /** Inventory environment: `lab` | `staging` | `production` (anything else is treated as non-production). */
  environment: string;
  /** Hosts the step's commands resolved to, when known (shown in the confirmation). */
  targets?: ResolvedTarget[];
}

export interface ConfirmationVerdict {
  level: ConfirmLevel;
  /** For `typed`: exactly what the operator must type. */
  expectedText?: string;
  /** Why this level, for the screen and the log. */
  reason: string;
}

export type AnswerCheck = { ok: true } | { ok: false; reason: string };

/** A step has side effects when it runs commands. */
export function hasSideEffects(step: Step): boolean {
  return step.commands.length > 0;
}

/** What the operator types for a typed confirmation (or a pre-flight override) of this step. */
export function expectedTypedText(step: Step, targets: ResolvedTarget[] = []): string {
  if (step.confirmText) return step.confirmText;
  if (step.changes) return step.changes;
  const hosts = [...new Set(targets.map((t) => t.host))];
  if (hosts.length === 1 && hosts[0] !== 'local') return hosts[0]!;
  return step.id;
}

export function confirmationFor(step: Step, context: ConfirmationContext): ConfirmationVerdict {
  const targets = context.targets ?? [];
  const typed = (reason: string): ConfirmationVerdict => ({ level: 'typed', expectedText: expectedTypedText(step, targets), reason });
  if (context.environment === 'production' && hasSideEffects(step)) {
    return typed('production: every step with side effects needs a typed confirmation');
  }
  if (step.changes) {
    return typed(`changes cluster '${step.changes}'`);
  }
  switch (step.confirm) {
    case 'typed':
      return typed('the runbook asks for a typed confirmation');
    case 'yes':
      return { level: 'yes', reason: 'the runbook asks for a yes' };
    case 'none':
      return { level: 'none', reason: 'no confirmation required' };
    default: {
      const never: never = step.confirm;
      return typed(`unrecognised confirm level ${JSON.stringify(never)}: treated as typed`);
    }
  }
}

const YES = new Set(['y', 'yes']);

/** Whether an operator answer satisfies a verdict. Typed text must match exactly (surrounding blanks ignored). */
export function checkAnswer(verdict: ConfirmationVerdict, answer: string | undefined): AnswerCheck {
  switch (verdict.level) {
    case 'none':
      return { ok: true };
    case 'yes':
      if (answer !== undefined && YES.has(answer.trim().toLowerCase())) return { ok: true };
      return { ok: false, reason: 'expected yes' };
    case 'typed': {
      const expected = verdict.expectedText ?? '';
      if (answer !== undefined && expected !== '' && answer.trim() === expected) return { ok: true };
      return { ok: false, reason: `typed text did not match: type '${expected}' to confirm` };
    }
    default: {
      const never: never = verdict.level;
      return { ok: false, reason: `unrecognised level ${JSON.stringify(never)}` };
    }
  }
}
