// Live wiring for a run against real clusters: SSH (and local) transports from the inventory, role
// selectors (`pg.leader`, `redis.master`) resolved from live state, and a fresh cluster snapshot for CEL
// (`clusters.<name>`, of the clusters asked for) at every call, built from the same probes the poller uses.
//
//   createLiveDeps(inventory, { secrets?, env?, readFile?, probeTimeoutMs? })
//     → { transportFor, resolveTarget, clusterState(names?), secrets, prewarm, close }
//   snapshotClusters(inventory, { timeoutMs?, prev?, probeFor?, only? }) → Record<cluster, ClusterState>
//   defaultLabInventoryPath(env?) → the lab's inventory.yaml when it exists (the embedded default), else undefined
//
// The snapshot (snapshot.ts) asks every probe target once, in parallel, each bounded by its own timeout:
// a dead or hung target shows as stale in its cluster's state and never delays the others beyond that bound.
import { existsSync, readFileSync } from 'node:fs';
import type { ClusterState } from '../core/cluster-state.js';
import type { ResolvedTarget } from '../core/engine/events.js';
import type { Cluster, Inventory } from '../core/inventory/model.js';
import { inventorySecrets } from '../core/secrets/credentials.js';
import { createTransports } from '../adapters/ssh/index.js';
import type { ClusterProbe } from '../adapters/probes/types.js';
import { createTargetResolver } from './resolve-target.js';
import { snapshotCluster, type ClusterSnapshotOptions } from './snapshot.js';
import type { RunnerDeps } from './runner-deps.js';

export interface LiveDepsOptions {
  /** Extra secrets to mask in every result (inventory credentials are added automatically). */
  secrets?: readonly string[];
  /** Environment and file reader for inventory credentials (defaults: process.env, readFileSync). */
  env?: Record<string, string | undefined>;
  readFile?: (path: string) => string;
  /** Per-target timeout of one snapshot (default 1500 ms). */
  probeTimeoutMs?: number;
  /** Probe table (tests inject doubles). */
  probeFor?: (kind: Cluster['kind']) => ClusterProbe<unknown> | undefined;
}

export interface LiveDeps {
  transportFor: RunnerDeps['transportFor'];
  resolveTarget: RunnerDeps['resolveTarget'];
  clusterState: RunnerDeps['clusterState'];
  /** Inventory credentials readable right now plus the given secrets: mask them everywhere. */
  secrets: string[];
  /** Opens (in the background) the SSH connection this host selector resolves to now. */
  prewarm(selector: string): void;
  /** Closes every pooled SSH connection. */
  close(): Promise<void>;
}

export function createLiveDeps(inventory: Inventory, opts: LiveDepsOptions = {}): LiveDeps {
  const reader = { env: opts.env ?? process.env, readFile: opts.readFile ?? ((path: string) => readFileSync(path, 'utf8')) };
  const secrets = [...new Set([...(opts.secrets ?? []), ...inventorySecrets(inventory, reader)])].filter((s) => s.length > 0);
  const transports = createTransports(inventory, { secrets });
  const resolver = createTargetResolver(inventory, { hostKey: (host) => transports.ssh.hostKey(host) });
  let prev: Record<string, ClusterState> = {};
  return {
    transportFor: (target: ResolvedTarget) => transports.transportFor(target),
    resolveTarget: (selector) => resolver.resolve(selector),
    async clusterState(names) {
      const fresh = await snapshotClusters(inventory, {
        prev,
        ...(names ? { only: names } : {}),
        ...(opts.probeTimeoutMs !== undefined ? { timeoutMs: opts.probeTimeoutMs } : {}),
        ...(opts.probeFor ? { probeFor: opts.probeFor } : {}),
      });
      prev = { ...prev, ...fresh };
      return fresh;
    },
    secrets,
    prewarm(first) {
      // `first` is the host selector of the run's first command. Authenticate to its host while the run
      // starts (audit log, first probes), so that command does not pay the handshake; resolving the
      // selector waits for the verified host key anyway. Only that host: several handshakes at once slow
      // each other (the client's crypto runs on this thread, every sshd session forks) and the first
      // command's would be on the critical path. Other hosts connect on first use. Failures are ignored
      // here on purpose: the real command reconnects and reports them (an unknown host key is refused
      // there, exit 4).
      const hosts = sshHostsFor(inventory, [first]);
      void resolver.resolve(first).then(
        (targets) => Promise.all(targets.filter((t) => hosts.includes(t.host)).map((t) => transports.ssh.connection(t.host).catch(() => undefined))),
        () => undefined,
      );
    },
    close: () => transports.closeAll(),
  };
}

/** Inventory hosts reached over SSH that these selectors can resolve to (`pg.leader` → every pg member's host). */
export function sshHostsFor(inventory: Inventory, selectors: readonly string[]): string[] {
  const hosts = new Set<string>();
  for (const selector of selectors) {
    if (Object.hasOwn(inventory.hosts, selector)) hosts.add(selector);
    const dot = selector.indexOf('.');
    const cluster = dot > 0 && Object.hasOwn(inventory.clusters, selector.slice(0, dot)) ? inventory.clusters[selector.slice(0, dot)] : undefined;
    for (const member of cluster?.members ?? []) hosts.add(member.host);
  }
  return [...hosts].filter((h) => Object.hasOwn(inventory.hosts, h) && inventory.hosts[h]!.transport !== 'local');
}

export interface SnapshotOptions extends Omit<ClusterSnapshotOptions, 'prev'> {
  /** The previous snapshot, so change histories (leader changes) carry over. */
  prev?: Record<string, ClusterState>;
  /** Only these clusters (names the inventory lacks are left out); default every inventory cluster. */
  only?: readonly string[];
}

/** One fresh state per inventory cluster (or per `only` cluster): every probe target asked once, each bounded by its timeout. */
export async function snapshotClusters(inventory: Inventory, opts: SnapshotOptions = {}): Promise<Record<string, ClusterState>> {
  const entries = await Promise.all(
    Object.entries(inventory.clusters)
      .filter(([name]) => !opts.only || opts.only.includes(name))
      .map(async ([name, cluster]): Promise<[string, ClusterState]> => [name, await snapshotCluster(name, cluster, inventory, { ...opts, prev: opts.prev?.[name] })]),
  );
  return Object.fromEntries(entries);
}

/** The lab's inventory (HATUI_LAB_DIR or the default lab dir) when the lab has written one. */
export async function defaultLabInventoryPath(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const { labPaths, labSettings } = await import('../lab/settings.js');
  let path: string;
  try {
    path = labPaths(labSettings(env)).inventory;
  } catch {
    return undefined;
  }
  return existsSync(path) ? path : undefined;
}
