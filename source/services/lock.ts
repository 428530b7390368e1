// Operator locks per cluster, kept where every operator's hatui sees them: on the cluster's own
// coordination store (Patroni → its etcd, a key with a lease; Redis Sentinel → the master, a key with a
// TTL). A second run is refused naming the holder (exit 4). A holder whose lease ran out without a release
// (its process died) is reported as stale; taking it over needs the cluster name typed, and the returned
// record is what the runner logs as `lock-taken` with `takeover`.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import type { HttpFetch } from '../adapters/http-client.js';
import type { Cluster, Inventory } from '../core/inventory/model.js';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import { readCredential } from '../core/secrets/credentials.js';
import type { LockResult, LockService } from './runner-deps.js';
import { EtcdLockStore } from './lock-etcd.js';
import { RedisLockStore } from './lock-redis.js';
import type { LockStore } from './lock-store.js';
import { splitHostPort } from './resolve-target.js';

export interface LockHolder {
  user: string;
  host: string;
  pid: number;
  runbook: string;
  startedAt: string;
  runId?: string;
  /** Random, so two holders never compare equal. */
  id?: string;
}

export interface LockRecord {
  cluster: string;
  holder: string;
  takeover?: { previousHolder: string; typed: string };
}

export interface LockHandle {
  cluster: string;
  holder: LockHolder;
  /** For the `lock-taken` event. */
  record: LockRecord;
  release(): Promise<void>;
  /** Called once if the claim is lost (lease expired, store unreachable for a whole TTL). */
  onLost(listener: (why: string) => void): void;
}

export function describeHolder(h: LockHolder): string {
  return `${h.user}@${h.host} pid ${h.pid} (runbook ${h.runbook}, since ${h.startedAt})`;
}

export class LockHeldError extends HatuiError {
  constructor(
    readonly cluster: string,
    readonly holder: LockHolder,
    readonly stale: boolean,
    where: string,
  ) {
    super(
      stale
        ? `cluster '${cluster}': lock is STALE: last held by ${describeHolder(holder)}, whose lease expired without a release (process gone?). Take it over only after checking; it needs the cluster name typed (${where})`
        : `cluster '${cluster}' is locked by ${describeHolder(holder)} (${where}); wait for that run to finish`,
      ExitCode.refused,
    );
    this.name = 'LockHeldError';
  }
}

export interface LockManagerOptions {
  /** Lease / TTL (default 15 s); the holder refreshes every third of it. */
  leaseMs?: number;
  fetch?: HttpFetch;
  env?: Record<string, string | undefined>;
  /** Key prefix (default /hatui/locks/ on etcd, hatui:lock: on Redis). */
  prefix?: string;
}

export interface LockManager {
  /** Whether the cluster's kind has a coordination store hatui can lock on (patroni, etcd, redis-sentinel). */
  supports(cluster: string): boolean;
  acquireLock(cluster: string, holder: LockHolder, opts?: { takeover?: { previous: LockHolder; typed: string } }): Promise<LockHandle>;
  inspectLock(cluster: string): Promise<{ holder?: LockHolder; stale?: LockHolder }>;
  close(): Promise<void>;
}

