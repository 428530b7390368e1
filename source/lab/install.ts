// `lab install`: the Debian packages the lab needs, via apt-get (idempotent: nothing runs when
// dpkg-query says all are installed). Prints every command it runs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import { requireRoot } from './preflight.js';
import type { LabLog } from './types.js';

export const LAB_PACKAGES = [
  'postgresql-15',
  'patroni',
  'etcd-server',
  'etcd-client',
  'redis-server',
  'redis-sentinel',
  'redis-tools',
  'haproxy',
  'openssh-server',
  'openssh-client',
  'tmux',
  'util-linux',
  // The shipped runbooks' commands use these on the lab hosts (JSON from Patroni's REST API).
  'jq',
  'curl',
  // `hatui lab up monitoring`: alerts from real Prometheus rules over real exporters.
  'prometheus',
  'prometheus-alertmanager',
  'prometheus-postgres-exporter',
  'prometheus-redis-exporter',
  // Region B's DNS (bind9 serving the DR zone; nsupdate and dig for the DR runbooks).
  'bind9',
  'bind9-dnsutils',
] as const;

/** Packages from the list that dpkg does not report as installed. */
export function missingPackages(packages: readonly string[] = LAB_PACKAGES): string[] {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Abbrev}\\n', ...packages], { encoding: 'utf8' });
  const installed = new Set(
    (result.stdout ?? '')
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[1]?.startsWith('ii'))
      .map((f) => f[0]),
  );
  return packages.filter((p) => !installed.has(p));
}

function run(argv: string[], log: LabLog): Promise<number> {
  log(`$ ${argv.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

function aptListsPresent(): boolean {
  try {
    return readdirSync('/var/lib/apt/lists').some((f) => f.includes('_Packages'));
  } catch {
    return false;
  }
}

export async function labInstall(opts: { log?: LabLog } = {}): Promise<{ ran: string[]; alreadyInstalled: boolean }> {
  const log = opts.log ?? (() => {});
  if (!existsSync('/usr/bin/apt-get') || !existsSync('/usr/bin/dpkg-query')) {
    throw new HatuiError('hatui lab install needs Debian or Ubuntu (apt-get and dpkg-query were not found)', ExitCode.failed);
  }
  const missing = missingPackages();
  if (missing.length === 0) {
    log(`all lab packages are installed: ${LAB_PACKAGES.join(' ')}`);
    return { ran: [], alreadyInstalled: true };
  }
  requireRoot('hatui lab install');
  log(`missing packages: ${missing.join(' ')}`);
  const ran: string[] = [];
  const update = ['apt-get', 'update'];
  const install = ['apt-get', 'install', '-y', '-o', 'DPkg::Lock::Timeout=600', ...missing];
  if (!aptListsPresent()) {
    ran.push(update.join(' '));
    if ((await run(update, log)) !== 0) throw new HatuiError('`apt-get update` failed (see its output above)', ExitCode.failed);
  }
  ran.push(install.join(' '));
  let code = await run(install, log);
  if (code !== 0 && !ran.includes(update.join(' '))) {
    // Stale package lists: refresh once and retry.
    ran.push(update.join(' '));
    if ((await run(update, log)) !== 0) throw new HatuiError('`apt-get update` failed (see its output above)', ExitCode.failed);
    ran.push(install.join(' '));
    code = await run(install, log);
  }
  if (code !== 0) throw new HatuiError(`\`${install.join(' ')}\` exited ${code} (see its output above)`, ExitCode.failed);
  const still = missingPackages();
  if (still.length) throw new HatuiError(`still not installed after apt-get: ${still.join(' ')}`, ExitCode.failed);
  return { ran, alreadyInstalled: false };
}
