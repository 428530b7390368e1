// The drill's views and the run resolver read who leads from the same probe answers, so on the same fixture they
// name the same leader as the probe (the drill may be stricter: no leader while the Sentinels disagree).
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../source/core/inventory/model.js';
import { patroniViewSource } from '../../source/drill/view-patroni.js';
import { redisViewSource } from '../../source/drill/view-redis.js';
import { createTargetResolver } from '../../source/services/resolve-target.js';
import { snapshotCluster } from '../../source/services/snapshot.js';
import { nodeAnswer, patroniAnswer, probeDoubles, sentinelAnswer } from '../support/probe-doubles.js';

const inventory: Inventory = {
  environment: 'lab',
  hosts: { h1: { address: '10.0.0.1', transport: 'ssh' }, h2: { address: '10.0.0.2', transport: 'ssh' }, h3: { address: '10.0.0.3', transport: 'ssh' } },
  clusters: {
    pg: {
      kind: 'patroni',
      members: [
        { name: 'pg1', host: 'h1', endpoint: 'http://127.0.0.1:58001' },
        { name: 'pg2', host: 'h2', endpoint: 'http://127.0.0.1:58002' },
      ],
    },
    redis: {
      kind: 'redis-sentinel',
      masterName: 'm',
      sentinels: ['127.0.0.1:56390', '127.0.0.1:56391', '127.0.0.1:56392'],
      members: [
        { name: 'redis1', host: 'h1', endpoint: '127.0.0.1:56379' },
        { name: 'redis2', host: 'h2', endpoint: '127.0.0.1:56380' },
      ],
    },
  },
};

// Patroni 3.x+: role `primary` in the member's own /patroni; some builds report it in /cluster too.
const clusterJson = { members: [{ name: 'pg1', role: 'replica', state: 'running', lag: 0 }, { name: 'pg2', role: 'primary', state: 'running' }] };
const statusJson = { role: 'primary', state: 'running', replication: [{ application_name: 'pg1', state: 'streaming', sync_state: 'async' }] };

describe('drill views agree with the probe', () => {
  it("Patroni reporting role 'primary': probe, resolver and drill view all name pg2", async () => {
    const probeFor = probeDoubles({ 'http://127.0.0.1:58001': patroniAnswer(clusterJson), 'http://127.0.0.1:58002': patroniAnswer(clusterJson, statusJson) });
    const state = await snapshotCluster('pg', inventory.clusters.pg!, inventory, { probeFor });
    expect(state.kind === 'patroni' && state.leader).toBe('pg2');
    expect((await createTargetResolver(inventory, { probeFor }).resolve('pg.leader')).map((t) => t.host)).toEqual(['h2']);
    const getJson = async (url: string) => (url.endsWith('/cluster') ? clusterJson : statusJson);
    const view = await patroniViewSource([{ name: 'pg1', url: 'http://127.0.0.1:58001' }, { name: 'pg2', url: 'http://127.0.0.1:58002' }], getJson)(() => 0);
    expect(view.leader).toBe('pg2');
    expect(view.healthy).toBe(true);
  });

  const node = (role: string, master?: string) =>
    nodeAnswer(role === 'master' ? { role, master_repl_offset: '10' } : { role, master_host: '127.0.0.1', master_port: master!, master_link_status: 'up', slave_repl_offset: '10' });

  it('Sentinels agreeing: probe, resolver and drill view name the same master, healthy', async () => {
    const answers = {
      '127.0.0.1:56390': sentinelAnswer('127.0.0.1:56379'),
      '127.0.0.1:56391': sentinelAnswer('127.0.0.1:56379'),
      '127.0.0.1:56392': sentinelAnswer('127.0.0.1:56379'),
      '127.0.0.1:56379': node('master'),
      '127.0.0.1:56380': node('slave', '56379'),
    };
    const probeFor = probeDoubles(answers);
    const cluster = inventory.clusters.redis!;
    const state = await snapshotCluster('redis', cluster, inventory, { probeFor });
    expect(state.kind === 'redis-sentinel' && state.master).toBe('127.0.0.1:56379');
    expect((await createTargetResolver(inventory, { probeFor }).resolve('redis.master')).map((t) => t.host)).toEqual(['h1']);
    const view = await redisViewSource({ cluster, inventory, snapshot: () => snapshotCluster('redis', cluster, inventory, { probeFor }) }).source(() => 0);
    expect(view).toMatchObject({ leader: 'redis1', healthy: true, reachable: ['redis1', 'redis2'] });
  });

  it('Sentinels disagreeing: the probe reports no agreement; the resolver refuses; the drill view names no leader', async () => {
    const answers = {
      '127.0.0.1:56390': sentinelAnswer('127.0.0.1:56379'),
      '127.0.0.1:56391': sentinelAnswer('127.0.0.1:56380'),
      '127.0.0.1:56379': node('master'),
      '127.0.0.1:56380': node('master'),
    };
    const probeFor = probeDoubles(answers);
    const cluster = inventory.clusters.redis!;
    const state = await snapshotCluster('redis', cluster, inventory, { probeFor });
    expect(state.kind === 'redis-sentinel' && state.agreement).toBe(false);
    await expect(createTargetResolver(inventory, { probeFor }).resolve('redis.master')).rejects.toThrow(/no majority of sentinels \(2 of 3\)/);
    const view = await redisViewSource({ cluster, inventory, snapshot: () => snapshotCluster('redis', cluster, inventory, { probeFor }) }).source(() => 0);
    expect(view).toMatchObject({ leader: null, healthy: false });
    expect(view.detail).toContain('sentinels: redis1/redis2/?');
  });

  it("the drill view is stricter than the probe: a master whose own node does not answer role master is no leader", async () => {
    const answers = {
      '127.0.0.1:56390': sentinelAnswer('127.0.0.1:56379'),
      '127.0.0.1:56391': sentinelAnswer('127.0.0.1:56379'),
      '127.0.0.1:56392': sentinelAnswer('127.0.0.1:56379'),
      '127.0.0.1:56379': node('slave', '56380'),
      '127.0.0.1:56380': node('master'),
    };
    const probeFor = probeDoubles(answers);
    const cluster = inventory.clusters.redis!;
    const view = await redisViewSource({ cluster, inventory, snapshot: () => snapshotCluster('redis', cluster, inventory, { probeFor }) }).source(() => 0);
    expect(view.leader).toBeNull();
  });
});
