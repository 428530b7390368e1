// The headless runner: drives the pure engine. Loop: action = next(runbook, state); perform it; append
// the resulting events; fold them; repeat. Live run, replay and resume therefore share one reducer.
//
// Dependencies (RunnerDeps, runner-deps.ts) — everything with an effect is injected:
//   sink            EventSink.append(event): Promise<void>, durable before it resolves (AUDIT: file sink;
//                   MemorySink here). WRITE-AHEAD: `command-started` and `confirmation-given` are appended
//                   and awaited before the command runs; if an append rejects, the run stops before its
//                   next side effect with RunnerStopped (exit 1) naming the write error.
//   transportFor    (target: ResolvedTarget) → Transport ('local' → LocalTransport; SSH helper adds ssh).
//   resolveTarget   (selector) → Promise<ResolvedTarget[]>; called when a step asks for its
//                   confirmation and again before each command block (a moved role asks again); empty or a
//                   thrown Error fails the step. A selector matching several hosts runs one host at a time
//                   and stops at the first failure.
//   decider         Decider: confirm / checklist / preflightOverride / resume (answers file; later the TUI).
//                   `missing` → the run stops before executing, exit 3, naming the step.
//   clusterState    (names?) → Promise<Record<string, unknown>> for CEL `clusters.<name>`: one fresh
//                   snapshot per guard, pre-flight or check batch, of only the clusters it reads (none
//                   when no expression reads `clusters`), so every expression in a batch sees one view.
//   redactor        {text(s), chunks()}: masks secrets in output, messages, captures and CEL values.
//   clock           {now(): UTC ISO, monotonicMs()}.
//   locks           LockService.acquire/release for `changes=<cluster>` steps (refusal → exit 4).
//   observe?        (event, state) after each durable event: plain printer, TUI, tests.
// Guards, checks and pre-flights are evaluated here (cel.ts) and recorded as events; replay and resume
// fold those events and never re-evaluate.
import type { ResolvedTarget, RunEvent } from '../core/engine/events.js';
import { next, type Action } from '../core/engine/next.js';
import { reduce } from '../core/engine/reducer.js';
import { getStep, initialState, type RunState } from '../core/engine/state.js';
import { celContext, clustersRead, evaluateExpression } from '../core/cel.js';
import { ExitCode, HatuiError, type ExitCodeValue } from '../core/exit-codes.js';
import type { CommandOutcome } from '../core/outcome.js';
import type { Expression, Runbook, Step } from '../core/runbook/model.js';
import { renderCommand } from '../core/runbook/template.js';
import type { CommandResult } from '../core/transport.js';
import type { LockLoss, RunnerDeps } from './runner-deps.js';
import { redactDeep, runCommandBlock } from './runner-command.js';
import { checklist, confirm, decide, requestConfirmation } from './runner-operator.js';

export interface RunOptions {
  runId: string;
  /** Effective variable values (defaults applied), secrets included: they never leave through events. */
  vars: Record<string, string>;
  secretNames: string[];
  environment: string;
  runbookSha256: string;
  inventorySha256?: string;
  ticket?: string;
  hatuiVersion: string;
  /** Used when a command block and its step give no timeout (inventory default, else 5 minutes). */
  defaultTimeoutMs: number;
  /** Resume: events already in the log, ending with `run-resumed`; they are folded, never re-executed. */
  priorEvents?: RunEvent[];
  /** Operator cancel: the running command is cancelled and the run aborts. */
  signal?: AbortSignal;
}

export interface RunResult {
  state: RunState;
  exitCode: ExitCodeValue;
  /** One line for the operator (why the run stopped or how it ended). */
  message: string;
}

/** The run could not continue safely (audit write failed, internal inconsistency). */
export class RunnerStopped extends HatuiError {}

export const DEFAULT_COMMAND_TIMEOUT_MS = 5 * 60_000;

export type Stop = { exitCode: ExitCodeValue; message: string };

export async function runRunbook(runbook: Runbook, options: RunOptions, deps: RunnerDeps): Promise<RunResult> {
  const run = new Run(runbook, options, deps);
  return run.start();
}

class Run {
  state: RunState;
  private chain: Promise<void> = Promise.resolve();
  private writeError: unknown;
  /** A refusal (lock held or lost, host key) ended the run: exit 4, not 1. */
  private refused = false;
  /** Set the moment a held lock is reported lost (its `lock-lost` event may still be on its way to the log). */
  private lost: LockLoss | undefined;

