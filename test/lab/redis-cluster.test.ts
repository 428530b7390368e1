// The lab's real Redis Cluster (part `rediscluster`, six redis-server 7.0 nodes, --cluster-replicas 1):
// it comes up healthy with the guide's persistence settings, the probe and panel show it, the shipped
// runbooks redis-cluster-failover (roles swap) and redis-persistence-check (a node whose appendonly was
// turned off is reported) run headless on it, and the master-failure drill measures RTO and lost writes
// with its ioredis Cluster canary. The part is started here and stopped afterwards, so other
// lab test files never pay for it (and their inventory stays as they expect).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClusterState } from '../../source/core/cluster-state.js';
import type { Inventory } from '../../source/core/inventory/model.js';
import { GUIDE_REDIS_PERSISTENCE } from '../../source/lab/configs.js';
import { labDown, labPaths, labUp, redisClusterNodes, type LabSettings, type RedisClusterNode } from '../../source/lab/index.js';
import { clusterNodeCommands } from '../../source/lab/redis-cluster.js';
import { snapshotCluster } from '../../source/services/snapshot.js';
import { lineText, panelLines } from '../../source/ui/panel-lines.js';
import { testLab, waitFor, waitPartHealthy } from './helpers.js';
import { runShipped, tail } from './runbook-run.js';
import { expectReportConsistent, runDrillCli } from './drill-helpers.js';

const settings: LabSettings = testLab();
const password = () => readFileSync(labPaths(settings).redisPassword, 'utf8').trim();
const env = () => ({ HATUI_VAR_REDIS_PASSWORD: password() });

async function snapshot(): Promise<RedisClusterState> {
  const inventory = parse(readFileSync(labPaths(settings).inventory, 'utf8')) as Inventory;
  const cluster = inventory.clusters.rediscluster;
  if (!cluster) throw new Error('the lab inventory lists no rediscluster');
  const state = await snapshotCluster('rediscluster', cluster, inventory, { timeoutMs: 2000 });
  if (state.kind !== 'redis-cluster') throw new Error(`rediscluster probed as ${state.kind}`);
  return state;
}

const nodeAt = (address: string) => redisClusterNodes.find((n) => `127.0.0.1:${settings.ports.redisCluster[n]}` === address)!;

beforeAll(async () => {
  await labUp(settings, ['rediscluster']);
});
afterAll(async () => {
  await labDown(settings, { parts: ['rediscluster'] });
});

