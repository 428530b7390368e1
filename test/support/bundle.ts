// A private copy of the built CLI for tests that run it. Other work may rebuild dist/ while tests run,
// so each test file copies bin/ + dist/ inside the project (node_modules still resolves) and takes the
// copy once it answers every probe (each `hatui <probe…>` exits 0), retrying while a build is half done.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface Bundle {
  /** bin/hatui.js of the copy. */
  bin: string;
  remove(): void;
}

export interface BundleOptions {
  /** Names the copy's directory (node_modules/.cache/hatui-<label>-test-<pid>-<random>). */
  label: string;
  /** Argument lists the copy must answer with exit 0, e.g. [['run', '--help']]. */
  probes: string[][];
  /** How long to wait for a working dist/ (default 60 s). */
  waitMs?: number;
}

export async function privateBundle(options: BundleOptions): Promise<Bundle> {
  const copy = resolve('node_modules', '.cache', `hatui-${options.label}-test-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const bin = join(copy, 'bin', 'hatui.js');
  const answers = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' }).status === 0;
  const end = Date.now() + (options.waitMs ?? 60_000);
  for (;;) {
    rmSync(copy, { recursive: true, force: true });
    if (existsSync('dist/cli.js')) {
      mkdirSync(join(copy, 'bin'), { recursive: true });
      cpSync('bin/hatui.js', bin);
      cpSync('dist', join(copy, 'dist'), { recursive: true });
      if (options.probes.every(answers)) return { bin, remove: () => rmSync(copy, { recursive: true, force: true }) };
    }
    if (Date.now() > end) {
      rmSync(copy, { recursive: true, force: true });
      throw new Error('no working bundle in dist/: run `npm run build` (npm test does) before this test');
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}
