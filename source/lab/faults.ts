// Faults for drills and tests: crash (power-off), restart, freeze/thaw (a hung node), and replication lag
// (the leader's WAL senders stopped for a window: loopback hides lag otherwise, LAB-FACTS gotcha 11).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import { recordEvent } from './events.js';
import { withLabLock } from './lock.js';
import { patroniLeader, patroniState } from './health.js';
import { tcpOpen } from './ports.js';
import { requireRoot } from './preflight.js';
import { prepareNode, writeKnownHosts } from './prepare.js';
import { labNodes, labPaths, nodePorts, partNodes, pgNodes, type LabNode, type LabSettings, type PgNode } from './settings.js';
import { cgroupFrozen, cgroupPopulated, freezeNode, killNode, runningPid, sleep, startDaemon, stopNode } from './supervise.js';
import type { LabFault, LabLagResult } from './types.js';

export function assertNode(node: string): asserts node is LabNode {
  if (!(labNodes as readonly string[]).includes(node)) {
    throw new HatuiError(`unknown lab node '${node}'. Nodes: ${labNodes.join(', ')}`, ExitCode.usage);
  }
}

function requireRunning(settings: LabSettings, node: LabNode): number {
  const pid = runningPid(settings, node);
  if (pid === null) throw new HatuiError(`lab node ${node} is not running (hatui lab status; hatui lab restart ${node})`, ExitCode.failed);
  return pid;
}

/** Power-off: freeze the node's cgroup, then SIGKILL all of it. T0 = just before the freeze. */
export async function labCrash(settings: LabSettings, node: LabNode): Promise<LabFault> {
  requireRoot('hatui lab crash');
  assertNode(node);
  requireRunning(settings, node);
  const t0 = Date.now();
  await killNode(settings, node);
  recordEvent(settings, { action: 'crash', node }, t0);
  return { node, t0 };
}

/** Starts the node again (stopping it first if it runs); resolves once its main port accepts connections. */
export async function labRestart(settings: LabSettings, node: LabNode, opts: { timeoutMs?: number } = {}): Promise<LabFault> {
  requireRoot('hatui lab restart');
  assertNode(node);
  return withLabLock(settings, () => restartLocked(settings, node, opts));
}

async function restartLocked(settings: LabSettings, node: LabNode, opts: { timeoutMs?: number }): Promise<LabFault> {
  if (runningPid(settings, node) !== null || cgroupPopulated(settings, node)) await stopNode(settings, node, 10_000);
  removeNetns(partitionNetns(settings, node));
  const t0 = Date.now();
  const spec = prepareNode(settings, node);
  if (node === 'sshd' || node === 'sshd-jump') writeKnownHosts(settings);
  await startDaemon(settings, spec);
  recordEvent(settings, { action: 'restart', node }, t0);
  const port = nodePorts(settings, node)[0]!;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (!(await tcpOpen(port, 300))) {
    if (!cgroupPopulated(settings, node)) throw new HatuiError(`${node} exited right after restart; see ${labPaths(settings).log(node)}`, ExitCode.failed);
    if (Date.now() > deadline) throw new HatuiError(`${node} restarted but 127.0.0.1:${port} does not accept connections; see ${labPaths(settings).log(node)}`, ExitCode.failed);
    await sleep(100);
  }
  return { node, t0 };
}

/**
 * The network namespace a partitioned node runs in: `hatui-<port base>-<node>`, holding only its own
 * loopback, so two labs on one machine never share one.
 */
export function partitionNetns(settings: LabSettings, node: LabNode): string {
  return `hatui-${settings.portBase}-${node}`;
}

export function isPartitioned(settings: LabSettings, node: LabNode): boolean {
  return existsSync(`/run/netns/${partitionNetns(settings, node)}`);
}

function removeNetns(name: string): void {
  if (existsSync(`/run/netns/${name}`)) execFileSync('/usr/sbin/ip', ['netns', 'delete', name], { stdio: 'ignore' });
}

/**
 * Network partition of one node: the node is killed (SIGKILL, as a cut cable gives it no chance to hand
 * anything over) and started again at once inside its own network namespace. There it runs on, with
 * its data, but its 127.0.0.1 is its own: it reaches no other node and no other node reaches it (peers
 * get connection refused, not the timeouts of a real cut cable). `heal` starts it back on the lab's
 * network. T0 = just before the kill.
 */
export async function labPartition(settings: LabSettings, node: LabNode): Promise<LabFault> {
  requireRoot('hatui lab partition');
  assertNode(node);
  requireRunning(settings, node);
  if (isPartitioned(settings, node)) throw new HatuiError(`lab node ${node} is already partitioned (hatui lab heal ${node})`, ExitCode.failed);
  return withLabLock(settings, async () => {
    const netns = partitionNetns(settings, node);
    const t0 = Date.now();
    await killNode(settings, node);
    execFileSync('/usr/sbin/ip', ['netns', 'add', netns], { stdio: 'ignore' });
    execFileSync('/usr/sbin/ip', ['-n', netns, 'link', 'set', 'lo', 'up'], { stdio: 'ignore' });
    const spec = prepareNode(settings, node);
    await startDaemon(settings, { ...spec, netns });
    recordEvent(settings, { action: 'partition', node }, t0);
    await sleep(500);
    if (!cgroupPopulated(settings, node)) throw new HatuiError(`${node} exited right after its start in ${netns}; see ${labPaths(settings).log(node)}`, ExitCode.failed);
    return { node, t0 };
  });
}

