// Issue 18: `hatui resume` of a run SIGKILLed during a remote (SSH) step, end to end on the lab. The
// remote command's outcome was never observed, so resume shows the step `unknown`; skipping it (the
// operator's decision, recorded) lets the run continue over SSH to the end, and the resumed log verifies.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labPaths } from '../../source/lab/index.js';
import { hatui, labEnv, testLab, waitFor, waitPartHealthy } from './helpers.js';

const RUNBOOK = `---
id: resume-ssh
title: A long remote step, then another
clusters: [pg]
---

## Long remote step {#long}

\`\`\`sh {host=pg.leader}
echo long-started; sleep 20; echo long-finished
\`\`\`

## After {#after}

\`\`\`sh {host=pg.leader}
echo after-ran
\`\`\`
`;

const work = mkdtempSync(join(tmpdir(), 'hatui-resume-ssh-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('resume after SIGKILL during a remote step', () => {
  it('the step is unknown on resume, the skip is recorded, the run continues over SSH, and the log verifies', async () => {
    const settings = testLab();
    await waitPartHealthy(settings, 'sshd');
    await waitPartHealthy(settings, 'pg');
    const rb = join(work, 'resume-ssh.md');
    writeFileSync(rb, RUNBOOK);
    const state = join(work, 'state');
    const env = { ...process.env, ...labEnv(settings), XDG_STATE_HOME: state, NO_COLOR: '1', HATUI_ANCHOR_COMMAND: '' };
    const child = spawn(process.execPath, ['bin/hatui.js', 'run', rb, '--headless', '--inventory', labPaths(settings).inventory], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise((r) => child.on('exit', r));
    await waitFor(() => /long-started/.test(out), 90_000, `the remote step to start; output so far:\n${out}`);
    child.kill('SIGKILL');
    await exited;
    const runs = join(state, 'hatui', 'runs');
    const { readdirSync } = await import('node:fs');
    const log = join(runs, readdirSync(runs).find((f) => f.endsWith('.jsonl'))!);
    const before = readFileSync(log, 'utf8');
    expect(before).toContain('"command-started"');
    expect(before).not.toMatch(/"command-finished"[^\n]*"stepId":"long"/);

    const answers = join(work, 'answers.yaml');
    writeFileSync(answers, 'long: { resume: skip }\n');
    const resumed = await hatui(['resume', log, '--headless', '--inventory', labPaths(settings).inventory, '--answers', answers], { ...labEnv(settings), XDG_STATE_HOME: state, NO_COLOR: '1', HATUI_ANCHOR_COMMAND: '' }, 180_000);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout + resumed.stderr).toMatch(/long: unknown/);
    expect(resumed.stdout).toContain('after-ran');
    const after = readFileSync(log, 'utf8');
    expect(after).toContain('"run-resumed"');
    expect(after).toMatch(/"stepId":"long"[^\n]*skip|skip[^\n]*"stepId":"long"/);
    expect(after).toMatch(/"command-finished"[^\n]*"stepId":"after"|"stepId":"after"[^\n]*"command-finished"/);
    const verify = await hatui(['audit', 'verify', log], { XDG_STATE_HOME: state, NO_COLOR: '1' });
    expect(verify.code, verify.stdout).toBe(0);
  }, 400_000);
});
