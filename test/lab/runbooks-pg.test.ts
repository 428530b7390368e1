// Shipped PostgreSQL runbooks, headless on the lab through the built CLI over SSH, each effect checked
// independently of hatui: Patroni's REST API for the leader, the leader's replication list for the old
// node, and our own writes through HAProxy's read-write port. Never assumes which node leads.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { events, loadLog } from '../../source/adapters/audit-file/read.js';
import { labPaths, patroniState, type PgNode } from '../../source/lab/index.js';
import { hatui, labEnv, pgClient, pgLeader, pgPassword, pgReplicas, testLab, waitFor, waitPartHealthy } from './helpers.js';
import { runShipped, tail } from './runbook-run.js';

async function streamingFrom(settings: ReturnType<typeof testLab>, leader: PgNode, member: PgNode): Promise<boolean> {
  const view = await patroniState(settings, leader);
  return view?.replication?.some((r) => r.application_name === member && r.state === 'streaming') ?? false;
}

/** The port of the server a fresh connection through HAProxy's rw port reaches, after a committed write. */
async function writeThroughHaproxy(settings: ReturnType<typeof testLab>, note: string): Promise<number> {
  const client = pgClient(settings, 'rw');
  await client.connect();
  try {
    await client.query('CREATE TABLE IF NOT EXISTS hatui_rb_test (id bigserial PRIMARY KEY, note text)');
    const r = await client.query<{ port: number }>('INSERT INTO hatui_rb_test (note) VALUES ($1) RETURNING inet_server_port() AS port', [note]);
    return r.rows[0]!.port;
  } finally {
    await client.end();
  }
}

describe('runbooks/pg-switchover.md on the lab', () => {
  it('switches to the chosen replica (no password given: it comes from the inventory and shows nowhere): it leads (REST), takes writes through HAProxy, the old leader streams from it', async () => {
    const settings = testLab();
    await waitPartHealthy(settings, 'pg');
    await waitPartHealthy(settings, 'haproxy');
    const before = await waitFor(() => pgLeader(settings), 30_000, 'a Patroni leader');
    const candidate = pgReplicas(settings, before)[1]!;

    const run = await runShipped(settings, 'pg-switchover.md', {
      answers: { switchover: { confirm: 'pg', checklist: 'all' } },
      vars: { candidate },
    });
    expect(run.code, tail(run)).toBe(0);
    expect(run.outcomes).toEqual(['[ok] inspect', '[ok] switchover', '[ok] verify-leader', '[ok] verify-haproxy', '[ok] verify-old-leader']);
    expect(run.stdout).toMatch(/run finished: ok/);
    // The password came from the inventory's credential file, and is neither in the output nor in the audit log.
    const password = pgPassword(settings);
    expect(run.stdout + run.stderr).not.toContain(password);
    const runs = join(run.stateDir, 'hatui', 'runs');
    for (const f of readdirSync(runs)) expect(readFileSync(join(runs, f), 'utf8')).not.toContain(password);

    // Independently of hatui: Patroni names the candidate, a write through HAProxy lands on it, the old leader streams.
    expect(await pgLeader(settings)).toBe(candidate);
    expect(await writeThroughHaproxy(settings, 'after pg-switchover')).toBe(settings.ports.pg[candidate]);
    await waitFor(() => streamingFrom(settings, candidate, before), 30_000, `${before} streaming from ${candidate}`);
  });

  it('start-up cuts skip no safety step: the audit log has run-started, the pre-flight, lock-taken and the confirmation, each durable before the switchover command starts', async () => {
    const settings = testLab();
    await waitPartHealthy(settings, 'pg');
    await waitPartHealthy(settings, 'haproxy');
    const before = await waitFor(() => pgLeader(settings), 30_000, 'a Patroni leader');
    const candidate = pgReplicas(settings, before)[0]!;
    // Streaming again (the previous test's wait) comes before Patroni's member key says `running` again:
    // the runbook's inspect rightly refuses a candidate that is not a running replica in Patroni's view.
    await waitFor(async () => {
      const view = (await (await fetch(`http://127.0.0.1:${settings.ports.patroni[before]}/cluster`)).json()) as { members: { name: string; role: string; state: string }[] };
      return view.members.some((m) => m.name === candidate && m.role !== 'leader' && m.state === 'running') ? true : null;
    }, 30_000, `${candidate} a running replica in Patroni's view`);
    const run = await runShipped(settings, 'pg-switchover.md', { answers: { switchover: { confirm: 'pg', checklist: 'all' } }, vars: { candidate } });
    expect(run.code, tail(run)).toBe(0);
    const logged = events(loadLog(/audit log: (\S+\.jsonl)/.exec(run.stdout)![1]!));
    const at = (match: (e: (typeof logged)[number]) => boolean, what: string) => {
      const i = logged.findIndex(match);
      expect(i, `${what} in the audit log`).toBeGreaterThanOrEqual(0);
      return i;
    };
    const started = at((e) => e.type === 'run-started', 'run-started');
    const lock = at((e) => e.type === 'lock-taken' && e.cluster === 'pg', 'lock-taken pg');
    const preflight = at((e) => e.type === 'preflight-evaluated' && e.stepId === 'switchover', 'preflight-evaluated switchover');
    const confirmed = at((e) => e.type === 'confirmation-given' && e.stepId === 'switchover', 'confirmation-given switchover');
    const command = at((e) => e.type === 'command-started' && e.stepId === 'switchover', 'command-started switchover');
    expect(started).toBe(0);
    // The engine's order (next.ts): pre-flight, then the lock (a blocked pre-flight takes no lock), then the
    // typed confirmation, then the write-ahead command-started record, then the command.
    expect([started, preflight, lock, confirmed, command]).toEqual([started, preflight, lock, confirmed, command].sort((a, b) => a - b));
    expect(new Set([started, preflight, lock, confirmed, command]).size).toBe(5);
    // The pre-flight passed on the state it read (not skipped or evaluated empty).
    const pre = logged[preflight] as Extract<(typeof logged)[number], { type: 'preflight-evaluated' }>;
    expect(pre.results.length).toBeGreaterThan(0);
    expect(pre.results.every((r) => r.result), JSON.stringify(pre.results)).toBe(true);
    await waitFor(() => streamingFrom(settings, pgReplicas(settings, before)[0]!, before), 30_000, `${before} streaming again`);
  });

  it('a refused typed confirmation changes nothing (exit 1, no switchover)', async () => {
    const settings = testLab();
    const before = await waitFor(() => pgLeader(settings), 30_000, 'a Patroni leader');
    const run = await runShipped(settings, 'pg-switchover.md', { answers: { switchover: { confirm: 'not-pg', checklist: 'all' } } });
    expect(run.code, tail(run)).not.toBe(0);
    expect(run.stdout).not.toMatch(/\$ \[pg\d\] patronictl switchover/);
    expect(await pgLeader(settings)).toBe(before);
  });
});

