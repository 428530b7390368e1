// Operator locks per cluster, kept where every operator's hatui sees them: on the cluster's own
// coordination store (Patroni → its etcd, a key with a lease; Redis Sentinel → the master, a key with a
// TTL), or, for kinds without one (HAProxy, MongoDB, Kafka, Weaviate, Redis Cluster), on the store the
// inventory names in `locks.store`. With neither, the lock is refused: a lock nobody else can see is
// never recorded as taken. A second run is refused naming the holder (exit 4). A holder whose lease ran
// out without a release (its process died) is reported as stale; taking it over needs the cluster name
// typed (or is the resume of that very run), and the returned record is what the runner logs as
// `lock-taken` with `takeover`. A held lock is refreshed in the background and checked again before
// every command; losing it (lease expired, key deleted or taken) is reported once through `onLost`.
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { HttpFetch } from '../adapters/http-client.js';
import type { Cluster, Inventory } from '../core/inventory/model.js';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import { clusterCredential } from '../core/secrets/credentials.js';
import { REDIS_AUTH_KEY } from '../core/inventory/credential-keys.js';
import { systemCredentialReader } from '../adapters/credential-reader.js';
import { lockStoreKinds, type ClusterKind } from '../core/inventory/model.js';
import type { LockLoss, LockResult, LockService } from './runner-deps.js';
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

/** `typed`: the cluster name the operator typed; `sameRun`: the resume of the run that held it. */
export type TakeoverRecord = { previousHolder: string; typed?: string; sameRun?: boolean };

export interface LockRecord {
  cluster: string;
  holder: string;
  takeover?: TakeoverRecord;
}

/** Why a held lock is no longer ours, and who holds it now when the store says. */
export type LostLock = Omit<LockLoss, 'cluster'>;

