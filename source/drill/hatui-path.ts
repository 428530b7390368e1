// Drill runbooks call `hatui lab crash …` from local steps. When `hatui` is not on PATH (a checkout
// run as `node bin/hatui.js`), put a small shim for this very installation first on PATH.
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quote } from 'shell-quote';

export function findBin(from: string = dirname(fileURLToPath(import.meta.url))): string | null {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'bin', 'hatui.js');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

function onPath(env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, 'hatui')));
}

/** Returns the PATH to use (unchanged when `hatui` is already found). */
export function ensureHatuiOnPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (onPath(env)) return env.PATH;
  const bin = findBin();
  if (!bin) return env.PATH;
  const dir = mkdtempSync(join(tmpdir(), 'hatui-bin-'));
  const shim = join(dir, 'hatui');
  // A checkout's bundle may be rebuilt while a drill runs (dist/ briefly missing): wait for it.
  const bundle = join(dirname(dirname(bin)), 'dist', 'cli.js');
  writeFileSync(
    shim,
    `#!/bin/sh\ni=0\nwhile [ ! -f ${quote([bundle])} ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i + 1)); done\nexec ${quote([process.execPath, bin])} "$@"\n`,
  );
  chmodSync(shim, 0o755);
  return `${dir}${delimiter}${env.PATH ?? ''}`;
}