describe('lab Redis Cluster', () => {
  it('comes up healthy: cluster_state ok, 16384 slots ok, three masters each with a connected replica, the guide’s RDB/AOF settings', async () => {
    await waitPartHealthy(settings, 'rediscluster');
    const state = await snapshot();
    expect(state).toMatchObject({ clusterState: 'ok', slotsAssigned: 16384, slotsOk: 16384, slotsPfail: 0, slotsFail: 0, knownNodes: 6 });
    const serving = state.masters.filter((m) => m.slots > 0);
    expect(serving).toHaveLength(3);
    expect(serving.reduce((n, m) => n + m.slots, 0)).toBe(16384);
    for (const m of serving) expect(m.replicas.map((r) => [r.linkState, r.masterLinkStatus])).toEqual([['connected', 'up']]);
    expect(state.nodes.every((n) => n.clusterState === 'ok' && n.stale === null)).toBe(true);
    expect(panelLines(state).map(lineText)[0]).toMatch(/^rediscluster redis-cluster {2}state ok {2}slots ok 16384\/16384/);
    for (const node of redisClusterNodes) {
      const replies = await clusterNodeCommands(settings, node, Object.keys(GUIDE_REDIS_PERSISTENCE).map((k) => ['CONFIG', 'GET', k]));
      const got = Object.fromEntries(replies.map((r) => [String((r as string[])[0]), String((r as string[])[1])]));
      expect(got, node).toEqual(GUIDE_REDIS_PERSISTENCE);
    }
  });

  it('runbooks/redis-cluster-failover.md swaps a master and its replica, and the probe and panel show it', async () => {
    await waitPartHealthy(settings, 'rediscluster');
    const before = await snapshot();
    const shard = before.masters.find((m) => m.slots > 0 && m.replicas.length === 1)!;
    const replica = shard.replicas[0]!;
    const run = await runShipped(settings, 'redis-cluster-failover.md', { answers: { failover: { confirm: 'rediscluster' } }, vars: { replica: replica.address }, env: env() });
    expect(run.code, tail(run)).toBe(0);
    expect(run.outcomes).toEqual(['[ok] inspect', '[ok] failover', '[ok] verify']);
    const after = await waitFor(async () => {
      const s = await snapshot();
      const promoted = s.masters.find((m) => m.address === replica.address);
      return promoted && promoted.slots === shard.slots && promoted.replicas.some((r) => r.address === shard.address && r.masterLinkStatus === 'up') ? s : null;
    }, 30_000, `${replica.name} master of ${shard.slotRanges.join(',')} with ${shard.name} as its replica`);
    const promoted = after.masters.find((m) => m.address === replica.address)!;
    expect(promoted.slotRanges).toEqual(shard.slotRanges);
    expect(promoted.configEpoch).toBeGreaterThan(shard.configEpoch);
    expect(after.masters.find((m) => m.address === shard.address)?.slots ?? 0).toBe(0);
    expect(after.masterChanges).toEqual([]); // one snapshot each: the change history belongs to a poller
    const line = panelLines(after).map(lineText).find((l) => l.startsWith(`  ${nodeAt(replica.address)} `));
    expect(line).toMatch(new RegExp(`master ${shard.slotRanges.join(',')} +e${promoted.configEpoch} {2}← ${nodeAt(shard.address)} up`));
    const role = await clusterNodeCommands(settings, nodeAt(shard.address), [['ROLE']]);
    expect((role[0] as unknown[])[0]).toBe('slave');
  });

  it('runbooks/redis-persistence-check.md passes on the guide’s settings and reports a node whose appendonly was turned off', async () => {
    await waitPartHealthy(settings, 'rediscluster');
    const vars = { seed: `127.0.0.1:${settings.ports.redisCluster.rc1}` };
    const clean = await runShipped(settings, 'redis-persistence-check.md', { answers: {}, vars, env: env() });
    expect(clean.code, tail(clean)).toBe(0);
    expect(clean.outcomes).toEqual(['[ok] compare', '[ok] verdict']);

    const victim: RedisClusterNode = 'rc5';
    await clusterNodeCommands(settings, victim, [['CONFIG', 'SET', 'appendonly', 'no']]);
    try {
      const run = await runShipped(settings, 'redis-persistence-check.md', { answers: {}, vars, env: env() });
      expect(run.code, tail(run)).toBe(1);
      expect(run.outcomes).toEqual(['[ok] compare', '[failed] verdict']);
      const address = `127.0.0.1:${settings.ports.redisCluster[victim]}`;
      expect(run.stdout).toContain(`${address} appendonly=no (guide: yes)`);
      // Only that node, only that setting.
      const reported = run.stdout.split('\n').filter((l) => /^\s*\|? ?127\.0\.0\.1:\d+ \S+=/.test(l)).map((l) => l.replace(/^\s*\|? ?/, ''));
      expect(reported).toEqual([`${address} appendonly=no (guide: yes)`]);
      expect(run.stdout).not.toContain(password());
    } finally {
      await clusterNodeCommands(settings, victim, [['CONFIG', 'SET', 'appendonly', 'yes']]);
    }
  });

  it('drill-redis-cluster-master-failure: the canary shard’s master is crashed, its replica promoted, RTO and lost writes measured, the old master rejoins', async () => {
    await waitPartHealthy(settings, 'rediscluster');
    process.env.HATUI_VAR_REDIS_PASSWORD = password();
    const answers = `prepare: { checklist: all }
fault: rediscluster
rejoin: yes
evaluate: { checklist: all }
record: { checklist: all }
`;
    const before = await snapshot();
    const run = await runDrillCli('runbooks/drill-redis-cluster-master-failure.md', answers);
    expect(run.code, run.stdout.slice(-3000) + run.stderr).toBe(0);
    const r = run.report;
    expect(r.system).toBe('redis-cluster');
    expect(typeof r.rto_ms).toBe('number');
    expect(r.verdicts.rto.status).toBe('pass');
    expect(r.healthy_ms).not.toBeNull();
    await expectReportConsistent(run);
    // The canary's list, re-read here through our own cluster client: every number once, counts as reported.
    const key = /list (\S+)$/.exec(r.canary.target)?.[1];
    expect(key).toMatch(/^\{hatui-canary\}:/);
    const { Cluster } = await import('ioredis');
    const client = new Cluster([{ host: '127.0.0.1', port: settings.ports.redisCluster.rc1 }], { redisOptions: { password: password() } });
    try {
      const list = (await client.lrange(key!, 0, -1)).map(Number);
      expect(new Set(list).size).toBe(list.length);
      expect(list.length).toBe(r.canary.present);
      expect(list.length).toBe(r.canary.acknowledged - r.rpo_lost_writes! + r.in_doubt_writes!);
    } finally {
      client.disconnect();
    }
    // The shard moved: the set of masters changed, and the cluster is whole again.
    await waitPartHealthy(settings, 'rediscluster');
    const after = await snapshot();
    const masters = (s: RedisClusterState) => s.masters.filter((m) => m.slots > 0).map((m) => m.name).sort();
    expect(masters(after)).not.toEqual(masters(before));
  });
});
