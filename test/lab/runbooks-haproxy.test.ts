// runbooks/haproxy-drain.md headless on the lab. The happy path is watched independently through
// HAProxy's stats CSV (the server goes DRAIN, then back UP). The rollback path is real: client sessions
// held open on the drained server keep it from draining (HAProxy never cuts existing sessions), the
// wait fails, and the rollback puts the server back into service.
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { haproxyServers, type PgNode } from '../../source/lab/index.js';
import { pgClient, pgLeader, pgReplicas, sleep, testLab, waitFor, waitPartHealthy } from './helpers.js';
import { runShipped, tail } from './runbook-run.js';

async function roStatus(settings: ReturnType<typeof testLab>, server: PgNode): Promise<string | undefined> {
  return (await haproxyServers(settings)).find((s) => s.backend === 'pg_ro' && s.server === server)?.status;
}

/** Sessions HAProxy counts on one pg_ro server (stats CSV `scur`). */
async function roSessions(settings: ReturnType<typeof testLab>, server: PgNode): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${settings.ports.haproxyStats}/;csv`, { signal: AbortSignal.timeout(2000) })).text();
  const lines = text.split('\n');
  const header = lines[0]!.replace(/^# /, '').split(',');
  const row = lines.map((l) => l.split(',')).find((f) => f[0] === 'pg_ro' && f[1] === server);
  return Number(row?.[header.indexOf('scur')] ?? -1);
}

async function upReplica(settings: ReturnType<typeof testLab>): Promise<PgNode> {
  await waitPartHealthy(settings, 'haproxy');
  const leader = await waitFor(() => pgLeader(settings), 30_000, 'a Patroni leader');
  const replica = pgReplicas(settings, leader)[0]!;
  await waitFor(async () => (await roStatus(settings, replica))?.startsWith('UP'), 30_000, `${replica} UP in pg_ro`);
  return replica;
}

describe('runbooks/haproxy-drain.md on the lab', () => {
  it('drains a read-only server (seen as DRAIN in the stats) and puts it back UP', async () => {
    const settings = testLab();
    const server = await upReplica(settings);
    const seen = new Set<string>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const status = await roStatus(settings, server).catch(() => undefined);
        if (status) seen.add(status);
        await sleep(20);
      }
    })();
    try {
      const run = await runShipped(settings, 'haproxy-drain.md', {
        answers: { drain: 'drain', maintenance: { checklist: 'all' }, ready: 'ready' },
        vars: { server },
      });
      expect(run.code, tail(run)).toBe(0);
      expect(run.outcomes).toEqual(['[ok] inspect', '[ok] drain', '[ok] wait-drained', '[ok] maintenance', '[ok] ready']);
    } finally {
      watching = false;
      await watcher;
    }
    expect(seen.has('DRAIN')).toBe(true);
    expect(await roStatus(settings, server)).toMatch(/^UP/);
  });

  it('sessions that do not drain fail the wait, and the rollback puts the server back into service', async () => {
    const settings = testLab();
    const server = await upReplica(settings);
    const clients: pg.Client[] = [];
    try {
      // Round-robin over the UP replicas: open connections until the chosen server holds some.
      await waitFor(async () => {
        const c = pgClient(settings, 'ro');
        await c.connect();
        clients.push(c);
        return (await roSessions(settings, server)) >= 1;
      }, 30_000, `a session on ${server}`, 50);
      const run = await runShipped(settings, 'haproxy-drain.md', {
        answers: { drain: 'drain', maintenance: { checklist: 'all' }, ready: 'ready', rollback: 'ready' },
        vars: { server, drain_wait: '2', max_sessions: '0' },
      });
      expect(run.code, tail(run)).toBe(1);
      expect(run.outcomes).toEqual(['[ok] inspect', '[ok] drain', '[failed] wait-drained', '[ok] rollback']);
      expect(run.stdout).toMatch(/session\(s\) still open \(allowed: 0\)/);
      expect(run.stderr).toMatch(/rolled back/);
      // The held sessions still work: draining never cut them.
      for (const c of clients) expect((await c.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    } finally {
      await Promise.allSettled(clients.map((c) => c.end()));
    }
    await waitFor(async () => (await roStatus(settings, server))?.startsWith('UP'), 30_000, `${server} back UP after the rollback`);
  });
});
