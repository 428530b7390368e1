// Acceptance 4: the audit log's filesystem fails mid-run (remounted read-only, full, or a file size
// limit): the run stops before its next command with a clear error, and what was written verifies.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { privateBundle, type Bundle } from './bundle.js';
import { join } from 'node:path';

let bundle: Bundle;
let bin: string;
let dir: string;
let mnt: string;

function runbookWith(fault: string, marker: string): string {
  const path = join(dir, 'fault.md');
  writeFileSync(
    path,
    ['---', 'id: fault', 'title: The audit log fails mid-run', '---', '', '## Break {#break}', '', '```sh {host=local}', fault, '```', '', '## Next {#next}', '', '```sh {host=local}', `touch ${marker}`, '```', ''].join('\n'),
  );
  return path;
}

function headlessRun(runbook: string, prefix: string[] = []) {
  const [cmd, ...args] = [...prefix, process.execPath, bin, 'run', runbook, '--headless'];
  const r = spawnSync(cmd!, args, { encoding: 'utf8', env: { ...process.env, XDG_STATE_HOME: mnt, HATUI_ANCHOR_COMMAND: '', CI: 'true' }, timeout: 60_000 });
  return { code: r.status, text: r.stdout + r.stderr };
}

function verifyState(): { code: number | null; out: string } {
  const runs = join(mnt, 'hatui', 'runs');
  const log = join(runs, readdirSync(runs)[0]!);
  const r = spawnSync(process.execPath, [bin, 'audit', 'verify', log], { encoding: 'utf8', env: { ...process.env, XDG_STATE_HOME: mnt } });
  return { code: r.status, out: r.stdout };
}

beforeAll(async () => {
  bundle = await privateBundle();
  bin = bundle.bin;
});
afterAll(() => bundle?.remove());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hatui-runfail-'));
  mnt = join(dir, 'state');
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
});
afterEach(() => {
  execFileSync('umount', ['-l', mnt]);
  rmSync(dir, { recursive: true, force: true });
});

describe('the run stops before its next command when the audit log cannot be written', () => {
  it('read-only: the state filesystem is remounted ro during a command (EROFS)', () => {
    const marker = join(dir, 'next-ran');
    const r = headlessRun(runbookWith(`mount -o remount,ro ${mnt}`, marker));
    expect(r.code, r.text).toBe(1);
    expect(r.text).toMatch(/audit log write failed.*EROFS|EROFS.*audit log write failed/s);
    expect(r.text).toContain('run stopped before its next side effect');
    expect(existsSync(marker)).toBe(false);
    execFileSync('mount', ['-o', 'remount,rw', mnt]);
    expect(verifyState().code).toBe(0);
  });

  it('full: a 1 MiB tmpfs fills up during a command (ENOSPC)', () => {
    const marker = join(dir, 'next-ran');
    const r = headlessRun(runbookWith(`head -c 2097152 /dev/zero > ${mnt}/filler 2>/dev/null; head -c 16384 /dev/zero | tr '\\0' x`, marker));
    expect(r.code, r.text).toBe(1);
    expect(r.text).toMatch(/audit log write failed[^\n]*ENOSPC/);
    expect(existsSync(marker)).toBe(false);
    rmSync(join(mnt, 'filler'));
    expect([0, 3]).toContain(verifyState().code);
  });

  it('file size limit: prlimit --fsize makes the log write fail with EFBIG', () => {
    const marker = join(dir, 'next-ran');
    const r = headlessRun(runbookWith(`head -c 16384 /dev/zero | tr '\\0' x`, marker), ['prlimit', '--fsize=8192']);
    expect(r.code, r.text).toBe(1);
    expect(r.text).toMatch(/audit log write failed[^\n]*EFBIG/);
    expect(existsSync(marker)).toBe(false);
    expect([0, 3]).toContain(verifyState().code);
  });
});
