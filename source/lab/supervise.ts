// Process supervision without an init system: each node runs in its own cgroup v2 directory, started via
// `setsid -f` (so PID 1 becomes its parent at once), joined to the cgroup before exec (so every descendant,
// Patroni's double-forked postmaster included, is in it), and dropped to its user with setpriv (which
// execs: the pid file holds the daemon's own pid). Stopping is by recorded pid and by cgroup only.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import { CGROUP2_MOUNT, labPaths, type LabNode, type LabSettings } from './settings.js';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface DaemonSpec {
  node: LabNode;
  /** Run as this user (setpriv --reuid/--regid --init-groups); root when absent. */
  user?: string;
  /** Absolute path of the program and its arguments. */
  argv: string[];
  /** The daemon's whole environment (nothing is inherited). */
  env: Record<string, string>;
  cwd: string;
  /** Start inside this network namespace (`ip netns exec`): the partition fault. */
  netns?: string;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function cgroupAvailable(): boolean {
  return existsSync(`${CGROUP2_MOUNT}/cgroup.procs`);
}

export function ensureCgroup(settings: LabSettings, node: LabNode): string {
  if (!cgroupAvailable()) {
    throw new HatuiError(`cgroup v2 is not mounted at ${CGROUP2_MOUNT}: the lab needs it to crash and freeze nodes`, ExitCode.failed);
  }
  const path = labPaths(settings).cgroup(node);
  mkdirSync(path, { recursive: true });
  // A cgroup left frozen by `lab freeze` would freeze the new process too.
  writeCgroup(path, 'cgroup.freeze', '0');
  return path;
}

function writeCgroup(path: string, file: string, value: string): boolean {
  try {
    writeFileSync(`${path}/${file}`, value);
    return true;
  } catch {
    return false;
  }
}

/** Pids currently in the node's cgroup (zombies are not listed). */
export function cgroupPids(settings: LabSettings, node: LabNode): number[] {
  const text = readText(`${labPaths(settings).cgroup(node)}/cgroup.procs`);
  if (!text) return [];
  return text.split('\n').filter(Boolean).map(Number);
}

export function cgroupFrozen(settings: LabSettings, node: LabNode): boolean {
  const text = readText(`${labPaths(settings).cgroup(node)}/cgroup.events`);
  return /^frozen 1$/m.test(text ?? '');
}

export function cgroupPopulated(settings: LabSettings, node: LabNode): boolean {
  const text = readText(`${labPaths(settings).cgroup(node)}/cgroup.events`);
  return /^populated 1$/m.test(text ?? '');
}

/** True when pid exists, is not a zombie, and sits in this node's cgroup (guards against pid reuse). */
export function pidAlive(settings: LabSettings, node: LabNode, pid: number): boolean {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  if (state === 'Z' || state === 'X') return false;
  const cg = readText(`/proc/${pid}/cgroup`) ?? '';
  const want = labPaths(settings).cgroup(node).slice(CGROUP2_MOUNT.length);
  return cg.split('\n').some((line) => line === `0::${want}`);
}

