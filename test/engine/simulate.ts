// A scripted pure driver for next(): performs each action against a fake world and folds the events.
// Lets table tests check routing (guards, on-fail, retries, rollback) without processes.
import type { RunEvent } from '../../source/core/engine/events.js';
import { next, type Action } from '../../source/core/engine/next.js';
import { reduce } from '../../source/core/engine/reducer.js';
import { initialState, type ResumeDecision, type RunState } from '../../source/core/engine/state.js';
import type { CommandOutcome } from '../../source/core/outcome.js';
import type { Runbook } from '../../source/core/runbook/model.js';
import { AT, commandEvents, expr, runStarted } from './helpers.js';

export interface World {
  environment?: string;
  command?: (stepId: string, commandIndex: number, attempt: number) => CommandOutcome;
  guard?: (stepId: string) => boolean;
  check?: (stepId: string, source: string, attempt: number) => boolean;
  preflight?: (stepId: string, source: string) => boolean;
  /** Missing (undefined) stops the simulation like a headless run without an answer. */
  confirm?: (stepId: string) => 'give' | 'refuse' | undefined;
  decision?: (stepId: string, reason: string) => ResumeDecision | 'override' | undefined;
}

export interface Simulation {
  events: RunEvent[];
  state: RunState;
  actions: Action[];
  /** Step ids in the order they were started (retries included). */
  started: string[];
  stoppedAt?: Action;
}

export function simulate(runbook: Runbook, world: World, limit = 2000): Simulation {
  let state = initialState(runbook);
  const events: RunEvent[] = [];
  const actions: Action[] = [];
  const started: string[] = [];
  const emit = (e: RunEvent) => {
    events.push(e);
    state = reduce(state, e);
  };
  for (let i = 0; i < limit; i++) {
    const action = next(runbook, state);
    actions.push(action);
    const attempt = () => state.steps[(action as { stepId: string }).stepId]!.attempt;
    switch (action.kind) {
      case 'start-run':
        emit(runStarted(runbook, world.environment));
        break;
      case 'start-step':
        started.push(action.stepId);
        emit({ type: 'step-started', at: AT, stepId: action.stepId, attempt: action.attempt });
        break;
      case 'evaluate-guard':
        emit({ type: 'guard-evaluated', at: AT, stepId: action.stepId, guard: expr(action.expression.source, world.guard?.(action.stepId) ?? true) });
        break;
      case 'evaluate-preflight':
        emit({ type: 'preflight-evaluated', at: AT, stepId: action.stepId, results: action.expressions.map((e) => expr(e.source, world.preflight?.(action.stepId, e.source) ?? true)) });
        break;
      case 'decide': {
        const d = world.decision?.(action.stepId, action.reason);
        if (!d) return { events, state, actions, started, stoppedAt: action };
        if (d === 'override') emit({ type: 'preflight-overridden', at: AT, stepId: action.stepId, by: 'op', typed: action.stepId });
        else emit({ type: 'resume-decision', at: AT, stepId: action.stepId, decision: d, by: 'op' });
        break;
      }
      case 'take-lock':
        emit({ type: 'lock-taken', at: AT, cluster: action.cluster, holder: 'op' });
        break;
      case 'request-confirmation':
        emit({ type: 'confirmation-requested', at: AT, stepId: action.stepId, level: action.verdict.level, expected: action.verdict.expectedText, targets: [] });
        break;
      case 'confirm': {
        const c = world.confirm?.(action.stepId);
        if (!c) return { events, state, actions, started, stoppedAt: action };
        emit(c === 'give'
          ? { type: 'confirmation-given', at: AT, stepId: action.stepId, level: action.verdict.level, by: 'op', typed: action.verdict.expectedText }
          : { type: 'confirmation-refused', at: AT, stepId: action.stepId, by: 'op' });
        break;
      }
      case 'checklist':
        for (const item of action.items) emit({ type: 'checklist-ticked', at: AT, stepId: action.stepId, item, by: 'op' });
        break;
      case 'run-command':
        for (const e of commandEvents(action.stepId, action.commandIndex, world.command?.(action.stepId, action.commandIndex, attempt()) ?? 'ok')) emit(e);
        break;
      case 'evaluate-checks':
        for (const e of action.expressions) emit({ type: 'check-evaluated', at: AT, stepId: action.stepId, check: expr(e.source, world.check?.(action.stepId, e.source, attempt()) ?? true) });
        break;
      case 'finish-step':
        emit({ type: 'step-finished', at: AT, stepId: action.stepId, outcome: action.outcome, message: action.message });
        break;
      case 'finish-run':
        emit({ type: 'run-finished', at: AT, outcome: action.outcome });
        break;
      case 'abort':
        emit({ type: 'run-aborted', at: AT, reason: action.reason });
        break;
      case 'wait':
      case 'done':
        return { events, state, actions, started, stoppedAt: action.kind === 'wait' ? action : undefined };
    }
  }
  throw new Error("simulation did not end: " + JSON.stringify(actions.slice(0, 20)));
}
