// A Kafka view for drills, about the partition the canary writes to, from the Kafka probe (the panels'
// probe: the same targets and the same combine; the view also keeps the freshest metadata answer the
// probe folded, for that partition's leader, which the cluster state only lists for unhealthy
// partitions): leader = the broker leading the canary's partition (its inventory member name);
// healthy = every broker answers, and no partition is under-replicated or offline.
import type { KafkaObservation } from '../adapters/probes/kafka.js';
import type { ClusterProbe, TargetResult } from '../adapters/probes/types.js';
import type { ClusterState } from '../core/cluster-state.js';
import type { ClusterView } from '../core/drill/observe.js';

/** Wraps the Kafka probe so each combine also hands over the freshest metadata answer it folded. */
export function watchedKafkaProbe(probe: ClusterProbe<KafkaObservation>, seen: (newest: KafkaObservation | null) => void): ClusterProbe<KafkaObservation> {
  return {
    ...probe,
    combine(name, cluster, results: readonly TargetResult<KafkaObservation>[], prev, now) {
      const answered = results.filter((r) => r.error === null && r.last !== null).map((r) => r.last!);
      seen(answered.reduce<KafkaObservation | null>((best, o) => (!best || o.at > best.at ? o : best), null));
      return probe.combine(name, cluster, results, prev, now);
    },
  };
}

export function kafkaView(state: ClusterState, newest: KafkaObservation | null, canary: { topic: string; partition: number }, atMs: number): ClusterView {
  if (state.kind !== 'kafka') return { atMs, leader: null, healthy: false, detail: `no Kafka probe state (${state.kind})`, reachable: [] };
  const nameOf = (id: number) => state.brokers.find((b) => b.nodeId === id)?.name ?? `broker ${id}`;
  const p = newest?.partitions.find((x) => x.topic === canary.topic && x.partition === canary.partition);
  const leader = p && p.leader !== null ? nameOf(p.leader) : null;
  const reachable = state.brokers.filter((b) => b.stale === null).map((b) => b.name);
  const healthy = leader !== null && state.brokers.every((b) => b.stale === null) && state.underReplicated === 0 && state.offline === 0;
  const detail = [
    `${canary.topic}-${canary.partition} ${p ? `leader ${leader ?? 'none'} isr ${p.isr.map(nameOf).join('/')}` : 'not in the metadata'}`,
    `under-replicated ${state.underReplicated ?? '?'}, offline ${state.offline ?? '?'}`,
    ...state.brokers.map((b) => `${b.name} ${b.stale === null ? 'up' : 'unreachable'}`),
  ].join(', ');
  return { atMs, leader, healthy, detail, reachable };
}
