// The drill report's alert section on the lab with real Prometheus + Alertmanager: the pg primary-failure
// drill either reports the alert that fired and its latency from T0 (Alertmanager's startsAt), or says
// plainly that none fired. Never assumed.
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
  it('pg primary failure: the report has the measured alert latency, or says no alert fired', async () => {
    const run = await runDrillCli('runbooks/drill-pg-primary-failure.md', ANSWERS);
    const alerts = run.report.alerts!;
    expect(alerts, run.stdout.slice(-2000)).toBeDefined();
    expect(alerts.status).toBe('observed');
    expect(alerts.source).toBe(`http://127.0.0.1:${settings.ports.alertmanager}`);
    const md = readFileSync(join(run.dir, 'report.md'), 'utf8');
    expect(md).toContain('## Alerts');
    if (alerts.fired.length === 0) {
      expect(alerts.summary).toMatch(/^no alert fired during the drill/);
      expect(md).toContain('no alert fired during the drill');
    } else {
      for (const a of alerts.fired) {
        expect(typeof a.latency_ms).toBe('number');
        expect(a.latency_ms!).toBeGreaterThanOrEqual(-1000);
        expect(md).toContain(`\`${a.name}\` started ${a.starts_at}`);
      }
      // The fault is a crashed primary: its exporter's pg_up goes to 0.
      expect(alerts.fired.map((a) => a.name)).toContain('PostgreSQLInstanceDown');
    }
  });
});
