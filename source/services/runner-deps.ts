// The runner's dependencies: everything with an effect is injected, so the SSH, audit, UI and drill
// work plug in without touching the loop (runner.ts), and tests drive it with doubles.
import type { ResolvedTarget, RunEvent } from '../core/engine/events.js';
import type { DecisionOption } from '../core/engine/next.js';
import type { ResumeDecision, RunState } from '../core/engine/state.js';
import type { Inventory } from '../core/inventory/model.js';
import type { ConfirmationVerdict } from '../core/policy/confirm.js';
import type { ExpressionResult } from '../core/engine/events.js';
import type { Step } from '../core/runbook/model.js';
import { createChunkRedactor, redactText, type ChunkRedactor } from '../core/secrets/index.js';
import type { Transport } from '../core/transport.js';
import { LocalTransport } from '../adapters/local/local-transport.js';

/** Where events go. `append` resolves only when the event is durable; it rejects when it cannot be written. */
export interface EventSink {
  append(event: RunEvent): Promise<void>;
}

/** An operator's answer to one question; `missing` stops a headless run with exit 3. */
export type DeciderAnswer<T> = { kind: 'answer'; value: T } | { kind: 'refuse'; reason?: string } | { kind: 'missing' };

export interface ConfirmRequest {
  step: Step;
  verdict: ConfirmationVerdict;
  targets: ResolvedTarget[];
  environment: string;
}
export interface ChecklistRequest {
  step: Step;
  /** Indexes into step.checklist still unticked. */
  items: number[];
}
export interface OverrideRequest {
  step: Step;
  results: ExpressionResult[];
  /** What must be typed to override. */
  expectedText: string;
  environment: string;
}
export interface DecisionRequest {
  step: Step;
  reason: 'unknown' | 'ask';
  options: DecisionOption[];
  message?: string;
}

/** Operator decisions: the answers file (headless), later the TUI. */
export interface Decider {
  /** `user@host` recorded as `by` in events. */
  readonly operator: string;
  /** The typed text, or `yes`. */
  confirm(request: ConfirmRequest): Promise<DeciderAnswer<string>>;
  /** Items ticked (must cover every requested item, otherwise treated as missing). */
  checklist(request: ChecklistRequest): Promise<DeciderAnswer<number[]>>;
  /** The typed override text for a blocked pre-flight. */
  preflightOverride(request: OverrideRequest): Promise<DeciderAnswer<string>>;
  /** What to do with an `unknown` step or an `on-fail=ask` failure. */
  resume(request: DecisionRequest): Promise<DeciderAnswer<ResumeDecision>>;
  /**
   * Take over a STALE operator lock (its holder's lease expired)? The answer is the typed cluster name.
   * Optional: a decider without it (the answers file, headless) refuses stale locks like held ones.
   */
  lockTakeover?(request: LockTakeoverRequest): Promise<DeciderAnswer<string>>;
}

export interface LockTakeoverRequest {
  cluster: string;
  /** Who held it, as recorded in the lock (user@host, pid, runbook, since). */
  staleHolder: string;
}

/** How a stale lock was taken over: the cluster name typed, or the resume of the very run that held it. */
export type LockTakeover = { previousHolder: string; typed?: string; sameRun?: boolean };

export type LockResult = { ok: true; holder: string; takeover?: LockTakeover } | { ok: false; message: string };

/** A held lock that is no longer ours: why, and who holds it now when the store says. */
export interface LockLoss {
  cluster: string;
  reason: string;
  holder?: string;
}

/** Operator locks per cluster, on a store every operator's hatui sees (lock.ts). */
export interface LockService {
  /** `onLost` is called once if the lock is lost after it was taken (lease expired, key deleted or taken over). */
  acquire(request: { cluster: string; holder: string; runbookId: string; runId: string; onLost?: (loss: LockLoss) => void }): Promise<LockResult>;
  /** Checks with the store now that these locks are still ours; a lost one is reported through its `onLost` before this resolves. */
  verify?(clusters: string[]): Promise<void>;
  release(cluster: string): Promise<void>;
}

export interface Clock {
  /** UTC ISO timestamp for `at` fields. */
  now(): string;
  /** Monotonic milliseconds for durations. */
  monotonicMs(): number;
}

