// `hatui replay <log>` on a terminal opens the interactive replay screen (tmux, 80×24); piped, or
// with --text, it prints the plain step-by-step replay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { privateBundle, type Bundle } from './bundle.js';

let bundle: Bundle;
let dir: string;
let log: string;
beforeAll(async () => {
  bundle = await privateBundle();
  dir = mkdtempSync(join(tmpdir(), 'hatui-replay-tty-'));
  const run = spawnSync(process.execPath, [bundle.bin, 'run', resolve('test/audit/fixtures/sleepy.md'), '--headless'], {
    encoding: 'utf8',
    env: { ...process.env, XDG_STATE_HOME: dir, HATUI_ANCHOR_COMMAND: '', HATUI_TEST_SLEEP: '0' },
  });
  expect(run.status, run.stdout + run.stderr).toBe(0);
  log = /audit log: (\S+\.jsonl)/.exec(run.stdout)![1]!;
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  bundle?.remove();
});

describe('hatui replay <log> without export flags', () => {
  it('prints the plain replay when not on a terminal', () => {
    const r = spawnSync(process.execPath, [bundle.bin, 'replay', log], { encoding: 'utf8', env: { ...process.env, XDG_STATE_HOME: dir } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('[2/3] step long: ok');
  });

  it('opens the interactive screen on a terminal; q quits with exit 0', async () => {
    const socket = `hatui-replay-${process.pid}`;
    const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
    const done = join(dir, 'exit');
    const command = `env -u CI XDG_STATE_HOME='${dir}' '${process.execPath}' '${bundle.bin}' replay '${log}'; echo $? > '${done}'; sleep 60`;
    expect(tmux('new-session', '-d', '-x', '80', '-y', '24', command).status).toBe(0);
    try {
      const screen = () => tmux('capture-pane', '-p').stdout;
      const deadline = Date.now() + 30_000;
      while (!/replay sleepy/.test(screen())) {
        if (Date.now() > deadline) throw new Error(`no replay screen within 30 s:\n${screen()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(screen()).toMatch(/Prepare/);
      tmux('send-keys', 'q');
      const end = Date.now() + 10_000;
      while (!existsSync(done) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      expect(readFileSync(done, 'utf8').trim()).toBe('0');
    } finally {
      tmux('kill-server');
    }
  });
});
