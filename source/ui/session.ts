// A live run driven from the terminal app: the engine's runner with this session as its decider.
// Questions (confirm, pre-flight override, checklist, unknown/ask) become a prompt the walkthrough
// shows; the operator's answer resolves the runner's promise. State is the runner's folded RunState,
// output goes to a bounded ring buffer. Not Ink: tests drive it directly.
import type { ResolvedTarget, RunEvent } from '../core/engine/events.js';
import { initialState, type ResumeDecision, type RunState } from '../core/engine/state.js';
import type { Runbook } from '../core/runbook/model.js';
import { runRunbook, type RunOptions, type RunResult } from '../services/runner.js';
import type { ChecklistRequest, ConfirmRequest, Decider, DeciderAnswer, DecisionRequest, LockTakeoverRequest, OverrideRequest, RunnerDeps } from '../services/runner-deps.js';
import { OutputBuffer } from './output-buffer.js';
import type { WalkthroughPrompt } from './screens/walkthrough.js';
import type { ConfirmAnswer } from './state/confirm-state.js';
import type { DrillView } from './drill-view.js';

type Pending =
  | { kind: 'prompt'; prompt: WalkthroughPrompt; resolve: (answer: ConfirmAnswer) => void }
  | { kind: 'checklist'; stepId: string; items: number[]; ticked: number[]; resolve: (a: DeciderAnswer<number[]>) => void };

export class RunSession implements Decider {
  state: RunState;
  readonly output = new OutputBuffer(5000);
  result: RunResult | null = null;
  /** This run's audit log (path and current head), once it is open: shown at the end, printed on exit. */
  auditLog: { path: string; head: () => string; anchorSummary?: () => string } | null = null;
  error: Error | null = null;
  /** Set when the runbook is a drill opened in the app: canary, clock and report (ui/drill-view.ts). */
  drill: DrillView | null = null;
  private pending: Pending | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly controller = new AbortController();

  constructor(
    readonly runbook: Runbook,
    readonly operator: string,
  ) {
    this.state = initialState(runbook);
  }

  /** Starts the runner; resolves with its result (never rejects: errors land in `error`). */
  start(options: Omit<RunOptions, 'signal'>, deps: Omit<RunnerDeps, 'decider' | 'observe'>): Promise<RunResult | null> {
    return runRunbook(this.runbook, { ...options, signal: this.controller.signal }, { ...deps, decider: this, observe: (event, state) => this.observe(event, state) }).then(
      (result) => {
        this.result = result;
        this.state = result.state;
        this.notify();
        return result;
      },
      (error: Error) => {
        this.error = error;
        this.notify();
        return null;
      },
    );
  }

  /** Aborted by cancel() (Ctrl-C twice): a run started elsewhere (a drill) listens to it too. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get prompt(): WalkthroughPrompt | null {
    return this.pending?.kind === 'prompt' ? this.pending.prompt : null;
  }

  get checklistPending(): { stepId: string; left: number } | null {
    return this.pending?.kind === 'checklist' ? { stepId: this.pending.stepId, left: this.pending.items.length - this.pending.ticked.length } : null;
  }

  answer(answer: ConfirmAnswer): void {
    if (this.pending?.kind !== 'prompt') return;
    const { resolve } = this.pending;
    this.pending = null;
    resolve(answer);
    this.notify();
  }

  /** Ticks the next requested checklist item; the last tick answers the runner. */
  tick(): void {
    if (this.pending?.kind !== 'checklist') return;
    const p = this.pending;
    const nextItem = p.items.find((i) => !p.ticked.includes(i));
    if (nextItem !== undefined) p.ticked.push(nextItem);
    if (p.ticked.length === p.items.length) {
      this.pending = null;
      p.resolve({ kind: 'answer', value: [...p.ticked] });
    }
    this.notify();
  }

