// A step-by-step view of a run built from its events alone (the log is the evidence): what each
// step did, which commands ran where, who confirmed what, the output, outcomes and durations.
// Used by the replay exports; the interactive screen folds the same events with the reducer.
import type { EventOf, ExpressionResult, ResolvedTarget, RunEvent } from '../engine/events.js';
import type { CommandOutcome, Outcome } from '../outcome.js';

export interface CommandEntry {
  commandIndex: number;
  target: ResolvedTarget;
  command: string;
  startedAt: string;
  finishedAt?: string;
  /** `unknown` when the log holds no finish record for it. */
  outcome: CommandOutcome;
  exitCode: number | null;
  signal: string | null;
  durationMs?: number;
  message?: string;
  output: string;
}

export interface ConfirmationEntry {
  level: string;
  requestedAt?: string;
  expected?: string;
  targets: ResolvedTarget[];
  given?: { by: string; at: string; typed?: string };
  refused?: { by: string; at: string; reason?: string };
}

export interface StepEntry {
  stepId: string;
  attempt: number;
  startedAt: string;
  finishedAt?: string;
  /** Absent when the log ends before the step finished. */
  outcome?: Outcome;
  message?: string;
  guard?: ExpressionResult;
  preflight: ExpressionResult[];
  preflightOverride?: { by: string; typed: string; at: string };
  confirmations: ConfirmationEntry[];
  checklist: { item: number; by: string; at: string }[];
  commands: CommandEntry[];
  checks: ExpressionResult[];
}

export interface TimelineItem {
  at: string;
  stepId?: string;
  text: string;
}

export interface Timeline {
  run: EventOf<'run-started'> | null;
  steps: StepEntry[];
  items: TimelineItem[];
  finished?: { at: string; outcome: Outcome };
  aborted?: { at: string; reason: string };
  resumes: EventOf<'run-resumed'>[];
  decisions: EventOf<'resume-decision'>[];
  startedAt?: string;
  endedAt?: string;
}

export function describeTarget(target: ResolvedTarget): string {
  const where = [target.selector !== target.host ? target.selector : '', target.address ?? ''].filter(Boolean).join(', ');
  return where ? `${target.host} (${where})` : target.host;
}

