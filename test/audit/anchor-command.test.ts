// The operator-configured anchor command, from the `audit.anchorCommand` setting (conf) or the
// HATUI_ANCHOR_COMMAND environment variable, receives every head of a real `hatui run`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { privateBundle, type Bundle } from './bundle.js';

let bundle: Bundle;
let dir: string;
beforeAll(async () => {
  bundle = await privateBundle();
  dir = mkdtempSync(join(tmpdir(), 'hatui-anchor-cmd-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  bundle?.remove();
});

function run(name: string, env: Record<string, string>) {
  const base = { ...process.env, XDG_STATE_HOME: join(dir, name), XDG_CONFIG_HOME: join(dir, name, 'config'), HATUI_TEST_SLEEP: '0' };
  delete (base as Record<string, string | undefined>).HATUI_ANCHOR_COMMAND;
  const r = spawnSync(process.execPath, [bundle.bin, 'run', resolve('test/audit/fixtures/sleepy.md'), '--headless'], { encoding: 'utf8', env: { ...base, ...env } });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  return /head (\d+):([0-9a-f]{64})/.exec(r.stdout)!;
}

describe('anchor command', () => {
  it('runs the command from the conf setting audit.anchorCommand after every record', () => {
    const out = join(dir, 'conf-heads');
    mkdirSync(join(dir, 'conf', 'config', 'hatui-nodejs'), { recursive: true });
    writeFileSync(join(dir, 'conf', 'config', 'hatui-nodejs', 'config.json'), JSON.stringify({ audit: { anchorCommand: `echo "$HATUI_ANCHOR_HEAD" >> ${out}` } }));
    const [, seq, hash] = run('conf', {});
    const heads = readFileSync(out, 'utf8').trim().split('\n');
    expect(heads).toHaveLength(Number(seq));
    expect(heads.at(-1)).toBe(`${seq}:${hash}`);
  });

  it('HATUI_ANCHOR_COMMAND overrides the setting', () => {
    const out = join(dir, 'env-heads');
    const [, seq] = run('env', { HATUI_ANCHOR_COMMAND: `cat >> ${out}` });
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(Number(seq));
    expect(lines.at(-1)).toMatchObject({ seq: Number(seq), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});