export function recordedPid(settings: LabSettings, node: LabNode): number | null {
  const text = readText(labPaths(settings).pidFile(node));
  const pid = Number(text?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** The node's main pid when it is running, else null. */
export function runningPid(settings: LabSettings, node: LabNode): number | null {
  const pid = recordedPid(settings, node);
  return pid !== null && pidAlive(settings, node, pid) ? pid : null;
}

/** Starts a daemon in its node cgroup; resolves with its pid once the pid file is written. */
export async function startDaemon(settings: LabSettings, spec: DaemonSpec): Promise<number> {
  const paths = labPaths(settings);
  const cgroup = ensureCgroup(settings, spec.node);
  mkdirSync(paths.run, { recursive: true });
  mkdirSync(paths.logs, { recursive: true });
  const pidFile = paths.pidFile(spec.node);
  writeFileSync(pidFile, '');
  const envArgs = Object.entries(spec.env).map(([k, v]) => `${k}=${v}`);
  const privilege = [...(spec.netns ? ['/usr/sbin/ip', 'netns', 'exec', spec.netns] : []), ...(spec.user ? ['/usr/bin/setpriv', `--reuid=${spec.user}`, `--regid=${spec.user}`, '--init-groups'] : [])];
  const script =
    'cg=$1 pf=$2 log=$3 dir=$4; shift 4; ' +
    'echo $$ > "$cg/cgroup.procs" || exit 97; echo $$ > "$pf"; cd "$dir" || exit 98; ' +
    'exec >>"$log" 2>&1 </dev/null; exec "$@"';
  const argv = ['-f', '/bin/bash', '-c', script, 'lab-start', cgroup, pidFile, paths.log(spec.node), spec.cwd, ...privilege, '/usr/bin/env', '-i', ...envArgs, ...spec.argv];
  const logFd = openSync(paths.log(spec.node), 'a');
  try {
    writeFileSync(logFd, `\n--- ${new Date().toISOString()} starting ${spec.node}: ${spec.argv.join(' ')}\n`);
    await new Promise<void>((resolve, reject) => {
      const child = spawn('/usr/bin/setsid', argv, { stdio: ['ignore', logFd, logFd], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new HatuiError(`${spec.node}: setsid exited ${code}`, ExitCode.failed))));
    });
  } finally {
    closeSync(logFd);
  }
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const pid = recordedPid(settings, spec.node);
    if (pid !== null) return pid;
    await sleep(10);
  }
  throw new HatuiError(`${spec.node}: no pid file after 5 s (${pidFile})`, ExitCode.failed);
}

/** Waits until the node's cgroup has no live process. */
export async function waitEmpty(settings: LabSettings, node: LabNode, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (cgroupPopulated(settings, node)) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/**
 * Power-off: freeze the whole cgroup (nothing runs another instruction, not even a WAL flush), then
 * SIGKILL everything in it. Leaves the cgroup thawed and empty so the node can be restarted.
 */
export async function killNode(settings: LabSettings, node: LabNode): Promise<void> {
  const path = labPaths(settings).cgroup(node);
  if (!existsSync(path)) return;
  writeCgroup(path, 'cgroup.freeze', '1');
  writeCgroup(path, 'cgroup.kill', '1');
  const empty = await waitEmpty(settings, node, 10_000);
  writeCgroup(path, 'cgroup.freeze', '0');
  if (!empty) throw new HatuiError(`${node}: processes still in ${path} 10 s after cgroup.kill`, ExitCode.failed);
}

/** Graceful stop: SIGTERM to the recorded pid, then power-off whatever is left after graceMs. */
export async function stopNode(settings: LabSettings, node: LabNode, graceMs: number): Promise<void> {
  const pid = runningPid(settings, node);
  if (pid !== null && graceMs > 0 && !cgroupFrozen(settings, node)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
    await waitEmpty(settings, node, graceMs);
  }
  await killNode(settings, node);
}

export function freezeNode(settings: LabSettings, node: LabNode, frozen: boolean): void {
  const path = labPaths(settings).cgroup(node);
  if (!writeCgroup(path, 'cgroup.freeze', frozen ? '1' : '0')) {
    throw new HatuiError(`${node}: cannot write ${path}/cgroup.freeze`, ExitCode.failed);
  }
}

/** Removes the node cgroups and the lab's cgroup root (only empty ones can be removed). */
export function removeCgroups(settings: LabSettings, nodes: readonly LabNode[]): void {
  for (const node of nodes) {
    try {
      rmdirSync(labPaths(settings).cgroup(node));
    } catch {
      // absent or still populated
    }
  }
  try {
    rmdirSync(settings.cgroupRoot);
  } catch {
    // other nodes remain
  }
}