async function setSynchronousMode(settings: ReturnType<typeof testLab>, on: boolean): Promise<void> {
  await promisify(execFile)('patronictl', ['edit-config', '-s', `synchronous_mode=${on}`, '--force'], { env: { ...process.env, PATRONICTL_CONFIG_FILE: labPaths(settings).patronictlConfig } });
}

async function syncStandby(settings: ReturnType<typeof testLab>): Promise<PgNode | null> {
  const body = (await (await fetch(`http://127.0.0.1:${settings.ports.patroni.pg1}/cluster`, { signal: AbortSignal.timeout(2000) })).json()) as { members: { name: PgNode; role: string }[] };
  return body.members.find((m) => m.role === 'sync_standby')?.name ?? null;
}

describe('runbooks/pg-switchover.md rollback path on the lab', () => {
  it('patronictl exits 0 while Patroni refuses a non-sync candidate: verification fails and the rollback runs', async () => {
    const settings = testLab();
    await waitPartHealthy(settings, 'pg');
    await setSynchronousMode(settings, true);
    try {
      const sync = await waitFor(() => syncStandby(settings), 30_000, 'a sync standby');
      const leader = (await pgLeader(settings))!;
      const notSync = pgReplicas(settings, leader).find((n) => n !== sync)!;
      // The pre-flight blocks this candidate; the operator overrides it (typed, recorded).
      const run = await runShipped(settings, 'pg-switchover.md', {
        answers: { switchover: { confirm: 'pg', checklist: 'all', override: 'pg' }, rollback: 'pg' },
        vars: { candidate: notSync, wait_seconds: '8' },
      });
      expect(run.code, tail(run)).toBe(1);
      expect(run.stdout).toMatch(/candidate name does not match with sync_standby/);
      expect(run.outcomes).toEqual(['[ok] inspect', '[ok] switchover', '[failed] verify-leader', '[ok] rollback', '[ok] verify-rollback']);
      expect(run.stderr).toMatch(/rolled back/);
      expect(await pgLeader(settings)).toBe(leader);
    } finally {
      await setSynchronousMode(settings, false);
      await waitFor(async () => (await syncStandby(settings)) === null, 30_000, 'synchronous mode off');
    }
  });
});

