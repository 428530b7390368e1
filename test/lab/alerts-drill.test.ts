// The drill report's alert section on the lab with real Prometheus + Alertmanager: the pg primary-failure
// drill must report PostgreSQLInstanceDown for the crashed primary with its latency from T0, measured from
// Alertmanager's startsAt (the lab scrapes every 3 s with a 3 s timeout and evaluates every second; the
// lab's for: is 2 s, the shipped 1m).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labUp } from '../../source/lab/index.js';
import { ANSWERS, restoreLab, runDrillCli } from './drill-helpers.js';
import { testLab, waitPartHealthy } from './helpers.js';

const settings = testLab();

beforeAll(async () => {
  await labUp(settings, ['monitoring']);
  await waitPartHealthy(settings, 'monitoring');
  await waitPartHealthy(settings, 'pg');
});
afterAll(async () => {
  await restoreLab(settings, 'pg');
});

describe('drill report: alerts', () => {
  it('pg primary failure: PostgreSQLInstanceDown fires for the crashed primary and the report has its latency from Alertmanager', async () => {
    const run = await runDrillCli('runbooks/drill-pg-primary-failure.md', ANSWERS);
    const alerts = run.report.alerts!;
    expect(alerts, run.stdout.slice(-2000)).toBeDefined();
    expect(alerts.status).toBe('observed');
    expect(alerts.source).toBe(`http://127.0.0.1:${settings.ports.alertmanager}`);
    // The fault is a crashed primary: its exporter answers pg_up 0 while it is down (until the rejoin step).
    const down = alerts.fired.find((a) => a.name === 'PostgreSQLInstanceDown');
    expect(down, alerts.summary).toBeDefined();
    expect(down!.runbook).toBe('pg-failover');
    // Measured, from Alertmanager's startsAt: after the fault (startsAt is a rule evaluation, not a guess) and
    // seen by the watcher no earlier than it started.
    expect(typeof down!.latency_ms).toBe('number');
    expect(down!.latency_ms!).toBeGreaterThan(0);
    expect(down!.latency_ms).toBe(Date.parse(down!.starts_at) - Date.parse(run.report.t0!));
    expect(down!.seen_after_ms!).toBeGreaterThanOrEqual(down!.latency_ms! - 1000);
    expect(alerts.summary).toContain(`PostgreSQLInstanceDown fired ${down!.latency_ms} ms after the fault (runbook pg-failover)`);
    const md = readFileSync(join(run.dir, 'report.md'), 'utf8');
    expect(md).toContain('## Alerts');
    expect(md).toContain(`\`PostgreSQLInstanceDown\` started ${down!.starts_at}`);
    expect(md).not.toContain('no alert fired during the drill');
  });
});
