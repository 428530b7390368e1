// The MongoDB probe on a sharded cluster: members that answer hello as mongos routers are asked
// listShards and balancerStatus (real `mongodb` driver, mongos double), and the panel shows the shards
// and the balancer. (The mongos double is not mongos: see source/lab/doubles/mongos.ts.)
import { afterEach, describe, expect, it } from 'vitest';
import { clusterStateSchema, type MongodbState } from '../../source/core/cluster-state.js';
import { snapshotCluster } from '../../source/services/snapshot.js';
import { lineText, panelLines } from '../../source/ui/panel-lines.js';
import { MongoReplicaSetDouble } from '../../source/lab/doubles/mongo-wire.js';
import { doubleInventory } from './double-inventory.js';

let mongos: MongoReplicaSetDouble | undefined;
afterEach(() => mongos?.close());

const router = {
  shards: [
    { id: 'shard01', host: 'shard01/10.0.3.21:27018,10.0.3.22:27018,10.0.3.23:27018' },
    { id: 'shard02', host: 'shard02/10.0.3.31:27018,10.0.3.32:27018,10.0.3.33:27018', draining: true },
  ],
  balancer: { mode: 'full' as const, inBalancerRound: false },
};

async function probe(d: MongoReplicaSetDouble): Promise<MongodbState> {
  const inventory = doubleInventory({ docs: { kind: 'mongodb', prefix: 's', endpoints: d.hosts } });
  const state = await snapshotCluster('docs', inventory.clusters.docs!, inventory, { timeoutMs: 3000 });
  clusterStateSchema.parse(state);
  if (state.kind !== 'mongodb') throw new Error(state.kind);
  return state;
}

describe('mongodb probe on mongos routers', () => {
  it('reads listShards and the balancer status and shows them; routers are not called primaries', async () => {
    mongos = await MongoReplicaSetDouble.start('unused', [{ state: 'PRIMARY' }, { state: 'PRIMARY' }], { router });
    const state = await probe(mongos);
    expect(state.sharding).toEqual({
      routersAnswering: 2,
      shards: [
        { id: 'shard01', host: router.shards[0]!.host, draining: false },
        { id: 'shard02', host: router.shards[1]!.host, draining: true },
      ],
      balancerMode: 'full',
      inBalancerRound: false,
      error: null,
    });
    expect(state.primary).toBeNull();
    expect(state.members.map((m) => m.stateStr)).toEqual(['MONGOS', 'MONGOS']);
    const lines = panelLines(state).map(lineText);
    expect(lines[0]).toBe('docs mongodb sharded  mongos 2/2  shards 2  balancer full (idle)');
    expect(lines[2]).toBe(`  shard02  ${router.shards[1]!.host} DRAINING`);
  });

  it('follows the balancer being turned off, and marks a router that stops answering stale', async () => {
    mongos = await MongoReplicaSetDouble.start('unused', [{ state: 'PRIMARY' }, { state: 'PRIMARY' }], { router: { ...router, balancer: { mode: 'off', inBalancerRound: false } } });
    await mongos.setMode(1, 'closed');
    const state = await probe(mongos);
    expect(state.sharding).toMatchObject({ routersAnswering: 1, balancerMode: 'off' });
    const lines = panelLines(state).map(lineText);
    expect(lines[0]).toMatch(/mongos 1\/2 {2}shards 2 {2}balancer off \(idle\)/);
    expect(lines.at(-1)).toMatch(/^ {2}s2 +mongos STALE/);
  });

  it('a replica set has no sharding view', async () => {
    mongos = await MongoReplicaSetDouble.start('rs0', [{ state: 'PRIMARY' }, { state: 'SECONDARY', syncSource: 0 }]);
    const state = await probe(mongos);
    expect(state.sharding ?? null).toBeNull();
    expect(state.primary).toBe('s1');
  });
});
