// runbooks/dr-activate.md headless on the lab with region B (lab up region-b): refused while region A is
// alive (exit 3, nothing changed), the DNS server down and a TSIG key bind9 refuses each stop the run at
// the DNS step naming the server, and with region A frozen the whole activation runs: region B's cluster leads, redis-b is a
// master, the zone's own server answers region B for both names, and a write through the name lands.
// Checked independently of hatui: Patroni REST of region B, INFO of redis-b, dig @<lab dns>, pg.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DR_TTL,
  DR_ZONE,
  labCrash,
  labFreezeRegion,
  labRestart,
  labRedisAuth,
  labUp,
  patroniBState,
  patroniState,
  pgbNodes,
  pgNodes,
  redisInfo,
  type PgNode,
  tsigSecret,
} from '../../source/lab/index.js';
import { patroniProbe } from '../../source/adapters/probes/patroni.js';
import { snapshotCluster } from '../../source/services/snapshot.js';
import { panelLines } from '../../source/ui/panel-lines.js';
import type { PatroniState } from '../../source/core/cluster-state.js';
import { labInventory } from '../../source/lab/inventory.js';
import { pgPassword, restoreRegionA, testLab, waitFor, waitPartHealthy } from './helpers.js';
import { runShipped, tail } from './runbook-run.js';
import { killNode } from '../../source/lab/supervise.js';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Inventory } from '../../source/core/inventory/model.js';
import { labPaths } from '../../source/lab/index.js';
import { listRunbooks } from '../../source/ui/runbook-list.js';

const answers = {
  'promote-pg': { confirm: 'promote-region-b', checklist: 'all' },
  'promote-redis': 'promote-region-b',
  dns: 'promote-region-b',
  verify: { checklist: 'all' },
};

const failbackAnswers = {
  rebuild: { confirm: 'failback-region-a', checklist: 'all' },
  window: { confirm: 'yes', checklist: 'all' },
  'demote-b': 'failback-region-a',
  'promote-a': 'failback-region-a',
  redis: 'failback-region-a',
  dns: 'failback-region-a',
  verify: { checklist: 'all' },
};

async function dig(settings: ReturnType<typeof testLab>, name: string): Promise<string> {
  const { stdout } = await promisify(execFile)('dig', ['@127.0.0.1', '-p', String(settings.ports.regionB.dns), '+short', `${name}.${DR_ZONE}`, 'SRV']);
  return stdout.trim();
}

/** The Patroni probe's view of region B's standby cluster (pg-b, standbyOf pg), one poll of each target. */
async function standbyView(settings: ReturnType<typeof testLab>): Promise<PatroniState['standby']> {
  const inventory = labInventory(settings, { regionB: true });
  const cluster = inventory.clusters['pg-b']!;
  const now = Date.now();
  const results = await Promise.all(
    patroniProbe.targets('pg-b', cluster, inventory).map(async (t) => {
      try {
        return { id: t.id, address: t.address, last: await t.fetch(AbortSignal.timeout(3000)), lastOkAt: now, error: null, startedAt: now };
      } catch (error) {
        return { id: t.id, address: t.address, last: null, lastOkAt: null, error: (error as Error).message, startedAt: now };
      }
    }),
  );
  const state = patroniProbe.combine('pg-b', cluster, results, undefined, Date.now());
  if (state.kind !== 'patroni') throw new Error('not a patroni state');
  return state.standby;
}

/** The DNS panel's lines (one poll of the lab inventory's `dns` cluster, the zone's own server). */
async function dnsPanel(settings: ReturnType<typeof testLab>): Promise<string> {
  const inventory = labInventory(settings, { regionB: true });
  const state = await snapshotCluster('dns', inventory.clusters.dns!, inventory, { timeoutMs: 3000 });
  return panelLines(state).map((line) => line.map((s) => s.text).join('')).join('\n');
}

/** Region A's DCS configuration names region B (patronictl show-config, the DCS itself: Patroni is stopped). */
async function regionAFollowsB(settings: ReturnType<typeof testLab>): Promise<boolean> {
  try {
    const { stdout } = await promisify(execFile)('patronictl', ['show-config'], { env: { ...process.env, PATRONICTL_CONFIG_FILE: labPaths(settings).patronictlConfig }, timeout: 10_000 });
    return (parse(stdout) as { standby_cluster?: unknown } | null)?.standby_cluster !== undefined;
  } catch {
    return false;
  }
}

