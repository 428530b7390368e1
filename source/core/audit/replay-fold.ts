// What every replay export reads: the log folded with the engine's one reducer, keeping the state after each
// event, so a postmortem, an asciicast and the plain replay say exactly what the live run saw. An event the
// reducer does not apply (a damaged or foreign log) is shown as such, never made into a step of its own.
import type { ResolvedTarget, RunEvent } from '../engine/events.js';
import { runbookShapeFromLog } from '../engine/log-shape.js';
import { markInFlightUnknown, reduce } from '../engine/reducer.js';
import { initialState, type Anomaly, type CommandRun, type RunbookShape, type RunState, type StepState } from '../engine/state.js';

export interface FoldedEvent {
  event: RunEvent;
  /** The state after this event. */
  state: RunState;
  /** Set when the reducer did not apply the event. */
  anomaly?: Anomaly;
}

export interface FoldedRun {
  entries: FoldedEvent[];
  /**
   * The state after the last event; when the log ends with a command in flight, that command and its step
   * are `unknown` (the resume rule: an outcome nobody observed is never ok).
   */
  final: RunState;
  /**
   * Each command's whole output (the state keeps a tail only), from the output events the reducer applied,
   * keyed by outputKey.
   */
  outputs: Map<string, string>;
  startedAt?: string;
  endedAt?: string;
}

export function foldLog(events: readonly RunEvent[], shape: RunbookShape = runbookShapeFromLog(events)): FoldedRun {
  let state = initialState(shape);
  const entries: FoldedEvent[] = [];
  const outputs = new Map<string, string>();
  for (const event of events) {
    const before = state.anomalies.length;
    state = reduce(state, event);
    const anomaly = state.anomalies.length > before ? state.anomalies.at(-1)! : undefined;
    entries.push({ event, state, ...(anomaly ? { anomaly } : {}) });
    if (event.type === 'command-output' && !anomaly) {
      const key = outputKey(event.stepId, state.steps[event.stepId]!.attempts, event.commandIndex, event.hostIndex ?? 0);
      outputs.set(key, (outputs.get(key) ?? '') + event.data);
    }
  }
  return { entries, final: markInFlightUnknown(state), outputs, startedAt: events[0]?.at, endedAt: events.at(-1)?.at };
}

/** `attempts` counts over the whole run (StepState.attempts), so a step entered twice keeps both outputs. */
export function outputKey(stepId: string, attempts: number, commandIndex: number, hostIndex: number): string {
  return JSON.stringify([stepId, attempts, commandIndex, hostIndex]);
}

/** One attempt of a step as the reducer kept it (earlier attempts from its history, the last one live). */
export interface AttemptView {
  attempt: number;
  /** Position among all the step's attempts over the run (for outputKey). */
  ordinal: number;
  status: StepState['status'];
  message?: string;
  commands: CommandRun[];
  checks: StepState['checks'];
}

export function attemptsOf(step: StepState): AttemptView[] {
  if (step.attempt === 0) return [];
  return [...step.history, { attempt: step.attempt, status: step.status, message: step.message, commands: step.commands, checks: step.checks }].map((a, i) => ({ ...a, ordinal: i + 1 }));
}

/** Steps in the order the run entered them, each once. */
export function enteredSteps(state: RunState): StepState[] {
  return [...new Set(state.visited)].flatMap((id) => (Object.hasOwn(state.steps, id) ? [state.steps[id]!] : []));
}

/** A step's outcome in words; a refused confirmation says so (the step never ran), never `unknown`. */
export function stepOutcome(step: StepState): string {
  switch (step.status) {
    case 'running':
      return 'unknown (no finish recorded: the log ends while the step was in flight)';
    case 'awaiting-confirmation':
      return 'not run (the log ends while it waited for a confirmation)';
    case 'pending':
      return 'not run';
    default:
      return step.refused ? `${step.status}: confirmation refused by ${step.refused.by}${step.refused.reason ? ` (${step.refused.reason})` : ''}` : step.status;
  }
}

export function commandOutcome(command: CommandRun): string {
  return command.status === 'running' ? 'unknown (no finish recorded)' : command.status;
}

