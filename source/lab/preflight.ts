// Checks before the lab touches anything: root, binaries, cgroup v2, lab dir/port-base consistency.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import { PG_BIN_DIR } from './configs.js';
import { labPaths, type LabPart, type LabSettings } from './settings.js';
import { cgroupAvailable } from './supervise.js';

export function requireRoot(what: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new HatuiError(
      `${what} needs root: it runs PostgreSQL as postgres via setpriv and puts each node in its own cgroup (you are uid ${process.getuid()})`,
      ExitCode.failed,
    );
  }
}

/** Binaries each part needs, and the Debian package that brings them. */
const PART_BINARIES: Record<LabPart, [string, string][]> = {
  etcd: [['/usr/bin/etcd', 'etcd-server'], ['/usr/bin/etcdctl', 'etcd-client']],
  pg: [[`${PG_BIN_DIR}/postgres`, 'postgresql-15'], ['/usr/bin/patroni', 'patroni'], ['/usr/bin/python3', 'python3']],
  haproxy: [['/usr/sbin/haproxy', 'haproxy']],
  redis: [['/usr/bin/redis-server', 'redis-server'], ['/usr/bin/redis-sentinel', 'redis-sentinel'], ['/usr/bin/redis-cli', 'redis-tools']],
  sshd: [['/usr/sbin/sshd', 'openssh-server'], ['/usr/bin/ssh', 'openssh-client'], ['/usr/bin/ssh-keygen', 'openssh-client']],
  rediscluster: [['/usr/bin/redis-server', 'redis-server'], ['/usr/bin/redis-cli', 'redis-tools']],
  monitoring: [
    ['/usr/bin/prometheus', 'prometheus'],
    ['/usr/bin/prometheus-alertmanager', 'prometheus-alertmanager'],
    ['/usr/bin/prometheus-postgres-exporter', 'prometheus-postgres-exporter'],
    ['/usr/bin/prometheus-redis-exporter', 'prometheus-redis-exporter'],
  ],
  'region-b': [['/usr/sbin/named', 'bind9'], ['/usr/sbin/tsig-keygen', 'bind9'], ['/usr/bin/nsupdate', 'bind9-dnsutils'], ['/usr/bin/dig', 'bind9-dnsutils']],
};

export function requireBinaries(parts: readonly LabPart[]): void {
  const missing = new Map<string, string>();
  for (const part of parts) for (const [bin, pkg] of PART_BINARIES[part]) if (!existsSync(bin)) missing.set(bin, pkg);
  for (const bin of ['/usr/bin/setpriv', '/usr/bin/setsid']) if (!existsSync(bin)) missing.set(bin, 'util-linux');
  if (missing.size) {
    const list = [...missing].map(([bin, pkg]) => `${bin} (${pkg})`).join(', ');
    throw new HatuiError(`lab packages missing: ${list}. Run \`hatui lab install\` first.`, ExitCode.failed);
  }
  if (!cgroupAvailable()) throw new HatuiError('cgroup v2 is not mounted at /sys/fs/cgroup/unified: the lab cannot supervise nodes', ExitCode.failed);
}

interface LabStateFile {
  portBase: number;
  cgroupRoot: string;
  createdAt: string;
}

/** A lab dir belongs to one port base (data and configs name the ports); refuse a mix-up. */
export function checkStateFile(settings: LabSettings): void {
  const path = labPaths(settings).state;
  if (!existsSync(path)) return;
  let state: LabStateFile;
  try {
    state = JSON.parse(readFileSync(path, 'utf8')) as LabStateFile;
  } catch {
    return;
  }
  if (state.portBase !== settings.portBase) {
    throw new HatuiError(
      `${settings.dir} holds a lab made for HATUI_LAB_PORT_BASE=${state.portBase}, not ${settings.portBase}: use that base, or \`hatui lab down\` it first`,
      ExitCode.refused,
    );
  }
}

export function writeStateFile(settings: LabSettings): void {
  const path = labPaths(settings).state;
  if (existsSync(path)) return;
  const state: LabStateFile = { portBase: settings.portBase, cgroupRoot: settings.cgroupRoot, createdAt: new Date().toISOString() };
  writeFileSync(path, JSON.stringify(state, null, 2) + '\n');
}
