// The Kafka probe with the real `kafkajs` admin client against a wire-level cluster double
// (test/doubles/kafka-wire.ts: ApiVersions + Metadata frames on 127.0.0.1). Not a Kafka broker.
import { afterEach, describe, expect, it } from 'vitest';
import { kafkaStateSchema, type KafkaState } from '../../source/core/cluster-state.js';
import type { Inventory } from '../../source/core/inventory/model.js';
import { snapshotClusters } from '../../source/services/live-deps.js';
import { lineText, panelLines } from '../../source/ui/panel-lines.js';
import { KafkaClusterDouble, type KafkaClusterSpec } from '../doubles/kafka-wire.js';
import { doubleInventory } from './double-inventory.js';

let double: KafkaClusterDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

const healthyTopics = (): KafkaClusterSpec['topics'] => [
  {
    name: 'orders',
    partitions: [
      { partition: 0, leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3] },
      { partition: 1, leader: 2, replicas: [2, 3, 1], isr: [2, 3, 1] },
      { partition: 2, leader: 3, replicas: [3, 1, 2], isr: [3, 1, 2] },
    ],
  },
  { name: '__consumer_offsets', internal: true, partitions: [{ partition: 0, leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3] }] },
];

async function cluster(spec: Partial<KafkaClusterSpec> = {}): Promise<{ double: KafkaClusterDouble; inventory: Inventory }> {
  double = await KafkaClusterDouble.start({ controller: 1, brokers: [{ nodeId: 1 }, { nodeId: 2 }, { nodeId: 3 }], topics: healthyTopics(), ...spec });
  return { double, inventory: doubleInventory({ events: { kind: 'kafka', prefix: 'k', endpoints: double.addresses } }) };
}

async function snapshot(inventory: Inventory, prev?: KafkaState, timeoutMs = 2000): Promise<KafkaState> {
  const states = await snapshotClusters(inventory, { timeoutMs, ...(prev ? { prev: { events: prev } } : {}) });
  return kafkaStateSchema.parse(states.events);
}

