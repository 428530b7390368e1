// The probe table (data): which probe serves which inventory kind. A kind absent here would be shown
// as "no probe yet", never hidden and never faked.
import type { NoProbeState } from '../../core/cluster-state.js';
import type { Cluster, ClusterKind } from '../../core/inventory/model.js';
import { dnsProbe } from './dns.js';
import { etcdProbe } from './etcd.js';
import { haproxyProbe } from './haproxy.js';
import { kafkaProbe } from './kafka.js';
import { mongodbProbe } from './mongodb.js';
import { patroniProbe } from './patroni.js';
import { redisClusterProbe } from './redis-cluster.js';
import { redisSentinelProbe } from './redis-sentinel.js';
import type { ClusterProbe } from './types.js';
import { weaviateProbe } from './weaviate.js';

export const PROBES: readonly ClusterProbe<any>[] = [patroniProbe, haproxyProbe, redisSentinelProbe, etcdProbe, mongodbProbe, kafkaProbe, weaviateProbe, redisClusterProbe, dnsProbe];

export function probeFor(kind: ClusterKind): ClusterProbe<unknown> | undefined {
  return PROBES.find((p) => p.kinds.includes(kind));
}

export function noProbeState(name: string, cluster: Cluster, now: number): NoProbeState {
  return {
    kind: 'no-probe',
    name,
    fetchedAt: new Date(now).toISOString(),
    targets: [],
    clusterKind: cluster.kind,
    members: cluster.members.map((m) => m.name),
    message: 'no probe yet',
  };
}

export type { ClusterProbe, ProbeTarget, TargetResult } from './types.js';