  constructor(
    readonly runbook: Runbook,
    readonly options: RunOptions,
    readonly deps: RunnerDeps,
  ) {
    let state = initialState(runbook);
    for (const event of options.priorEvents ?? []) state = reduce(state, event);
    this.state = state;
  }

  async start(): Promise<RunResult> {
    try {
      for (;;) {
        if (this.options.signal?.aborted && this.state.status === 'running') {
          await this.cancelRun();
          continue;
        }
        await this.settled(); // a lock-lost reported meanwhile is folded before deciding
        const action = next(this.runbook, this.state);
        if (action.kind === 'done') return this.finished();
        const stop = await this.perform(action);
        if (stop) {
          await this.releaseLocks();
          return { state: this.state, ...stop };
        }
      }
    } catch (error) {
      // Nothing more can be recorded (or the run is inconsistent): free the clusters and stop loudly.
      for (const cluster of Object.keys(this.state.locks)) await this.deps.locks.release(cluster).catch(() => {});
      if (error instanceof HatuiError) return { state: this.state, exitCode: error.exitCode, message: error.message };
      throw error;
    }
  }

  /** Appends an event (serialized with every other append), then folds and reports it. */
  async emit(event: RunEvent): Promise<void> {
    this.queue(event);
    await this.settled();
  }

  /** Appends without waiting (output chunks); `settled()` waits for it and surfaces a failed write. */
  queue(event: RunEvent): void {
    this.chain = this.chain.then(async () => {
      if (this.writeError !== undefined) return;
      try {
        await this.deps.sink.append(event);
      } catch (error) {
        this.writeError = error;
        return;
      }
      this.state = reduce(this.state, event);
      try {
        this.deps.observe?.(event, this.state);
      } catch {
        // A broken observer (printer, screen) must not break the recorded run.
      }
    });
  }

  async settled(): Promise<void> {
    await this.chain;
    if (this.writeError !== undefined) {
      const why = this.writeError instanceof Error ? this.writeError.message : String(this.writeError);
      throw new RunnerStopped(`audit log write failed (${why}): run stopped before its next side effect`, ExitCode.failed);
    }
  }

  at(): string {
    return this.deps.clock.now();
  }

  step(stepId: string): Step {
    const step = this.runbook.steps.find((s) => s.id === stepId);
    if (!step) throw new RunnerStopped(`internal: step '${stepId}' is not in the runbook`);
    return step;
  }

  private async perform(action: Exclude<Action, { kind: 'done' }>): Promise<Stop | undefined> {
    switch (action.kind) {
      case 'start-run':
        await this.emit(this.runStarted());
        return;
      case 'start-step':
        await this.emit({ type: 'step-started', at: this.at(), stepId: action.stepId, attempt: action.attempt });
        return;
      case 'evaluate-guard':
        await this.emit({ type: 'guard-evaluated', at: this.at(), stepId: action.stepId, guard: (await this.evaluate([action.expression]))[0]! });
        return;
      case 'evaluate-preflight':
        await this.emit({ type: 'preflight-evaluated', at: this.at(), stepId: action.stepId, results: await this.evaluate(action.expressions) });
        return;
      case 'evaluate-checks':
        for (const check of await this.evaluate(action.expressions)) await this.emit({ type: 'check-evaluated', at: this.at(), stepId: action.stepId, check });
        return;
      case 'decide':
        return decide(this, action);
      case 'take-lock':
        return this.takeLock(action.cluster);
      case 'request-confirmation':
        return requestConfirmation(this, action.stepId);
      case 'confirm':
        return confirm(this, action);
      case 'checklist':
        return checklist(this, action.stepId, action.items);
      case 'run-command':
        return this.runCommand(action.stepId, action.commandIndex, action.fromHost);
      case 'finish-step':
        await this.emit({ type: 'step-finished', at: this.at(), stepId: action.stepId, outcome: action.outcome, ...(action.message ? { message: this.deps.redactor.text(action.message) } : {}) });
        return;
      case 'finish-run':
        await this.emit({ type: 'run-finished', at: this.at(), outcome: action.outcome });
        return;
      case 'abort':
        await this.emit({ type: 'run-aborted', at: this.at(), reason: this.deps.redactor.text(action.reason) });
        return;
      case 'wait':
        throw new RunnerStopped(`step '${action.stepId}' has a command in flight that this runner did not start (resume: priorEvents must end with a run-resumed event, which marks it unknown)`);
      default: {
        const never: never = action;
        throw new RunnerStopped(`internal: unknown action ${JSON.stringify(never)}`);
      }
    }
  }