describe('kafka probe (real kafkajs admin client, wire-level cluster double)', () => {
  it('reads brokers, controller, topics and under-replicated partitions, at the Metadata version kafkajs negotiates', async () => {
    const { double: k, inventory } = await cluster();
    k.topics[0]!.partitions[1]!.isr = [2];
    k.topics[0]!.partitions[2]!.isr = [3, 1];
    const state = await snapshot(inventory);
    expect(state).toMatchObject({ kind: 'kafka', clusterId: 'MkU3OEVBNTcwNTJENDM2Qk', controller: 1, topics: 2, partitions: 4, underReplicated: 2, offline: 0, offlineFirst: [] });
    expect(state.brokers.map((b) => [b.name, b.nodeId, b.address, b.controller, b.stale])).toEqual([
      ['k1', 1, k.addresses[0], true, null],
      ['k2', 2, k.addresses[1], false, null],
      ['k3', 3, k.addresses[2], false, null],
    ]);
    expect(state.underReplicatedFirst).toEqual([
      { topic: 'orders', partition: 1, leader: 2, replicas: [2, 3, 1], isr: [2] },
      { topic: 'orders', partition: 2, leader: 3, replicas: [3, 1, 2], isr: [3, 1] },
    ]);
    // kafkajs asked ApiVersions (v2, its newest) and picked Metadata v6 from the advertised 0–8; every
    // connection of a broker's poll went to that broker (three targets, three logs).
    for (const received of k.received) expect(received.slice(0, 2)).toEqual(['ApiVersions v2', 'Metadata v6']);
    expect(new Set(k.received.flat())).toEqual(new Set(['ApiVersions v2', 'Metadata v6']));
  });

  it('counts a partition without a leader as offline: kafkajs refuses that answer, the probe re-reads it', async () => {
    // Broker 3 died: the metadata no longer lists it; the partition it led has no leader (LEADER_NOT_AVAILABLE).
    const { double: k, inventory } = await cluster();
    k.update(2, { registered: false });
    await k.setMode(2, 'closed');
    k.topics[0]!.partitions[2]!.isr = [3];
    const state = await snapshot(inventory);
    expect(state).toMatchObject({ offline: 1, offlineFirst: [{ topic: 'orders', partition: 2, leader: null, replicas: [3, 1, 2], isr: [3] }], underReplicated: 0, partitions: 4 });
    expect(state.brokers.map((b) => [b.name, b.nodeId])).toEqual([['k1', 1], ['k2', 2], ['k3', null]]);
    // The admin client's answer was refused, so each answering broker was asked a second time, raw.
    for (const received of k.received.slice(0, 2)) expect(received.filter((r) => r === 'ApiVersions v2')).toHaveLength(2);
    const lines = panelLines(state).map(lineText);
    expect(lines[0]).toContain('offline 1 (orders-2)');
    expect(lines[3]).toMatch(/^ {2}k3 +not in metadata .*STALE/);
  });

  it('keeps every connection of a poll on its own broker, even when the metadata advertises other addresses', async () => {
    // The brokers advertise ports nobody listens on: a client following the advertised addresses fails.
    const { double: k, inventory } = await cluster({
      brokers: [{ nodeId: 1, advertised: '127.0.0.1:1' }, { nodeId: 2, advertised: '127.0.0.1:2' }],
      topics: [{ name: 'orders', partitions: [{ partition: 0, leader: 1, replicas: [1, 2], isr: [1, 2] }] }],
    });
    const state = await snapshot(inventory);
    expect(state.targets.every((t) => t.stale === null)).toBe(true);
    expect(state).toMatchObject({ partitions: 1, offline: 0 });
    expect(state.brokers.map((b) => [b.name, b.nodeId, b.address])).toEqual([
      ['k1', null, k.addresses[0]],
      ['k2', null, k.addresses[1]],
      ['broker 1', 1, '127.0.0.1:1'],
      ['broker 2', 2, '127.0.0.1:2'],
    ]);
    expect(lineText(panelLines(state)[1]!)).toMatch(/^ {2}k1 +not in metadata/);
  });

  it('records a controller change (1 → 2), none on the first observation', async () => {
    const { double: k, inventory } = await cluster();
    const first = await snapshot(inventory);
    expect(first.controllerChanges).toEqual([]);
    k.controller = 2;
    const second = await snapshot(inventory, first);
    expect(second.controller).toBe(2);
    expect(second.brokers.filter((b) => b.controller).map((b) => b.name)).toEqual(['k2']);
    expect(second.controllerChanges).toEqual([{ from: '1', to: '2', at: second.fetchedAt }]);
  });

  it('marks a hung broker and a closed one stale within the probe timeout while the other answers', async () => {
    const { double: k, inventory } = await cluster();
    await k.setMode(1, 'hang');
    await k.setMode(2, 'closed');
    // The hung member never answers: the snapshot resolving at all, with the probe's own timeout named in the
    // member's error, shows the probe gave up on it (no wall-clock assertion: CPU time on a shared machine is noise).
    const state = await snapshot(inventory, undefined, 800);
    expect(state.brokers[0]!.stale).toBeNull();
    expect(state.brokers[1]!.stale?.error).toBe(`${k.addresses[1]}: timed out after 800 ms`);
    expect(state.brokers[2]!.stale?.error).toMatch(/ECONNREFUSED/);
    // The answering broker's metadata still lists all three (a frozen broker stays registered for a while).
    expect(state).toMatchObject({ controller: 1, underReplicated: 0, offline: 0 });
    const lines = panelLines(state).map(lineText);
    expect(lines[2]).toMatch(/^ {2}k2 +id 2 .* STALE \d/);
  });

  it('panel: a head line (URP and offline in red) and one line per broker, within 80 columns', async () => {
    const { double: k, inventory } = await cluster({ brokers: [{ nodeId: 1 }, { nodeId: 2 }, { nodeId: 3 }, { nodeId: 4 }] });
    k.topics[0]!.partitions[0]!.isr = [1];
    const state = await snapshot(inventory);
    const lines = panelLines(state);
    expect(lines.map(lineText)[0]).toBe('events kafka  controller 1  brokers 4/4  URP 1 (orders-0)  offline 0');
    expect(lines[0]!.find((s) => s.text === '  URP 1')).toMatchObject({ tone: 'red', bold: true });
    expect(lines[0]!.find((s) => s.text === '  offline 0')).toMatchObject({ tone: 'green' });
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(lineText(line).length).toBeLessThanOrEqual(80);
  });
});
