// next(runbook, state) → Action: the pure decision of what happens next. The runner performs the
// action and appends the resulting events; the reducer folds them; repeat. Nothing here runs anything.
import type { Outcome } from '../outcome.js';
import { confirmationFor, type ConfirmationVerdict } from '../policy/confirm.js';
import type { Expression, Runbook, Step } from '../runbook/model.js';
import { getStep, type DecisionReason, type ResumeDecision, type RunState, type StepState } from './state.js';

/** An on-fail jump back into a step more often than this aborts the run instead of looping forever. */
export const MAX_STEP_ENTRIES = 25;

export type StartReason = 'first' | 'next' | 'retry' | 'on-fail' | 'rollback' | 'decision';
export type DecisionOption = ResumeDecision | 'override';

export type Action =
  | { kind: 'start-run' }
  | { kind: 'start-step'; stepId: string; attempt: number; reason: StartReason }
  | { kind: 'evaluate-guard'; stepId: string; expression: Expression }
  | { kind: 'evaluate-preflight'; stepId: string; expressions: Expression[] }
  | { kind: 'decide'; stepId: string; reason: DecisionReason; options: DecisionOption[]; message?: string }
  /** `stepId`: the `changes=` step that needs it; absent when a resume takes back the interrupted run's locks. */
  | { kind: 'take-lock'; stepId?: string; cluster: string }
  /** Resolve the step's targets and record a confirmation request (the verdict says what is needed). */
  | { kind: 'request-confirmation'; stepId: string; verdict: ConfirmationVerdict }
  /** Ask the operator for the confirmation already requested. */
  | { kind: 'confirm'; stepId: string; verdict: ConfirmationVerdict }
  | { kind: 'checklist'; stepId: string; items: number[] }
  /** Run command block `commandIndex` on its resolved hosts, one at a time, from host `fromHost`. */
  | { kind: 'run-command'; stepId: string; commandIndex: number; fromHost: number }
  | { kind: 'evaluate-checks'; stepId: string; expressions: Expression[] }
  | { kind: 'finish-step'; stepId: string; outcome: Outcome; message?: string }
  | { kind: 'finish-run'; outcome: Outcome }
  | { kind: 'abort'; reason: string }
  /** A command is running (a concurrent UI waits for its events). */
  | { kind: 'wait'; stepId: string }
  | { kind: 'done'; outcome: Outcome };

export function next(runbook: Runbook, state: RunState): Action {
  switch (state.status) {
    case 'not-started':
      return { kind: 'start-run' };
    case 'finished':
    case 'aborted':
      return { kind: 'done', outcome: state.outcome ?? 'failed' };
    case 'running':
      break;
    default: {
      const never: never = state.status;
      return { kind: 'abort', reason: `unknown run status ${JSON.stringify(never)}` };
    }
  }
  if (state.lockLost) {
    const l = state.lockLost;
    return { kind: 'abort', reason: `lock on cluster '${l.cluster}' lost (${l.reason})${l.holder ? `; now held by ${l.holder}` : ''}: run stopped before its next command` };
  }
  const relock = state.relock[0];
  if (relock !== undefined) return { kind: 'take-lock', cluster: relock };
  if (state.pendingDecision) {
    const step = findStep(runbook, state.pendingDecision.stepId);
    return decide(state.pendingDecision.stepId, state.pendingDecision.reason, step, state.pendingDecision.message);
  }
  const current = getStep(state, state.current);
  if (!current) {
    const first = runbook.steps.find((s) => !s.rollback);
    return first ? { kind: 'start-step', stepId: first.id, attempt: 1, reason: 'first' } : { kind: 'finish-run', outcome: 'ok' };
  }
  const step = findStep(runbook, current.id);
  if (!step) return { kind: 'abort', reason: `step '${current.id}' is not in the runbook` };
  if (current.decision === 'abort') return { kind: 'abort', reason: `aborted by operator at step '${step.id}'` };
  if (current.decision === 'retry') return { kind: 'start-step', stepId: step.id, attempt: current.attempt + 1, reason: 'decision' };
  switch (current.status) {
    case 'pending':
      return { kind: 'start-step', stepId: step.id, attempt: 1, reason: 'next' };
    case 'running':
    case 'awaiting-confirmation':
      return inStep(runbook, state, step, current);
    case 'ok':
    case 'skipped':
      return advance(runbook, state, step);
    case 'failed':
    case 'timed-out':
    case 'cancelled':
      return onFailure(runbook, state, step, current);
    case 'unknown':
      return decide(step.id, 'unknown', step, current.message);
    default: {
      const never: never = current.status;
      return { kind: 'abort', reason: `unknown step status ${JSON.stringify(never)}` };
    }
  }
}

function findStep(runbook: Runbook, stepId: string): Step | undefined {
  return runbook.steps.find((s) => s.id === stepId);
}

function decide(stepId: string, reason: DecisionReason, step: Step | undefined, message?: string): Action {
  const options: DecisionOption[] =
    reason === 'preflight-blocked'
      ? ['override', 'abort']
      : reason === 'unknown' || (step && step.checks.length > 0)
        ? ['retry', 'skip', 'recheck', 'abort']
        : ['retry', 'skip', 'abort'];
  return { kind: 'decide', stepId, reason, options, message };
}

