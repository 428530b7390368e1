// `hatui plan`: every step with guard, confirmation, rendered commands (quoted, secrets as env references)
// and where failure leads; it runs nothing.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../source/core/runbook/plan.js';
import { hatui as cli, setUpCli, tearDownCli } from './cli.js';

const demo = resolve('test/fixtures/valid/local-demo.md');
const inventory = resolve('test/fixtures/inventory/example.yaml');
let cwd: string;

const hatui = (...args: string[]) => cli(args, { cwd, env: { HATUI_VAR_DB_PASSWORD: 'topsecret', HATUI_SECRET_DB_PASSWORD: 'topsecret' } });

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'hatui-plan-'));
  await setUpCli();
}, 60_000);
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
  tearDownCli();
});

describe('hatui plan', () => {
  it('prints each step, guard, confirmation, quoted commands and failure paths, and runs nothing', () => {
    const r = hatui('plan', demo, '--var', 'greeting=$(touch pwned); rm -rf ~', '--inventory', inventory);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('environment: staging');
    expect(r.out).toContain('1. [hello] Say hello');
    expect(r.out).toContain(`printf '%s' '$(touch pwned); rm -rf ~'`);
    expect(r.out).toContain("guard: vars.mode == 'planned'");
    expect(r.out).toContain('confirm: yes');
    expect(r.out).toContain('confirm: typed — type "pg"');
    expect(r.out).toContain('echo ⟨captures.hello.stdout⟩ "$HATUI_SECRET_DB_PASSWORD"');
    expect(r.out).toContain('on failure → retry up to 2×, then roll back (rollback)');
    expect(r.out).toContain('── rollback path ──');
    expect(r.out).not.toContain('topsecret');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('gives the same plan as JSON', () => {
    const r = hatui('plan', demo, '--json');
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out) as Plan;
    expect(plan.steps.map((s) => [s.id, s.onSuccess, s.onFailure])).toEqual([
      ['hello', 'planned', 'abort the run'],
      ['planned', 'change-the-cluster', 'retry up to 2×, then roll back (rollback)'],
      ['change-the-cluster', 'end (run ok)', 'abort the run'],
      ['rollback', 'after-rollback', 'abort the run'],
      ['after-rollback', 'end (rollback finished: run fails)', 'abort the run'],
    ]);
    expect(plan.steps[0]!.commands[0]).toMatchObject({ host: 'local', command: "printf '%s' hello", timeoutMs: 30_000, capture: 'hello' });
    expect(plan.vars.db_password).toBe('$HATUI_SECRET_DB_PASSWORD');
  });

  it('refuses bad variables and flags with a usage error, never shows a secret, and fails invalid runbooks with exit 1', () => {
    expect(hatui('plan', demo, '--var', 'mode=sideways').code).toBe(2);
    expect(hatui('plan', demo, '--var', 'nosuch=1').code).toBe(2);
    const secret = hatui('plan', demo, '--var', 'db_password=hunter2');
    expect(secret.code).toBe(0);
    expect(secret.out).not.toContain('hunter2');
    expect(hatui('plan', demo, '--nope').code).toBe(2);
    const broken = hatui('plan', resolve('test/fixtures/broken/duplicate-id.md'));
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/duplicate-id\.md:16:12: duplicate step id/);
  });
});
