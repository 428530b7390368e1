// Polls every probe target of an inventory: one loop per target (not per cluster), each with its own
// timeout and backoff, never overlapping itself. A dead or hung target is marked stale with its age
// and never delays the others. Subscribers get immutable snapshots (deep-frozen), coalesced briefly.
import { setMaxListeners } from 'node:events';
import { deepFreeze, NO_ANSWER_YET, type ClusterSnapshot, type ClusterState } from '../core/cluster-state.js';
import type { Cluster, Inventory } from '../core/inventory/model.js';
import { noProbeState, probeFor } from '../adapters/probes/index.js';
import type { ClusterProbe, ProbeTarget, TargetResult } from '../adapters/probes/types.js';
import { alertmanagerTarget, combineAlerts } from '../adapters/probes/alertmanager.js';
import type { AlertsState } from '../core/alerts.js';
import type { Monitoring } from '../core/inventory/model.js';

export interface PollerOptions {
  /** Pause between two polls of one target (default 300 ms: a leader change shows within ~1 s). */
  intervalMs?: number;
  /** Per-request timeout (default 1000 ms). */
  timeoutMs?: number;
  /** Longest pause after repeated errors (default 2000 ms). */
  maxBackoffMs?: number;
  /** Pause between two polls of Alertmanager (default 1000 ms). */
  alertsIntervalMs?: number;
  /** Subscribers are called at most once per this window (default 30 ms). */
  coalesceMs?: number;
  now?: () => number;
  /** Probe table (default: the shipped probes); tests inject doubles. */
  probeFor?: (kind: Cluster['kind']) => ClusterProbe<unknown> | undefined;
  /** Honour targets' `startAfterMs` (default true; a one-shot status asks every target at once). */
  delayedStarts?: boolean;
}

/** Anything that hands out live cluster snapshots (the poller, or a fixed snapshot in tests). */
export interface ClusterStateSource {
  current(): ClusterSnapshot;
  subscribe(listener: (snapshot: ClusterSnapshot) => void): () => void;
}

interface TargetLoop {
  cluster: string;
  target: ProbeTarget;
  result: TargetResult;
  failures: number;
  intervalMs: number;
}

interface AlertsEntry {
  monitoring: Monitoring;
  loop: TargetLoop;
  state: AlertsState;
}

interface ClusterEntry {
  name: string;
  cluster: Cluster;
  probe: ClusterProbe<unknown> | undefined;
  loops: TargetLoop[];
  state: ClusterState;
}

export const NOT_YET = NO_ANSWER_YET;

export class Poller implements ClusterStateSource {
  private readonly entries = new Map<string, ClusterEntry>();
  private readonly alerts: AlertsEntry | undefined;
  private readonly listeners = new Set<(snapshot: ClusterSnapshot) => void>();
  private readonly stopController = new AbortController();
  private readonly opts: Required<Omit<PollerOptions, 'now' | 'probeFor' | 'delayedStarts'>>;
  private readonly now: () => number;
  private readonly delayedStarts: boolean;
  private snapshot: ClusterSnapshot;
  private emitTimer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly firstRound = new Set<TargetLoop>();
  private firstRoundWaiters: (() => void)[] = [];

  constructor(inventory: Inventory, options: PollerOptions = {}) {
    this.opts = {
      intervalMs: options.intervalMs ?? 300,
      timeoutMs: options.timeoutMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 2000,
      coalesceMs: options.coalesceMs ?? 30,
      alertsIntervalMs: options.alertsIntervalMs ?? 1000,
    };
    this.delayedStarts = options.delayedStarts ?? true;
    this.now = options.now ?? Date.now;
    // Every target loop listens on the stop signal (one listener per request, sleeps).
    setMaxListeners(0, this.stopController.signal);
    const startedAt = this.now();
    for (const [name, cluster] of Object.entries(inventory.clusters)) {
      const probe = (options.probeFor ?? probeFor)(cluster.kind);
      const loops: TargetLoop[] = (probe?.targets(name, cluster, inventory) ?? []).map((target) => ({
        cluster: name,
        target,
        failures: 0,
        intervalMs: this.opts.intervalMs,
        result: { id: target.id, address: target.address, last: null, lastOkAt: null, error: NOT_YET, startedAt },
      }));
      const entry: ClusterEntry = { name, cluster, probe, loops, state: noProbeState(name, cluster, startedAt) };
      entry.state = this.combine(entry, startedAt);
      this.entries.set(name, entry);
    }
    if (inventory.monitoring) {
      const target = alertmanagerTarget(inventory.monitoring);
      const loop: TargetLoop = {
        cluster: 'monitoring',
        target,
        failures: 0,
        intervalMs: this.opts.alertsIntervalMs,
        result: { id: target.id, address: target.address, last: null, lastOkAt: null, error: NOT_YET, startedAt },
      };
      this.alerts = { monitoring: inventory.monitoring, loop, state: combineAlerts(inventory.monitoring, loop.result as TargetResult<never>, startedAt, NOT_YET) };
    }
    this.snapshot = this.build();
  }