/** Ends a partition: stops the node in its namespace, removes the namespace, starts it on the lab's network. */
export async function labHeal(settings: LabSettings, node: LabNode, opts: { timeoutMs?: number } = {}): Promise<LabFault> {
  requireRoot('hatui lab heal');
  assertNode(node);
  if (!isPartitioned(settings, node)) throw new HatuiError(`lab node ${node} is not partitioned`, ExitCode.failed);
  return withLabLock(settings, async () => {
    const fault = await restartLocked(settings, node, opts);
    recordEvent(settings, { action: 'heal', node }, fault.t0);
    return fault;
  });
}

/** Removes the partition namespaces of this lab (lab down). */
export function removePartitionNetns(settings: LabSettings): void {
  for (const node of labNodes) removeNetns(partitionNetns(settings, node));
}

/** A hung node: every process in its cgroup stops (no exit, sockets stay open). */
export async function labFreeze(settings: LabSettings, node: LabNode): Promise<LabFault> {
  requireRoot('hatui lab freeze');
  assertNode(node);
  requireRunning(settings, node);
  const t0 = Date.now();
  freezeNode(settings, node, true);
  recordEvent(settings, { action: 'freeze', node }, t0);
  await untilFrozen(settings, node, true);
  return { node, t0 };
}

/**
 * cgroup.freeze takes effect asynchronously (cgroup.events says `frozen 1` once every task stopped, later
 * under load): return only when the fault is in effect, so `lab status` right after says so.
 */
async function untilFrozen(settings: LabSettings, node: LabNode, frozen: boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (cgroupFrozen(settings, node) !== frozen) {
    if (Date.now() > deadline) throw new HatuiError(`${node}: its cgroup did not ${frozen ? 'freeze' : 'thaw'} within ${timeoutMs} ms`, ExitCode.failed);
    await sleep(10);
  }
}

export async function labThaw(settings: LabSettings, node: LabNode): Promise<LabFault> {
  requireRoot('hatui lab thaw');
  assertNode(node);
  requireRunning(settings, node);
  if (!cgroupFrozen(settings, node)) throw new HatuiError(`lab node ${node} is not frozen`, ExitCode.failed);
  const t0 = Date.now();
  freezeNode(settings, node, false);
  recordEvent(settings, { action: 'thaw', node }, t0);
  await untilFrozen(settings, node, false);
  return { node, t0 };
}

/** WAL sender pids on the leader: all of them (node = leader) or the one serving replica `node`. */
export async function walSenderPids(settings: LabSettings, node: PgNode): Promise<{ leader: PgNode; pids: number[] }> {
  const leader = (await patroniState(settings, node))?.role === 'master' ? node : await patroniLeader(settings);
  if (!leader) throw new HatuiError('no single Patroni leader: cannot find WAL senders', ExitCode.failed);
  const client = new pg.Client({
    host: `${labPaths(settings).nodeDir(leader)}/run`,
    port: settings.ports.pg[leader],
    user: 'postgres',
    database: 'postgres',
    connectionTimeoutMillis: 3000,
  });
  await client.connect();
  try {
    const result = await client.query<{ pid: number; application_name: string }>('SELECT pid, application_name FROM pg_stat_replication');
    const rows = leader === node ? result.rows : result.rows.filter((r) => r.application_name === node);
    return { leader, pids: rows.map((r) => Number(r.pid)) };
  } finally {
    await client.end().catch(() => {});
  }
}

/** SIGSTOP the leader's WAL senders (to node, or all when node is the leader) for ms, then SIGCONT. */
export async function labLag(settings: LabSettings, node: LabNode, ms: number): Promise<LabLagResult> {
  requireRoot('hatui lab lag');
  assertNode(node);
  if (!(pgNodes as readonly string[]).includes(node)) throw new HatuiError(`lab lag works on pg nodes (${pgNodes.join(', ')}), not ${node}`, ExitCode.usage);
  const { leader, pids } = await walSenderPids(settings, node as PgNode);
  if (!pids.length) throw new HatuiError(`no WAL sender on leader ${leader}${leader === node ? '' : ` for ${node}`} (is it streaming?)`, ExitCode.failed);
  const t0 = Date.now();
  const signal = (sig: 'SIGSTOP' | 'SIGCONT') => {
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {
        // exited meanwhile
      }
    }
  };
  signal('SIGSTOP');
  recordEvent(settings, { action: 'lag-start', node: leader, pids }, t0);
  try {
    await sleep(ms);
  } finally {
    signal('SIGCONT');
    recordEvent(settings, { action: 'lag-end', node: leader, pids });
  }
  return { node, leader, pids, ms, t0 };
}

/** Region A = everything but the shared sshds and region B: its DCS, databases, proxy, Redis and Sentinels. */
export const REGION_A_PARTS = ['etcd', 'pg', 'haproxy', 'redis'] as const;

export function regionANodes(): LabNode[] {
  return REGION_A_PARTS.flatMap((part) => [...partNodes[part]]);
}

/**
 * A region loss: every running region A node's cgroup frozen in one pass (T0 just before the first
 * write), so no node notices another one going first. Returns once all of them are frozen.
 */
export async function labFreezeRegion(settings: LabSettings, frozen: boolean): Promise<{ nodes: LabNode[]; t0: number }> {
  requireRoot(`hatui lab region-${frozen ? 'freeze' : 'thaw'}`);
  const nodes = regionANodes().filter((n) => runningPid(settings, n) !== null && cgroupFrozen(settings, n) !== frozen);
  const t0 = Date.now();
  for (const node of nodes) freezeNode(settings, node, frozen);
  for (const node of nodes) recordEvent(settings, { action: frozen ? 'freeze' : 'thaw', node }, t0);
  await Promise.all(nodes.map((n) => untilFrozen(settings, n, frozen)));
  return { nodes, t0 };
}