describe('runbooks/pg-failover.md on the lab', () => {
  it('after the leader crashes: a new leader takes writes through HAProxy, the lost node rejoins streaming', async () => {
    const settings = testLab();
    await waitPartHealthy(settings, 'pg');
    const lost = await waitFor(() => pgLeader(settings), 30_000, 'a Patroni leader');
    const crash = await hatui(['lab', 'crash', lost], labEnv(settings));
    expect(crash.code, crash.stderr).toBe(0);

    const restart = `${process.execPath} ${new URL('../../bin/hatui.js', import.meta.url).pathname} lab restart ${lost}`;
    const run = await runShipped(settings, 'pg-failover.md', {
      answers: { force: 'pg', rejoin: { confirm: 'yes', checklist: 'all' }, reinit: { confirm: 'pg', checklist: 'all' } },
      vars: { lost_member: lost, rejoin_command: restart, failover_wait: '90' },
    });
    expect(run.code, tail(run)).toBe(0);
    expect(run.outcomes.slice(0, 2)).toEqual(['[ok] diagnose', '[ok] wait-failover']);
    expect(run.outcomes).toContain('[ok] verify');
    expect(run.outcomes).toContain('[ok] rejoin');
    expect(run.outcomes.at(-1)).toBe('[ok] healthy');

    const leader = await waitFor(() => pgLeader(settings), 30_000, 'a Patroni leader');
    expect(leader).not.toBe(lost);
    expect(await writeThroughHaproxy(settings, 'after pg-failover')).toBe(settings.ports.pg[leader]);
    expect(await streamingFrom(settings, leader, lost)).toBe(true);
  });

  it('forced path: Patroni paused (no automatic failover) and the leader crashed; wait-failover gives up, force promotes a replica once the leader key expired (quorum intact); the rejoin ends the pause', async () => {
    const settings = testLab();
    await waitPartHealthy(settings, 'pg');
    await waitPartHealthy(settings, 'haproxy');
    const config = labPaths(settings).patronictlConfig;
    const patronictl = (args: string[]) => promisify(execFile)('patronictl', args, { env: { ...process.env, PATRONICTL_CONFIG_FILE: config } });
    const lost = await waitFor(() => pgLeader(settings), 30_000, 'a Patroni leader');
    // Maintenance mode: Patroni keeps the DCS up to date but promotes nobody by itself.
    await patronictl(['pause', '--wait']);
    try {
      expect((await hatui(['lab', 'crash', lost], labEnv(settings))).code).toBe(0);
      // The operator's rejoin ends the maintenance window first, so Patroni rewinds and starts the old leader.
      const rejoin = `PATRONICTL_CONFIG_FILE=${config} patronictl resume --wait && ${process.execPath} ${new URL('../../bin/hatui.js', import.meta.url).pathname} lab restart ${lost}`;
      const run = await runShipped(settings, 'pg-failover.md', {
        answers: { force: 'pg', rejoin: { confirm: 'yes', checklist: 'all' }, reinit: { confirm: 'pg', checklist: 'all' } },
        // Longer than the leader key's TTL: the force step's pre-flight refuses while the lost member still holds it.
        vars: { lost_member: lost, rejoin_command: rejoin, failover_wait: String(settings.dcs.ttl + 5) },
      });
      expect(run.outcomes.slice(0, 3), tail(run)).toEqual(['[ok] diagnose', '[failed] wait-failover', '[ok] force']);
      expect(run.stdout).toMatch(/pre-flight true\s+clusters\.etcd\.hasQuorum == true/);
      expect(run.stdout).toMatch(/pre-flight true\s+clusters\.etcd\.leaderKey\.holder != vars\.lost_member/);
      expect(run.stdout).toMatch(/patronictl failover --candidate "\$want" --force/);
      expect(run.outcomes).toContain('[ok] verify');
      expect(run.outcomes).toContain('[ok] rejoin');
      expect(run.outcomes.at(-1), tail(run)).toBe('[ok] healthy');
      const leader = await waitFor(() => pgLeader(settings), 30_000, 'a Patroni leader');
      expect(leader).not.toBe(lost);
      expect(await writeThroughHaproxy(settings, 'after a forced pg-failover')).toBe(settings.ports.pg[leader]);
      expect(await streamingFrom(settings, leader, lost)).toBe(true);
    } finally {
      await patronictl(['resume', '--wait']).catch(() => undefined);
    }
  });

  it('a lost node that is not streaming in time gets the reinit step, and streams afterwards', async () => {
    const settings = testLab();
    await waitPartHealthy(settings, 'pg');
    const lost = await waitFor(() => pgLeader(settings), 30_000, 'a Patroni leader');
    expect((await hatui(['lab', 'crash', lost], labEnv(settings))).code).toBe(0);
    const restart = `${process.execPath} ${new URL('../../bin/hatui.js', import.meta.url).pathname} lab restart ${lost}`;
    // rejoin_wait=0: right after its restart the node is not streaming yet, so the runbook offers the reinit.
    const run = await runShipped(settings, 'pg-failover.md', {
      answers: { force: 'pg', rejoin: { confirm: 'yes', checklist: 'all' }, reinit: { confirm: 'pg', checklist: 'all' } },
      vars: { lost_member: lost, rejoin_command: restart, rejoin_wait: '0', failover_wait: '90' },
    });
    expect(run.code, tail(run)).toBe(0);
    expect(run.outcomes).toEqual(['[ok] diagnose', '[ok] wait-failover', '[skipped] force', '[ok] verify', '[ok] rejoin', '[ok] reinit', '[ok] healthy']);
    expect(run.stdout).toMatch(/Reinitialize is completed on: /);
    const leader = (await pgLeader(settings))!;
    expect(leader).not.toBe(lost);
    expect(await streamingFrom(settings, leader, lost)).toBe(true);
  });
});
