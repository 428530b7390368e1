// `lab up`: start what is not running, wait until each part is really healthy, write the inventory.
// Refuses before starting anything when a port is taken; on a failed part, stops what this call started
// and shows the end of that part's log.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import { checkPart, waitHealthy } from './health.js';
import { labInventoryYaml, runningInventoryOptions } from './inventory.js';
import { startDoubles } from './doubles/lab-doubles.js';
import { busyPorts, reservePorts, type BusyPort } from './ports.js';
import { checkStateFile, requireBinaries, requireRoot, writeStateFile } from './preflight.js';
import { prepareCommon, prepareNode, requireTraversable, writeKnownHosts, writeRegionBDynamic } from './prepare.js';
import { regionAMasterPort } from './region-b.js';
import {
  LAB_PORT_SPAN,
  defaultLabParts,
  labParts,
  labPaths,
  nodePorts,
  optionalParts,
  partDependencies,
  partNodes,
  pgNodes,
  regionBNodes,
  type LabNode,
  type LabPart,
  type LabSettings,
} from './settings.js';
import { cgroupFrozen, cgroupPopulated, freezeNode, killNode, removeCgroups, runningPid, sleep, startDaemon } from './supervise.js';
import type { LabUpOptions, LabUpResult } from './types.js';
import { recordEvent } from './events.js';
import { checkRedisClusterNodesUp, createRedisClusterOnce } from './redis-cluster.js';
import { removeLabFiles } from './down.js';
import { withLabLock } from './lock.js';
import { applyDcsSwitches } from './dcs-switches.js';

/** Requested parts plus what they depend on, in start order (none requested: every part but the optional ones). */
export function expandParts(parts: readonly LabPart[] | undefined): LabPart[] {
  const wanted = new Set<LabPart>();
  const add = (part: LabPart) => {
    if (wanted.has(part)) return;
    wanted.add(part);
    partDependencies[part].forEach(add);
  };
  (parts && parts.length ? parts : defaultLabParts).forEach(add);
  return labParts.filter((p) => wanted.has(p));
}

/** The last lines of a node's log, without Python traceback bodies (HAProxy's checks reset connections). */
export function logTail(settings: LabSettings, node: LabNode, lines = 12): string {
  const path = labPaths(settings).log(node);
  if (!existsSync(path)) return `(no log at ${path})`;
  const all = readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^\s|^Traceback|^ConnectionResetError|^BrokenPipeError/.test(l) && !/Exception happened during processing of request/.test(l));
  return all.slice(-lines).map((l) => `  ${node}| ${l}`).join('\n');
}

/** A Patroni cluster with no data dir anywhere must start from clean DCS keys (a bootstrap cut short leaves `initialize`). */
async function wipeStaleDcs(settings: LabSettings, log: (line: string) => void): Promise<void> {
  const paths = labPaths(settings);
  const fresh = pgNodes.every((n) => !existsSync(`${paths.nodeDir(n)}/data/PG_VERSION`) && runningPid(settings, n) === null);
  if (!fresh) return;
  const prefix = `/service/${settings.scope}/`;
  const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const response = await fetch(`http://127.0.0.1:${settings.ports.etcdClient}/v3/kv/deleterange`, {
    method: 'POST',
    body: JSON.stringify({ key: b64(prefix), range_end: b64(end) }),
    signal: AbortSignal.timeout(3000),
  });
  const body = (await response.json()) as { deleted?: string };
  if (Number(body.deleted ?? 0) > 0) log(`removed ${body.deleted} stale Patroni keys under ${prefix} (no node has data)`);
}

export async function labUp(settings: LabSettings, parts?: LabPart[], opts: LabUpOptions = {}): Promise<LabUpResult> {
  requireRoot('hatui lab up');
  const order = expandParts(parts);
  requireBinaries(order);
  return withLabLock(settings, () => upLocked(settings, order, opts), { log: opts.log });
}

