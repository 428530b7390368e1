// `hatui run` end to end through the bundle (`npm run build` first; `npm test` does that).
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateBundle, type Bundle } from '../support/bundle.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'hatui-cli-'));
// Audit logs go to a private state dir; a lab left running elsewhere is not picked up as the default inventory.
const isolated = { XDG_STATE_HOME: tmp(), HATUI_LAB_DIR: join(tmp(), 'no-lab') };

// Other work may rebuild dist/ while this file runs: the tests use a private copy (test/support/bundle.ts).
let bundle: Bundle | undefined;

function hatui(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', [bundle!.bin, ...args], { env: { ...process.env, NO_COLOR: '1', ...isolated, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 99) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  bundle = await privateBundle({ label: 'cli', probes: [['--version'], ['run', '--help']], waitMs: 30_000 });
}, 60_000);

afterAll(() => bundle?.remove());

describe('hatui run --headless', () => {
  it('runs a check, branches the failed step to rollback, exits 1', async () => {
    const dir = tmp();
    const r = await hatui(['run', 'test/runner/fixtures/flow.md', '--headless', '--var', `dir=${dir}`]);
    expect(r.code).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['break', 'cleanup', 'prepare', 'rollback']);
    expect(r.stdout).toContain('check true  captures.info.json.ok == true');
    expect(r.stdout).toContain('[failed] break: exit code 3, expected 0');
    expect(r.stdout).toContain('[ok] rollback');
    expect(r.stdout).toContain('run finished: failed');
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // The run is recorded in a hash-chained audit log that verifies; its head is printed for the ticket.
    const log = /audit log: (\S+\.jsonl) · head (\d+:[0-9a-f]{64})/.exec(r.stdout);
    expect(log).not.toBeNull();
    const verify = await hatui(['audit', 'verify', log![1]!, '--head', log![2]!]);
    expect(verify.code).toBe(0);
  });

  it('a missing confirmation exits 3 naming the step, and nothing was executed', async () => {
    const dir = tmp();
    const r = await hatui(['run', 'test/runner/fixtures/confirm.md', '--headless', '--var', `dir=${dir}`]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("step 'danger'");
    expect(readdirSync(dir)).toEqual([]);
  });

  it('with the answers file the same runbook runs to the end, exit 0', async () => {
    const dir = tmp();
    const answers = join(dir, 'answers.yaml');
    writeFileSync(answers, 'danger: really\nafter:\n  checklist: all\n');
    const r = await hatui(['run', 'test/runner/fixtures/confirm.md', '--headless', '--var', `dir=${dir}`, '--answers', answers]);
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['after', 'answers.yaml', 'danger']);
    expect(r.stdout).toContain("confirmed by");
  });

  it('--dry-run prints the commands and runs nothing', async () => {
    const dir = tmp();
    const r = await hatui(['run', 'test/runner/fixtures/flow.md', '--dry-run', '--var', `dir=${dir}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`touch ${dir}/prepare`);
    expect(r.stdout).toContain('rollback path');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a hostile value reaches the command byte for byte with no side effect', async () => {
    const dir = tmp();
    const value = `$(touch ${dir}/pwned) \`touch ${dir}/pwned\`; touch ${dir}/pwned && x\n'"* -n ü`;
    const r = await hatui(['run', 'test/runner/fixtures/hostile.md', '--headless', '--var', `value=${value}`, '--var', `out=${dir}/out`]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe(value);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });

  it('a timed-out command fails the step and leaves no process with its marker', async () => {
    const marker = `hatui-cli-marker-${randomUUID()}`;
    const r = await hatui(['run', 'test/runner/fixtures/timeout.md', '--headless', '--var', `marker=${marker}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[timed-out] hang: timed out after 1s');
    const end = Date.now() + 5000;
    const alive = () => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker) && !/\) Z /.test(readFileSync(`/proc/${p}/stat`, 'utf8'));
      } catch {
        return false;
      }
    });
    while (alive().length > 0 && Date.now() < end) await new Promise((res) => setTimeout(res, 50));
    expect(alive()).toEqual([]);
  });

  it('usage errors exit 2: unknown flag, undeclared variable, missing value', async () => {
    expect((await hatui(['run', 'test/runner/fixtures/flow.md', '--bogus'])).code).toBe(2);
    const undeclared = await hatui(['run', 'test/runner/fixtures/flow.md', '--var', 'nope=1']);
    expect(undeclared.code).toBe(2);
    expect(undeclared.stderr).toContain("no variable 'nope'");
    const missing = await hatui(['run', 'test/runner/fixtures/flow.md']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("variable 'dir' needs a value");
  });
});
