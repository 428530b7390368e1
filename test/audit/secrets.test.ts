// Secrets never reach the audit log in clear: a secret variable printed by a command (and echoed in
// the command line's environment reference) is redacted before the record is hashed and written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateBundle, type Bundle } from './bundle.js';

let bundle: Bundle;
let dir: string;
beforeAll(async () => {
  bundle = await privateBundle();
  dir = mkdtempSync(join(tmpdir(), 'hatui-audit-secret-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  bundle?.remove();
});

describe('secrets in the audit log', () => {
  it('a secret printed by a command is redacted in the log, and the log verifies', () => {
    const secret = 'hunter2-s3cr3t-value';
    const runbook = join(dir, 'secret.md');
    writeFileSync(runbook, ['---', 'id: secret', 'title: Prints a secret', 'vars:', '  pw:', '    secret: true', '---', '', '## Leak {#leak}', '', '```sh {host=local}', 'echo pw is {{ pw }}; printf %s {{ pw }} | rev', '```', ''].join('\n'));
    const env = { ...process.env, XDG_STATE_HOME: join(dir, 'xdg'), HATUI_ANCHOR_COMMAND: '', HATUI_VAR_PW: secret };
    const run = spawnSync(process.execPath, [bundle.bin, 'run', runbook, '--headless'], { encoding: 'utf8', env });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).not.toContain(secret);
    const runs = join(dir, 'xdg', 'hatui', 'runs');
    const log = join(runs, readdirSync(runs)[0]!);
    const text = readFileSync(log, 'utf8');
    expect(text).not.toContain(secret);
    const output = text.trimEnd().split('\n').map((l) => JSON.parse(l).event).filter((e) => e.type === 'command-output').map((e) => e.data).join('');
    expect(output).not.toContain(secret);
    expect(output).toContain('pw is ••••');
    expect(output).toContain([...secret].reverse().join('')); // only the exact secret is masked: rev shows the command really ran
    expect(spawnSync(process.execPath, [bundle.bin, 'audit', 'verify', log], { encoding: 'utf8', env }).status).toBe(0);
  });
});