async function upLocked(settings: LabSettings, order: LabPart[], opts: LabUpOptions): Promise<LabUpResult> {
  const log = opts.log ?? (() => {});
  const began = Date.now();
  checkStateFile(settings);

  const nodes = order.flatMap((p) => [...partNodes[p]]);
  const alreadyRunning = nodes.filter((n) => runningPid(settings, n) !== null);
  const toStart = nodes.filter((n) => !alreadyRunning.includes(n));
  for (const node of alreadyRunning.filter((n) => cgroupFrozen(settings, n))) {
    freezeNode(settings, node, false);
    recordEvent(settings, { action: 'thaw', node });
    log(`thawed ${node} (it was frozen)`);
  }
  // Leftovers of a crashed node (a process without its recorded pid) must not be doubled.
  const stray = toStart.filter((n) => cgroupPopulated(settings, n));
  for (const node of stray) await killNode(settings, node);

  if (!reservePorts(settings.portBase, settings.portBase + LAB_PORT_SPAN - 1)) log('could not reserve the lab ports in net.ipv4.ip_local_reserved_ports');
  const ports = toStart.flatMap((n) => nodePorts(settings, n));
  let busy = busyPorts(ports);
  if (busy.length && busy.every((b) => b.timeWait)) {
    log(`waiting for TIME_WAIT of outgoing connections on ${busy.map((b) => b.port).join(', ')} to clear (at most 60 s)`);
    const until = Date.now() + 65_000;
    while (busy.length && busy.every((b) => b.timeWait) && Date.now() < until) {
      await sleep(500);
      busy = busyPorts(ports);
    }
  }
  if (busy.length) {
    const what = (b: BusyPort) => (b.listening ? 'listening' : b.timeWait ? 'TIME_WAIT of an outgoing connection' : 'local port of a connection');
    const list = busy.map((b) => `127.0.0.1:${b.port} (${what(b)}${b.owner ? `: ${b.owner}` : ''})`).join(', ');
    throw new HatuiError(`port already in use: ${list}. Nothing was started. Free it or choose another HATUI_LAB_PORT_BASE.`, ExitCode.refused);
  }

  const freshDir = !existsSync(labPaths(settings).state);
  prepareCommon(settings);
  try {
    if (toStart.some((n) => partNodes.pg.includes(n))) requireTraversable(settings, 'postgres');
    if (toStart.some((n) => partNodes.redis.includes(n) || partNodes.rediscluster.includes(n))) requireTraversable(settings, 'redis');
    if (toStart.some((n) => partNodes.redis.includes(n))) requireTraversable(settings, 'redis');
    if (toStart.some((n) => partNodes.monitoring.includes(n))) requireTraversable(settings, 'prometheus');
  } catch (error) {
    if (freshDir) removeLabFiles(settings);
    throw error;
  }
  writeStateFile(settings);
  const paths = labPaths(settings);
  const started: LabNode[] = [];
  const deadline = began + (opts.timeoutMs ?? 120_000);

  const start = async (node: LabNode) => {
    const spec = prepareNode(settings, node);
    const pid = await startDaemon(settings, spec);
    started.push(node);
    log(`started ${node} (pid ${pid}, log ${paths.log(node)})`);
  };
  const deadNode = (part: LabPart) => () => {
    const dead = partNodes[part].filter((n) => started.includes(n) && !cgroupPopulated(settings, n));
    return dead.length ? `${dead.join(', ')} exited` : null;
  };
  const waitPart = async (part: LabPart) => {
    log(`waiting for ${part} to be healthy…`);
    const result = await waitHealthy(() => checkPart(settings, part), deadline, deadNode(part));
    if (!result.ok) {
      const tails = partNodes[part].map((n) => logTail(settings, n)).join('\n');
      throw new HatuiError(`lab part ${part} did not become healthy: ${result.detail}\nlast log lines:\n${tails}`, ExitCode.failed);
    }
    log(`${part}: ${result.detail} (${((Date.now() - began) / 1000).toFixed(1)} s)`);
  };
  const startPart = async (part: LabPart) => {
    await Promise.all(partNodes[part].filter((n) => toStart.includes(n)).map(start));
  };

  try {
    if (toStart.some((n) => partNodes.sshd.includes(n))) {
      // Host keys first, so known_hosts is complete before anything logs in.
      for (const n of partNodes.sshd) prepareNode(settings, n);
      writeKnownHosts(settings);
    }
    const running = runningInventoryOptions(settings);
    const has = (part: LabPart) => order.includes(part);
    writeFileSync(paths.inventory, labInventoryYaml(settings, { redisCluster: has('rediscluster') || running.redisCluster, doubles: running.doubles, regionB: has('region-b') || running.regionB }));
    const pgChain = async () => {
      if (has('etcd')) {
        await startPart('etcd');
        await waitPart('etcd');
      }
      if (has('pg')) {
        await wipeStaleDcs(settings, log);
        await startPart('pg');
      }
      if (has('haproxy')) await startPart('haproxy');
      if (has('pg')) {
        await waitPart('pg');
        const dcs = await applyDcsSwitches(settings, log, deadline);
        if (!dcs.ok) throw new HatuiError(`lab part pg: ${dcs.detail}`, ExitCode.failed);
        log(`pg: ${dcs.detail}`);
      }
      if (has('haproxy')) await waitPart('haproxy');
    };
    const redisChain = async () => {
      if (!has('redis')) return;
      await startPart('redis');
      await waitPart('redis');
    };
    const sshChain = async () => {
      if (!has('sshd')) return;
      await startPart('sshd');
      await waitPart('sshd');
    };
    const redisClusterChain = async () => {
      if (!has('rediscluster')) return;
      await startPart('rediscluster');
      const up = await waitHealthy(() => checkRedisClusterNodesUp(settings), deadline, deadNode('rediscluster'));
      if (!up.ok) throw new HatuiError(`lab part rediscluster: nodes did not start: ${up.detail}`, ExitCode.failed);
      await createRedisClusterOnce(settings, log);
      await waitPart('rediscluster');
    };
    const results = await Promise.allSettled([pgChain(), redisChain(), sshChain(), redisClusterChain()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    if (has('region-b') && toStart.some((n) => partNodes['region-b'].includes(n))) {
      writeRegionBDynamic(settings, await regionAMasterPort(settings));
      await startPart('region-b');
      await waitPart('region-b');
    }
    // Last: its scrape targets (the PostgreSQL members, the Redis nodes) are up by now.
    if (has('monitoring')) {
      await startPart('monitoring');
      await waitPart('monitoring');
    }
  } catch (error) {
    if (started.length) {
      log(`stopping what this call started: ${started.join(', ')}`);
      await Promise.all(started.map((n) => killNode(settings, n).catch(() => {})));
      removeCgroups(settings, started);
    }
    if (freshDir) {
      // A lab this call created from nothing goes away again (logs stay for the post-mortem).
      removeLabFiles(settings, { keepLogs: true });
      log(`removed the half-made lab in ${settings.dir} (kept ${paths.logs})`);
    }
    throw error;
  }
  if (opts.doubles && (await startDoubles(settings, log))) {
    writeFileSync(paths.inventory, labInventoryYaml(settings, runningInventoryOptions(settings)));
  }
  recordEvent(settings, { action: 'up' });
  return { started, alreadyRunning, parts: order, durationMs: Date.now() - began, inventory: paths.inventory };
}