  private runStarted(): RunEvent {
    const secret = new Set(this.options.secretNames);
    const vars = Object.fromEntries(Object.entries(this.options.vars).map(([k, v]) => [k, secret.has(k) ? '••••' : this.deps.redactor.text(v)]));
    return {
      type: 'run-started',
      at: this.at(),
      runId: this.options.runId,
      runbookId: this.runbook.id,
      runbookPath: this.runbook.path,
      runbookSha256: this.options.runbookSha256,
      ...(this.options.inventorySha256 ? { inventorySha256: this.options.inventorySha256 } : {}),
      environment: this.options.environment,
      operator: this.deps.decider.operator,
      hatuiVersion: this.options.hatuiVersion,
      ...(this.options.ticket ? { ticket: this.options.ticket } : {}),
      dryRun: false,
      vars,
      stepIds: this.runbook.steps.map((s) => s.id),
    };
  }

  /** Evaluates a batch on one context: one live snapshot of just the clusters the batch reads, if any. */
  private async evaluate(expressions: readonly Expression[]) {
    const read = clustersRead(expressions.map((e) => e.source));
    const clusters = read.length === 0 ? {} : await this.clusters(read === 'all' ? undefined : read);
    const context = celContext({ vars: this.options.vars, captures: this.state.captures, clusters });
    return expressions.map((e) => redactDeep(evaluateExpression(e.source, context), this.deps.redactor));
  }

  private async clusters(names?: readonly string[]): Promise<Record<string, unknown>> {
    try {
      return await this.deps.clusterState(names);
    } catch {
      return {};
    }
  }

  /** A lock lost while held: recorded at once (serialized with every other append); the run stops before its next command. */
  private readonly onLockLost = (loss: LockLoss): void => {
    if (this.lost) return;
    this.lost = loss;
    this.refused = true;
    this.queue({ type: 'lock-lost', at: this.at(), cluster: loss.cluster, reason: this.deps.redactor.text(loss.reason), ...(loss.holder ? { holder: this.deps.redactor.text(loss.holder) } : {}) });
  };

  /**
   * Asked right before a command is sent: every lock the run holds is checked with its store now (not only
   * by the background refresh), so a lock deleted or taken a moment ago stops the run. The reason, if lost.
   */
  async lockLost(): Promise<string | undefined> {
    const held = Object.keys(this.state.locks);
    if (held.length > 0 && !this.lost) await this.deps.locks.verify?.(held);
    await this.settled();
    return this.lostNow();
  }

  /** The loss reported so far, without asking the store (between the write-ahead record and the send). */
  lostNow(): string | undefined {
    return this.lost ? `lock on cluster '${this.lost.cluster}' lost: ${this.lost.reason}${this.lost.holder ? `; now held by ${this.lost.holder}` : ''}` : undefined;
  }

  private async takeLock(cluster: string): Promise<Stop | undefined> {
    const result = await this.deps.locks.acquire({ cluster, holder: this.deps.decider.operator, runbookId: this.runbook.id, runId: this.options.runId, onLost: this.onLockLost });
    if (!result.ok) {
      this.refused = true;
      await this.emit({ type: 'run-aborted', at: this.at(), reason: `lock on cluster '${cluster}' refused: ${result.message}` });
      return;
    }
    await this.emit({ type: 'lock-taken', at: this.at(), cluster, holder: result.holder, ...(result.takeover ? { takeover: result.takeover } : {}) });
  }

  /** A refusal (e.g. an unknown or changed SSH host key) is a security stop: abort the whole run, exit 4. */
  async abortRefused(stepId: string, reason: string): Promise<void> {
    this.refused = true;
    await this.emit({ type: 'step-finished', at: this.at(), stepId, outcome: 'failed', message: reason });
    await this.emit({ type: 'run-aborted', at: this.at(), reason: `refused: ${reason}` });
  }

