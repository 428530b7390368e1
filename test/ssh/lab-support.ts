// Shared pieces of the SSH / lock lab tests (test/lab/ssh-*.test.ts, test/lab/lock-*.test.ts).
import { readFileSync, readdirSync } from 'node:fs';
import { loadInventory } from '../../source/core/inventory/load.js';
import type { Inventory } from '../../source/core/inventory/model.js';
import { labPaths, type LabSettings } from '../../source/lab/index.js';

export function labInventoryFile(settings: LabSettings): { inventory: Inventory; path: string } {
  const path = labPaths(settings).inventory;
  const { inventory, problems } = loadInventory(readFileSync(path, 'utf8'), path);
  if (!inventory) throw new Error(`lab inventory ${path}: ${problems.map((p) => p.message).join('; ')}`);
  return { inventory, path };
}

/** The lab inventory plus a host `behind` reached through the lab's jump sshd (host `jump`). */
export function withJumpHost(inventory: Inventory): Inventory {
  const pg1 = inventory.hosts.pg1!;
  return { ...inventory, hosts: { ...inventory.hosts, behind: { ...pg1, ssh: { ...pg1.ssh, jump: 'jump' } } } };
}

export interface ProcInfo {
  pid: number;
  ppid: number;
  cmdline: string;
}

/** Every live process (zombies have an empty cmdline and are skipped). */
export function processes(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
      if (cmdline === '') continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.push({ pid: Number(name), ppid, cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export function processesMatching(marker: string): ProcInfo[] {
  return processes().filter((p) => p.cmdline.includes(marker) && p.pid !== process.pid);
}

/**
 * The sshd processes serving the connection `pid` runs under: the listener's per-connection child
 * (`sshd: user [priv]`, the privilege-separation monitor) and its `sshd: user@notty` child that owns the
 * socket — outermost first. Empty when pid does not descend from listenerPid.
 */
export function sessionProcessesOf(pid: number, listenerPid: number): number[] {
  const byPid = new Map(processes().map((p) => [p.pid, p]));
  const chain: ProcInfo[] = [];
  let cur = byPid.get(pid);
  while (cur && cur.pid !== listenerPid && cur.ppid > 1) {
    chain.push(cur);
    cur = byPid.get(cur.ppid);
  }
  if (!cur || cur.pid !== listenerPid) return [];
  return chain.filter((p) => p.cmdline.startsWith('sshd:')).reverse().map((p) => p.pid);
}

export function listenerPid(settings: LabSettings, node: 'sshd' | 'sshd-jump'): number {
  return Number(readFileSync(labPaths(settings).pidFile(node), 'utf8').trim());
}

/** Lines in a lab node's log (to count sshd's "Accepted publickey" handshakes). */
export function logCount(settings: LabSettings, node: 'sshd' | 'sshd-jump', needle: string): number {
  try {
    return readFileSync(labPaths(settings).log(node), 'utf8').split('\n').filter((l) => l.includes(needle)).length;
  } catch {
    return 0;
  }
}

export function uniqueMarker(): string {
  return `${Date.now() % 100000}${Math.floor(Math.random() * 1e6)}`;
}