export interface LockHandle {
  cluster: string;
  holder: LockHolder;
  /** For the `lock-taken` event. */
  record: LockRecord;
  release(): Promise<void>;
  /** Called once if the claim is lost (lease expired, key deleted or taken, store unreachable for a whole TTL). */
  onLost(listener: (loss: LostLock) => void): void;
  /** Refreshes now: true while the lock is ours; false once it is lost (the listeners have been called). */
  check(): Promise<boolean>;
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

/** A confirmed takeover of a stale lock: the cluster name typed, or the resume of the run that held it. */
export type Takeover = { previous: LockHolder; typed: string } | { previous: LockHolder; sameRun: true };

export interface LockManager {
  /** Why the cluster cannot be locked where every operator sees it, or undefined when it can. */
  unsupported(cluster: string): string | undefined;
  acquireLock(cluster: string, holder: LockHolder, opts?: { takeover?: Takeover }): Promise<LockHandle>;
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

/** Where a cluster's lock lives: the cluster itself (it has a coordination store) or the inventory's `locks.store`. */
function lockHome(inventory: Inventory, clusterName: string): { home: string; cluster: Cluster } {
  const cluster = Object.hasOwn(inventory.clusters, clusterName) ? inventory.clusters[clusterName] : undefined;
  if (!cluster) throw new HatuiError(`lock: no cluster '${clusterName}' in the inventory`, ExitCode.failed);
  if (ownStore(cluster.kind)) return { home: clusterName, cluster };
  const store = inventory.locks?.store;
  const home = store !== undefined && Object.hasOwn(inventory.clusters, store) ? inventory.clusters[store] : undefined;
  if (store === undefined || !home || home.kind === 'patroni' || !ownStore(home.kind)) {
    throw new HatuiError(
      `lock: ${cluster.kind} cluster '${clusterName}' has no coordination store of its own, and the inventory names no shared one: ` +
        `set \`locks: { store: <an etcd or redis-sentinel cluster> }\` in the inventory (docs/inventory.md, Operator locks) so every operator sees the lock. ` +
        `Steps with changes=${clusterName} are refused until then.`,
      ExitCode.refused,
    );
  }
  return { home: store, cluster: home };
}

const ownStore = (kind: ClusterKind) => (lockStoreKinds as readonly string[]).includes(kind);

/** The store a cluster's lock lives on (the key is always named after the locked cluster). */
export function lockStoreFor(inventory: Inventory, clusterName: string, opts: LockManagerOptions = {}): LockStore {
  const { home, cluster } = lockHome(inventory, clusterName);
  switch (cluster.kind) {
    case 'patroni':
    case 'etcd': {
      const urls = etcdUrls(inventory, cluster);
      if (urls.length === 0) throw new HatuiError(`lock: cluster '${home}': no etcd to keep the lock on (set endpoints.dcs on the cluster, or add an etcd cluster with endpoints.client)`, ExitCode.failed);
      return new EtcdLockStore(urls, `${opts.prefix ?? '/hatui/locks/'}${clusterName}`, opts.fetch ? { fetch: opts.fetch } : {});
    }
    case 'redis-sentinel': {
      if (!cluster.masterName || !cluster.sentinels?.length) throw new HatuiError(`lock: cluster '${home}' needs masterName and sentinels`, ExitCode.failed);
      const password = clusterCredential(home, cluster, REDIS_AUTH_KEY, systemCredentialReader(opts.env));
      const sentinels = cluster.sentinels.map((s) => {
        const [host, port] = splitHostPort(s);
        return { host, port };
      });
      return new RedisLockStore({ sentinels, masterName: cluster.masterName, ...(password ? { password } : {}) }, `${opts.prefix ?? 'hatui:lock:'}${clusterName}`);
    }
    default:
      throw new HatuiError(`lock: ${cluster.kind} cluster '${home}' has no coordination store hatui can lock on (patroni, etcd and redis-sentinel can)`, ExitCode.failed);
  }
}

/** Every etcd client URL the inventory gives for a cluster's DCS (comma-separated lists split), in order. */
function etcdUrls(inventory: Inventory, cluster: Cluster): string[] {
  const own = cluster.endpoints?.dcs ?? cluster.endpoints?.etcd ?? (cluster.kind === 'etcd' ? cluster.endpoints?.client : undefined);
  const etcd = cluster.kind === 'etcd' ? cluster : own ? undefined : Object.values(inventory.clusters).find((c) => c.kind === 'etcd');
  const listed = own ?? etcd?.endpoints?.client;
  const raw = listed !== undefined ? listed.split(',') : (etcd?.members.flatMap((m) => (m.endpoint ? [m.endpoint] : [])) ?? []);
  return raw.map((u) => u.trim()).filter((u) => u.length > 0).map((u) => (u.includes('://') ? u : `http://${u}`));
}

export function createLockManager(inventory: Inventory, opts: LockManagerOptions = {}): LockManager {
  const leaseMs = opts.leaseMs ?? 15_000;
  const stores = new Map<string, LockStore>();
  const open = new Set<LockHandle>();
  const store = (cluster: string) => {
    let s = stores.get(cluster);
    if (!s) {
      s = lockStoreFor(inventory, cluster, opts);
      stores.set(cluster, s);
    }
    return s;
  };

  return {
    unsupported(cluster) {
      try {
        lockHome(inventory, cluster);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    },
    async acquireLock(cluster, holder, acquireOpts = {}) {
      const s = store(cluster);
      const me: LockHolder = { ...holder, id: holder.id ?? randomBytes(8).toString('hex') };
      const value = JSON.stringify(me);
      const takeover = acquireOpts.takeover;
      if (takeover && 'typed' in takeover && takeover.typed !== cluster) {
        throw new HatuiError(`lock takeover of cluster '${cluster}' not confirmed: typed '${takeover.typed}', expected '${cluster}'`, ExitCode.refused);
      }
      if (takeover && 'sameRun' in takeover && (!me.runId || takeover.previous.runId !== me.runId)) {
        throw new HatuiError(`lock takeover of cluster '${cluster}' refused: the stale holder (${describeHolder(takeover.previous)}) is not the run being resumed`, ExitCode.refused);
      }
      const outcome = await s.acquire(value, leaseMs, takeover ? (rawRecords.get(takeover.previous) ?? JSON.stringify(takeover.previous)) : undefined);
      if (outcome.status === 'held') throw new LockHeldError(cluster, parseHolder(outcome.current), false, s.where);
      if (outcome.status === 'stale') throw new LockHeldError(cluster, parseHolder(outcome.previous), true, s.where);
      const handle = startHandle(cluster, me, value, outcome.token, s, leaseMs, takeover, () => open.delete(handle));
      open.add(handle);
      return handle;
    },
    async inspectLock(cluster) {
      const { current, previous } = await store(cluster).inspect();
      if (current !== undefined) return { holder: parseHolder(current) };
      if (previous !== undefined) return { stale: parseHolder(previous) };
      return {};
    },
    async close() {
      // A handle still open here belongs to a run that ended without releasing it: release it rather
      // than leave it refreshing (or, once the store is closed, expiring as a stale lock).
      await Promise.allSettled([...open].map((h) => h.release()));
      await Promise.allSettled([...stores.values()].map((s) => s.close()));
      stores.clear();
    },
  };
}

function startHandle(
  cluster: string,
  holder: LockHolder,
  value: string,
  token: string,
  store: LockStore,
  leaseMs: number,
  takeover: Takeover | undefined,
  onClosed: () => void,
): LockHandle {
  const listeners: Array<(loss: LostLock) => void> = [];
  let lost: LostLock | undefined;
  let losing: Promise<void> | undefined;
  let released = false;
  let lastOk = Date.now();
  const stop = () => {
    clearInterval(timer);
    onClosed();
  };
  /** Records the loss once, naming the new holder when the store tells. */
  const loseWith = (reason: string, ask: boolean): Promise<void> => {
    if (lost || released) return Promise.resolve();
    losing ??= (async () => {
      stop();
      let now: string | undefined;
      if (ask) {
        try {
          const seen = await store.inspect();
          if (seen.current !== undefined && seen.current !== value) now = describeHolder(parseHolder(seen.current));
        } catch {
          // The store could not say who holds it now: the loss stands without a name.
        }
      }
      if (released) return;
      lost = { reason, ...(now ? { holder: now } : {}) };
      for (const l of listeners.splice(0)) l(lost);
    })();
    return losing;
  };
  const taken = `the lock on '${cluster}' expired or its key was deleted or taken (${store.where})`;
  const refresh = async (): Promise<boolean> => {
    if (lost) return false;
    if (released) return false;
    try {
      if (await store.refresh(token, value, leaseMs)) {
        lastOk = Date.now();
        return true;
      }
      await loseWith(taken, true);
    } catch (error) {
      // Unreachable: still ours while most of the lease is left (nobody else can claim it before it runs out).
      if (Date.now() - lastOk < (leaseMs * 2) / 3) return true;
      await loseWith(`cannot refresh the lock on '${cluster}' (${store.where}): ${(error as Error).message}`, false);
    }
    return false;
  };
  const timer = setInterval(() => void refresh(), Math.max(200, Math.floor(leaseMs / 3)));
  return {
    cluster,
    holder,
    record: {
      cluster,
      holder: describeHolder(holder),
      ...(takeover ? { takeover: { previousHolder: describeHolder(takeover.previous), ...('typed' in takeover ? { typed: takeover.typed } : { sameRun: true }) } } : {}),
    },
    async release() {
      if (released) return;
      released = true;
      stop();
      if (lost) return; // not ours any more: nothing of it to delete
      await store.release(token, value);
    },
    onLost(listener) {
      if (lost) listener(lost);
      else listeners.push(listener);
    },
    check: refresh,
  };
}

/** How long a resume waits for the lease of the run it resumes to run out (that run's process is gone). */
const sameRunWait = (leaseMs: number) => leaseMs + 2000;

/**
 * The runner's LockService over a LockManager. `confirmTakeover` is asked (with the stale holder) for the
 * typed cluster name; without it, or without an answer, a stale lock is refused like a held one. A stale
 * lock held by the same run id (a resume of a crashed run) is taken over without asking, and recorded so.
 */
export function createLockService(
  manager: LockManager,
  opts: {
    holder?: (runbookId: string, runId: string) => LockHolder;
    confirmTakeover?: (cluster: string, stale: LockHolder) => Promise<string | undefined>;
    /** The lease the manager uses (for how long a resume waits for its own crashed run's lease). */
    leaseMs?: number;
  } = {},
): LockService & { handles: Map<string, LockHandle> } {
  const handles = new Map<string, LockHandle>();
  const leaseMs = opts.leaseMs ?? 15_000;
  const took = (handle: LockHandle, onLost?: (loss: LockLoss) => void): LockResult => {
    handles.set(handle.cluster, handle);
    if (onLost) handle.onLost((loss) => onLost({ cluster: handle.cluster, ...loss }));
    return { ok: true, holder: handle.record.holder, ...(handle.record.takeover ? { takeover: handle.record.takeover } : {}) };
  };
  return {
    handles,
    async acquire({ cluster, runbookId, runId, onLost }): Promise<LockResult> {
      const holder = opts.holder?.(runbookId, runId) ?? currentHolder(runbookId, runId);
      const why = manager.unsupported(cluster);
      if (why) return { ok: false, message: why };
      let error: unknown;
      try {
        return took(await manager.acquireLock(cluster, holder), onLost);
      } catch (e) {
        error = e;
      }
      // The run being resumed held it: once its lease runs out (its process is gone) the resume takes it over.
      const deadline = Date.now() + sameRunWait(leaseMs);
      while (error instanceof LockHeldError && error.holder.runId === runId && !error.stale && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        try {
          return took(await manager.acquireLock(cluster, holder), onLost);
        } catch (e) {
          error = e;
        }
      }
      if (error instanceof LockHeldError && error.holder.runId === runId) {
        if (!error.stale) return { ok: false, message: `${error.message}; it is this same run, still refreshed by another hatui process: is the original run still going?` };
        try {
          return took(await manager.acquireLock(cluster, holder, { takeover: { previous: error.holder, sameRun: true } }), onLost);
        } catch (again) {
          return { ok: false, message: (again as Error).message };
        }
      }
      if (!(error instanceof LockHeldError) || !error.stale || !opts.confirmTakeover) return { ok: false, message: (error as Error).message };
      const typed = await opts.confirmTakeover(cluster, error.holder);
      if (typed === undefined) return { ok: false, message: error.message };
      try {
        return took(await manager.acquireLock(cluster, holder, { takeover: { previous: error.holder, typed } }), onLost);
      } catch (again) {
        return { ok: false, message: (again as Error).message };
      }
    },
    async verify(clusters) {
      await Promise.all(clusters.map((c) => handles.get(c)?.check()));
    },
    async release(cluster) {
      const handle = handles.get(cluster);
      handles.delete(cluster);
      await handle?.release();
    },
  };
}
