// The Kafka double changes state as seen through the shipped kafka probe (the real kafkajs admin client):
// a stopped broker leaves the ISRs (under-replicated partitions appear) and its partitions' leaders move;
// back, it is in sync again; a preferred leader election puts every leader back on its first replica.
// (A double, not Kafka: see source/lab/doubles/kafka-cluster-state.ts.)
import { afterEach, describe, expect, it } from 'vitest';
import type { KafkaState } from '../../source/core/cluster-state.js';
import { snapshotCluster } from '../../source/services/snapshot.js';
import { lineText, panelLines } from '../../source/ui/panel-lines.js';
import { KafkaClusterDouble } from '../../source/lab/doubles/kafka-wire.js';
import { doubleInventory } from './double-inventory.js';

let kafka: KafkaClusterDouble | undefined;
afterEach(() => kafka?.close());

const partitions = (n: number) =>
  Array.from({ length: n }, (_, i) => {
    const replicas = [1, 2, 3].map((_, k) => ((i + k) % 3) + 1);
    return { partition: i, leader: replicas[0]!, replicas, isr: [...replicas] };
  });

async function probe(double: KafkaClusterDouble): Promise<KafkaState> {
  const inventory = doubleInventory({ events: { kind: 'kafka', prefix: 'k', endpoints: double.addresses } });
  const state = await snapshotCluster('events', inventory.clusters.events!, inventory, { timeoutMs: 3000 });
  if (state.kind !== 'kafka') throw new Error(state.kind);
  return state;
}

describe('Kafka double (stateful)', () => {
  it('a stopped broker makes under-replicated partitions and moves leaders; back and a preferred election restores them', async () => {
    kafka = await KafkaClusterDouble.start({ controller: 1, brokers: [{ nodeId: 1 }, { nodeId: 2 }, { nodeId: 3 }], topics: [{ name: 'orders', partitions: partitions(6) }] });
    const healthy = await probe(kafka);
    expect(healthy).toMatchObject({ controller: 1, underReplicated: 0, offline: 0, partitions: 6 });

    await kafka.stopBroker(1); // broker 2
    const degraded = await probe(kafka);
    expect(degraded.underReplicated).toBe(6);
    expect(degraded.offline).toBe(0);
    expect(kafka.topics[0]!.partitions.filter((p) => p.leader === 2)).toEqual([]);
    expect(panelLines(degraded).map(lineText)[0]).toMatch(/URP 6/);

    await kafka.startBroker(1);
    const back = await probe(kafka);
    expect(back.underReplicated).toBe(0);
    // Leaders did not move back by themselves: broker 2 leads nothing until the preferred election.
    expect(kafka.topics[0]!.partitions.filter((p) => p.leader === 2)).toEqual([]);
    const moved = kafka.electPreferredLeaders();
    expect(moved.map((m) => m.to)).toEqual([2, 2]);
    expect(kafka.topics[0]!.partitions.every((p) => p.leader === p.replicas[0])).toBe(true);
  });

  it('the controller moves when its broker stops', async () => {
    kafka = await KafkaClusterDouble.start({ controller: 1, brokers: [{ nodeId: 1 }, { nodeId: 2 }, { nodeId: 3 }], topics: [{ name: 'orders', partitions: partitions(3) }] });
    await kafka.stopBroker(0);
    const state = await probe(kafka);
    expect(state.controller).toBe(2);
    expect(state.brokers.find((b) => b.name === 'k1')?.nodeId).toBeNull();
  });
});