export function buildTimeline(events: readonly RunEvent[]): Timeline {
  const timeline: Timeline = { run: null, steps: [], items: [], resumes: [], decisions: [] };
  const open = new Map<string, StepEntry>();
  const item = (at: string, text: string, stepId?: string) => timeline.items.push({ at, text, ...(stepId ? { stepId } : {}) });
  const step = (stepId: string, at: string): StepEntry => {
    let entry = open.get(stepId);
    if (!entry) {
      // An event for a step the log never started (a damaged or foreign log): show it anyway.
      entry = { stepId, attempt: 0, startedAt: at, preflight: [], confirmations: [], checklist: [], commands: [], checks: [] };
      open.set(stepId, entry);
      timeline.steps.push(entry);
    }
    return entry;
  };
  const lastConfirmation = (entry: StepEntry, level: string): ConfirmationEntry => {
    let c = entry.confirmations.at(-1);
    if (!c || c.given || c.refused) {
      c = { level, targets: [] };
      entry.confirmations.push(c);
    }
    return c;
  };

  for (const event of events) {
    timeline.startedAt ??= event.at;
    timeline.endedAt = event.at;
    switch (event.type) {
      case 'run-started':
        timeline.run ??= event;
        item(event.at, `run started by ${event.operator} (hatui ${event.hatuiVersion}, ${event.environment})`);
        break;
      case 'step-started': {
        const entry: StepEntry = { stepId: event.stepId, attempt: event.attempt, startedAt: event.at, preflight: [], confirmations: [], checklist: [], commands: [], checks: [] };
        open.set(event.stepId, entry);
        timeline.steps.push(entry);
        item(event.at, `step started (attempt ${event.attempt})`, event.stepId);
        break;
      }
      case 'guard-evaluated':
        step(event.stepId, event.at).guard = event.guard;
        item(event.at, `guard \`${event.guard.source}\` → ${event.guard.result}`, event.stepId);
        break;
      case 'preflight-evaluated':
        step(event.stepId, event.at).preflight.push(...event.results);
        item(event.at, `pre-flight: ${event.results.filter((r) => r.result).length}/${event.results.length} passed`, event.stepId);
        break;
      case 'preflight-overridden':
        step(event.stepId, event.at).preflightOverride = { by: event.by, typed: event.typed, at: event.at };
        item(event.at, `pre-flight overridden by ${event.by} (typed \`${event.typed}\`)`, event.stepId);
        break;
      case 'confirmation-requested': {
        const entry = step(event.stepId, event.at);
        entry.confirmations.push({ level: event.level, requestedAt: event.at, targets: [...event.targets], ...(event.expected !== undefined ? { expected: event.expected } : {}) });
        item(event.at, `confirmation (${event.level}) requested for ${event.targets.map(describeTarget).join(', ') || 'the step'}`, event.stepId);
        break;
      }
      case 'confirmation-given': {
        const c = lastConfirmation(step(event.stepId, event.at), event.level);
        c.given = { by: event.by, at: event.at, ...(event.typed !== undefined ? { typed: event.typed } : {}) };
        item(event.at, `confirmed (${event.level}) by ${event.by}${event.typed !== undefined ? `, typed \`${event.typed}\`` : ''}`, event.stepId);
        break;
      }
      case 'confirmation-refused': {
        const c = lastConfirmation(step(event.stepId, event.at), 'unknown');
        c.refused = { by: event.by, at: event.at, ...(event.reason !== undefined ? { reason: event.reason } : {}) };
        item(event.at, `confirmation refused by ${event.by}${event.reason ? `: ${event.reason}` : ''}`, event.stepId);
        break;
      }
      case 'checklist-ticked':
        step(event.stepId, event.at).checklist.push({ item: event.item, by: event.by, at: event.at });
        item(event.at, `checklist item ${event.item + 1} ticked by ${event.by}`, event.stepId);
        break;
      case 'command-started':
        step(event.stepId, event.at).commands.push({
          commandIndex: event.commandIndex, target: event.target, command: event.command, startedAt: event.at,
          outcome: 'unknown', exitCode: null, signal: null, output: '',
        });
        item(event.at, `command ${event.commandIndex + 1} started on ${describeTarget(event.target)}: ${event.command}`, event.stepId);
        break;
      case 'command-output': {
        const command = findCommand(step(event.stepId, event.at), event.commandIndex);
        if (command) command.output += event.data;
        break;
      }
      case 'command-finished': {
        const command = findCommand(step(event.stepId, event.at), event.commandIndex);
        if (command) {
          Object.assign(command, { finishedAt: event.at, outcome: event.outcome, exitCode: event.exitCode, signal: event.signal, durationMs: event.durationMs });
          if (event.message !== undefined) command.message = event.message;
        }
        item(event.at, `command ${event.commandIndex + 1} finished: ${event.outcome} (exit ${event.exitCode ?? event.signal ?? '?'}, ${event.durationMs} ms)`, event.stepId);
        break;
      }
      case 'check-evaluated':
        step(event.stepId, event.at).checks.push(event.check);
        item(event.at, `check \`${event.check.source}\` → ${event.check.result}`, event.stepId);
        break;
      case 'step-finished': {
        const entry = step(event.stepId, event.at);
        entry.finishedAt = event.at;
        entry.outcome = event.outcome;
        if (event.message !== undefined) entry.message = event.message;
        item(event.at, `step finished: ${event.outcome}${event.message ? ` (${event.message})` : ''}`, event.stepId);
        break;
      }
      case 'lock-taken':
        item(event.at, `lock on ${event.cluster} taken by ${event.holder}${event.takeover ? ` (taken over from ${event.takeover.previousHolder})` : ''}`);
        break;
      case 'lock-released':
        item(event.at, `lock on ${event.cluster} released`);
        break;
      case 'lock-lost':
        item(event.at, `lock on ${event.cluster} LOST (${event.reason})${event.holder ? `; now held by ${event.holder}` : ''}`);
        break;
      case 'run-resumed':
        timeline.resumes.push(event);
        item(event.at, `run resumed by ${event.operator} (hatui ${event.hatuiVersion})${event.tornTail ? '; torn last line kept and marked' : ''}`);
        break;
      case 'resume-decision':
        timeline.decisions.push(event);
        item(event.at, `operator decision for a step left in flight: ${event.decision} (by ${event.by})`, event.stepId);
        break;
      case 'note':
        item(event.at, `note: ${event.text}`);
        break;
      case 'run-aborted':
        timeline.aborted = { at: event.at, reason: event.reason };
        item(event.at, `run aborted: ${event.reason}`);
        break;
      case 'run-finished':
        timeline.finished = { at: event.at, outcome: event.outcome };
        item(event.at, `run finished: ${event.outcome}`);
        break;
      default: {
        const never: never = event;
        item((never as { at: string }).at, `unrecognised event ${JSON.stringify((never as { type: unknown }).type)}`);
      }
    }
  }
  return timeline;
}

function findCommand(entry: StepEntry, index: number): CommandEntry | undefined {
  for (let i = entry.commands.length - 1; i >= 0; i--) if (entry.commands[i]!.commandIndex === index) return entry.commands[i];
  return undefined;
}

export function durationBetween(from: string | undefined, to: string | undefined): number | undefined {
  if (!from || !to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? ms : undefined;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
