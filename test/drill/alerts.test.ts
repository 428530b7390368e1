import { describe, expect, it } from 'vitest';
import { drillAlerts } from '../../source/core/drill/alerts.js';

const t0 = Date.parse('2026-12-03T10:00:00.000Z');

describe('drill report: alerts', () => {
  it('reports each alert that started after the fault with its latency from Alertmanager startsAt', () => {
    const r = drillAlerts({
      source: 'http://am:9093',
      answered: true,
      t0Ms: t0,
      startedAtMs: t0 - 5000,
      seen: [
        { name: 'Old', fingerprint: 'a', startsAt: '2026-12-03T09:00:00.000Z', firstSeenMs: t0 - 4000, runbook: null },
        { name: 'PostgreSQLInstanceDown', fingerprint: 'b', startsAt: '2026-12-03T10:00:04.500Z', firstSeenMs: t0 + 5200, runbook: 'pg-failover' },
      ],
    });
    expect(r.status).toBe('observed');
    expect(r.fired).toEqual([{ name: 'PostgreSQLInstanceDown', starts_at: '2026-12-03T10:00:04.500Z', latency_ms: 4500, seen_after_ms: 5200, runbook: 'pg-failover' }]);
    expect(r.summary).toBe('PostgreSQLInstanceDown fired 4500 ms after the fault (runbook pg-failover)');
  });

  it('says plainly that no alert fired, or that nothing was measured', () => {
    expect(drillAlerts({ source: 'http://am:9093', answered: true, t0Ms: t0, startedAtMs: t0, seen: [] }).summary).toMatch(/^no alert fired during the drill/);
    expect(drillAlerts({ source: 'http://am:9093', answered: false, t0Ms: t0, startedAtMs: t0, seen: [] })).toMatchObject({ status: 'unreachable', summary: expect.stringMatching(/never answered/) });
    expect(drillAlerts({ source: null, answered: false, t0Ms: t0, startedAtMs: t0, seen: [] })).toMatchObject({ status: 'not-configured' });
  });
});
