// The stateful part of the Kafka double's model: a broker stops (it drops out of every ISR, partitions it
// led move to the next in-sync replica, the controller moves if it was the one), comes back (it rejoins
// the ISRs at once: its logs, kafka-log.ts, are copied from the leaders instead of fetched), and preferred
// leader election (each partition's leader goes back to its first replica when that one is in sync). It is
// NOT Kafka: no replication lag, no broker session timeout (leadership moves the moment a broker stops),
// and the "controller" is simply the lowest live broker id when the old one stops.
import type { KafkaPartitionSpec, KafkaTopicSpec } from './kafka-wire.js';

export interface KafkaModel {
  controller: number;
  topics: KafkaTopicSpec[];
  /** Broker ids currently up. */
  liveBrokers(): number[];
}

function moveLeader(p: KafkaPartitionSpec, live: Set<number>): void {
  if (live.has(p.leader)) return;
  p.leader = p.replicas.find((id) => live.has(id) && p.isr.includes(id)) ?? -1;
}

/** After broker `id` stopped: out of the ISRs, leadership and the controller move. */
export function brokerStopped(model: KafkaModel, id: number): void {
  const live = new Set(model.liveBrokers());
  for (const t of model.topics) {
    for (const p of t.partitions) {
      // The last in-sync replica stays in the ISR (as Kafka keeps it): the partition is then offline.
      if (p.isr.length > 1) p.isr = p.isr.filter((r) => r !== id);
      moveLeader(p, live);
    }
  }
  if (model.controller === id) model.controller = Math.min(...live) === Infinity ? -1 : Math.min(...live);
}

/** After broker `id` came back: in sync again on its partitions (replica order kept), offline ones led again. */
export function brokerStarted(model: KafkaModel, id: number): void {
  const live = new Set(model.liveBrokers());
  for (const t of model.topics) {
    for (const p of t.partitions) {
      if (!p.replicas.includes(id)) continue;
      if (!p.isr.includes(id)) p.isr = p.replicas.filter((r) => r === id || p.isr.includes(r));
      if (p.leader === -1 || !live.has(p.leader)) moveLeader(p, live);
    }
  }
  if (model.controller === -1) model.controller = id;
}

/** Preferred leader election: partitions whose first replica is in sync and not leading get it as leader. */
export function preferredLeaderElection(model: KafkaModel, only?: readonly { topic: string; partitions: number[] }[]): { topic: string; partition: number; from: number; to: number }[] {
  const live = new Set(model.liveBrokers());
  const moved: { topic: string; partition: number; from: number; to: number }[] = [];
  for (const t of model.topics) {
    for (const p of t.partitions) {
      if (only && !only.some((o) => o.topic === t.name && o.partitions.includes(p.partition))) continue;
      const preferred = p.replicas[0];
      if (preferred !== undefined && preferred !== p.leader && live.has(preferred) && p.isr.includes(preferred)) {
        moved.push({ topic: t.name, partition: p.partition, from: p.leader, to: preferred });
        p.leader = preferred;
      }
    }
  }
  return moved;
}
