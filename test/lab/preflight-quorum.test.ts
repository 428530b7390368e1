// Issue 18 on the real lab: three etcd members and Redis persistence as configured; with two etcd members
// frozen the DCS has no quorum, Patroni demotes its leader, the panel says why, pg-switchover stops at its
// pre-flight naming the quorum (nothing runs) and pg-failover's forced path refuses to force anything;
// with one of three Sentinels left, redis-sentinel-failover stops at its SENTINEL CKQUORUM pre-flight.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { etcdNodes, labPaths, patroniState, pgNodes, redisCommand, sentinelNodes, type LabSettings } from '../../source/lab/index.js';
import { clearRedisRunbookLock, hatui, labEnv, pgLeader, redisClient, redisPassword, sentinelMaster, testLab, waitFor, waitPartHealthy } from './helpers.js';
import { runShipped, tail } from './runbook-run.js';

async function lab(settings: LabSettings, ...args: string[]): Promise<void> {
  const r = await hatui(['lab', ...args], labEnv(settings), 60_000);
  expect(r.code, `hatui lab ${args.join(' ')}: ${r.stderr}`).toBe(0);
}

/** The plain (no TTY) status of the lab inventory: every panel as text. */
async function panels(settings: LabSettings): Promise<string> {
  const r = await hatui(['--inventory', labPaths(settings).inventory], { ...labEnv(settings), NO_COLOR: '1' }, 30_000);
  return r.stdout;
}

/** Lines like `$ [pg1] curl …` the plain printer writes for each command it runs. */
const commandsRun = (stdout: string) => stdout.split('\n').filter((l) => /^\s*\$ /.test(l));

describe('lab: three etcd members, Redis persistence', () => {
  it('runs etcd1..3 (all healthy, listed in the inventory and in every Patroni config)', async () => {
    const settings = testLab();
    await waitPartHealthy(settings, 'etcd');
    const inventory = parse(readFileSync(labPaths(settings).inventory, 'utf8')) as { clusters: { etcd: { members: { name: string; endpoint: string }[] } } };
    expect(inventory.clusters.etcd.members.map((m) => m.name)).toEqual([...etcdNodes]);
    const members = (await (await fetch(`http://127.0.0.1:${settings.ports.etcd.etcd2.client}/v3/cluster/member/list`, { method: 'POST', body: '{}' })).json()) as { members: { name: string }[] };
    expect(members.members.map((m) => m.name).sort()).toEqual([...etcdNodes]);
    for (const n of pgNodes) {
      const config = parse(readFileSync(`${labPaths(settings).nodeDir(n)}/patroni.yml`, 'utf8')) as { etcd3: { hosts: string[] } };
      expect(config.etcd3.hosts).toEqual(etcdNodes.map((e) => `127.0.0.1:${settings.ports.etcd[e].client}`));
    }
  });

  it('runs Redis with RDB snapshots and an AOF fsynced every second', async () => {
    const settings = testLab();
    const master = (await waitFor(() => sentinelMaster(settings), 30_000, 'a Redis master'))!;
    const client = redisClient(settings, master);
    try {
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await client.config('GET', 'appendfsync')).toEqual(['appendfsync', 'everysec']);
      expect(await client.config('GET', 'save')).toEqual(['save', '900 1 300 10 60 10000']);
    } finally {
      client.disconnect();
    }
  });
});

