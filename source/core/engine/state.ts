// Run state: what folding a run's events yields. Plain JSON (deep-equal comparable, loggable).
// Live run, replay and resume all build it with the same reducer (reducer.ts).
import type { CommandOutcome, Outcome, StepStatus } from '../outcome.js';
import type { ConfirmLevel, OnFail, Runbook } from '../runbook/model.js';
import type { ExpressionResult, ResolvedTarget } from './events.js';

/** Output kept in state per command: the tail only, so state stays small whatever a command prints. */
export const OUTPUT_TAIL_CHARS = 8192;

export type RunStatus = 'not-started' | 'running' | 'finished' | 'aborted';
export type ResumeDecision = 'retry' | 'skip' | 'recheck' | 'abort';
/** Why the run waits for an operator decision. */
export type DecisionReason = 'unknown' | 'ask' | 'preflight-blocked';

export interface OutputSummary {
  /** Last OUTPUT_TAIL_CHARS characters of stdout and stderr interleaved. */
  tail: string;
  chars: number;
  chunks: number;
  truncated: boolean;
}

export interface CommandRun {
  commandIndex: number;
  hostIndex: number;
  hostCount: number;
  target: ResolvedTarget;
  command: string;
  startedAt: string;
  status: 'running' | CommandOutcome;
  exitCode: number | null;
  signal: string | null;
  durationMs?: number;
  finishedAt?: string;
  message?: string;
  output: OutputSummary;
}

export interface AttemptRecord {
  attempt: number;
  status: StepStatus;
  message?: string;
  commands: CommandRun[];
  checks: ExpressionResult[];
}

/** The parts of a step definition the reducer needs (copied from the runbook by initialState). */
export interface StepSpec {
  index: number;
  onFail: OnFail;
  retries: number;
  rollback: boolean;
  commandCount: number;
  checklistCount: number;
}

export interface StepState {
  id: string;
  spec: StepSpec;
  status: StepStatus;
  /** Attempt within the current entry (1 = first try; retries count up). 0 = never started. */
  attempt: number;
  /** All attempts over the whole run. */
  attempts: number;
  /** How often the step was entered (first visit, on-fail jumps back to it). */
  entries: number;
  startedAt?: string;
  finishedAt?: string;
  message?: string;
  guard?: ExpressionResult;
  preflight?: ExpressionResult[];
  preflightOverride?: { by: string; typed: string; at: string };
  confirmationRequest?: { level: ConfirmLevel; expected?: string; targets: ResolvedTarget[]; at: string };
  confirmation?: { level: ConfirmLevel; by: string; at: string; typed?: string };
  refused?: { by: string; at: string; reason?: string };
  checklistTicked: { item: number; by: string; at: string }[];
  /** Commands of the current attempt. */
  commands: CommandRun[];
  /** Checks of the current attempt. */
  checks: ExpressionResult[];
  /** Earlier attempts of this step. */
  history: AttemptRecord[];
  /** Operator decisions about this step (resume, on-fail=ask), latest last. */
  decisions: { decision: ResumeDecision; by: string; at: string }[];
  /** The latest decision not yet acted on (cleared when the step starts again). */
  decision?: ResumeDecision;
  /** Re-check mode (operator chose `recheck`): checks are evaluated again without running commands. */
  recheck: boolean;
}

export interface CaptureValue {
  stdout: string;
  exitCode: number | null;
}

export interface RunInfo {
  runId: string;
  startedAt: string;
  runbookPath: string;
  runbookSha256: string;
  inventorySha256?: string;
  environment: string;
  operator: string;
  hatuiVersion: string;
  ticket?: string;
  dryRun: boolean;
  vars: Record<string, string>;
}

export interface Anomaly {
  /** Position of the offending event in the folded sequence (0-based). */
  event: number;
  type: string;
  message: string;
}

export interface RunState {
  runbookId: string;
  status: RunStatus;
  outcome?: Outcome;
  run?: RunInfo;
  finishedAt?: string;
  abortReason?: string;
  stepOrder: string[];
  steps: Record<string, StepState>;
  /** The step entered last. */
  current?: string;
  /** Step ids in the order they were entered (retries not repeated). */
  visited: string[];
  captures: Record<string, CaptureValue>;
  locks: Record<string, { holder: string; at: string; takeover?: { previousHolder: string; typed?: string; sameRun?: boolean } }>;
  /** A lock lost while the run held it: the run stops before its next command (cleared by a resume, which takes it again). */
  lockLost?: { cluster: string; at: string; reason: string; holder?: string };
  /** Locks the run held when it was interrupted: a resume takes them again before anything else. */
  relock: string[];
  inRollback: boolean;
  pendingDecision?: { stepId: string; reason: DecisionReason; message?: string };
  resumes: { at: string; operator: string; hatuiVersion: string; tornTail?: boolean }[];
  notes: { at: string; text: string }[];
  anomalies: Anomaly[];
  eventCount: number;
}

function emptyOutput(): OutputSummary {
  return { tail: '', chars: 0, chunks: 0, truncated: false };
}

export function newCommandRun(fields: Omit<CommandRun, 'status' | 'exitCode' | 'signal' | 'output'>): CommandRun {
  return { ...fields, status: 'running', exitCode: null, signal: null, output: emptyOutput() };
}

export function initialState(runbook: Runbook): RunState {
  const entries: [string, StepState][] = [];
  const seen = new Set<string>();
  for (const step of runbook.steps) {
    if (seen.has(step.id)) continue;
    seen.add(step.id);
    entries.push([step.id, {
      id: step.id,
      spec: {
        index: step.index,
        onFail: step.onFail,
        retries: step.retries,
        rollback: step.rollback,
        commandCount: step.commands.length,
        checklistCount: step.checklist.length,
      },
      status: 'pending',
      attempt: 0,
      attempts: 0,
      entries: 0,
      checklistTicked: [],
      commands: [],
      checks: [],
      history: [],
      decisions: [],
      recheck: false,
    }]);
  }
  // fromEntries defines own properties, so even an id like `__proto__` stays a plain key.
  const steps: Record<string, StepState> = Object.fromEntries(entries);
  return {
    runbookId: runbook.id,
    status: 'not-started',
    stepOrder: runbook.steps.map((s) => s.id),
    steps,
    visited: [],
    captures: {},
    locks: {},
    relock: [],
    inRollback: false,
    resumes: [],
    notes: [],
    anomalies: [],
    eventCount: 0,
  };
}

/** Own-property lookup: step ids and capture names come from files and must not reach Object.prototype. */
export function getStep(state: RunState, stepId: unknown): StepState | undefined {
  return typeof stepId === 'string' && Object.hasOwn(state.steps, stepId) ? state.steps[stepId] : undefined;
}

export function isInFlight(status: StepStatus): boolean {
  return status === 'running' || status === 'awaiting-confirmation';
}

export function appendOutput(output: OutputSummary, data: string): OutputSummary {
  const joined = output.tail + data;
  const truncated = output.truncated || joined.length > OUTPUT_TAIL_CHARS;
  return {
    tail: joined.length > OUTPUT_TAIL_CHARS ? joined.slice(joined.length - OUTPUT_TAIL_CHARS) : joined,
    chars: output.chars + data.length,
    chunks: output.chunks + 1,
    truncated,
  };
}
