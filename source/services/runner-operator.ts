// The runner's operator-facing actions: decisions (pre-flight override, unknown / on-fail=ask), confirmation
// requests and answers, checklists. Each appends its events (write-ahead) before anything runs; a question
// the decider cannot answer stops the run with exit 3 naming the step.
import type { Action } from '../core/engine/next.js';
import { getStep } from '../core/engine/state.js';
import { ExitCode } from '../core/exit-codes.js';
import { checkAnswer, confirmationFor, expectedTypedText } from '../core/policy/confirm.js';
import type { Step } from '../core/runbook/model.js';
import type { RunContext, Stop } from './runner.js';

export async function decide(run: RunContext, action: Extract<Action, { kind: 'decide' }>): Promise<Stop | undefined> {
  const step = run.step(action.stepId);
  const by = run.deps.decider.operator;
  if (action.reason === 'preflight-blocked') {
    const expectedText = expectedTypedText(step);
    const answer = await run.deps.decider.preflightOverride({ step, results: getStep(run.state, step.id)?.preflight ?? [], expectedText, environment: run.options.environment });
    switch (answer.kind) {
      case 'missing':
        return needsDecision(run, step, `${action.message ?? 'pre-flight blocked'}; override by typing '${expectedText}' (answers: override)`);
      case 'refuse':
        await run.emit({ type: 'run-aborted', at: run.at(), reason: `pre-flight blocked at step '${step.id}' and not overridden` });
        return;
      case 'answer':
        if (answer.value.trim() !== expectedText) {
          await run.emit({ type: 'run-aborted', at: run.at(), reason: `pre-flight override for step '${step.id}' refused: typed text did not match '${expectedText}'` });
          return;
        }
        await run.emit({ type: 'preflight-overridden', at: run.at(), stepId: step.id, by, typed: answer.value.trim() });
        return;
    }
  }
  const answer = await run.deps.decider.resume({ step, reason: action.reason, options: action.options, message: action.message });
  switch (answer.kind) {
    case 'missing':
      return needsDecision(run, step, `${action.message ?? `step is ${action.reason}`}; decide one of ${action.options.join('|')} (answers: resume)`);
    case 'refuse':
      await run.emit({ type: 'resume-decision', at: run.at(), stepId: step.id, decision: 'abort', by });
      return;
    case 'answer':
      if (!action.options.includes(answer.value)) {
        return needsDecision(run, step, `decision '${answer.value}' is not one of ${action.options.join('|')}`);
      }
      await run.emit({ type: 'resume-decision', at: run.at(), stepId: step.id, decision: answer.value, by });
      return;
  }
}


export async function needsDecision(run: RunContext, step: Step, why: string): Promise<Stop> {
  const message = `step '${step.id}' needs an operator decision: ${why}`;
  await run.emit({ type: 'note', at: run.at(), text: `stopped: ${run.deps.redactor.text(message)}` });
  return { exitCode: ExitCode.needsDecision, message };
}


export async function requestConfirmation(run: RunContext, stepId: string): Promise<Stop | undefined> {
  const step = run.step(stepId);
  const resolved = await run.resolve(step.commands.map((c) => c.host));
  if ('error' in resolved && resolved.refused) {
    await run.abortRefused(stepId, resolved.error);
    return;
  }
  if ('error' in resolved) {
    await run.emit({ type: 'step-finished', at: run.at(), stepId, outcome: 'failed', message: resolved.error });
    return;
  }
  const verdict = confirmationFor(step, { environment: run.options.environment, targets: resolved.targets });
  await run.emit({
    type: 'confirmation-requested',
    at: run.at(),
    stepId,
    level: verdict.level,
    ...(verdict.expectedText !== undefined ? { expected: verdict.expectedText } : {}),
    targets: resolved.targets,
  });
}


export async function confirm(run: RunContext, action: Extract<Action, { kind: 'confirm' }>): Promise<Stop | undefined> {
  const step = run.step(action.stepId);
  const request = getStep(run.state, step.id)?.confirmationRequest;
  const answer = await run.deps.decider.confirm({ step, verdict: action.verdict, targets: request?.targets ?? [], environment: run.options.environment });
  const by = run.deps.decider.operator;
  switch (answer.kind) {
    case 'missing': {
      const what = action.verdict.level === 'typed' ? `a typed confirmation ('${action.verdict.expectedText}')` : 'a yes confirmation';
      return needsDecision(run, step, `${what} and the answers give none`);
    }
    case 'refuse':
      await run.emit({ type: 'confirmation-refused', at: run.at(), stepId: step.id, by, ...(answer.reason ? { reason: answer.reason } : {}) });
      return;
    case 'answer': {
      const check = checkAnswer(action.verdict, answer.value);
      if (!check.ok) {
        await run.emit({ type: 'confirmation-refused', at: run.at(), stepId: step.id, by, reason: check.reason });
        return;
      }
      await run.emit({
        type: 'confirmation-given',
        at: run.at(),
        stepId: step.id,
        level: action.verdict.level,
        by,
        ...(action.verdict.level === 'typed' ? { typed: answer.value.trim() } : {}),
      });
      return;
    }
  }
}


export async function checklist(run: RunContext, stepId: string, items: number[]): Promise<Stop | undefined> {
  const step = run.step(stepId);
  const answer = await run.deps.decider.checklist({ step, items });
  if (answer.kind === 'answer' && items.every((i) => answer.value.includes(i))) {
    for (const item of items) await run.emit({ type: 'checklist-ticked', at: run.at(), stepId, item, by: run.deps.decider.operator });
    return;
  }
  if (answer.kind === 'refuse') {
    await run.emit({ type: 'run-aborted', at: run.at(), reason: `checklist of step '${stepId}' not completed` });
    return;
  }
  const open = items.map((i) => `'${step.checklist[i]?.text ?? i}'`).join(', ');
  return needsDecision(run, step, `manual checklist not ticked: ${open} (answers: checklist: all)`);
}