  async resolve(selectors: string[]): Promise<{ targets: ResolvedTarget[] } | { error: string; refused?: boolean }> {
    // No cluster snapshot here: role selectors are resolved by asking the cluster (the resolver does),
    // so a command step does not wait for every probe of every cluster.
    const targets: ResolvedTarget[] = [];
    for (const selector of [...new Set(selectors)]) {
      let found: ResolvedTarget[];
      try {
        found = await this.deps.resolveTarget(selector);
      } catch (error) {
        const refused = error instanceof HatuiError && error.exitCode === ExitCode.refused;
        return { error: error instanceof Error ? error.message : String(error), ...(refused ? { refused } : {}) };
      }
      if (found.length === 0) return { error: `host selector '${selector}' matched no host` };
      targets.push(...found);
    }
    return { targets };
  }

  private async runCommand(stepId: string, commandIndex: number, fromHost: number): Promise<Stop | undefined> {
    const step = this.step(stepId);
    const block = step.commands[commandIndex];
    if (!block) throw new RunnerStopped(`internal: step '${stepId}' has no command ${commandIndex}`);
    const resolved = await this.resolve([block.host]);
    if ('error' in resolved && resolved.refused) {
      await this.abortRefused(stepId, resolved.error);
      return;
    }
    if ('error' in resolved) {
      await this.emit({ type: 'step-finished', at: this.at(), stepId, outcome: 'failed', message: resolved.error });
      return;
    }
    const stepState = getStep(this.state, stepId);
    const confirmed = stepState?.confirmation ? stepState.confirmationRequest?.targets : undefined;
    if (confirmed) {
      const moved = resolved.targets.filter((t) => !confirmed.some((c) => c.selector === t.selector && c.host === t.host));
      if (moved.length > 0) {
        await this.emit({ type: 'note', at: this.at(), text: `step '${stepId}': '${block.host}' now resolves to ${moved.map((t) => t.host).join(', ')}, not what was confirmed; asking again` });
        await requestConfirmation(this, stepId);
        return;
      }
    }
    let rendered;
    try {
      rendered = renderCommand(block.template, { vars: this.options.vars, captures: this.state.captures, secretNames: this.options.secretNames });
    } catch (error) {
      await this.emit({ type: 'step-finished', at: this.at(), stepId, outcome: 'failed', message: this.deps.redactor.text(error instanceof Error ? error.message : String(error)) });
      return;
    }
    const timeoutMs = block.timeoutMs ?? step.timeoutMs ?? this.options.defaultTimeoutMs;
    const hostCount = resolved.targets.length;
    for (let hostIndex = fromHost; hostIndex < hostCount; hostIndex++) {
      const target = resolved.targets[hostIndex]!;
      const outcome: CommandOutcome = await runCommandBlock(this, { stepId, block, target, hostIndex, hostCount, command: rendered.command, secretEnv: rendered.secretEnv, timeoutMs });
      if (outcome !== 'ok') break;
    }
    return;
  }

  private async cancelRun(): Promise<void> {
    const current = getStep(this.state, this.state.current);
    if (current && (current.status === 'running' || current.status === 'awaiting-confirmation')) {
      await this.emit({ type: 'step-finished', at: this.at(), stepId: current.id, outcome: 'cancelled', message: 'cancelled by the operator' });
    }
    await this.emit({ type: 'run-aborted', at: this.at(), reason: 'cancelled by the operator' });
  }

  private async releaseLocks(): Promise<void> {
    for (const cluster of Object.keys(this.state.locks)) {
      try {
        await this.deps.locks.release(cluster);
      } catch (error) {
        // The run's work is done and recorded; a lock we cannot release expires with its lease.
        const reason = error instanceof Error ? error.message : String(error);
        await this.emit({ type: 'note', at: this.at(), text: `could not release the lock on cluster '${cluster}' (${reason}); it expires with its lease` });
        continue;
      }
      await this.emit({ type: 'lock-released', at: this.at(), cluster });
    }
  }

  private async finished(): Promise<RunResult> {
    await this.releaseLocks();
    const s = this.state;
    if (s.status === 'aborted') {
      return { state: s, exitCode: this.refused ? ExitCode.refused : ExitCode.failed, message: `run aborted: ${s.abortReason ?? 'no reason recorded'}` };
    }
    return s.outcome === 'ok'
      ? { state: s, exitCode: ExitCode.ok, message: 'run finished: ok' }
      : { state: s, exitCode: ExitCode.failed, message: `run finished: ${s.outcome ?? 'failed'}${s.inRollback ? ' (rolled back)' : ''}` };
  }
}

export type RunContext = Run;
export type { CommandResult };
