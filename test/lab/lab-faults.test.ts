// lab freeze/thaw and lab lag on the shared test lab (issue 4 clarifications). Leaves the lab healthy.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { labLag, labStatus, readEvents, redisInfo } from '../../source/lab/index.js';
import { hatui, labEnv, pgClient, pgLeader, pgReplicas, redisPassword, sentinelMaster, testLab, waitFor, waitPartHealthy } from './helpers.js';

const lab = testLab();

/** A process's state letter from /proc (T = stopped by a signal), or null once it is gone. */
function processState(pid: number): string | null {
  try {
    return /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}

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
      const before = readEvents(lab).length;
      // A window long enough that the checks below fall inside it even on a loaded machine; the checks
      // themselves prove they did (the WAL senders are still stopped after the replica was asked).
      const lagging = labLag(lab, leader, 8000);
      const started = await waitFor(() => readEvents(lab).slice(before).find((e) => e.action === 'lag-start'), 30_000, 'the lag-start event');
      const pids = started.pids ?? [];
      expect(pids.length).toBeGreaterThan(0);
      await waitFor(() => pids.every((pid) => processState(pid) === 'T'), 10_000, 'the WAL senders stopped');
      await rw.query('INSERT INTO lab_lag DEFAULT VALUES');
      const written = await lsn(rw, 'SELECT pg_current_wal_lsn()::text AS lsn');
      // The leader has the insert on disk (so a running WAL sender could ship it) before the replica is asked.
      await waitFor(async () => (await rw.query<{ flushed: boolean }>('SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn AS flushed', [written])).rows[0]!.flushed, 10_000, 'the insert flushed on the leader');
      const behind = await ro.query<{ caught: boolean }>('SELECT pg_last_wal_receive_lsn() >= $1::pg_lsn AS caught', [written]);
      expect(behind.rows[0]!.caught).toBe(false);
      expect(pids.map(processState)).toEqual(pids.map(() => 'T'));
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
