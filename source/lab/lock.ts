// One lab (= one port base) is changed by one process at a time: `lab up`, `down`, `restart` from two
// shells (or two test runs) would otherwise start the same node twice. The lock is a file holding the
// owner's pid, outside the lab dir (down removes that); a lock whose pid is gone is taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import type { LabSettings } from './settings.js';
import { sleep } from './supervise.js';
import type { LabLog } from './types.js';

export function lockPath(settings: LabSettings): string {
  return `${tmpdir()}/hatui-lab-${settings.portBase}.lock`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function tryLock(path: string): number | null {
  try {
    const fd = openSync(path, 'wx', 0o644);
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = Number(readFileSync(path, 'utf8').trim());
  if (!Number.isInteger(holder) || holder <= 0 || !pidAlive(holder)) {
    try {
      unlinkSync(path);
    } catch {
      // someone else took it over first
    }
    return -1;
  }
  return holder;
}

/** Runs fn holding the lab lock (not re-entrant: lab functions never call each other under it). */
export async function withLabLock<T>(settings: LabSettings, fn: () => Promise<T>, opts: { log?: LabLog; waitMs?: number } = {}): Promise<T> {
  const path = lockPath(settings);
  const deadline = Date.now() + (opts.waitMs ?? 300_000);
  let said = false;
  for (;;) {
    const holder = tryLock(path);
    if (holder === null) break;
    if (holder > 0) {
      if (!said) opts.log?.(`waiting for the lab lock ${path} (held by pid ${holder})`);
      said = true;
      if (Date.now() > deadline) throw new HatuiError(`the lab on ports ${settings.portBase}+ is busy: ${path} is held by pid ${holder}`, ExitCode.refused);
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    try {
      if (Number(readFileSync(path, 'utf8').trim()) === process.pid) unlinkSync(path);
    } catch {
      // already gone
    }
  }
}
