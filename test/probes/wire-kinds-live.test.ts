// The shipped probe table over an inventory of MongoDB, Kafka and Weaviate clusters, each a wire-level
// double on 127.0.0.1 (source/lab/doubles/), through the two ways hatui asks: one snapshot (what CEL reads
// during a run) and the poller (what the panels show). Not real servers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaState, MongodbState, WeaviateState } from '../../source/core/cluster-state.js';
import { clusterStateSchema } from '../../source/core/cluster-state.js';
import type { Inventory } from '../../source/core/inventory/model.js';
import { snapshotClusters } from '../../source/services/live-deps.js';
import { Poller } from '../../source/services/poller.js';
import { lineText, panelLines } from '../../source/ui/panel-lines.js';
import { KafkaClusterDouble } from '../../source/lab/doubles/kafka-wire.js';
import { MongoReplicaSetDouble } from '../../source/lab/doubles/mongo-wire.js';
import { WeaviateClusterDouble } from '../../source/lab/doubles/weaviate-http.js';
import { doubleInventory } from './double-inventory.js';

let mongo: MongoReplicaSetDouble;
let kafka: KafkaClusterDouble;
let weaviate: WeaviateClusterDouble;
let inventory: Inventory;

beforeAll(async () => {
  mongo = await MongoReplicaSetDouble.start('rs0', [{ state: 'PRIMARY' }, { state: 'SECONDARY', syncSource: 0 }]);
  kafka = await KafkaClusterDouble.start({ controller: 2, brokers: [{ nodeId: 1 }, { nodeId: 2 }], topics: [{ name: 'orders', partitions: [{ partition: 0, leader: 1, replicas: [1, 2], isr: [1] }] }] });
  weaviate = await WeaviateClusterDouble.start({ nodes: [{ name: 'w1' }, { name: 'w2', status: 'UNHEALTHY' }] });
  inventory = doubleInventory({
    docs: { kind: 'mongodb', prefix: 'm', endpoints: mongo.hosts },
    events: { kind: 'kafka', prefix: 'k', endpoints: kafka.addresses },
    vectors: { kind: 'weaviate', prefix: 'w', endpoints: weaviate.urls },
    cache: { kind: 'redis-cluster', prefix: 'r', endpoints: ['127.0.0.1:1'] },
  });
});
afterAll(async () => {
  await Promise.all([mongo?.close(), kafka?.close(), weaviate?.close()]);
});

describe('mongodb, kafka and weaviate through the shipped probes', () => {
  it('snapshotClusters returns each kind’s state (a redis-cluster nobody answers for: state unknown, never ok)', async () => {
    const states = await snapshotClusters(inventory, { timeoutMs: 2000 });
    for (const state of Object.values(states)) clusterStateSchema.parse(state);
    expect(states.docs).toMatchObject({ kind: 'mongodb', setName: 'rs0', primary: 'm1' });
    expect(states.events).toMatchObject({ kind: 'kafka', controller: 2, underReplicated: 1, offline: 0 });
    expect(states.vectors).toMatchObject({ kind: 'weaviate', healthyCount: 1 });
    expect(states.cache).toMatchObject({ kind: 'redis-cluster', clusterState: null, slotsOk: null, masters: [] });
    expect(panelLines(states.cache!).map(lineText)[0]).toMatch(/^cache redis-cluster {2}state \? {2}slots ok \?\/16384/);
  });

  it('the poller keeps every answering target fresh while a hung member of each kind goes stale', async () => {
    await Promise.all([mongo.setMode(1, 'hang'), kafka.setMode(1, 'hang'), weaviate.setMode(1, 'hang')]);
    const poller = new Poller(inventory, { intervalMs: 50, timeoutMs: 300, maxBackoffMs: 300 }).start();
    try {
      const firstOk = new Map<string, string | null>();
      await poller.firstRoundDone(3000);
      for (const name of ['docs', 'events', 'vectors']) firstOk.set(name, poller.current().clusters[name]!.targets[0]!.lastOkAt);
      // Until the answering targets have answered again (later lastOkAt) and the hung ones are stale.
      const deadline = Date.now() + 5000;
      for (;;) {
        const clusters = poller.refresh().clusters;
        const settled = ['docs', 'events', 'vectors'].every((name) => {
          const [ok, hung] = clusters[name]!.targets;
          return ok!.stale === null && ok!.lastOkAt !== firstOk.get(name) && hung!.stale?.error.includes('timed out after 300 ms');
        });
        if (settled) break;
        if (Date.now() > deadline) throw new Error(`not settled: ${JSON.stringify(Object.values(clusters).map((c) => c.targets))}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      const clusters = poller.current().clusters;
      expect((clusters.docs as MongodbState).members[1]!.stale).not.toBeNull();
      expect((clusters.events as KafkaState).brokers[1]!.stale).not.toBeNull();
      expect((clusters.vectors as WeaviateState).members[1]!.stale).not.toBeNull();
      // The hung member of each double-backed kind (the redis-cluster member at :1 never answers at all).
      const text = [clusters.docs!, clusters.events!, clusters.vectors!].flatMap((c) => panelLines(c).map(lineText));
      expect(text.filter((l) => / STALE \d/.test(l))).toHaveLength(3);
    } finally {
      poller.stop();
      await Promise.all([mongo.setMode(1, 'answer'), kafka.setMode(1, 'answer'), weaviate.setMode(1, 'answer')]);
    }
  });
});