describe('lab: etcd quorum lost (two of three members frozen)', () => {
  it('Patroni demotes its leader, the etcd panel says NO QUORUM, pg-switchover stops at its pre-flight naming the quorum and nothing runs, pg-failover forces nothing', async () => {
    const settings = testLab();
    await waitPartHealthy(settings, 'pg');
    await waitPartHealthy(settings, 'haproxy');
    const before = (await waitFor(() => pgLeader(settings), 30_000, 'a Patroni leader'))!;
    await lab(settings, 'freeze', 'etcd2');
    await lab(settings, 'freeze', 'etcd3');
    try {
      // Without a DCS quorum the leader cannot refresh its key: after retry_timeout it demotes itself.
      await waitFor(async () => {
        const views = await Promise.all(pgNodes.map((n) => patroniState(settings, n)));
        return views.every((v) => v !== null && v.role !== 'master' && v.role !== 'primary');
      }, 60_000, 'no Patroni member claiming the primary role');
      const text = await waitFor(async () => {
        const p = await panels(settings);
        return p.includes('NO QUORUM (needs 2 healthy)') ? p : null;
      }, 30_000, 'the etcd panel saying NO QUORUM');
      expect(text).toMatch(/etcd etcd {2}healthy 0\/3 {2}NO QUORUM/);

      const switchover = await runShipped(settings, 'pg-switchover.md', { answers: { switchover: { confirm: 'pg', checklist: 'all' } } });
      expect(switchover.code, tail(switchover)).toBe(3);
      expect(switchover.stdout).toContain("step 'inspect' needs an operator decision: pre-flight blocked: clusters.etcd.hasQuorum == true");
      expect(commandsRun(switchover.stdout)).toEqual([]);

      // pg-failover: no automatic failover comes, so the runbook reaches its force step, whose pre-flight
      // refuses on the quorum. Even with the typed override no failover is forced: the operator lock lives
      // in the same DCS and cannot be taken without its quorum.
      const failover = await runShipped(settings, 'pg-failover.md', {
        answers: { diagnose: { resume: 'skip' }, force: { override: 'pg', confirm: 'pg' } },
        vars: { lost_member: before, failover_wait: '3' },
      });
      expect(failover.stdout).toMatch(/\[failed\] wait-failover/);
      expect(failover.stdout).toContain('pre-flight false clusters.etcd.hasQuorum == true');
      expect(failover.stdout).toMatch(/pre-flight overridden/i);
      expect(failover.stdout).not.toMatch(/\$ \[pg\d\] .*\n?.*patronictl failover/);
      expect(failover.code, tail(failover)).not.toBe(0);
      expect(commandsRun(failover.stdout).some((l) => l.includes('patronictl failover'))).toBe(false);
    } finally {
      await lab(settings, 'thaw', 'etcd2');
      await lab(settings, 'thaw', 'etcd3');
    }
    await waitPartHealthy(settings, 'etcd', 60_000);
    await waitPartHealthy(settings, 'pg', 120_000);
    await waitPartHealthy(settings, 'haproxy', 60_000);
  });
});

describe('lab: one of three Sentinels left', () => {
  it('redis-sentinel-failover stops at its SENTINEL CKQUORUM pre-flight; the master stays where it was', async () => {
    const settings = testLab();
    await waitPartHealthy(settings, 'redis');
    const before = (await waitFor(() => sentinelMaster(settings), 30_000, 'Sentinels agreeing on a master'))!;
    const [left, ...gone] = sentinelNodes;
    for (const s of gone) await lab(settings, 'crash', s);
    try {
      // An error reply (RespError) names the verdict: `NOQUORUM 1 usable Sentinels…`.
      await waitFor(async () => JSON.stringify(await redisCommand(settings.ports.sentinel[left], ['SENTINEL', 'CKQUORUM', settings.masterName], 1000, redisPassword(settings))).includes('NOQUORUM'), 30_000, `${left} answering NOQUORUM to SENTINEL CKQUORUM`);
      const run = await runShipped(settings, 'redis-sentinel-failover.md', { answers: { failover: { confirm: 'redis', checklist: 'all' } } });
      expect(run.code, tail(run)).toBe(3);
      expect(run.outcomes).toEqual([]);
      expect(commandsRun(run.stdout)).toEqual([]);
      expect(run.stdout).toContain("step 'inspect' needs an operator decision: pre-flight blocked: clusters.redis.sentinels.exists(s, s.stale == null && s.quorumReachable == true)");
      expect(run.stdout).not.toContain('CLIENT PAUSE');
      const seen = (await redisCommand(settings.ports.sentinel[left], ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', settings.masterName], 1000, redisPassword(settings))) as string[];
      expect(Number(seen[1])).toBe(settings.ports.redis[before]);
    } finally {
      for (const s of gone) await lab(settings, 'restart', s);
      await clearRedisRunbookLock(settings);
    }
    await waitPartHealthy(settings, 'redis', 60_000);
    expect(await sentinelMaster(settings)).toBe(before);
  });
});