function inStep(runbook: Runbook, state: RunState, step: Step, s: StepState): Action {
  if (s.recheck) return checksOrFinish(step, s);
  if (s.refused) return { kind: 'abort', reason: `confirmation refused for step '${step.id}' by ${s.refused.by}${s.refused.reason ? `: ${s.refused.reason}` : ''}` };

  if (step.when && s.attempt === 1 && !s.guard) return { kind: 'evaluate-guard', stepId: step.id, expression: step.when };
  if (s.guard) {
    if (s.guard.error) return { kind: 'finish-step', stepId: step.id, outcome: 'failed', message: `guard could not be evaluated: ${s.guard.error}` };
    if (!s.guard.result) return { kind: 'finish-step', stepId: step.id, outcome: 'skipped', message: `guard is false: ${s.guard.source}` };
  }

  if (step.preflight.length > 0) {
    if (!s.preflight) return { kind: 'evaluate-preflight', stepId: step.id, expressions: step.preflight };
    const blocked = s.preflight.filter((r) => !r.result);
    if (blocked.length > 0 && !s.preflightOverride) {
      return decide(step.id, 'preflight-blocked', step, `pre-flight blocked: ${blocked.map((r) => (r.error ? `${r.source} (${r.error})` : r.source)).join('; ')}`);
    }
  }

  if (step.changes && !Object.hasOwn(state.locks, step.changes)) return { kind: 'take-lock', stepId: step.id, cluster: step.changes };

  const verdict = confirmationFor(step, { environment: state.run?.environment ?? 'unknown', targets: s.confirmationRequest?.targets });
  if (verdict.level !== 'none' && !s.confirmation) {
    return s.confirmationRequest ? { kind: 'confirm', stepId: step.id, verdict } : { kind: 'request-confirmation', stepId: step.id, verdict };
  }

  const unticked = step.checklist.map((_, i) => i).filter((i) => !s.checklistTicked.some((t) => t.item === i));
  if (unticked.length > 0) return { kind: 'checklist', stepId: step.id, items: unticked };

  for (const command of step.commands) {
    const runs = s.commands.filter((c) => c.commandIndex === command.index);
    if (runs.length === 0) return { kind: 'run-command', stepId: step.id, commandIndex: command.index, fromHost: 0 };
    if (runs.some((c) => c.status === 'running')) return { kind: 'wait', stepId: step.id };
    const bad = runs.find((c) => c.status !== 'ok');
    if (bad && bad.status !== 'running') {
      return { kind: 'finish-step', stepId: step.id, outcome: bad.status, message: bad.message ?? `command ${command.index} on ${bad.target.host}: ${bad.status}` };
    }
    const count = runs[runs.length - 1]!.hostCount;
    const done = new Set(runs.map((c) => c.hostIndex)).size;
    if (done < count) return { kind: 'run-command', stepId: step.id, commandIndex: command.index, fromHost: done };
  }
  return checksOrFinish(step, s);
}

function checksOrFinish(step: Step, s: StepState): Action {
  if (s.checks.length < step.checks.length) {
    return { kind: 'evaluate-checks', stepId: step.id, expressions: step.checks.slice(s.checks.length) };
  }
  if (s.recheck && step.checks.length === 0) {
    return { kind: 'finish-step', stepId: step.id, outcome: 'unknown', message: 'nothing to re-check: the step has no check block' };
  }
  const failed = s.checks.filter((c) => !c.result);
  if (failed.length > 0) {
    return { kind: 'finish-step', stepId: step.id, outcome: 'failed', message: `check failed: ${failed.map((c) => (c.error ? `${c.source} (${c.error})` : c.source)).join('; ')}` };
  }
  return { kind: 'finish-step', stepId: step.id, outcome: 'ok' };
}

function advance(runbook: Runbook, state: RunState, step: Step): Action {
  const following = runbook.steps[step.index + 1];
  if (following && (!following.rollback || state.inRollback)) {
    return { kind: 'start-step', stepId: following.id, attempt: 1, reason: 'next' };
  }
  return { kind: 'finish-run', outcome: runOutcome(runbook, state) };
}

function onFailure(runbook: Runbook, state: RunState, step: Step, s: StepState): Action {
  if (s.attempt < step.retries + 1) return { kind: 'start-step', stepId: step.id, attempt: s.attempt + 1, reason: 'retry' };
  const why = `step '${step.id}' ${s.status}${s.message ? `: ${s.message}` : ''}`;
  const onFail = step.onFail;
  switch (onFail.kind) {
    case 'step': {
      const target = getStep(state, onFail.stepId);
      if (!target) return { kind: 'abort', reason: `${why}; on-fail step '${onFail.stepId}' does not exist` };
      if (target.entries >= MAX_STEP_ENTRIES) return { kind: 'abort', reason: `${why}; step '${onFail.stepId}' already entered ${target.entries} times` };
      return { kind: 'start-step', stepId: onFail.stepId, attempt: 1, reason: 'on-fail' };
    }
    case 'rollback': {
      if (state.inRollback) return { kind: 'abort', reason: `${why} during rollback` };
      const first = runbook.steps.find((x) => x.rollback);
      if (!first) return { kind: 'abort', reason: `${why}; the runbook has no rollback path` };
      return { kind: 'start-step', stepId: first.id, attempt: 1, reason: 'rollback' };
    }
    case 'abort':
      return { kind: 'abort', reason: why };
    case 'ask':
      return decide(step.id, 'ask', step, why);
    default: {
      const never: never = onFail;
      return { kind: 'abort', reason: `unknown on-fail ${JSON.stringify(never)}` };
    }
  }
}

/** `ok` only when the run never entered rollback and every main-path step it visited ended ok or skipped. */
export function runOutcome(_runbook: Runbook, state: RunState): Outcome {
  if (state.inRollback) return 'failed';
  for (const id of state.visited) {
    const s = getStep(state, id);
    if (!s || s.spec.rollback) continue;
    if (s.status !== 'ok' && s.status !== 'skipped') return 'failed';
  }
  return 'ok';
}
