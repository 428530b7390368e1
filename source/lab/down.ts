// `lab down`: stop only what the lab started (by recorded pid and node cgroup), free every port, and
// unless --keep-data remove the lab's own files (known names only; never a blind recursive delete).
import { rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { recordEvent } from './events.js';
import { withLabLock } from './lock.js';
import { busyPorts, type BusyPort } from './ports.js';
import { checkStateFile, requireRoot } from './preflight.js';
import { labInventoryYaml, runningInventoryOptions } from './inventory.js';
import { stopDoubles } from './doubles/lab-doubles.js';
import { labNodes, labPaths, nodePorts, partNodes, type LabNode, type LabPart, type LabSettings } from './settings.js';
import { removePartitionNetns } from './faults.js';
import { cgroupPopulated, killNode, removeCgroups, runningPid, sleep, stopNode } from './supervise.js';
import type { LabLog } from './types.js';

/** Graceful order with --keep-data: front doors first, Patroni before its DCS. */
const STOP_STAGES: { nodes: LabNode[]; graceMs: number }[] = [
  { nodes: ['prometheus', 'alertmanager', 'redis-exporter', 'pg-exporter1', 'pg-exporter2', 'pg-exporter3'], graceMs: 3000 },
  { nodes: ['haproxy', 'sshd', 'sshd-jump', 'sentinel1', 'sentinel2', 'sentinel3', 'redis1', 'redis2', 'redis3', 'rc1', 'rc2', 'rc3', 'rc4', 'rc5', 'rc6', 'redis-b', 'dns'], graceMs: 3000 },
  { nodes: ['pg1', 'pg2', 'pg3', 'pgb1', 'pgb2'], graceMs: 20_000 },
  { nodes: ['etcd1', 'etcd2', 'etcd3', 'etcd-b'], graceMs: 3000 },
];

export interface LabDownResult {
  stopped: LabNode[];
  /** Lab ports still listening afterwards (held by something the lab did not start). */
  portsStillBusy: BusyPort[];
}

export async function labDown(settings: LabSettings, opts: { keepData?: boolean; log?: LabLog; parts?: (LabPart | 'doubles')[] } = {}): Promise<LabDownResult> {
  requireRoot('hatui lab down');
  checkStateFile(settings);
  if (opts.parts?.length) {
    const parts = opts.parts;
    return withLabLock(settings, () => partsDownLocked(settings, parts, opts), { log: opts.log });
  }
  return withLabLock(settings, () => downLocked(settings, opts), { log: opts.log });
}

/** Stops only these parts' nodes (the rest of the lab keeps running) and drops them from the inventory. */
async function partsDownLocked(settings: LabSettings, parts: (LabPart | 'doubles')[], opts: { keepData?: boolean; log?: LabLog }): Promise<LabDownResult> {
  const nodes = parts.flatMap((p) => (p === 'doubles' ? [] : [...partNodes[p]]));
  const running = nodes.filter((n) => runningPid(settings, n) !== null || cgroupPopulated(settings, n));
  await Promise.all(running.map((n) => (opts.keepData ? stopNode(settings, n, 3000) : killNode(settings, n))));
  removeCgroups(settings, nodes);
  if (running.length) opts.log?.(`stopped ${running.join(', ')}`);
  if (!opts.keepData) for (const n of nodes) rmSync(labPaths(settings).nodeDir(n), { recursive: true, force: true });
  const paths = labPaths(settings);
  if (parts.includes('doubles') && (await stopDoubles(settings))) opts.log?.('stopped the wire-level doubles');
  try {
    writeFileSync(paths.inventory, labInventoryYaml(settings, runningInventoryOptions(settings)));
  } catch {
    // no lab dir: nothing to rewrite
  }
  const ports = nodes.flatMap((n) => nodePorts(settings, n));
  let busy = busyPorts(ports).filter((b) => b.listening);
  for (let i = 0; busy.length && i < 20; i++) {
    await sleep(100);
    busy = busyPorts(ports).filter((b) => b.listening);
  }
  return { stopped: running, portsStillBusy: busy };
}

async function downLocked(settings: LabSettings, opts: { keepData?: boolean; log?: LabLog }): Promise<LabDownResult> {
  const log = opts.log ?? (() => {});
  const began = Date.now();
  if (await stopDoubles(settings)) log('stopped the wire-level doubles');
  const running = labNodes.filter((n) => runningPid(settings, n) !== null || cgroupPopulated(settings, n));
  if (opts.keepData) {
    for (const stage of STOP_STAGES) {
      await Promise.all(stage.nodes.filter((n) => running.includes(n)).map((n) => stopNode(settings, n, stage.graceMs)));
    }
  } else {
    await Promise.all(running.map((n) => killNode(settings, n)));
  }
  if (running.length) log(`stopped ${running.join(', ')}`);
  removeCgroups(settings, labNodes);
  removePartitionNetns(settings);

  const ports = labNodes.flatMap((n) => nodePorts(settings, n));
  const listening = () => busyPorts(ports).filter((b) => b.listening);
  if (process.env.HATUI_LAB_DEBUG) log(`killed at +${Date.now() - began} ms; listening: ${JSON.stringify(listening())}`);
  let busy = listening();
  for (let i = 0; busy.length && i < 20; i++) {
    await sleep(100);
    busy = listening();
  }
  if (opts.keepData) {
    recordEvent(settings, { action: 'down' });
  } else {
    removeLabFiles(settings);
    log(`removed the lab files in ${settings.dir}`);
  }
  return { stopped: running, portsStillBusy: busy };
}

export function removeLabFiles(settings: LabSettings, opts: { keepLogs?: boolean } = {}): void {
  const paths = labPaths(settings);
  const entries = [
    ...labNodes.map((n) => paths.nodeDir(n)),
    paths.run,
    ...(opts.keepLogs ? [] : [paths.logs]),
    paths.secrets,
    paths.ssh,
    paths.inventory,
    paths.events,
    paths.patronictlConfig,
    paths.patronictlConfigB,
    paths.walArchive,
    paths.walArchiveB,
    paths.state,
  ];
  for (const entry of entries) rmSync(entry, { recursive: true, force: true });
  try {
    rmdirSync(paths.dir);
  } catch {
    // not empty (someone else's files) or absent
  }
}
