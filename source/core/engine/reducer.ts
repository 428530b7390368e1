// reduce(state, event) → state: the one reducer that live runs, replay and resume share.
// Pure and total: it never throws. An event that does not fit the state (wrong step, out of order,
// malformed) is recorded in `state.anomalies` and otherwise ignored, so a damaged log still folds.
import { isSuccess, type CommandOutcome, type Outcome } from '../outcome.js';
import type { Runbook } from '../runbook/model.js';
import type { EventOf, RunEvent } from './events.js';
import {
  appendOutput,
  getStep,
  initialState,
  isInFlight,
  newCommandRun,
  type AttemptRecord,
  type CommandRun,
  type RunState,
  type StepState,
} from './state.js';

export function fold(runbook: Runbook, events: readonly RunEvent[]): RunState {
  let state = initialState(runbook);
  for (const event of events) state = reduce(state, event);
  return state;
}

export function reduce(state: RunState, event: RunEvent): RunState {
  const counted: RunState = { ...state, eventCount: state.eventCount + 1 };
  try {
    if (typeof event !== 'object' || event === null || typeof (event as { type?: unknown }).type !== 'string') {
      return anomaly(counted, 'invalid', 'event is not an object with a type');
    }
    return apply(counted, event);
  } catch (error) {
    // Belt and braces for malformed field values: a log must always fold.
    return anomaly(counted, String((event as { type?: unknown }).type), `internal: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Resume: a step with a command in flight when the log ends becomes `unknown` (that command's outcome was
 * never observed) and waits for an operator decision. A step stopped between effects (at a confirmation,
 * a checklist, before its next command) is not in doubt: every effect it had is recorded, so the run simply
 * continues it (write-ahead guarantees no command ran without its `command-started`).
 */
export function markInFlightUnknown(state: RunState): RunState {
  if (state.status !== 'running') return state;
  const step = getStep(state, state.current);
  if (!step || !isInFlight(step.status) || !step.commands.some((c) => c.status === 'running')) return state;
  const commands = step.commands.map((c): CommandRun => (c.status === 'running' ? { ...c, status: 'unknown', message: 'no finish recorded: outcome not observed' } : c));
  const message = 'interrupted: the run ended while this step was in flight; its outcome was not observed';
  return {
    ...withStep(state, { ...step, status: 'unknown', message, commands, recheck: false }),
    pendingDecision: { stepId: step.id, reason: 'unknown', message },
  };
}

function apply(state: RunState, event: RunEvent): RunState {
  if (event.type !== 'run-started' && state.status === 'not-started') {
    return anomaly(state, event.type, 'event before run-started');
  }
  if ((state.status === 'finished' || state.status === 'aborted') && event.type !== 'note' && event.type !== 'lock-released' && event.type !== 'lock-lost') {
    return anomaly(state, event.type, `event after the run ${state.status}`);
  }
  switch (event.type) {
    case 'run-started':
      return runStarted(state, event);
    case 'step-started':
      return stepStarted(state, event);
    case 'guard-evaluated':
      return inStep(state, event, (s) => ({ ...s, guard: event.guard }));
    case 'preflight-evaluated':
      return inStep(state, event, (s) => ({ ...s, preflight: [...event.results], preflightOverride: undefined }));
    case 'preflight-overridden':
      return inStep(state, event, (s) => ({ ...s, preflightOverride: { by: event.by, typed: event.typed, at: event.at } }));
    case 'confirmation-requested':
      return inStep(state, event, (s) => ({
        ...s,
        status: 'awaiting-confirmation',
        confirmation: undefined,
        confirmationRequest: { level: event.level, expected: event.expected, targets: [...event.targets], at: event.at },
      }));
    case 'confirmation-given':
      return inStep(state, event, (s) => ({
        ...s,
        status: 'running',
        confirmation: { level: event.level, by: event.by, at: event.at, typed: event.typed },
      }));
    case 'confirmation-refused':
      return inStep(state, event, (s) => ({ ...s, status: 'running', refused: { by: event.by, at: event.at, reason: event.reason } }));
    case 'checklist-ticked':
      return checklistTicked(state, event);
    case 'command-started':
      return commandStarted(state, event);
    case 'command-output':
      return onCommand(state, event, (c) => ({ ...c, output: appendOutput(c.output, String(event.data)) }));
    case 'command-finished':
      return commandFinished(state, event);
    case 'check-evaluated':
      return inStep(state, event, (s) => ({ ...s, checks: [...s.checks, event.check] }));
    case 'step-finished':
      return stepFinished(state, event);
    case 'lock-taken':
      return {
        ...state,
        locks: { ...state.locks, [event.cluster]: { holder: event.holder, at: event.at, takeover: event.takeover } },
        relock: state.relock.filter((c) => c !== event.cluster),
      };
    case 'lock-released': {
      const { [event.cluster]: _released, ...locks } = state.locks;
      return { ...state, locks };
    }
    case 'lock-lost': {
      if (!Object.hasOwn(state.locks, event.cluster)) return anomaly(state, event.type, `lock on '${String(event.cluster)}' lost, but the run did not hold it`);
      const { [event.cluster]: _lost, ...locks } = state.locks;
      const lost = { cluster: event.cluster, at: event.at, reason: String(event.reason), ...(event.holder !== undefined ? { holder: String(event.holder) } : {}) };
      return { ...state, locks, lockLost: state.lockLost ?? lost };
    }
    case 'run-resumed':
      return resumed(state, event);
    case 'resume-decision':
      return resumeDecision(state, event);
    case 'note':
      return { ...state, notes: [...state.notes, { at: event.at, text: event.text }] };
    case 'run-aborted':
      return runEnded(state, event.at, 'aborted', 'failed', event.reason);
    case 'run-finished':
      return runEnded(state, event.at, 'finished', event.outcome);
    default: {
      const unexpected: never = event;
      return anomaly(state, String((unexpected as { type: unknown }).type), 'unknown event type');
    }
  }
}

/**
 * A resume runs in another process: the locks the interrupted run held are not this one's. They leave
 * `locks` (so nothing releases what it never took) and are listed in `relock`, to be taken again first.
 */
function resumed(state: RunState, event: EventOf<'run-resumed'>): RunState {
  const held = [...Object.keys(state.locks), ...(state.lockLost ? [state.lockLost.cluster] : [])];
  return {
    ...markInFlightUnknown(state),
    locks: {},
    relock: [...new Set([...state.relock, ...held])],
    lockLost: undefined,
    resumes: [...state.resumes, { at: event.at, operator: event.operator, hatuiVersion: event.hatuiVersion, tornTail: event.tornTail }],
  };
}

function anomaly(state: RunState, type: string, message: string): RunState {
  return { ...state, anomalies: [...state.anomalies, { event: state.eventCount - 1, type, message }] };
}

function withStep(state: RunState, step: StepState): RunState {
  return { ...state, steps: { ...state.steps, [step.id]: step } };
}

/** Applies `update` to the event's step when that step is the current one and in flight. */
function inStep(state: RunState, event: RunEvent & { stepId: string }, update: (step: StepState) => StepState): RunState {
  const step = getStep(state, event.stepId);
  if (!step) return anomaly(state, event.type, `unknown step '${String(event.stepId)}'`);
  if (state.current !== step.id || !isInFlight(step.status)) {
    return anomaly(state, event.type, `step '${step.id}' is not in flight (${step.status})`);
  }
  return withStep(state, update(step));
}

function runStarted(state: RunState, event: EventOf<'run-started'>): RunState {
  if (state.status !== 'not-started') return anomaly(state, event.type, 'run already started');
  const next: RunState = {
    ...state,
    status: 'running',
    run: {
      runId: event.runId,
      startedAt: event.at,
      runbookPath: event.runbookPath,
      runbookSha256: event.runbookSha256,
      inventorySha256: event.inventorySha256,
      environment: event.environment,
      operator: event.operator,
      hatuiVersion: event.hatuiVersion,
      ticket: event.ticket,
      dryRun: event.dryRun,
      vars: { ...event.vars },
    },
  };
  if (event.runbookId !== state.runbookId) return anomaly(next, event.type, `log is for runbook '${event.runbookId}', not '${state.runbookId}'`);
  return next;
}

function stepStarted(state: RunState, event: EventOf<'step-started'>): RunState {
  const step = getStep(state, event.stepId);
  if (!step) return anomaly(state, event.type, `unknown step '${String(event.stepId)}'`);
  const current = getStep(state, state.current);
  if (current && isInFlight(current.status)) {
    return anomaly(state, event.type, `step '${current.id}' is still in flight`);
  }
  if (typeof event.attempt !== 'number' || !Number.isInteger(event.attempt) || event.attempt < 1) {
    return anomaly(state, event.type, `bad attempt ${JSON.stringify(event.attempt)}`);
  }
  const newEntry = event.attempt === 1;
  const history: AttemptRecord[] =
    step.attempt > 0
      ? [...step.history, { attempt: step.attempt, status: step.status, message: step.message, commands: step.commands, checks: step.checks }]
      : step.history;
  const started: StepState = {
    ...step,
    status: 'running',
    attempt: event.attempt,
    attempts: step.attempts + 1,
    entries: newEntry ? step.entries + 1 : step.entries,
    startedAt: event.at,
    finishedAt: undefined,
    message: undefined,
    commands: [],
    checks: [],
    history,
    preflight: undefined,
    preflightOverride: undefined,
    refused: undefined,
    decision: undefined,
    recheck: false,
    ...(newEntry ? { guard: undefined, confirmationRequest: undefined, confirmation: undefined, checklistTicked: [] } : {}),
  };
  return {
    ...withStep(state, started),
    current: step.id,
    visited: newEntry ? [...state.visited, step.id] : state.visited,
    inRollback: state.inRollback || step.spec.rollback,
    pendingDecision: undefined,
  };
}

function checklistTicked(state: RunState, event: EventOf<'checklist-ticked'>): RunState {
  const step = getStep(state, event.stepId);
  if (step && (typeof event.item !== 'number' || event.item < 0 || event.item >= step.spec.checklistCount)) {
    return anomaly(state, event.type, `step '${step.id}' has no checklist item ${JSON.stringify(event.item)}`);
  }
  return inStep(state, event, (s) =>
    s.checklistTicked.some((t) => t.item === event.item) ? s : { ...s, checklistTicked: [...s.checklistTicked, { item: event.item, by: event.by, at: event.at }] },
  );
}

function commandStarted(state: RunState, event: EventOf<'command-started'>): RunState {
  const step = getStep(state, event.stepId);
  if (step) {
    if (typeof event.commandIndex !== 'number' || event.commandIndex < 0 || event.commandIndex >= step.spec.commandCount) {
      return anomaly(state, event.type, `step '${step.id}' has no command ${JSON.stringify(event.commandIndex)}`);
    }
    if (step.commands.some((c) => c.status === 'running')) return anomaly(state, event.type, `step '${step.id}' already has a command running`);
  }
  return inStep(state, event, (s) => ({
    ...s,
    commands: [
      ...s.commands,
      newCommandRun({
        commandIndex: event.commandIndex,
        hostIndex: event.hostIndex ?? 0,
        hostCount: event.hostCount ?? 1,
        target: event.target,
        command: event.command,
        startedAt: event.at,
      }),
    ],
  }));
}

/** Applies `update` to the running command the event names. */
function onCommand(
  state: RunState,
  event: RunEvent & { stepId: string; commandIndex: number; hostIndex?: number },
  update: (command: CommandRun) => CommandRun,
): RunState {
  const step = getStep(state, event.stepId);
  if (!step) return anomaly(state, event.type, `unknown step '${String(event.stepId)}'`);
  const position = step.commands.findIndex((c) => c.status === 'running' && c.commandIndex === event.commandIndex && c.hostIndex === (event.hostIndex ?? 0));
  if (position < 0) return anomaly(state, event.type, `no running command ${String(event.commandIndex)} in step '${step.id}'`);
  const commands = step.commands.map((c, i) => (i === position ? update(c) : c));
  return inStep(state, event, (s) => ({ ...s, commands }));
}

function commandFinished(state: RunState, event: EventOf<'command-finished'>): RunState {
  const updated = onCommand(state, event, (c) => ({
    ...c,
    status: event.outcome,
    exitCode: event.exitCode,
    signal: event.signal,
    durationMs: event.durationMs,
    finishedAt: event.at,
    message: event.message,
  }));
  if (updated.anomalies.length !== state.anomalies.length || !event.capture) return updated;
  const { name, stdout, exitCode } = event.capture;
  return { ...updated, captures: { ...updated.captures, [name]: { stdout: String(stdout), exitCode } } };
}

const SEVERITY: Record<CommandOutcome, number> = { ok: 0, failed: 1, cancelled: 2, 'timed-out': 3, unknown: 4 };

function stepFinished(state: RunState, event: EventOf<'step-finished'>): RunState {
  const step = getStep(state, event.stepId);
  if (!step) return anomaly(state, event.type, `unknown step '${String(event.stepId)}'`);
  let outcome: Outcome = event.outcome;
  let message = event.message;
  let flagged = state;
  // A step is never ok while one of its commands was not observed to finish ok.
  const unobserved = step.commands.filter((c) => c.status === 'running' || c.status === 'unknown');
  const commands = step.commands.map((c): CommandRun => (c.status === 'running' ? { ...c, status: 'unknown', message: 'no finish recorded' } : c));
  // (A re-check is the operator's way to establish the outcome from checks: it may end ok.)
  if (outcome === 'ok' && unobserved.length > 0 && !step.recheck) {
    outcome = 'unknown';
    message = `command ${unobserved[0]!.commandIndex} was not observed to finish`;
    flagged = anomaly(state, event.type, `step '${step.id}' reported ok with an unobserved command`);
  }
  const worst = commands.reduce<CommandOutcome | undefined>((w, c) => (c.status !== 'running' && (!w || SEVERITY[c.status] > SEVERITY[w]) ? c.status : w), undefined);
  if (outcome === 'ok' && worst && worst !== 'ok' && !step.recheck) {
    flagged = anomaly(flagged, event.type, `step '${step.id}' reported ok after a command ended ${worst}`);
  }
  const next = inStep(flagged, event, (s) => ({ ...s, status: outcome, message, commands, finishedAt: event.at, recheck: false }));
  if (next === flagged || next.anomalies.length > flagged.anomalies.length) return next;
  if (outcome === 'unknown') return { ...next, pendingDecision: { stepId: step.id, reason: 'unknown', message } };
  if (!isSuccess(outcome) && step.spec.onFail.kind === 'ask' && step.attempt >= step.spec.retries + 1) {
    return { ...next, pendingDecision: { stepId: step.id, reason: 'ask', message } };
  }
  return next;
}

function resumeDecision(state: RunState, event: EventOf<'resume-decision'>): RunState {
  const step = getStep(state, event.stepId);
  if (!step) return anomaly(state, event.type, `unknown step '${String(event.stepId)}'`);
  if (isInFlight(step.status) || step.status === 'pending') {
    return anomaly(state, event.type, `step '${step.id}' has nothing to decide (${step.status})`);
  }
  const decided: StepState = {
    ...step,
    decisions: [...step.decisions, { decision: event.decision, by: event.by, at: event.at }],
    decision: event.decision,
  };
  const cleared: RunState = { ...state, pendingDecision: undefined };
  switch (event.decision) {
    case 'skip':
      return withStep(cleared, { ...decided, status: 'skipped', message: `skipped by ${event.by}` });
    case 'recheck':
      return { ...withStep(cleared, { ...decided, status: 'running', recheck: true, checks: [] }), current: step.id };
    case 'retry':
    case 'abort':
      return withStep(cleared, decided);
    default: {
      const never: never = event.decision;
      return anomaly(state, event.type, `unknown decision ${JSON.stringify(never)}`);
    }
  }
}

function runEnded(state: RunState, at: string, status: 'finished' | 'aborted', outcome: Outcome, reason?: string): RunState {
  let next: RunState = { ...state, status, outcome, finishedAt: at, abortReason: reason, pendingDecision: undefined };
  const step = getStep(state, state.current);
  if (step && isInFlight(step.status)) {
    const commands = step.commands.map((c): CommandRun => (c.status === 'running' ? { ...c, status: 'unknown', message: 'no finish recorded' } : c));
    const unobserved = step.commands.some((c) => c.status === 'running');
    next = withStep(next, { ...step, status: unobserved ? 'unknown' : 'cancelled', message: reason ?? 'run ended', commands, finishedAt: at });
    if (status === 'finished') next = anomaly(next, 'run-finished', `step '${step.id}' was still in flight`);
  }
  return next;
}
