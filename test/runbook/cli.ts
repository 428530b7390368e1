// The bundled CLI for runbook tests. Other work may rebuild dist/ while tests run, so the tests use a
// private copy of bin/ + dist/ inside the project (node_modules still resolves), taken once it answers.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

const copy = resolve('node_modules', '.cache', `hatui-runbook-test-${process.pid}-${Math.random().toString(36).slice(2)}`);
const bin = join(copy, 'bin', 'hatui.js');

export function hatui(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: options.cwd, env: { ...process.env, NO_COLOR: '1', ...options.env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Copies a working bundle (waits up to 30 s for a concurrent build to finish). */
export async function setUpCli(): Promise<void> {
  const end = Date.now() + 30_000;
  for (;;) {
    rmSync(copy, { recursive: true, force: true });
    if (existsSync('dist/cli.js')) {
      mkdirSync(join(copy, 'bin'), { recursive: true });
      cpSync('bin/hatui.js', bin);
      cpSync('dist', join(copy, 'dist'), { recursive: true });
      if (hatui(['--version']).code === 0 && hatui(['validate', '--help']).code === 0 && hatui(['plan', '--help']).code === 0) return;
    }
    if (Date.now() > end) throw new Error('no working bundle in dist/: run `npm run build` (npm test does) before this test');
    await new Promise((r) => setTimeout(r, 300));
  }
}

export function tearDownCli(): void {
  rmSync(copy, { recursive: true, force: true });
}
