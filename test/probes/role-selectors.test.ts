// Role selectors that only a driver can answer, resolved through the probes against the wire-level
// doubles (source/lab/doubles/, not real servers): `mongo.primary`, `mongo.secondaries`, `kafka.controller`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../source/core/inventory/model.js';
import { createTargetResolver } from '../../source/services/resolve-target.js';
import { KafkaClusterDouble } from '../../source/lab/doubles/kafka-wire.js';
import { MongoReplicaSetDouble } from '../../source/lab/doubles/mongo-wire.js';
import { doubleInventory } from './double-inventory.js';

let mongo: MongoReplicaSetDouble;
let kafka: KafkaClusterDouble;
let inventory: Inventory;

beforeAll(async () => {
  mongo = await MongoReplicaSetDouble.start('rs0', [{ state: 'SECONDARY', syncSource: 1 }, { state: 'PRIMARY' }, { state: 'SECONDARY', syncSource: 1 }]);
  kafka = await KafkaClusterDouble.start({ controller: 2, brokers: [{ nodeId: 1 }, { nodeId: 2 }, { nodeId: 3 }], topics: [] });
  // One inventory host per member (all local), so a resolved host tells which member the role named.
  const base = doubleInventory({
    docs: { kind: 'mongodb', prefix: 'm', endpoints: mongo.hosts },
    events: { kind: 'kafka', prefix: 'k', endpoints: kafka.addresses },
  });
  const clusters = Object.fromEntries(Object.entries(base.clusters).map(([name, c]) => [name, { ...c, members: c.members.map((m) => ({ ...m, host: m.name })) }]));
  const hosts = Object.fromEntries(Object.values(clusters).flatMap((c) => c.members.map((m) => [m.name, { address: '127.0.0.1', transport: 'local' as const }])));
  inventory = { ...base, hosts: { ...base.hosts, ...hosts }, clusters };
});
afterAll(async () => {
  await Promise.all([mongo?.close(), kafka?.close()]);
});

const hostsOf = async (selector: string) => (await createTargetResolver(inventory, { requestTimeoutMs: 1500 }).resolve(selector)).map((t) => t.host);

describe('role selectors resolved through the MongoDB and Kafka probes (wire doubles)', () => {
  it('mongo.primary is the member the replica set names PRIMARY; mongo.secondaries the SECONDARY ones', async () => {
    expect(await createTargetResolver(inventory, { requestTimeoutMs: 1500 }).resolve('docs.primary')).toEqual([{ selector: 'docs.primary', host: 'm2' }]);
    expect(await hostsOf('docs.secondaries')).toEqual(['m1', 'm3']);
    // the primary moves: the selector follows the replica set, not the inventory order
    mongo.update(1, { state: 'SECONDARY', syncSource: 2 });
    mongo.update(2, { state: 'PRIMARY', syncSource: undefined });
    mongo.update(0, { syncSource: 2 });
    try {
      expect(await hostsOf('docs.primary')).toEqual(['m3']);
    } finally {
      mongo.update(2, { state: 'SECONDARY', syncSource: 1 });
      mongo.update(1, { state: 'PRIMARY', syncSource: undefined });
      mongo.update(0, { syncSource: 1 });
    }
  });

  it('with no primary the selector fails, saying so and naming the members that did not answer', async () => {
    mongo.update(1, { state: 'SECONDARY' });
    await mongo.setMode(2, 'closed');
    try {
      await expect(hostsOf('docs.primary')).rejects.toThrow(new RegExp(`host=docs.primary: no member of mongodb cluster 'docs' is PRIMARY right now \\(${mongo.hosts[2]!.replace('.', '\\.')} → .*ECONNREFUSED`));
    } finally {
      mongo.update(1, { state: 'PRIMARY' });
      await mongo.setMode(2, 'answer');
    }
  });

  it('kafka.controller is the broker the metadata names controller; kafka.brokers every broker', async () => {
    expect(await hostsOf('events.controller')).toEqual(['k2']);
    expect(await hostsOf('events.brokers')).toEqual(['k1', 'k2', 'k3']);
  });
});
