// The headless runner: drives the pure engine. Loop: action = next(runbook, state); perform it; append
// the resulting events; fold them; repeat. Live run, replay and resume therefore share one reducer.
//
// Dependencies (RunnerDeps, runner-deps.ts) — everything with an effect is injected:
//   sink            EventSink.append(event): Promise<void>, durable before it resolves (AUDIT: file sink;
//                   MemorySink here). WRITE-AHEAD: `command-started` and `confirmation-given` are appended
//                   and awaited before the command runs; if an append rejects, the run stops before its
//                   next side effect with RunnerStopped (exit 1) naming the write error.
//   transportFor    (target: ResolvedTarget) → Transport ('local' → LocalTransport; SSH helper adds ssh).
//   resolveTarget   (selector, {clusters}) → Promise<ResolvedTarget[]>; called when a step asks for its
//                   confirmation and again before each command block (a moved role asks again); empty or a
//                   thrown Error fails the step. A selector matching several hosts runs one host at a time
//                   and stops at the first failure.
//   decider         Decider: confirm / checklist / preflightOverride / resume (answers file; later the TUI).
//                   `missing` → the run stops before executing, exit 3, naming the step.
//   clusterState    () → Promise<Record<string, unknown>> for CEL `clusters.<name>`.
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
import { celContext, evaluateExpression } from '../core/cel.js';
import { ExitCode, HatuiError, type ExitCodeValue } from '../core/exit-codes.js';
import type { CommandOutcome } from '../core/outcome.js';
import { checkAnswer, confirmationFor, expectedTypedText } from '../core/policy/confirm.js';
import type { Expression, Runbook, Step } from '../core/runbook/model.js';
import { renderCommand } from '../core/runbook/template.js';
import type { CommandResult } from '../core/transport.js';
import type { RunnerDeps } from './runner-deps.js';
import { redactDeep, runCommandBlock } from './runner-command.js';

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
  /** Resume: events already in the log; they are folded, never re-executed. */
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

type Stop = { exitCode: ExitCodeValue; message: string };

export async function runRunbook(runbook: Runbook, options: RunOptions, deps: RunnerDeps): Promise<RunResult> {
  const run = new Run(runbook, options, deps);
  return run.start();
}

class Run {
  state: RunState;
  private chain: Promise<void> = Promise.resolve();
  private writeError: unknown;
  private lockRefused = false;

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
        await this.emit({ type: 'guard-evaluated', at: this.at(), stepId: action.stepId, guard: await this.evaluate(action.expression) });
        return;
      case 'evaluate-preflight': {
        const results = [];
        for (const e of action.expressions) results.push(await this.evaluate(e));
        await this.emit({ type: 'preflight-evaluated', at: this.at(), stepId: action.stepId, results });
        return;
      }
      case 'evaluate-checks':
        for (const e of action.expressions) await this.emit({ type: 'check-evaluated', at: this.at(), stepId: action.stepId, check: await this.evaluate(e) });
        return;
      case 'decide':
        return this.decide(action);
      case 'take-lock':
        return this.takeLock(action.cluster);
      case 'request-confirmation':
        return this.requestConfirmation(action.stepId);
      case 'confirm':
        return this.confirm(action);
      case 'checklist':
        return this.checklist(action.stepId, action.items);
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
        throw new RunnerStopped(`internal: step '${action.stepId}' has a command in flight that this runner did not start`);
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

  private async evaluate(expression: Expression) {
    const clusters = await this.clusters();
    const result = evaluateExpression(expression.source, celContext({ vars: this.options.vars, captures: this.state.captures, clusters }));
    return redactDeep(result, this.deps.redactor);
  }

  async clusters(): Promise<Record<string, unknown>> {
    try {
      return await this.deps.clusterState();
    } catch {
      return {};
    }
  }

  private async decide(action: Extract<Action, { kind: 'decide' }>): Promise<Stop | undefined> {
    const step = this.step(action.stepId);
    const by = this.deps.decider.operator;
    if (action.reason === 'preflight-blocked') {
      const expectedText = expectedTypedText(step);
      const answer = await this.deps.decider.preflightOverride({ step, results: getStep(this.state, step.id)?.preflight ?? [], expectedText, environment: this.options.environment });
      switch (answer.kind) {
        case 'missing':
          return this.needsDecision(step, `${action.message ?? 'pre-flight blocked'}; override by typing '${expectedText}' (answers: override)`);
        case 'refuse':
          await this.emit({ type: 'run-aborted', at: this.at(), reason: `pre-flight blocked at step '${step.id}' and not overridden` });
          return;
        case 'answer':
          if (answer.value.trim() !== expectedText) {
            await this.emit({ type: 'run-aborted', at: this.at(), reason: `pre-flight override for step '${step.id}' refused: typed text did not match '${expectedText}'` });
            return;
          }
          await this.emit({ type: 'preflight-overridden', at: this.at(), stepId: step.id, by, typed: answer.value.trim() });
          return;
      }
    }
    const answer = await this.deps.decider.resume({ step, reason: action.reason, options: action.options, message: action.message });
    switch (answer.kind) {
      case 'missing':
        return this.needsDecision(step, `${action.message ?? `step is ${action.reason}`}; decide one of ${action.options.join('|')} (answers: resume)`);
      case 'refuse':
        await this.emit({ type: 'resume-decision', at: this.at(), stepId: step.id, decision: 'abort', by });
        return;
      case 'answer':
        if (!action.options.includes(answer.value)) {
          return this.needsDecision(step, `decision '${answer.value}' is not one of ${action.options.join('|')}`);
        }
        await this.emit({ type: 'resume-decision', at: this.at(), stepId: step.id, decision: answer.value, by });
        return;
    }
  }

