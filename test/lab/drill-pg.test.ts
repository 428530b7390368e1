// Issue 8 acceptance 1–4 for PostgreSQL on the real lab: crash-failover drills in synchronous mode
// (0 acknowledged writes lost) and in async mode with forced replication lag (lost writes reported,
// RPO target 0 failed), and a planned switchover drill. The canary's counts are re-read from the table
// here, independently of the drill. Tests wait with deadlines; no time is asserted.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pgNodes, type LabSettings } from '../../source/lab/index.js';
import { ANSWERS, expectReportConsistent, restoreLab, runDrillCli, type DrillRun } from './drill-helpers.js';
import { pgClient, pgLeader, testLab, waitFor, waitPartHealthy } from './helpers.js';

let settings: LabSettings;

async function patroniConfig(patch: Record<string, unknown>): Promise<void> {
  const leader = await waitFor(() => pgLeader(settings), 60_000, 'a Patroni leader');
  const res = await fetch(`http://127.0.0.1:${settings.ports.patroni[leader]}/config`, { method: 'PATCH', body: JSON.stringify(patch), headers: { 'content-type': 'application/json' } });
  expect(res.status).toBe(200);
}

async function syncStandby(): Promise<string | null> {
  for (const n of pgNodes) {
    try {
      const res = await fetch(`http://127.0.0.1:${settings.ports.patroni[n]}/cluster`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { members: { name: string; role: string }[] };
      return body.members.find((m) => m.role === 'sync_standby')?.name ?? null;
    } catch {
      // next member
    }
  }
  return null;
}

/** Rows of this drill's run in hatui_canary, read here with our own connection. */
async function canaryRows(run: DrillRun): Promise<number> {
  const client = pgClient(settings, 'rw');
  await client.connect();
  try {
    const { first_seq, attempted } = run.report.canary;
    const r = await client.query<{ n: string }>('SELECT count(*) AS n FROM hatui_canary WHERE seq >= $1 AND seq < $2', [first_seq, first_seq + attempted]);
    return Number(r.rows[0]!.n);
  } finally {
    await client.end();
  }
}

function expectCanaryCounts(run: DrillRun, rows: number): void {
  const r = run.report;
  expect(rows).toBe(r.canary.present);
  expect(rows).toBe(r.canary.acknowledged - r.rpo_lost_writes! + r.in_doubt_writes!);
  expect(r.canary.acknowledged).toBeGreaterThan(0);
}

async function healthyAgain(): Promise<void> {
  await restoreLab(settings, 'pg');
  await waitPartHealthy(settings, 'haproxy', 60_000);
}

beforeAll(async () => {
  settings = testLab();
  await healthyAgain();
});

afterEach(async () => {
  await healthyAgain();
});

afterAll(async () => {
  await patroniConfig({ synchronous_mode: false }).catch(() => {});
});

describe('PostgreSQL drills on the lab', () => {
  it('crash failover in synchronous mode: RTO and write gap measured, no acknowledged write lost', async () => {
    await patroniConfig({ synchronous_mode: true });
    await waitFor(syncStandby, 60_000, 'a sync standby');
    try {
      const run = await runDrillCli('runbooks/drill-pg-primary-failure.md', ANSWERS);
      expect(run.code, run.stdout.slice(-3000) + run.stderr).toBe(0);
      const r = run.report;
      expect(r.runbook.id).toBe('drill-pg-primary-failure');
      expect(typeof r.rto_ms).toBe('number');
      expect(typeof r.write_gap_ms).toBe('number');
      expect(r.rpo_lost_writes).toBe(0);
      expect(r.verdicts.rto.status).toBe('pass');
      expect(r.verdicts.rpo.status).toBe('pass');
      expect(r.pass).toBe(true);
      expect(r.healthy_ms).not.toBeNull();
      const kinds = r.timeline.map((e) => e.kind);
      for (const k of ['fault', 'leader-lost', 'new-leader', 'first-write', 'healthy'] as const) expect(kinds).toContain(k);
      expect(r.steps.every((s) => s.outcome === 'ok')).toBe(true);
      expectCanaryCounts(run, await canaryRows(run));
      await expectReportConsistent(run);
    } finally {
      await patroniConfig({ synchronous_mode: false });
      await waitFor(async () => (await syncStandby()) === null, 60_000, 'no sync standby');
      await healthyAgain();
    }
  }, 420_000);

  it('crash failover in async mode with forced lag: lost acknowledged writes reported, RPO target 0 failed', async () => {
    // The shipped runbook with its rpo target set to 0.
    const dir = mkdtempSync(join(tmpdir(), 'hatui-drill-rb-'));
    const path = join(dir, 'drill-pg-rpo0.md');
    writeFileSync(path, readFileSync('runbooks/drill-pg-primary-failure.md', 'utf8').replace(/^  rpo: 1m$/m, '  rpo: 0').replace('id: drill-pg-primary-failure', 'id: drill-pg-rpo0'));
    const run = await runDrillCli(path, ANSWERS, ['--var', 'lag=4s', '--var', 'lag_lead=1.5']);
    const r = run.report;
    expect(r.targets.rpo_ms).toBe(0);
    expect(r.rpo_lost_writes, run.stdout.slice(-2000)).toBeGreaterThan(0);
    expect(r.rpo_window_ms).toBeGreaterThan(0);
    expect(r.verdicts.rpo.status).toBe('fail');
    expect(r.pass).toBe(false);
    expect(run.code).toBe(1);
    expectCanaryCounts(run, await canaryRows(run));
    await expectReportConsistent(run);
    await healthyAgain();
  }, 420_000);

  it('planned switchover: report produced, no acknowledged write lost', async () => {
    const before = await pgLeader(settings);
    const run = await runDrillCli('runbooks/drill-pg-switchover.md', ANSWERS.replace('rejoin: yes\n', ''));
    expect(run.code, run.stdout.slice(-3000) + run.stderr).toBe(0);
    const r = run.report;
    expect(r.rpo_lost_writes).toBe(0);
    expect(r.verdicts.rpo.status).toBe('pass');
    expect(typeof r.rto_ms).toBe('number');
    expect(await pgLeader(settings)).not.toBe(before);
    expectCanaryCounts(run, await canaryRows(run));
    await expectReportConsistent(run);
  }, 420_000);
});