  /** Cancels the running command (its step becomes `cancelled`) and aborts the run; refuses any open question. */
  cancel(): void {
    this.controller.abort(new Error('operator cancelled (Ctrl-C twice)'));
    if (this.pending?.kind === 'prompt') this.answer({ kind: 'refused', reason: 'operator aborted the run' });
    else if (this.pending?.kind === 'checklist') {
      const p = this.pending;
      this.pending = null;
      p.resolve({ kind: 'refuse', reason: 'operator aborted the run' });
    }
    this.notify();
  }

  // ── Decider ──
  confirm(request: ConfirmRequest): Promise<DeciderAnswer<string>> {
    return this.ask({ kind: 'confirm', stepId: request.step.id, verdict: request.verdict }, request.targets, []).then((a) =>
      a.kind === 'given' ? { kind: 'answer', value: a.typed ?? 'yes' } : { kind: 'refuse', reason: a.kind === 'refused' ? a.reason : 'unexpected answer' },
    );
  }

  preflightOverride(request: OverrideRequest): Promise<DeciderAnswer<string>> {
    return this.ask({ kind: 'preflight-override', stepId: request.step.id, expectedText: request.expectedText }, [], request.results).then((a) =>
      a.kind === 'override' ? { kind: 'answer', value: a.typed } : { kind: 'refuse', reason: a.kind === 'refused' ? a.reason : 'pre-flight kept blocked' },
    );
  }

  resume(request: DecisionRequest): Promise<DeciderAnswer<ResumeDecision>> {
    const options = request.options.filter((o): o is ResumeDecision => o !== 'override');
    const prompt = { kind: 'decide' as const, stepId: request.step.id, options, ...(request.message ? { message: request.message } : {}) };
    return this.ask(prompt, [], []).then((a) => (a.kind === 'decided' ? { kind: 'answer', value: a.option as ResumeDecision } : { kind: 'refuse', reason: 'operator refused' }));
  }

  lockTakeover(request: LockTakeoverRequest): Promise<DeciderAnswer<string>> {
    const verdict = { level: 'typed' as const, expectedText: request.cluster, reason: `take over the STALE lock on '${request.cluster}' last held by ${request.staleHolder}` };
    return this.ask({ kind: 'confirm', stepId: this.state.current ?? '', verdict }, [], []).then((a) =>
      a.kind === 'given' && a.typed !== undefined ? { kind: 'answer', value: a.typed } : { kind: 'refuse', reason: a.kind === 'refused' ? a.reason : 'takeover refused' },
    );
  }

    checklist(request: ChecklistRequest): Promise<DeciderAnswer<number[]>> {
    return new Promise((resolve) => {
      this.pending = { kind: 'checklist', stepId: request.step.id, items: [...request.items], ticked: [], resolve };
      this.notify();
    });
  }

  private ask(prompt: WalkthroughPrompt['prompt'], targets: ResolvedTarget[], preflight: WalkthroughPrompt['preflight']): Promise<ConfirmAnswer> {
    return new Promise((resolve) => {
      this.pending = { kind: 'prompt', prompt: { prompt, targets, preflight: [...preflight] }, resolve };
      this.notify();
    });
  }

  /** Follows a run started elsewhere (a drill's steps run inside `hatui drill`'s code): its events and state. */
  follow(event: RunEvent, state: RunState): void {
    this.observe(event, state);
  }

  /** The run started elsewhere ended (or could not go on): shown as this session's end. */
  finish(result: RunResult | null, error?: Error): void {
    if (result) {
      this.result = result;
      this.state = result.state;
    }
    if (error) this.error = error;
    this.notify();
  }

  /** Something changed that is not a run event (a drill's report is written). */
  changed(): void {
    this.notify();
  }

  private observe(event: RunEvent, state: RunState): void {
    this.state = state;
    if (event.type === 'command-started') {
      this.output.clear();
      const [first, ...rest] = event.command.split('\n');
      this.output.append(`$ ${first}${rest.length ? ` … (+${rest.length} lines)` : ''}   @ ${event.target.host}\n`);
    } else if (event.type === 'command-output') {
      // Output is not a state change for the screen: the output view polls the buffer every ~100 ms.
      this.output.append(event.data);
      return;
    }
    this.notify();
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}