/** Runs `run` and, as the operator would, starts region A's Patroni `nodes` once its configuration names region B. */
async function runWhileStarting<T>(settings: ReturnType<typeof testLab>, nodes: readonly PgNode[], run: () => Promise<T>): Promise<T> {
  let done = false;
  const result = run().finally(() => (done = true));
  while (!done && !(await regionAFollowsB(settings))) await new Promise((r) => setTimeout(r, 300));
  if (!done) await Promise.all(nodes.map((n) => labRestart(settings, n)));
  return result;
}

async function regionBRoles(settings: ReturnType<typeof testLab>): Promise<string[]> {
  return Promise.all(pgbNodes.map(async (n) => (await patroniBState(settings, n))?.role ?? 'none'));
}

describe('runbooks/dr-activate.md on the lab (region B)', () => {
  let settings: ReturnType<typeof testLab>;
  beforeAll(async () => {
    settings = testLab();
    await labUp(settings, ['region-b']);
    await waitPartHealthy(settings, 'region-b');
  });
  afterAll(() => restoreRegionA(settings));

  it('refuses to promote while region A is alive and writable: exit 3, standby still standby, DNS unchanged', async () => {
    const run = await runShipped(settings, 'dr-activate.md', { answers, env: { HATUI_VAR_PG_PASSWORD: pgPassword(settings), HATUI_VAR_TSIG_SECRET: tsigSecret(settings) } });
    expect(run.code, tail(run)).toBe(3);
    expect(run.outcomes).toEqual(['[ok] assess']);
    expect(run.stdout).toMatch(/pre-flight false captures.region_a.json.writable == false/);
    expect(await regionBRoles(settings)).toContain('standby_leader');
    expect((await redisInfo(settings.ports.regionB.redis, 'replication', 1000, labRedisAuth(settings))).role).toBe('slave');
    expect(await dig(settings, 'db')).toMatch(/ a\.dr\.hatui-lab\.test\.$/);
    // the DNS panel: both names at region A, with the zone's short TTL, as the zone's server says
    const names = await dnsPanel(settings);
    expect(names).toContain(`dns dns  @127.0.0.1:${settings.ports.regionB.dns}`);
    expect(names).toMatch(new RegExp(`db\\.${DR_ZONE.replace(/\./g, '\\.')} → a\\.${DR_ZONE.replace(/\./g, '\\.')}\\.?:${settings.ports.haproxyRw} \\(127\\.0\\.0\\.1\\) ttl ${DR_TTL}s`));
    // region A's WAL archiver (what region B restores from when streaming is cut), as the pg panel shows it
    const inventory = labInventory(settings, { regionB: true });
    const pgState = await snapshotCluster('pg', inventory.clusters.pg!, inventory, { timeoutMs: 3000 });
    const archive = pgState.kind === 'patroni' ? pgState.archive : undefined;
    expect(archive, JSON.stringify(pgState.kind === 'patroni' ? pgState.targets : pgState)).toMatchObject({ error: null, lastArchivedWal: expect.stringMatching(/^[0-9A-F]{8,24}(\.[0-9A-F]{8}\.backup|\.history)?$/) });
    expect(panelLines(pgState).map((l) => l.map((x) => x.text).join('')).join('\n')).toMatch(new RegExp(`archive last ${archive!.lastArchivedWal} \\S+ ago on pg[123]`));
    // the panel's probe: region B's standby leader measured against region A's leader
    const standby = await standbyView(settings);
    expect(standby).toMatchObject({ of: 'pg', error: null });
    expect(standby!.delayBytes).toEqual(expect.any(Number));
    expect(standby!.upstreamLeader).toMatch(/^pg[123]$/);
    // What `npm run demo` shows (lab up --regions 2 writes this inventory): the home screen's pg-b panel
    // names region B's standby leader and its delay, and the DR runbooks fit the inventory.
    const written = parse(readFileSync(labPaths(settings).inventory, 'utf8')) as Inventory;
    const pgb = await snapshotCluster('pg-b', written.clusters['pg-b']!, written, { timeoutMs: 3000 });
    const pgbText = panelLines(pgb).map((l) => l.map((x) => x.text).join('')).join('\n');
    expect(pgbText).toMatch(/pg-b patroni  leader pgb[12]/);
    expect(pgbText).toMatch(/standby of pg: behind pg[123] \d/);
    const entries = await listRunbooks('runbooks', written);
    for (const id of ['dr-activate', 'drill-region-failure']) expect(entries.find((e) => e.id === id)?.title, id).not.toMatch(/^\(/);
  });

  it('with region A frozen: a refused TSIG key stops at the DNS step naming the server; then the activation runs end to end', async () => {
    const frozen = await labFreezeRegion(settings, true);
    expect(frozen.nodes).toContain('pg1');
    // region A gone: the delay is unknown, not 0, and the probe says which host:port did not answer
    const standby = await standbyView(settings);
    expect(standby).toMatchObject({ delayBytes: null, delaySeconds: null });
    expect(standby!.error).toContain(`pg leader: no pg member answers as leader (http://127.0.0.1:${settings.ports.patroni.pg1}`);

    // The DNS server down: the run stops at the DNS step naming the server; no step claims the names moved.
    await killNode(settings, 'dns');
    const noDns = await runShipped(settings, 'dr-activate.md', { answers, env: { HATUI_VAR_PG_PASSWORD: pgPassword(settings), HATUI_VAR_TSIG_SECRET: tsigSecret(settings) } });
    expect(noDns.code, tail(noDns)).not.toBe(0);
    expect(noDns.outcomes.slice(0, 3)).toEqual(['[ok] assess', '[ok] promote-pg', '[ok] promote-redis']);
    expect(noDns.outcomes).toContain('[failed] dns');
    expect(noDns.outcomes).not.toContain('[ok] verify');
    expect(noDns.stdout + noDns.stderr).toContain(`DNS server 127.0.0.1:${settings.ports.regionB.dns} does not answer for db.${DR_ZONE}`);
    expect(await dnsPanel(settings)).toContain('no server answered');
    // Only bind9 comes back (lab up would start region A's frozen nodes' part too).
    await labRestart(settings, 'dns');
    expect(await dig(settings, 'db')).toMatch(/ a\.dr\.hatui-lab\.test\.$/);

    const bad = await runShipped(settings, 'dr-activate.md', { answers, env: { HATUI_VAR_PG_PASSWORD: pgPassword(settings), HATUI_VAR_TSIG_SECRET: Buffer.from('not the key').toString('base64') } });
    expect(bad.code, tail(bad)).not.toBe(0);
    expect(bad.outcomes.slice(0, 3)).toEqual(['[ok] assess', '[ok] promote-pg', '[ok] promote-redis']);
    expect(bad.outcomes).toContain('[failed] dns');
    expect(bad.stdout + bad.stderr).toContain(`nsupdate to 127.0.0.1:${settings.ports.regionB.dns} failed`);
    expect(await dig(settings, 'db')).toMatch(/ a\.dr\.hatui-lab\.test\.$/);

    // Resumable: the promotions are idempotent, so the operator runs the activation again with the right key.
    const run = await runShipped(settings, 'dr-activate.md', { answers, env: { HATUI_VAR_PG_PASSWORD: pgPassword(settings), HATUI_VAR_TSIG_SECRET: tsigSecret(settings) } });
    expect(run.code, tail(run)).toBe(0);
    expect(run.outcomes).toEqual(['[ok] assess', '[ok] promote-pg', '[ok] promote-redis', '[ok] dns', '[ok] verify']);

    const roles = await regionBRoles(settings);
    expect(roles.filter((r) => r === 'master' || r === 'primary')).toHaveLength(1);
    expect((await redisInfo(settings.ports.regionB.redis, 'replication', 1000, labRedisAuth(settings))).role).toBe('master');
    const db = await dig(settings, 'db');
    expect(db).toMatch(/ b\.dr\.hatui-lab\.test\.$/);
    expect(await dig(settings, 'cache')).toBe(`0 0 ${settings.ports.regionB.redis} b.${DR_ZONE}.`);
    // the DNS panel follows: both names at region B now
    const moved = await dnsPanel(settings);
    expect(moved).toContain(`db.${DR_ZONE} → b.${DR_ZONE}:${db.split(' ')[2]}`);
    expect(moved).toContain(`cache.${DR_ZONE} → b.${DR_ZONE}:${settings.ports.regionB.redis}`);

    // A write through the name, resolved by the zone's server, lands on region B's leader.
    const port = Number(db.split(' ')[2]);
    expect(Object.values(settings.ports.regionB.pg)).toContain(port);
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: pgPassword(settings), database: 'postgres', connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      const r = await client.query<{ port: number }>('INSERT INTO hatui_dr_check DEFAULT VALUES RETURNING inet_server_port() AS port');
      expect(r.rows[0]!.port).toBe(port);
    } finally {
      await client.end();
    }
  });

  // Needs the previous test's end state: region B leads, the names point at it, region A frozen.
  it('then dr-failback: region A comes back fenced (Patroni stopped); a member that does not come back stops the rebuild naming it; then region A is rebuilt as a standby of region B, promoted in the window, and the names answer region A again', async () => {
    // The fence an operator keeps while region B leads: region A's Patroni members are powered off, the rest
    // of region A (etcd, HAProxy, Redis, Sentinels) comes back. Started before region A's configuration
    // names region B, a member could come up as a second read-write leader; started after, none can.
    await Promise.all(pgNodes.map((n) => labCrash(settings, n)));
    await labFreezeRegion(settings, false);
    const env = { HATUI_VAR_PG_PASSWORD: pgPassword(settings), HATUI_VAR_TSIG_SECRET: tsigSecret(settings) };
    const [absent, ...started] = pgNodes;

    // The operator starts region A's Patroni once the rebuild step has pointed region A at region B; one
    // member (absent) does not come back: the rebuild stops there naming it by its REST host:port.
    const stuck = await runWhileStarting(settings, started, () => runShipped(settings, 'dr-failback.md', { answers: failbackAnswers, vars: { sync_wait: '20' }, env }));
    expect(stuck.code, tail(stuck)).toBe(3);
    expect(stuck.outcomes).toEqual(['[ok] assess', '[failed] rebuild']);
    expect(stuck.stdout + stuck.stderr).toContain(`members not streaming from it: http://127.0.0.1:${settings.ports.patroni[absent!]} (not in the cluster now)`);
    expect(stuck.stdout + stuck.stderr).not.toMatch(/members not streaming from it: .*pg[123] \(127/);

    // Once it is started too, the operator runs the failback again (every step is idempotent up to here).
    await labRestart(settings, absent!);
    const run = await runShipped(settings, 'dr-failback.md', { answers: failbackAnswers, env });
    expect(run.code, tail(run)).toBe(0);
    expect(run.outcomes).toEqual(['[ok] assess', '[ok] rebuild', '[ok] window', '[ok] demote-b', '[ok] promote-a', '[ok] redis', '[ok] dns', '[ok] verify']);

    // Region A leads again (one read-write leader), region B is a standby cluster following it.
    const aRoles = await Promise.all(pgNodes.map(async (n) => (await patroniState(settings, n))?.role ?? 'none'));
    expect(aRoles.filter((r) => r === 'master' || r === 'primary'), aRoles.join(' ')).toHaveLength(1);
    const bRoles = await regionBRoles(settings);
    expect(bRoles, bRoles.join(' ')).toContain('standby_leader');
    expect(bRoles.filter((r) => r === 'master' || r === 'primary')).toEqual([]);
    const standby = await waitFor(async () => {
      const v = await standbyView(settings);
      return v?.error === null ? v : null;
    }, 30_000, 'region B measured behind region A again');
    expect(standby!.upstreamLeader).toMatch(/^pg[123]$/);
    // redis-b follows region A's master again
    const redisB = await redisInfo(settings.ports.regionB.redis, 'replication', 1000, labRedisAuth(settings));
    expect(redisB.role).toBe('slave');
    expect(redisB.master_link_status).toBe('up');

    // The zone's own server answers region A for both names, and a write through db. lands on region A's leader.
    expect(await dig(settings, 'db')).toBe(`0 0 ${settings.ports.haproxyRw} a.${DR_ZONE}.`);
    expect(await dig(settings, 'cache')).toMatch(new RegExp(`^0 0 (${Object.values(settings.ports.redis).join('|')}) a\\.`));
    const client = new pg.Client({ host: '127.0.0.1', port: settings.ports.haproxyRw, user: 'postgres', password: pgPassword(settings), database: 'postgres', connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      // the row written through region B during the DR period is in region A now (nothing region B took was lost)
      const r = await client.query<{ port: number; rows: string }>('INSERT INTO hatui_dr_check DEFAULT VALUES RETURNING inet_server_port() AS port, (SELECT count(*) FROM hatui_dr_check)::text AS rows');
      expect(Object.values(settings.ports.pg)).toContain(r.rows[0]!.port);
      expect(Number(r.rows[0]!.rows)).toBeGreaterThanOrEqual(2);
    } finally {
      await client.end();
    }
  });
});