export function describeTarget(target: ResolvedTarget): string {
  const where = [target.selector !== target.host ? target.selector : '', target.address ?? ''].filter(Boolean).join(', ');
  return where ? `${target.host} (${where})` : target.host;
}

/** One line for an event, read against the state it produced; null for output (shown as output). */
export function describeEvent({ event, state, anomaly }: FoldedEvent): string | null {
  const text = eventText(event, state);
  if (text === null) return null;
  return anomaly ? `${text} [not applied: ${anomaly.message}]` : text;
}

function eventText(event: RunEvent, state: RunState): string | null {
  const step = 'stepId' in event && typeof event.stepId === 'string' && Object.hasOwn(state.steps, event.stepId) ? state.steps[event.stepId] : undefined;
  switch (event.type) {
    case 'run-started':
      return `run started by ${event.operator} (hatui ${event.hatuiVersion}, ${event.environment})`;
    case 'step-started':
      return `step started (attempt ${event.attempt})`;
    case 'guard-evaluated':
      return `guard \`${event.guard.source}\` → ${event.guard.result}`;
    case 'preflight-evaluated':
      return `pre-flight: ${event.results.filter((r) => r.result).length}/${event.results.length} passed`;
    case 'preflight-overridden':
      return `pre-flight overridden by ${event.by} (typed \`${event.typed}\`)`;
    case 'confirmation-requested':
      return `confirmation (${event.level}) requested for ${event.targets.map(describeTarget).join(', ') || 'the step'}`;
    case 'confirmation-given':
      return `confirmed (${event.level}) by ${event.by}${event.typed !== undefined ? `, typed \`${event.typed}\`` : ''}`;
    case 'confirmation-refused':
      return `confirmation${step?.confirmationRequest ? ` (${step.confirmationRequest.level})` : ''} refused by ${event.by}${event.reason ? `: ${event.reason}` : ''}; the step does not run`;
    case 'checklist-ticked':
      return `checklist item ${event.item + 1} ticked by ${event.by}`;
    case 'command-started':
      return `command ${event.commandIndex + 1} started on ${describeTarget(event.target)}: ${event.command}`;
    case 'command-output':
      return null;
    case 'command-finished':
      return `command ${event.commandIndex + 1} finished: ${event.outcome} (exit ${event.exitCode ?? event.signal ?? '?'}, ${event.durationMs} ms)${event.message ? `: ${event.message}` : ''}`;
    case 'check-evaluated':
      return `check \`${event.check.source}\` → ${event.check.result}`;
    case 'step-finished':
      // The reducer's verdict, which may be stricter than the event's (ok with an unobserved command is unknown).
      return `step finished: ${step && !['running', 'awaiting-confirmation', 'pending'].includes(step.status) ? step.status : event.outcome}${(step?.message ?? event.message) ? ` (${step?.message ?? event.message})` : ''}`;
    case 'lock-taken':
      return `lock on ${event.cluster} taken by ${event.holder}${event.takeover ? ` (taken over from ${event.takeover.previousHolder})` : ''}`;
    case 'lock-released':
      return `lock on ${event.cluster} released`;
    case 'lock-lost':
      return `lock on ${event.cluster} LOST: ${event.reason}${event.holder ? ` (now held by ${event.holder})` : ''}; the run stops before its next command`;
    case 'run-resumed':
      return `run resumed by ${event.operator} (hatui ${event.hatuiVersion})${event.tornTail ? '; torn last line kept and marked' : ''}`;
    case 'resume-decision':
      return `operator decision for a step left in flight: ${event.decision} (by ${event.by})`;
    case 'note':
      return `note: ${event.text}`;
    case 'run-aborted':
      return `run aborted: ${event.reason}`;
    case 'run-finished':
      return `run finished: ${event.outcome}`;
    default: {
      const never: never = event;
      return `unrecognised event ${JSON.stringify((never as { type: unknown }).type)}`;
    }
  }
}

export function durationBetween(from: string | undefined, to: string | undefined): number | undefined {
  if (!from || !to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? ms : undefined;
}

export function formatElapsed(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A command's whole recorded output. */
export function commandOutput(run: FoldedRun, step: StepState, attempt: AttemptView, command: CommandRun): string {
  return run.outputs.get(outputKey(step.id, attempt.ordinal, command.commandIndex, command.hostIndex)) ?? command.output.tail;
}
