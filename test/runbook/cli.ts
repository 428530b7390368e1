// The bundled CLI for runbook tests: a private copy of bin/ + dist/ (test/support/bundle.ts), taken once it answers.
import { spawnSync } from 'node:child_process';
import { privateBundle, type Bundle } from '../support/bundle.js';

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

let bundle: Bundle | undefined;

export function hatui(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  if (!bundle) throw new Error('setUpCli() first');
  const r = spawnSync(process.execPath, [bundle.bin, ...args], { encoding: 'utf8', cwd: options.cwd, env: { ...process.env, NO_COLOR: '1', ...options.env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Copies a working bundle (waits up to 30 s for a concurrent build to finish). */
export async function setUpCli(): Promise<void> {
  bundle = await privateBundle({ label: 'runbook', probes: [['--version'], ['validate', '--help'], ['plan', '--help']], waitMs: 30_000 });
}

export function tearDownCli(): void {
  bundle?.remove();
  bundle = undefined;
}
