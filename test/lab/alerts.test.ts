// Real Prometheus + Alertmanager on the lab (`lab up monitoring`): faults on real servers make the
// shipped rules fire, and `hatui alerts --json` reports them with their runbooks, then their resolution.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labCrash, labLag, labRestart, labUp, redisNodes, type RedisNode } from '../../source/lab/index.js';
import { hatui, pgClient, pgLeader, pgReplicas, sentinelMaster, sleep, testLab, waitFor, waitPartHealthy } from './helpers.js';

const settings = testLab();

interface AlertJson {
  name: string;
  severity: string | null;
  instance: string | null;
  startsAt: string;
  labels: Record<string, string>;
  fingerprint: string;
  runbook: { kind: string; id?: string; prefill?: Record<string, string> };
}

async function firing(): Promise<AlertJson[]> {
  const result = await hatui(['alerts', '--json']);
  if (result.code !== 0) throw new Error(`hatui alerts exited ${result.code}: ${result.stderr.trim()}`);
  return (JSON.parse(result.stdout) as { alerts: AlertJson[] }).alerts;
}

beforeAll(async () => {
  await labUp(settings, ['monitoring']);
  await waitPartHealthy(settings, 'monitoring');
});

afterAll(async () => {
  await waitPartHealthy(settings, 'redis');
  await waitPartHealthy(settings, 'pg');
});

describe('alerts from the lab Prometheus and Alertmanager', () => {
  it('fires RedisReplicationBroken with its runbook when both replicas stop, and resolves when they are back', async () => {
    await waitPartHealthy(settings, 'redis');
    await waitFor(async () => !(await firing()).some((a) => a.name === 'RedisReplicationBroken'), 60_000, 'no RedisReplicationBroken before the fault');
    const master = await waitFor(() => sentinelMaster(settings), 30_000, 'a Redis master');
    const replicas = redisNodes.filter((n): n is RedisNode => n !== master);
    for (const r of replicas) await labCrash(settings, r);
    try {
      const alert = await waitFor(async () => (await firing()).find((a) => a.name === 'RedisReplicationBroken'), 90_000, 'RedisReplicationBroken firing');
      expect(alert.severity).toBe('critical');
      expect(alert.instance).toBe(`127.0.0.1:${settings.ports.redis[master]}`);
      expect(alert.labels.member).toBe(master);
      expect(alert.runbook).toMatchObject({ kind: 'known', id: 'redis-replication-broken', prefill: { instance: alert.instance } });
      expect(alert.fingerprint).toMatch(/^[0-9a-f]+$/);
      const text = await hatui(['alerts']);
      expect(text.stdout).toMatch(/critical\s+RedisReplicationBroken\s+127\.0\.0\.1:\d+\s+\S+\s+redis-replication-broken/);
    } finally {
      for (const r of replicas) await labRestart(settings, r);
    }
    await waitFor(async () => !(await firing()).some((a) => a.name === 'RedisReplicationBroken'), 90_000, 'RedisReplicationBroken resolved');
  });

  it('fires PostgreSQLReplicationLag for the replica whose WAL sender the lab stops while the primary takes writes', async () => {
    await waitPartHealthy(settings, 'pg');
    const leader = await waitFor(() => pgLeader(settings), 30_000, 'a Patroni leader');
    const replica = pgReplicas(settings, leader)[0]!;
    const client = pgClient(settings, leader);
    await client.connect();
    await client.query('CREATE TABLE IF NOT EXISTS hatui_alert_lag (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())');
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await client.query('INSERT INTO hatui_alert_lag DEFAULT VALUES');
        await sleep(50);
      }
    })();
    const lag = labLag(settings, replica, 30_000);
    try {
      const alert = await waitFor(async () => (await firing()).find((a) => a.name === 'PostgreSQLReplicationLag' && a.labels.replica === replica), 28_000, `PostgreSQLReplicationLag for ${replica}`);
      expect(alert.instance).toBe(`127.0.0.1:${settings.ports.pg[leader]}`);
      expect(alert.runbook).toMatchObject({ kind: 'known', id: 'pg-replication-lag', prefill: { replica } });
    } finally {
      await lag;
      writing = false;
      await writer;
      await client.end();
    }
    await waitFor(async () => !(await firing()).some((a) => a.name === 'PostgreSQLReplicationLag'), 90_000, 'PostgreSQLReplicationLag resolved');
  });
});