  current(): ClusterSnapshot {
    return this.snapshot;
  }

  subscribe(listener: (snapshot: ClusterSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): this {
    if (this.running) return this;
    this.running = true;
    for (const entry of this.entries.values())
      for (const loop of entry.loops) {
        this.firstRound.add(loop);
        void this.run(loop, () => (entry.state = this.combine(entry, this.now())));
      }
    const alerts = this.alerts;
    if (alerts) {
      this.firstRound.add(alerts.loop);
      void this.run(alerts.loop, () => (alerts.state = this.combineAlerts(alerts, this.now())));
    }
    return this;
  }

  stop(): void {
    this.running = false;
    this.stopController.abort(new Error('poller stopped'));
    if (this.emitTimer) clearTimeout(this.emitTimer);
    this.listeners.clear();
    this.releaseFirstRound(true);
  }

  /** Resolves once every target has answered or failed at least once (or after `deadlineMs`). */
  firstRoundDone(deadlineMs = 5000): Promise<ClusterSnapshot> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(this.refresh());
      };
      const timer = setTimeout(done, deadlineMs);
      if (this.firstRound.size === 0) done();
      else this.firstRoundWaiters.push(done);
    });
  }

  /** Recomputes every cluster at the current time (stale ages) and returns the snapshot. */
  refresh(): ClusterSnapshot {
    const now = this.now();
    for (const entry of this.entries.values()) entry.state = this.combine(entry, now);
    if (this.alerts) this.alerts.state = this.combineAlerts(this.alerts, now);
    this.snapshot = this.build();
    return this.snapshot;
  }

  /** One target's loop; `folded` recomputes what the target belongs to (its cluster, or the alerts). */
  private async run(loop: TargetLoop, folded: () => void): Promise<void> {
    const stop = this.stopController.signal;
    if (loop.target.startAfterMs && this.delayedStarts) await sleep(loop.target.startAfterMs, stop);
    while (this.running) {
      const started = this.now();
      // A controller and a timer of our own, not AbortSignal.any([stop, AbortSignal.timeout()]): Node may
      // garbage-collect a timeout signal that only a composite holds, and then the poll never times out
      // (nodejs/node#57736; a frozen member stayed "fresh" for 15 s in CI).
      const request = new AbortController();
      const timeout = setTimeout(() => request.abort(new DOMException('timed out', 'TimeoutError')), this.opts.timeoutMs);
      const onStop = () => request.abort(stop.reason);
      stop.addEventListener('abort', onStop, { once: true });
      const signal = request.signal;
      try {
        const value = await loop.target.fetch(signal);
        loop.result = { ...loop.result, last: value, lastOkAt: this.now(), error: null };
        loop.failures = 0;
      } catch (error) {
        if (!this.running) return;
        const message = signal.aborted && !stop.aborted ? `${loop.target.address}: timed out after ${this.opts.timeoutMs} ms` : (error as Error).message;
        loop.result = { ...loop.result, error: message || 'failed' };
        loop.failures++;
      } finally {
        clearTimeout(timeout);
        stop.removeEventListener('abort', onStop);
      }
      this.firstRound.delete(loop);
      this.releaseFirstRound(false);
      folded();
      this.scheduleEmit();
      const pause =
        loop.failures === 0
          ? Math.max(0, loop.intervalMs - (this.now() - started))
          : Math.min(this.opts.maxBackoffMs, loop.intervalMs * 2 ** (loop.failures - 1));
      await sleep(pause, stop);
    }
  }

  private combine(entry: ClusterEntry, now: number): ClusterState {
    if (!entry.probe) return noProbeState(entry.name, entry.cluster, now);
    return deepFreeze(entry.probe.combine(entry.name, entry.cluster, entry.loops.map((l) => l.result), entry.state, now));
  }

  private combineAlerts(alerts: AlertsEntry, now: number): AlertsState {
    return deepFreeze(combineAlerts(alerts.monitoring, alerts.loop.result as TargetResult<never>, now, NOT_YET));
  }

  private build(): ClusterSnapshot {
    const clusters: Record<string, ClusterState> = {};
    for (const [name, entry] of this.entries) clusters[name] = entry.state;
    return deepFreeze({ fetchedAt: new Date(this.now()).toISOString(), clusters, ...(this.alerts ? { alerts: this.alerts.state } : {}) });
  }

  private scheduleEmit(): void {
    if (this.emitTimer || !this.running) return;
    this.emitTimer = setTimeout(() => {
      this.emitTimer = undefined;
      this.snapshot = this.build();
      for (const listener of this.listeners) listener(this.snapshot);
    }, this.opts.coalesceMs);
  }

  private releaseFirstRound(all: boolean): void {
    if (!all && this.firstRound.size > 0) return;
    const waiters = this.firstRoundWaiters;
    this.firstRoundWaiters = [];
    for (const w of waiters) w();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A fixed snapshot as a source (tests, replay). */
export function staticSource(snapshot: ClusterSnapshot): ClusterStateSource {
  return { current: () => snapshot, subscribe: () => () => undefined };
}
