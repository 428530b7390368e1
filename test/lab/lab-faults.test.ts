// lab freeze/thaw and lab lag on the shared test lab (issue 4 clarifications). Leaves the lab healthy.
import { describe, expect, it } from 'vitest';
import { labLag, labStatus, readEvents, redisInfo } from '../../source/lab/index.js';
import { hatui, labEnv, pgClient, pgLeader, pgReplicas, redisPassword, sentinelMaster, sleep, testLab, waitFor, waitPartHealthy } from './helpers.js';

const lab = testLab();

async function lsn(client: ReturnType<typeof pgClient>, sql: string): Promise<string> {
  const result = await client.query<{ lsn: string }>(sql);
  return result.rows[0]!.lsn;
}

describe('lab faults', () => {
  it('freezes a Redis replica (status says frozen, it stops answering) and thaws it back', async () => {
    const master = await waitFor(() => sentinelMaster(lab), 30_000, 'a Redis master');
    const replica = (['redis1', 'redis2', 'redis3'] as const).find((n) => n !== master)!;
    const freeze = await hatui(['lab', 'freeze', replica], labEnv(lab));
    expect(freeze.code, freeze.stderr).toBe(0);
    try {
      const status = await labStatus(lab);
      expect(status.nodes.find((n) => n.node === replica)?.health).toBe('frozen');
      await expect(redisInfo(lab.ports.redis[replica], 'replication', 300, redisPassword(lab))).rejects.toThrow(/no Redis reply/);
    } finally {
      const thaw = await hatui(['lab', 'thaw', replica], labEnv(lab));
      expect(thaw.code, thaw.stderr).toBe(0);
    }
    expect((await redisInfo(lab.ports.redis[replica], 'replication', 1000, redisPassword(lab))).role).toBe('slave');
    const actions = readEvents(lab).filter((e) => e.node === replica).map((e) => e.action);
    expect(actions.slice(-2)).toEqual(['freeze', 'thaw']);
    await waitPartHealthy(lab, 'redis');
  });

  it('lag stops the leader’s WAL senders: replicas receive nothing during the window and catch up after', async () => {
    const leader = await waitFor(() => pgLeader(lab), 30_000, 'a Patroni leader');
    const replica = pgReplicas(lab, leader)[0]!;
    const rw = pgClient(lab, leader);
    const ro = pgClient(lab, replica);
    await rw.connect();
    await ro.connect();
    try {
      await rw.query('CREATE TABLE IF NOT EXISTS lab_lag (id serial PRIMARY KEY)');
      const lagging = labLag(lab, leader, 1500);
      await sleep(300);
      await rw.query('INSERT INTO lab_lag DEFAULT VALUES');
      const written = await lsn(rw, 'SELECT pg_current_wal_lsn()::text AS lsn');
      await sleep(300);
      const behind = await ro.query<{ caught: boolean }>('SELECT pg_last_wal_receive_lsn() >= $1::pg_lsn AS caught', [written]);
      expect(behind.rows[0]!.caught).toBe(false);
      const result = await lagging;
      expect(result.leader).toBe(leader);
      expect(result.pids).toHaveLength(2);
      await waitFor(async () => {
        const r = await ro.query<{ caught: boolean }>('SELECT pg_last_wal_receive_lsn() >= $1::pg_lsn AS caught', [written]);
        return r.rows[0]!.caught;
      }, 30_000, `${replica} receiving WAL again`);
    } finally {
      await rw.end();
      await ro.end();
    }
    const actions = readEvents(lab).map((e) => e.action);
    expect(actions.slice(-2)).toEqual(['lag-start', 'lag-end']);
    await waitPartHealthy(lab, 'pg');
  });

  it('refuses lag on a non-pg node and without --for', async () => {
    const noFor = await hatui(['lab', 'lag', 'pg1'], labEnv(lab));
    expect(noFor.code).toBe(2);
    const redis = await hatui(['lab', 'lag', 'redis1', '--for', '1s'], labEnv(lab));
    expect(redis.code).toBe(2);
    expect(redis.stderr).toContain('pg1, pg2, pg3');
  });
});