export function currentHolder(runbook: string, runId?: string): LockHolder {
  return { user: safeUser(), host: hostname(), pid: process.pid, runbook, startedAt: new Date().toISOString(), ...(runId ? { runId } : {}) };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/** The exact stored record behind a parsed holder (a takeover compares it byte for byte). */
const rawRecords = new WeakMap<LockHolder, string>();

function parseHolder(value: string): LockHolder {
  const holder = parseHolderFields(value);
  rawRecords.set(holder, value);
  return holder;
}

function parseHolderFields(value: string): LockHolder {
  try {
    const v = JSON.parse(value) as Partial<LockHolder>;
    return { user: String(v.user ?? '?'), host: String(v.host ?? '?'), pid: Number(v.pid ?? 0), runbook: String(v.runbook ?? '?'), startedAt: String(v.startedAt ?? '?'), ...(v.runId ? { runId: v.runId } : {}), ...(v.id ? { id: v.id } : {}) };
  } catch {
    return { user: '?', host: '?', pid: 0, runbook: `unreadable holder record: ${value.slice(0, 80)}`, startedAt: '?' };
  }
}

/** The store a cluster's lock lives on. */
export function lockStoreFor(inventory: Inventory, clusterName: string, opts: LockManagerOptions = {}): LockStore {
  const cluster = Object.hasOwn(inventory.clusters, clusterName) ? inventory.clusters[clusterName] : undefined;
  if (!cluster) throw new HatuiError(`lock: no cluster '${clusterName}' in the inventory`, ExitCode.failed);
  switch (cluster.kind) {
    case 'patroni':
    case 'etcd':
    // A Redis Cluster has no single coordination node, Weaviate none hatui can use: their lock lives on the inventory's etcd.
    case 'redis-cluster':
    case 'weaviate': {
      const url = etcdUrl(inventory, cluster);
      if (!url) throw new HatuiError(`lock: cluster '${clusterName}': no etcd to keep the lock on (set endpoints.dcs on the cluster, or add an etcd cluster with endpoints.client)`, ExitCode.failed);
      return new EtcdLockStore(url, `${opts.prefix ?? '/hatui/locks/'}${clusterName}`, opts.fetch ? { fetch: opts.fetch } : {});
    }
    case 'redis-sentinel': {
      if (!cluster.masterName || !cluster.sentinels?.length) throw new HatuiError(`lock: cluster '${clusterName}' needs masterName and sentinels`, ExitCode.failed);
      const source = cluster.credentials?.password ?? cluster.credentials?.redis;
      const password = source ? readCredential(source, { env: opts.env ?? process.env, readFile: (p) => readFileSync(p, 'utf8') }, `clusters.${clusterName}.credentials`) : undefined;
      const sentinels = cluster.sentinels.map((s) => {
        const [host, port] = splitHostPort(s);
        return { host, port };
      });
      return new RedisLockStore({ sentinels, masterName: cluster.masterName, ...(password ? { password } : {}) }, `${opts.prefix ?? 'hatui:lock:'}${clusterName}`);
    }
    default:
      throw new HatuiError(`lock: ${cluster.kind} cluster '${clusterName}' has no coordination store hatui can lock on (patroni, etcd, redis-sentinel can; redis-cluster and weaviate via the inventory's etcd)`, ExitCode.failed);
  }
}

function etcdUrl(inventory: Inventory, cluster: Cluster): string | undefined {
  const own = cluster.endpoints?.dcs ?? cluster.endpoints?.etcd ?? (cluster.kind === 'etcd' ? cluster.endpoints?.client : undefined);
  const etcd = own ? undefined : Object.values(inventory.clusters).find((c) => c.kind === 'etcd');
  const raw = own ?? etcd?.endpoints?.client ?? etcd?.members.find((m) => m.endpoint)?.endpoint;
  if (!raw) return undefined;
  return raw.includes('://') ? raw : `http://${raw}`;
}

export function createLockManager(inventory: Inventory, opts: LockManagerOptions = {}): LockManager {
  const leaseMs = opts.leaseMs ?? 15_000;
  const stores = new Map<string, LockStore>();
  const store = (cluster: string) => {
    let s = stores.get(cluster);
    if (!s) {
      s = lockStoreFor(inventory, cluster, opts);
      stores.set(cluster, s);
    }
    return s;
  };

  return {
    supports(cluster) {
      const kind = Object.hasOwn(inventory.clusters, cluster) ? inventory.clusters[cluster]!.kind : undefined;
      return kind === 'patroni' || kind === 'etcd' || kind === 'redis-sentinel';
    },
    async acquireLock(cluster, holder, acquireOpts = {}) {
      const s = store(cluster);
      const me: LockHolder = { ...holder, id: holder.id ?? randomBytes(8).toString('hex') };
      const value = JSON.stringify(me);
      const takeover = acquireOpts.takeover;
      if (takeover && takeover.typed !== cluster) {
        throw new HatuiError(`lock takeover of cluster '${cluster}' not confirmed: typed '${takeover.typed}', expected '${cluster}'`, ExitCode.refused);
      }
      const outcome = await s.acquire(value, leaseMs, takeover ? (rawRecords.get(takeover.previous) ?? JSON.stringify(takeover.previous)) : undefined);
      if (outcome.status === 'held') throw new LockHeldError(cluster, parseHolder(outcome.current), false, s.where);
      if (outcome.status === 'stale') throw new LockHeldError(cluster, parseHolder(outcome.previous), true, s.where);
      return startHandle(cluster, me, value, outcome.token, s, leaseMs, takeover);
    },
    async inspectLock(cluster) {
      const { current, previous } = await store(cluster).inspect();
      if (current !== undefined) return { holder: parseHolder(current) };
      if (previous !== undefined) return { stale: parseHolder(previous) };
      return {};
    },
    async close() {
      await Promise.allSettled([...stores.values()].map((s) => s.close()));
      stores.clear();
    },
  };
}

function startHandle(cluster: string, holder: LockHolder, value: string, token: string, store: LockStore, leaseMs: number, takeover?: { previous: LockHolder; typed: string }): LockHandle {
  const listeners: Array<(why: string) => void> = [];
  let lost: string | undefined;
  let released = false;
  let lastOk = Date.now();
  const loseWith = (why: string) => {
    if (lost || released) return;
    lost = why;
    clearInterval(timer);
    for (const l of listeners.splice(0)) l(why);
  };
  const timer = setInterval(() => {
    store.refresh(token, value, leaseMs).then(
      (ok) => {
        if (ok) lastOk = Date.now();
        else loseWith(`the lock on '${cluster}' expired or was taken (${store.where})`);
      },
      (error: Error) => {
        if (Date.now() - lastOk > leaseMs) loseWith(`cannot refresh the lock on '${cluster}': ${error.message}`);
      },
    );
  }, Math.max(200, Math.floor(leaseMs / 3)));
  return {
    cluster,
    holder,
    record: {
      cluster,
      holder: describeHolder(holder),
      ...(takeover ? { takeover: { previousHolder: describeHolder(takeover.previous), typed: takeover.typed } } : {}),
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await store.release(token, value);
    },
    onLost(listener) {
      if (lost) listener(lost);
      else listeners.push(listener);
    },
  };
}

/**
 * The runner's LockService over a LockManager. `confirmTakeover` is asked (with the stale holder) for the
 * typed cluster name; without it, or without an answer, a stale lock is refused like a held one.
 */
export function createLockService(
  manager: LockManager,
  opts: { holder?: (runbookId: string, runId: string) => LockHolder; confirmTakeover?: (cluster: string, stale: LockHolder) => Promise<string | undefined> } = {},
): LockService & { handles: Map<string, LockHandle> } {
  const handles = new Map<string, LockHandle>();
  return {
    handles,
    async acquire({ cluster, runbookId, runId }): Promise<LockResult> {
      const holder = opts.holder?.(runbookId, runId) ?? currentHolder(runbookId, runId);
      // Kinds without a coordination store (mongodb, kafka, …) cannot be locked cluster-wide; say so in
      // the recorded holder instead of blocking every runbook that changes them.
      if (!manager.supports(cluster)) return { ok: true, holder: `${describeHolder(holder)} (not shared: cluster '${cluster}' has no coordination store hatui can lock on)` };
      try {
        const handle = await manager.acquireLock(cluster, holder);
        handles.set(cluster, handle);
        return { ok: true, holder: handle.record.holder };
      } catch (error) {
        if (!(error instanceof LockHeldError) || !error.stale || !opts.confirmTakeover) return { ok: false, message: (error as Error).message };
        const typed = await opts.confirmTakeover(cluster, error.holder);
        if (typed === undefined) return { ok: false, message: error.message };
        try {
          const handle = await manager.acquireLock(cluster, holder, { takeover: { previous: error.holder, typed } });
          handles.set(cluster, handle);
          return { ok: true, holder: handle.record.holder, ...(handle.record.takeover ? { takeover: handle.record.takeover } : {}) };
        } catch (again) {
          return { ok: false, message: (again as Error).message };
        }
      }
    },
    async release(cluster) {
      const handle = handles.get(cluster);
      handles.delete(cluster);
      await handle?.release();
    },
  };
}