  private async needsDecision(step: Step, why: string): Promise<Stop> {
    const message = `step '${step.id}' needs an operator decision: ${why}`;
    await this.emit({ type: 'note', at: this.at(), text: `stopped: ${this.deps.redactor.text(message)}` });
    return { exitCode: ExitCode.needsDecision, message };
  }

  private async takeLock(cluster: string): Promise<Stop | undefined> {
    const result = await this.deps.locks.acquire({ cluster, holder: this.deps.decider.operator, runbookId: this.runbook.id, runId: this.options.runId });
    if (!result.ok) {
      this.lockRefused = true;
      await this.emit({ type: 'run-aborted', at: this.at(), reason: `lock on cluster '${cluster}' refused: ${result.message}` });
      return;
    }
    await this.emit({ type: 'lock-taken', at: this.at(), cluster, holder: result.holder, ...(result.takeover ? { takeover: result.takeover } : {}) });
  }

  private async resolve(selectors: string[]): Promise<{ targets: ResolvedTarget[] } | { error: string }> {
    // `local` needs no live state; anything else may (role selectors), so fetch it once for all of them.
    const clusters = selectors.every((s) => s === 'local') ? {} : await this.clusters();
    const targets: ResolvedTarget[] = [];
    for (const selector of [...new Set(selectors)]) {
      let found: ResolvedTarget[];
      try {
        found = await this.deps.resolveTarget(selector, { clusters });
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      }
      if (found.length === 0) return { error: `host selector '${selector}' matched no host` };
      targets.push(...found);
    }
    return { targets };
  }

  private async requestConfirmation(stepId: string): Promise<Stop | undefined> {
    const step = this.step(stepId);
    const resolved = await this.resolve(step.commands.map((c) => c.host));
    if ('error' in resolved) {
      await this.emit({ type: 'step-finished', at: this.at(), stepId, outcome: 'failed', message: resolved.error });
      return;
    }
    const verdict = confirmationFor(step, { environment: this.options.environment, targets: resolved.targets });
    await this.emit({
      type: 'confirmation-requested',
      at: this.at(),
      stepId,
      level: verdict.level,
      ...(verdict.expectedText !== undefined ? { expected: verdict.expectedText } : {}),
      targets: resolved.targets,
    });
  }

  private async confirm(action: Extract<Action, { kind: 'confirm' }>): Promise<Stop | undefined> {
    const step = this.step(action.stepId);
    const request = getStep(this.state, step.id)?.confirmationRequest;
    const answer = await this.deps.decider.confirm({ step, verdict: action.verdict, targets: request?.targets ?? [], environment: this.options.environment });
    const by = this.deps.decider.operator;
    switch (answer.kind) {
      case 'missing': {
        const what = action.verdict.level === 'typed' ? `a typed confirmation ('${action.verdict.expectedText}')` : 'a yes confirmation';
        return this.needsDecision(step, `${what} and the answers give none`);
      }
      case 'refuse':
        await this.emit({ type: 'confirmation-refused', at: this.at(), stepId: step.id, by, ...(answer.reason ? { reason: answer.reason } : {}) });
        return;
      case 'answer': {
        const check = checkAnswer(action.verdict, answer.value);
        if (!check.ok) {
          await this.emit({ type: 'confirmation-refused', at: this.at(), stepId: step.id, by, reason: check.reason });
          return;
        }
        await this.emit({
          type: 'confirmation-given',
          at: this.at(),
          stepId: step.id,
          level: action.verdict.level,
          by,
          ...(action.verdict.level === 'typed' ? { typed: answer.value.trim() } : {}),
        });
        return;
      }
    }
  }

  private async checklist(stepId: string, items: number[]): Promise<Stop | undefined> {
    const step = this.step(stepId);
    const answer = await this.deps.decider.checklist({ step, items });
    if (answer.kind === 'answer' && items.every((i) => answer.value.includes(i))) {
      for (const item of items) await this.emit({ type: 'checklist-ticked', at: this.at(), stepId, item, by: this.deps.decider.operator });
      return;
    }
    if (answer.kind === 'refuse') {
      await this.emit({ type: 'run-aborted', at: this.at(), reason: `checklist of step '${stepId}' not completed` });
      return;
    }
    const open = items.map((i) => `'${step.checklist[i]?.text ?? i}'`).join(', ');
    return this.needsDecision(step, `manual checklist not ticked: ${open} (answers: checklist: all)`);
  }

  private async runCommand(stepId: string, commandIndex: number, fromHost: number): Promise<Stop | undefined> {
    const step = this.step(stepId);
    const block = step.commands[commandIndex];
    if (!block) throw new RunnerStopped(`internal: step '${stepId}' has no command ${commandIndex}`);
    const resolved = await this.resolve([block.host]);
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
        await this.requestConfirmation(stepId);
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
      } finally {
        await this.emit({ type: 'lock-released', at: this.at(), cluster });
      }
    }
  }

  private async finished(): Promise<RunResult> {
    await this.releaseLocks();
    const s = this.state;
    if (s.status === 'aborted') {
      return { state: s, exitCode: this.lockRefused ? ExitCode.refused : ExitCode.failed, message: `run aborted: ${s.abortReason ?? 'no reason recorded'}` };
    }
    return s.outcome === 'ok'
      ? { state: s, exitCode: ExitCode.ok, message: 'run finished: ok' }
      : { state: s, exitCode: ExitCode.failed, message: `run finished: ${s.outcome ?? 'failed'}${s.inRollback ? ' (rolled back)' : ''}` };
  }
}

export type RunContext = Run;
export type { CommandResult };
