// The bundled CLI for audit tests. Other work may rebuild dist/ while tests run, so each test file
// uses a private copy of bin/ + dist/ inside the project (node_modules still resolves), taken once
// the copy answers.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface Bundle {
  bin: string;
  remove(): void;
}

export async function privateBundle(): Promise<Bundle> {
  const copy = resolve('node_modules', '.cache', `hatui-audit-test-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const bin = join(copy, 'bin', 'hatui.js');
  const answers = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' }).status === 0;
  const end = Date.now() + 60_000;
  for (;;) {
    rmSync(copy, { recursive: true, force: true });
    if (existsSync('dist/cli.js')) {
      mkdirSync(join(copy, 'bin'), { recursive: true });
      cpSync('bin/hatui.js', bin);
      cpSync('dist', join(copy, 'dist'), { recursive: true });
      if (answers('audit', '--help') && answers('run', '--help') && answers('resume', '--help') && answers('replay', '--help')) {
        return { bin, remove: () => rmSync(copy, { recursive: true, force: true }) };
      }
    }
    if (Date.now() > end) throw new Error('no working bundle in dist/: run `npm run build` (npm test does) before this test');
    await new Promise((r) => setTimeout(r, 300));
  }
}