/** Masks secrets in text shown or recorded; `chunks()` makes a streaming redactor for one command. */
export interface Redactor {
  text(text: string): string;
  chunks(): ChunkRedactor;
}

export interface RunnerDeps {
  sink: EventSink;
  /** Transport for a resolved target ('local' → LocalTransport; the SSH helper adds ssh). */
  transportFor(target: ResolvedTarget): Transport;
  /**
   * Resolves a host selector when its step starts (and again before each command). Empty = no match
   * (the step fails). Throwing an Error fails the step with its message.
   */
  /** Resolves a host selector; role selectors ask the cluster itself (Patroni REST, Sentinel), live. */
  resolveTarget(selector: string): Promise<ResolvedTarget[]>;
  decider: Decider;
  /** Live cluster state for CEL `clusters.<name>`: a fresh snapshot of the named clusters (all without names). */
  clusterState(names?: readonly string[]): Promise<Record<string, unknown>>;
  redactor: Redactor;
  clock: Clock;
  locks: LockService;
  /** Called after every event is durable and folded: the plain printer, the TUI, tests. */
  observe?(event: RunEvent, state: RunState): void;
}

export class MemorySink implements EventSink {
  readonly events: RunEvent[] = [];
  /** Make the n-th append (0-based) and every later one fail, to test write-ahead. */
  failFrom?: number;
  async append(event: RunEvent): Promise<void> {
    if (this.failFrom !== undefined && this.events.length >= this.failFrom) throw new Error('memory sink: write failed (test)');
    this.events.push(structuredClone(event));
  }
}

export const systemClock: Clock = {
  now: () => new Date().toISOString(),
  monotonicMs: () => performance.now(),
};

export function secretRedactor(secrets: Iterable<string>): Redactor {
  const list = [...secrets].filter((s) => s.length > 0);
  return { text: (text) => redactText(text, list), chunks: () => createChunkRedactor(list) };
}

/**
 * Test double: locks that always succeed and remember nothing outside this process. Never wired into a
 * real run (it would record `lock-taken` for a lock no other operator can see); see `noSharedLocks`.
 */
export const localLocks: LockService = {
  acquire: async ({ holder }) => ({ ok: true, holder }),
  release: async () => {},
};

/** A run without an inventory has no store every operator sees: `changes=` steps are refused. */
export const noSharedLocks: LockService = {
  acquire: async ({ cluster }) => ({
    ok: false,
    message: `no inventory, so no store every operator sees to keep the lock on cluster '${cluster}' in: give --inventory (docs/inventory.md, Operator locks)`,
  }),
  release: async () => {},
};

/**
 * Default selector resolution without live state: `local`, an inventory host name, or `<cluster>.members`
 * (every member host). Role selectors (`pg.leader`) need the SSH helper's resolver.
 */
export function inventoryResolver(inventory?: Inventory): RunnerDeps['resolveTarget'] {
  return async (selector) => {
    if (selector === 'local') return [{ selector, host: 'local' }];
    const host = inventory && Object.hasOwn(inventory.hosts, selector) ? inventory.hosts[selector] : undefined;
    if (host) return [{ selector, host: selector, address: host.address }];
    const dot = selector.indexOf('.');
    const cluster = dot > 0 && inventory && Object.hasOwn(inventory.clusters, selector.slice(0, dot)) ? inventory.clusters[selector.slice(0, dot)] : undefined;
    if (!cluster) throw new Error(`host selector '${selector}' names no inventory host or cluster`);
    const role = selector.slice(dot + 1);
    if (role === 'members' || role === 'all') {
      return cluster.members.map((m) => ({ selector, host: m.host, address: inventory?.hosts[m.host]?.address }));
    }
    throw new Error(`host selector '${selector}' needs live cluster state (role '${role}' is resolved by the SSH resolver)`);
  };
}

/** Default transports: local execution for `local` and inventory hosts with `transport: local`. */
export function localTransports(inventory?: Inventory): RunnerDeps['transportFor'] {
  const local = new LocalTransport();
  return (target) => {
    const host = inventory && Object.hasOwn(inventory.hosts, target.host) ? inventory.hosts[target.host] : undefined;
    if (target.host === 'local' || host?.transport === 'local') return local;
    throw new Error(`no transport for host '${target.host}': SSH execution is not available in this build`);
  };
}
