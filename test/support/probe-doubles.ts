// Probe doubles for code that reads cluster roles from probe snapshots (resolver, drill views): the shipped
// probes' own targets and combine, with each target's fetch answered from a table keyed by the target's
// address (a missing entry refuses the connection, as a dead server does).
import type { Cluster } from '../../source/core/inventory/model.js';
import { etcdProbe } from '../../source/adapters/probes/etcd.js';
import { parsePatroniCluster, parsePatroniStatus, patroniProbe, type PatroniObservation } from '../../source/adapters/probes/patroni.js';
import { createRedisSentinelProbe, parseSentinelReplies, type RedisObservation } from '../../source/adapters/probes/redis-sentinel.js';
import type { ClusterProbe } from '../../source/adapters/probes/types.js';
import type { CredentialReader } from '../../source/core/secrets/credentials.js';

export type Answers = Record<string, () => unknown>;

export function answered<T>(probe: ClusterProbe<T>, answers: Answers, seen: string[] = []): ClusterProbe<T> {
  return {
    ...probe,
    targets: (name, cluster, inventory) =>
      probe.targets(name, cluster, inventory).map((t) => ({
        ...t,
        fetch: async (signal: AbortSignal) => {
          seen.push(t.address);
          const answer = answers[t.address];
          if (!answer) throw new Error(`connect ECONNREFUSED ${t.address}`);
          const value = answer();
          // `real` answers go through the probe's own fetch (e.g. to read the credential it would send).
          return (value === REAL ? t.fetch(signal) : value) as T;
        },
      })),
  };
}
export const REAL = Symbol('real fetch');

/** A Patroni member's answer: its `/cluster` JSON and (optionally) its `/patroni` JSON, parsed by the probe's parsers. */
export const patroniAnswer = (cluster: unknown, status: unknown = {}) => (): PatroniObservation => ({ members: parsePatroniCluster(cluster), status: parsePatroniStatus(status), at: Date.now() });
/** A Sentinel naming `master` (`ip:port`) with these replicas (RESP key/value arrays). */
export const sentinelAnswer = (master: string, replicas: unknown[] = []) => (): RedisObservation => {
  const [ip, port] = [master.slice(0, master.lastIndexOf(':')), master.slice(master.lastIndexOf(':') + 1)];
  return parseSentinelReplies(['name', 'm', 'ip', ip, 'port', port, 'flags', 'master', 'quorum', '2'], replicas as never, 'OK 3 usable Sentinels');
};
/** A Redis node's `INFO replication`. */
export const nodeAnswer = (info: Record<string, string>) => (): RedisObservation => ({ type: 'node', info });
export const etcdAnswer = (isLeader: boolean) => () => ({ healthy: true, version: '3.5.0', isLeader, raftTerm: 2, dbSize: 1 });

/** probeFor for the resolver/drills: every kind answered from `answers`, the rest absent. */
export function probeDoubles(answers: Answers, opts: { credentials?: CredentialReader; seen?: string[] } = {}) {
  const probes: Partial<Record<Cluster['kind'], ClusterProbe<unknown>>> = {
    patroni: answered(patroniProbe, answers, opts.seen) as ClusterProbe<unknown>,
    'redis-sentinel': answered(createRedisSentinelProbe(opts.credentials), answers, opts.seen) as ClusterProbe<unknown>,
    etcd: answered(etcdProbe, answers, opts.seen) as ClusterProbe<unknown>,
  };
  return (kind: Cluster['kind']) => probes[kind];
}
