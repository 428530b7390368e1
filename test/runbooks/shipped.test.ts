// The shipped runbooks against the example production inventory: every file validates (host selectors
// checked against the inventory), plans with every command rendered, needs typed confirmations in
// production, and carries the HA/DR guide's targets. The built CLI agrees (`validate runbooks/ --inventory`).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../source/core/inventory/model.js';
import type { Runbook } from '../../source/core/runbook/model.js';
import { buildPlan } from '../../source/core/runbook/plan.js';
import { formatProblem } from '../../source/core/runbook/problem.js';
import { readInventoryFile, readRunbookFile } from '../../source/services/load-files.js';
import { hatui, setUpCli, tearDownCli } from '../runbook/cli.js';

const INVENTORY = 'examples/inventory.example.yaml';
const files = readdirSync('runbooks')
  .filter((f) => f.endsWith('.md') && f.toLowerCase() !== 'readme.md')
  .sort();

let inventory: Inventory;
const runbooks = new Map<string, Runbook>();

beforeAll(async () => {
  const loaded = await readInventoryFile(INVENTORY);
  expect(loaded.problems.map(formatProblem)).toEqual([]);
  inventory = loaded.inventory!;
  for (const file of files) {
    const { runbook } = await readRunbookFile(join('runbooks', file), { inventory });
    if (runbook) runbooks.set(file, runbook);
  }
  await setUpCli();
}, 60_000);
afterAll(() => tearDownCli());

/** Defaults, plus a placeholder for each required non-secret variable (plan needs a value). */
function planVars(runbook: Runbook): { vars: Record<string, string>; secretNames: string[] } {
  const vars: Record<string, string> = {};
  const secretNames: string[] = [];
  for (const [name, spec] of Object.entries(runbook.vars)) {
    if (spec.secret) secretNames.push(name);
    else vars[name] = spec.default ?? spec.choices?.[0] ?? `example-${name}`;
  }
  return { vars, secretNames };
}

describe('shipped runbooks against the example production inventory', () => {
  it('the example inventory covers every cluster kind and keeps credentials out of it', () => {
    const kinds = new Set(Object.values(inventory.clusters).map((c) => c.kind));
    expect([...kinds].sort()).toEqual(['dns', 'etcd', 'haproxy', 'kafka', 'mongodb', 'patroni', 'redis-cluster', 'redis-sentinel', 'weaviate']);
    expect(inventory.environment).toBe('production');
    for (const cluster of Object.values(inventory.clusters)) for (const source of Object.values(cluster.credentials ?? {})) expect(Boolean(source.env) !== Boolean(source.file)).toBe(true);
    for (const host of Object.values(inventory.hosts)) for (const key of Object.keys(host.env ?? {})) expect(key).not.toMatch(/PASS|SECRET|TOKEN|API_KEY/i);
  });

  it('includes the issue-7 lab runbooks and the guide-coverage runbooks', () => {
    for (const name of ['pg-switchover.md', 'pg-failover.md', 'redis-sentinel-failover.md', 'haproxy-drain.md', 'mongodb-stepdown.md', 'kafka-under-replicated.md', 'weaviate-backup-restore.md', 'dr-activate.md']) {
      expect(files).toContain(name);
    }
  });

  for (const file of files) {
    describe(file, () => {
      it('validates against the inventory', async () => {
        const { runbook, problems } = await readRunbookFile(join('runbooks', file), { inventory });
        expect(problems.map(formatProblem)).toEqual([]);
        expect(runbook?.steps.length).toBeGreaterThan(0);
      });

      it('plans: every command rendered, every host selector known, typed confirmation for every side effect in production', () => {
        const runbook = runbooks.get(file)!;
        const { vars, secretNames } = planVars(runbook);
        const plan = buildPlan(runbook, { vars, secretNames, inventory });
        expect(plan.environment).toBe('production');
        expect(plan.steps.map((s) => s.id)).toEqual(runbook.steps.map((s) => s.id));
        for (const step of plan.steps) {
          for (const command of step.commands) {
            expect(command.resolution).not.toMatch(/unknown|error|no such/i);
            expect(command.command.length).toBeGreaterThan(0);
            expect(command.timeoutMs).toBeGreaterThan(0);
            // Secrets appear only as environment references, never as values.
            for (const name of secretNames) expect(command.command).not.toContain(`example-${name}`);
          }
          if (step.commands.length > 0) expect(step.confirm.level).toBe('typed');
        }
      });
    });
  }
});

