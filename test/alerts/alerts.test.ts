import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { alertmanagerTarget, combineAlerts, fetchAlertsOnce } from '../../source/adapters/probes/alertmanager.js';
import { alertRunbook, parseAlerts, sinceText } from '../../source/core/alerts.js';
import { loadInventory } from '../../source/core/inventory/load.js';
import type { Inventory } from '../../source/core/inventory/model.js';
import { Poller } from '../../source/services/poller.js';
import { AlertmanagerDouble } from '../doubles/alertmanager-http.js';

const sample = JSON.parse(readFileSync('test/probes/fixtures/alertmanager-alerts.json', 'utf8')) as unknown[];

describe('alerts from Alertmanager', () => {
  it('reads the real /api/v2/alerts shape: name, severity, instance, since, runbook, fingerprint', () => {
    const [alert] = parseAlerts(sample);
    expect(alert).toMatchObject({
      name: 'RedisReplicationBroken',
      severity: 'critical',
      state: 'active',
      instance: '127.0.0.1:42440',
      runbook: 'redis-replication-broken',
      fingerprint: '426716e5ff065291',
      startsAt: '2026-12-03T10:38:13.490Z',
    });
    expect(alert!.labels.member).toBe('redis1');
  });

  it('lists critical alerts first, then the oldest', () => {
    const mk = (name: string, severity: string, startsAt: string) => ({ labels: { alertname: name, severity }, annotations: {}, startsAt, fingerprint: name, status: { state: 'active' } });
    const alerts = parseAlerts([mk('w', 'warning', '2026-01-01T00:00:00Z'), mk('c2', 'critical', '2026-01-02T00:00:00Z'), mk('c1', 'critical', '2026-01-01T00:00:00Z')]);
    expect(alerts.map((a) => a.name)).toEqual(['c1', 'c2', 'w']);
  });

  it('refuses an answer that is not a list', () => {
    expect(() => parseAlerts({ error: 'x' })).toThrow(/not a list/);
  });

  it('links an alert to its runbook and prefills the variables its labels name; an unknown runbook stays listed as unknown', () => {
    const runbooks = [{ id: 'pg-failover', title: 'PG', path: 'runbooks/pg-failover.md', problems: [], vars: { lost_member: {}, failover_wait: {} } }];
    const labels = { alertname: 'PostgreSQLInstanceDown', lost_member: 'pg1', instance: '127.0.0.1:5432' };
    expect(alertRunbook({ runbook: 'pg-failover', labels }, runbooks)).toEqual({ kind: 'known', id: 'pg-failover', path: 'runbooks/pg-failover.md', title: 'PG', prefill: { lost_member: 'pg1' } });
    expect(alertRunbook({ runbook: 'no-such', labels }, runbooks)).toEqual({ kind: 'unknown', id: 'no-such' });
    expect(alertRunbook({ runbook: null, labels }, runbooks)).toEqual({ kind: 'none' });
  });

  it('says how long an alert has fired', () => {
    const t = Date.parse('2026-01-01T00:00:00Z');
    expect(sinceText('2026-01-01T00:00:00Z', t + 12_000)).toBe('12s');
    expect(sinceText('2026-01-01T00:00:00Z', t + 5 * 60_000)).toBe('5m');
    expect(sinceText('2026-01-01T00:00:00Z', t + 3 * 3600_000 + 20 * 60_000)).toBe('3h 20m');
    expect(sinceText('garbage', t)).toBe('?');
  });

  it('accepts a monitoring section in an inventory and refuses unknown keys in it with file:line', () => {
    const ok = loadInventory('environment: lab\nmonitoring:\n  alertmanagerUrl: http://127.0.0.1:9093\n  prometheusUrl: http://127.0.0.1:9090\n', 'inv.yaml');
    expect(ok.inventory?.monitoring).toEqual({ alertmanagerUrl: 'http://127.0.0.1:9093', prometheusUrl: 'http://127.0.0.1:9090' });
    const bad = loadInventory('environment: lab\nmonitoring:\n  alertmanagerUrl: http://127.0.0.1:9093\n  password: x\n', 'inv.yaml');
    expect(bad.problems.map((p) => `${p.path}:${p.line}: ${p.message}`).join('\n')).toMatch(/inv\.yaml:4: unknown key 'monitoring\.password'/);
  });
});

describe('the alerts probe and the poller', () => {
  let double: AlertmanagerDouble | undefined;
  let poller: Poller | undefined;
  afterEach(async () => {
    poller?.stop();
    await double?.close();
  });

  const inventoryFor = (url: string): Inventory => ({
    environment: 'lab',
    hosts: {},
    clusters: {},
    monitoring: { alertmanagerUrl: url },
  });

  it('fetches once for `hatui alerts`; a dead Alertmanager is unreachable, never "no alerts"', async () => {
    double = await AlertmanagerDouble.start();
    double.alerts = sample;
    const up = await fetchAlertsOnce({ alertmanagerUrl: double.url }, 2000);
    expect(up.status).toBe('ok');
    expect(up.alerts.map((a) => a.name)).toEqual(['RedisReplicationBroken']);
    await double.listener.setMode('closed');
    const down = await fetchAlertsOnce({ alertmanagerUrl: double.url }, 2000);
    expect(down.status).toBe('unreachable');
    expect(down.error).toMatch(/ECONNREFUSED|ECONNRESET/);
  });

  it('gives up on a hung Alertmanager at the timeout', async () => {
    double = await AlertmanagerDouble.start();
    await double.listener.setMode('hang');
    const state = await fetchAlertsOnce({ alertmanagerUrl: double.url }, 300);
    expect(state).toMatchObject({ status: 'unreachable', error: expect.stringMatching(/timed out after 300 ms/) });
  });

  it('marks the alerts unreachable within one poll of Alertmanager dying, keeps the last alerts, and recovers', async () => {
    double = await AlertmanagerDouble.start();
    double.alerts = sample;
    poller = new Poller(inventoryFor(double.url), { intervalMs: 20, alertsIntervalMs: 20, timeoutMs: 200, maxBackoffMs: 100 });
    expect(poller.current().alerts?.status).toBe('waiting');
    poller.start();
    await until(() => poller!.current().alerts?.status === 'ok', 5000);
    await double.listener.setMode('hang');
    const hung = await until(() => (poller!.current().alerts?.status === 'unreachable' ? poller!.current().alerts : undefined), 5000);
    expect(hung!.error).toMatch(/timed out after 200 ms/);
    expect(hung!.alerts.map((a) => a.name)).toEqual(['RedisReplicationBroken']);
    await double.listener.setMode('closed');
    await double.listener.setMode('answer');
    double.alerts = [];
    await until(() => poller!.current().alerts?.status === 'ok' && poller!.current().alerts?.alerts.length === 0, 5000);
  });

  it('a state without an answer yet says waiting, not unreachable', () => {
    const target = alertmanagerTarget({ alertmanagerUrl: 'http://127.0.0.1:1' });
    const state = combineAlerts({ alertmanagerUrl: 'http://127.0.0.1:1' }, { id: target.id, address: target.address, last: null, lastOkAt: null, error: 'no answer yet', startedAt: 0 }, 10, 'no answer yet');
    expect(state).toMatchObject({ status: 'waiting', error: null, alerts: [] });
  });
});

async function until<T>(get: () => T | undefined | false, deadlineMs: number): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() > end) throw new Error('deadline passed');
    await new Promise((r) => setTimeout(r, 20));
  }
}