describe('what each shipped runbook promises', () => {
  const minutes = (ms: number | undefined) => (ms === undefined ? undefined : ms / 60_000);
  const targetsOf = (file: string) => runbooks.get(file)!.targets;

  it("carries the guide's RTO/RPO targets", () => {
    expect(targetsOf('pg-switchover.md')).toEqual({ rtoMs: 5 * 60_000, rpoMs: 60_000 });
    expect(targetsOf('pg-failover.md')).toEqual({ rtoMs: 5 * 60_000, rpoMs: 60_000 });
    expect(minutes(targetsOf('redis-sentinel-failover.md').rtoMs)).toBe(1);
    expect(targetsOf('redis-sentinel-failover.md').rpoMs).toBe(0);
    expect(targetsOf('mongodb-stepdown.md')).toEqual({ rtoMs: 10 * 60_000, rpoMs: 5 * 60_000 });
    expect(targetsOf('kafka-under-replicated.md')).toEqual({ rtoMs: 10 * 60_000, rpoMs: 60_000 });
    expect(targetsOf('weaviate-backup-restore.md')).toEqual({ rtoMs: 15 * 60_000, rpoMs: 10 * 60_000 });
    expect(targetsOf('dr-activate.md')).toEqual({ rtoMs: 5 * 60_000, rpoMs: 60_000 });
  });

  it('the runbooks without lab servers say so to the operator', () => {
    for (const file of ['mongodb-stepdown.md', 'kafka-under-replicated.md', 'weaviate-backup-restore.md']) {
      const runbook = runbooks.get(file)!;
      const text = [runbook.summary ?? '', ...runbook.steps.flatMap((s) => s.prose)].join('\n');
      expect(text, file).toMatch(/Not runnable on the hatui lab/);
    }
    // The double-backed ones say what they did run against: a double, never the real server.
    for (const file of ['mongodb-stepdown.md', 'kafka-under-replicated.md', 'weaviate-backup-restore.md']) {
      expect(runbooks.get(file)!.summary ?? '', file).toMatch(/wire-level \w+ double/);
    }
  });

  it('pg-switchover: typed change step with pre-flight, patronictl on the leader, verification that does not trust its exit code, switch-back rollback', () => {
    const rb = runbooks.get('pg-switchover.md')!;
    const sw = rb.steps.find((s) => s.id === 'switchover')!;
    expect(sw.changes).toBe('pg');
    expect(sw.onFail).toEqual({ kind: 'rollback' });
    expect(sw.preflight.map((p) => p.source).join('\n')).toMatch(/lagBytes[\s\S]*syncStandby|syncStandby[\s\S]*lagBytes/);
    expect(sw.commands[0]!.host).toBe('pg.leader');
    expect(sw.commands[0]!.template).toMatch(/patronictl switchover --leader \{\{ captures\.view\.json\.leader \}\} --candidate \{\{ captures\.view\.json\.candidate \}\} --force/);
    const verify = rb.steps.filter((s) => s.id.startsWith('verify-') && !s.rollback);
    expect(verify.map((s) => s.id)).toEqual(['verify-leader', 'verify-haproxy', 'verify-old-leader']);
    for (const s of verify) {
      expect(s.onFail).toEqual({ kind: 'rollback' });
      expect(s.checks.length).toBeGreaterThan(0);
      expect(s.commands.map((c) => c.template).join('\n')).not.toContain('patronictl switchover');
    }
    const rollback = rb.steps.find((s) => s.id === 'rollback')!;
    expect(rollback.changes).toBe('pg');
    expect(rollback.commands[0]!.template).toContain('patronictl switchover --leader "$current" --candidate "$old" --force');
  });

  it('redis-sentinel-failover: pause, failover, agreement, REPLICAOF and unpause in one command on the old master; crash variant guarded by mode', () => {
    const rb = runbooks.get('redis-sentinel-failover.md')!;
    const fo = rb.steps.find((s) => s.id === 'failover')!;
    expect(fo.when?.source).toBe("vars.mode == 'planned'");
    expect(fo.commands).toHaveLength(1);
    expect(fo.commands[0]!.host).toBe('redis.master');
    const t = fo.commands[0]!.template;
    const order = ['CLIENT PAUSE "$pause_ms" WRITE', 'SENTINEL FAILOVER', 'seen=$(masters', 'REPLICAOF', 'CLIENT UNPAUSE >/dev/null\n'].map((needle) => t.indexOf(needle));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(t).toMatch(/trap '.*CLIENT UNPAUSE.*' EXIT/);
    for (const id of ['crash-wait', 'crash-verify', 'crash-rejoin']) expect(rb.steps.find((s) => s.id === id)!.when?.source).toBe("vars.mode == 'crash'");
  });

  it('pg-failover: waits, forces only without a leader, verifies writes through HAProxy, offers reinit only when the node is not streaming', () => {
    const rb = runbooks.get('pg-failover.md')!;
    const ids = rb.steps.map((s) => s.id);
    expect(ids).toEqual(['diagnose', 'wait-failover', 'force', 'verify', 'rejoin', 'reinit', 'healthy']);
    expect(rb.steps.find((s) => s.id === 'wait-failover')!.onFail).toEqual({ kind: 'step', stepId: 'force' });
    expect(rb.steps.find((s) => s.id === 'force')!.when?.source).toBe("!has(captures.waited) || captures.waited.stdout == ''");
    expect(rb.steps.find((s) => s.id === 'force')!.commands[0]!.template).toContain('patronictl failover --candidate "$want" --force');
    expect(rb.steps.find((s) => s.id === 'verify')!.commands.map((c) => c.host)).toEqual(['pg.leader', 'haproxy.members']);
    const reinit = rb.steps.find((s) => s.id === 'reinit')!;
    expect(reinit.when?.source).toBe("!has(captures.rejoin) || captures.rejoin.stdout != 'streaming'");
    expect(reinit.commands[0]!.template).toContain('patronictl reinit "$scope" "$lost" --force --wait >&2');
    expect(reinit.checklist[0]!.text).toMatch(/has already been removed/);
  });

  it('haproxy-drain: drain and ready through the admin socket, rollback puts the server back', () => {
    const rb = runbooks.get('haproxy-drain.md')!;
    const cmd = (id: string) => rb.steps.find((s) => s.id === id)!.commands.map((c) => c.template).join('\n');
    expect(cmd('drain')).toContain('set server $target state drain');
    expect(cmd('ready')).toContain('set server $b/$s state ready');
    expect(cmd('rollback')).toContain('set server $b/$s state ready');
    for (const id of ['drain', 'wait-drained', 'ready']) expect(rb.steps.find((s) => s.id === id)!.onFail).toEqual({ kind: 'rollback' });
  });
});

describe('the built CLI', () => {
  it('hatui validate runbooks/ --inventory examples/inventory.example.yaml exits 0', () => {
    const r = hatui(['validate', 'runbooks', '--inventory', INVENTORY]);
    expect(r.err + r.out).toMatch(/runbook\(s\) valid/);
    expect(r.code).toBe(0);
  });

  it('hatui plan works for every shipped runbook with the example inventory', () => {
    for (const file of files) {
      const runbook = runbooks.get(file)!;
      const args = ['plan', join('runbooks', file), '--inventory', INVENTORY];
      for (const [name, spec] of Object.entries(runbook.vars)) if (!spec.secret && spec.default === undefined) args.push('--var', `${name}=example-${name}`);
      const r = hatui(args);
      expect(r.code, `${file}: ${r.err}`).toBe(0);
      expect(r.out).toContain(`(${runbook.id})`);
      expect(r.out).toContain('nothing is run by plan');
    }
  });
});
