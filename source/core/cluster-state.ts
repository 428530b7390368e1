// Live cluster state: what the panels render and what CEL sees as `clusters.<name>`.
// One zod schema per cluster kind. Pure data (JSON), produced by the probes + poller, never mutated:
// each poll yields a new frozen snapshot. Nothing here is guessed: a value the probe did not observe
// is `null`, a target that stopped answering carries `stale`, a kind without a probe says so.
import { z } from 'zod';
import { alertsStateSchema } from './alerts.js';

/** A target (one REST API, one Sentinel, one stats URL) that has not answered recently. */
export const staleSchema = z.object({
  /** How long ago (ms, at `fetchedAt`) the target last answered; since poller start when it never did. */
  sinceMs: z.number(),
  /** Why the last attempt failed (`timeout after 1000 ms`, `ECONNREFUSED 127.0.0.1:58001`, …). */
  error: z.string(),
});
export type Stale = z.infer<typeof staleSchema>;
/** `stale.error` of a target that has not answered yet since the poller started (waiting, not dead). */
export const NO_ANSWER_YET = 'no answer yet';

/** Per-target poll status: every snapshot says, for every target, whether it is fresh. */
export const targetStatusSchema = z.object({
  /** `host:port` or URL the poller asks. */
  target: z.string(),
  /** UTC ISO time of the last successful answer, or null if it never answered. */
  lastOkAt: z.string().nullable(),
  stale: staleSchema.nullable(),
});
export type TargetStatus = z.infer<typeof targetStatusSchema>;

const base = {
  /** Inventory cluster name. */
  name: z.string(),
  /** UTC ISO time this cluster's snapshot was assembled. */
  fetchedAt: z.string(),
  targets: z.array(targetStatusSchema),
};

// ── Patroni / PostgreSQL ────────────────────────────────────────────────────────────────────────
export const patroniRoles = ['leader', 'replica', 'sync_standby', 'unknown'] as const;
export const patroniMemberSchema = z.object({
  name: z.string(),
  /** Role as Patroni's `/cluster` reports it (`unknown` when no reachable member lists it). */
  role: z.enum(patroniRoles),
  /** Patroni member state: running, starting, stopped, crashed, … (null when not reported). */
  state: z.string().nullable(),
  timeline: z.number().nullable(),
  /** Replication lag in bytes as Patroni reports it; 0 for the leader; null when unknown. */
  lagBytes: z.number().nullable(),
  /** Seconds since the last replayed transaction, when lag is non-zero and Patroni reports it. */
  lagSeconds: z.number().nullable().optional(),
  /** The member's own REST API answered its last poll. */
  apiReachable: z.boolean(),
  /** Leader only: the replication connections it reports (`streaming`…), by application name. */
  replicationState: z.string().nullable().optional(),
  stale: staleSchema.nullable(),
});
export const leaderChangeSchema = z.object({ from: z.string().nullable(), to: z.string().nullable(), at: z.string() });
export const patroniStateSchema = z.object({
  kind: z.literal('patroni'),
  ...base,
  scope: z.string().nullable(),
  members: z.array(patroniMemberSchema),
  /** Current leader per the freshest `/cluster` answer; null when there is none or nobody answers. */
  leader: z.string().nullable(),
  syncStandby: z.string().nullable(),
  /** Leader changes seen by this poller (oldest first, bounded). */
  leaderChanges: z.array(leaderChangeSchema),
  /** Some reachable member saw the DCS recently (`dcs_last_seen` within 20 s); null when none answers. */
  dcsReachable: z.boolean().nullable(),
  /** A standby cluster (inventory `standbyOf`): its standby leader's delay behind the upstream cluster's leader. */
  standby: z
    .object({
      of: z.string(),
      /** The upstream leader whose WAL position was read; null when no upstream member answered as leader. */
      upstreamLeader: z.string().nullable(),
      /** Upstream leader's WAL position minus what the standby leader received; null when either is unknown. */
      delayBytes: z.number().nullable(),
      /** 0 when caught up, else seconds since the standby leader's last replayed commit; null when unknown. */
      delaySeconds: z.number().nullable(),
      /** Why the delay is unknown (upstream unreachable, no standby leader…); null when known. */
      error: z.string().nullable(),
    })
    .nullable()
    .optional(),
  /** Inventory `walArchive`: the leader's WAL archiver, as pg_stat_archiver says. */
  archive: z
    .object({
      /** The member read (the one not in recovery). */
      member: z.string().nullable(),
      lastArchivedWal: z.string().nullable(),
      lastArchivedAt: z.string().nullable(),
      failedCount: z.number().nullable(),
      lastFailedWal: z.string().nullable(),
      lastFailedAt: z.string().nullable(),
      /** Why it is unknown (no leader answered over SQL, no credential…); null when read. */
      error: z.string().nullable(),
    })
    .optional(),
});
export type PatroniMember = z.infer<typeof patroniMemberSchema>;
export type LeaderChange = z.infer<typeof leaderChangeSchema>;
export type PatroniState = z.infer<typeof patroniStateSchema>;

// ── HAProxy ──────────────────────────────────────────────────────────────────────────────────────
export const haproxyServerSchema = z.object({
  name: z.string(),
  /** Normalised: UP, DOWN, MAINT, DRAIN, NOLB or OTHER (see `raw`). */
  status: z.enum(['UP', 'DOWN', 'MAINT', 'DRAIN', 'NOLB', 'OTHER']),
  /** Status text exactly as the stats CSV says (`UP 1/2`, `DOWN`, `no check`…). */
  raw: z.string(),
  checkStatus: z.string().nullable(),
});
export const haproxyBackendSchema = z.object({
  name: z.string(),
  servers: z.array(haproxyServerSchema),
});
export const haproxyStateSchema = z.object({
  kind: z.literal('haproxy'),
  ...base,
  /** Read-write and read-only backends (null when not configured or not found in the stats). */
  rw: haproxyBackendSchema.nullable(),
  ro: haproxyBackendSchema.nullable(),
});
export type HaproxyServer = z.infer<typeof haproxyServerSchema>;
export type HaproxyBackend = z.infer<typeof haproxyBackendSchema>;
export type HaproxyState = z.infer<typeof haproxyStateSchema>;

// ── Redis Sentinel ───────────────────────────────────────────────────────────────────────────────
export const sentinelViewSchema = z.object({
  /** Sentinel `host:port`. */
  address: z.string(),
  /** Master `ip:port` this Sentinel reports for the monitored name; null when unreachable. */
  master: z.string().nullable(),
  /** Flags Sentinel reports for the master (`master`, `s_down`, `o_down`, …). */
  flags: z.string().nullable(),
  quorum: z.number().nullable(),
  /** `SENTINEL CKQUORUM` said OK (enough Sentinels to authorise a failover). */
  quorumReachable: z.boolean().nullable(),
  stale: staleSchema.nullable(),
});
export const redisReplicaSchema = z.object({
  address: z.string(),
  /** Replication link as the replica itself reports (`up`/`down`), else Sentinel's (`ok`/`err`). */
  linkStatus: z.string().nullable(),
  offset: z.number().nullable(),
  /** master_repl_offset − replica offset, in bytes; null when either is unknown. */
  offsetLag: z.number().nullable(),
  /** Master the replica itself replicates from (`ip:port`). */
  masterOfReplica: z.string().nullable(),
  stale: staleSchema.nullable(),
});
export const redisSentinelStateSchema = z.object({
  kind: z.literal('redis-sentinel'),
  ...base,
  masterName: z.string(),
  sentinels: z.array(sentinelViewSchema),
  /** The master most reachable Sentinels report (null when none answers). */
  master: z.string().nullable(),
  /** True when every reachable Sentinel reports the same master. */
  agreement: z.boolean(),
  /** Configured quorum (from any Sentinel). */
  quorum: z.number().nullable(),
  /** Reachable Sentinels (answered their last poll). */
  sentinelsReachable: z.number(),
  /** Role the master's own node reports in `INFO replication` (`master`; null when it did not answer). */
  masterRole: z.string().nullable().optional(),
  /** Master's own `master_repl_offset` (null when unknown). */
  masterOffset: z.number().nullable(),
  replicas: z.array(redisReplicaSchema),
  leaderChanges: z.array(leaderChangeSchema),
});
export type SentinelView = z.infer<typeof sentinelViewSchema>;
export type RedisReplica = z.infer<typeof redisReplicaSchema>;
export type RedisSentinelState = z.infer<typeof redisSentinelStateSchema>;

// ── etcd ─────────────────────────────────────────────────────────────────────────────────────────
export const etcdMemberSchema = z.object({
  name: z.string(),
  endpoint: z.string(),
  /** `/health` said `"health":"true"`; null when it did not answer. */
  healthy: z.boolean().nullable(),
  version: z.string().nullable(),
  isLeader: z.boolean().nullable(),
  raftTerm: z.number().nullable(),
  dbSize: z.number().nullable(),
  stale: staleSchema.nullable(),
});
/** The Patroni leader key under the etcd cluster's `namespace` (`<namespace>leader`), read with a quorum read. */
export const etcdLeaderKeySchema = z.object({
  /** Full key, e.g. `/service/hatui-lab/leader`. */
  key: z.string(),
  /** Member name the key holds; null when there is no leader key (no Patroni leader). */
  holder: z.string().nullable(),
  /** Seconds since the holder last refreshed the key's lease (granted TTL − remaining TTL); null without a key. */
  ageSeconds: z.number().nullable(),
  /** Seconds left before the key expires on its own; null without a key. */
  ttlSeconds: z.number().nullable(),
  /** The lease's TTL as granted (Patroni's `ttl`); null without a key. */
  grantedTtlSeconds: z.number().nullable(),
});
export const etcdStateSchema = z.object({
  kind: z.literal('etcd'),
  ...base,
  members: z.array(etcdMemberSchema),
  /** Members answering healthy. */
  healthyCount: z.number(),
  /** Healthy members a quorum needs: a majority of the members the inventory lists. */
  quorumSize: z.number(),
  /**
   * A majority of the listed members is healthy (`/health` true means the member sees a raft leader and a
   * quorum read works). false when too few are; null when no member answered at all (not observed).
   */
  hasQuorum: z.boolean().nullable(),
  /** The Patroni leader key (cluster `namespace` set); null when no namespace or no member could read it. */
  leaderKey: etcdLeaderKeySchema.nullable(),
});
export type EtcdLeaderKey = z.infer<typeof etcdLeaderKeySchema>;
export type EtcdMember = z.infer<typeof etcdMemberSchema>;
export type EtcdState = z.infer<typeof etcdStateSchema>;

// ── MongoDB replica set ──────────────────────────────────────────────────────────────────────────
export const mongoMemberSchema = z.object({
  /** Inventory member name; the replica set's `host:port` for a member the inventory does not list. */
  name: z.string(),
  /** `host:port` as the replica set config names it (null until an answer says). */
  host: z.string().nullable(),
  /** `stateStr` as replSetGetStatus says: PRIMARY, SECONDARY, ARBITER, RECOVERING, STARTUP2, (not reachable/healthy)…; null when unknown. */
  stateStr: z.string().nullable(),
  /** 1 up, 0 down, as the replica set's heartbeats see it; null when not reported. */
  health: z.number().nullable(),
  /** Seconds the member's optime is behind the primary's (0 for the primary); null without a primary or an optime. */
  lagSeconds: z.number().nullable(),
  /** Member it replicates from (`host:port`); null when none or not reported. */
  syncSourceHost: z.string().nullable(),
  stale: staleSchema.nullable(),
});
/** A sharded cluster as its mongos routers report it (listShards, balancerStatus). */
export const mongoShardingSchema = z.object({
  /** Members that answered as mongos routers this poll. */
  routersAnswering: z.number(),
  /** Shards: id and `<replica set>/<host:port,…>` as listShards names them. */
  shards: z.array(z.object({ id: z.string(), host: z.string(), draining: z.boolean() })),
  /** `full` (balancing on) or `off`; null when balancerStatus was refused. */
  balancerMode: z.string().nullable(),
  inBalancerRound: z.boolean().nullable(),
  /** Why listShards or balancerStatus was refused; null when both answered. */
  error: z.string().nullable(),
});
export type MongoSharding = z.infer<typeof mongoShardingSchema>;
export const mongodbStateSchema = z.object({
  kind: z.literal('mongodb'),
  ...base,
  /** Replica set name (`set` / `setName`). */
  setName: z.string().nullable(),
  /** The primary's member name; null when there is none or nobody answers. */
  primary: z.string().nullable(),
  /** Where the member view came from: replSetGetStatus, or each member's own `hello` when status was refused; null when nobody answers. */
  view: z.enum(['replSetGetStatus', 'hello']).nullable(),
  members: z.array(mongoMemberSchema),
  /** Primary changes seen by this poller (oldest first, bounded). */
  primaryChanges: z.array(leaderChangeSchema),
  /** Set when the members are mongos routers of a sharded cluster; absent/null for a replica set. */
  sharding: mongoShardingSchema.nullable().optional(),
});
export type MongoMember = z.infer<typeof mongoMemberSchema>;
export type MongodbState = z.infer<typeof mongodbStateSchema>;

// ── Kafka ────────────────────────────────────────────────────────────────────────────────────────
export const kafkaBrokerSchema = z.object({
  /** Inventory member name; `broker <id>` for a broker the metadata lists and the inventory does not. */
  name: z.string(),
  /** `host:port`: the inventory endpoint, or what the metadata advertises. */
  address: z.string(),
  /** Broker id in the cluster metadata; null when the metadata does not list this member. */
  nodeId: z.number().nullable(),
  controller: z.boolean(),
  stale: staleSchema.nullable(),
});
export const kafkaPartitionSchema = z.object({
  topic: z.string(),
  partition: z.number(),
  /** Leader broker id; null when the partition has none (offline). */
  leader: z.number().nullable(),
  replicas: z.array(z.number()),
  isr: z.array(z.number()),
});
export const kafkaStateSchema = z.object({
  kind: z.literal('kafka'),
  ...base,
  clusterId: z.string().nullable(),
  /** Controller broker id; null when the metadata names none or nobody answers. */
  controller: z.number().nullable(),
  brokers: z.array(kafkaBrokerSchema),
  topics: z.number().nullable(),
  partitions: z.number().nullable(),
  /** Partitions whose ISR is shorter than their replica list; null when nobody answers. */
  underReplicated: z.number().nullable(),
  /** Partitions without a leader; null when nobody answers. */
  offline: z.number().nullable(),
  /** Smallest in-sync replica set of any partition (compare with `min.insync.replicas`); null when nobody answers or no partition. */
  minIsr: z.number().nullable(),
  /** The first few of each, by topic and partition. */
  underReplicatedFirst: z.array(kafkaPartitionSchema),
  offlineFirst: z.array(kafkaPartitionSchema),
  /** Controller changes seen by this poller (broker ids as text, oldest first, bounded). */
  controllerChanges: z.array(leaderChangeSchema),
});
export type KafkaBroker = z.infer<typeof kafkaBrokerSchema>;
export type KafkaPartition = z.infer<typeof kafkaPartitionSchema>;
export type KafkaState = z.infer<typeof kafkaStateSchema>;

// ── Weaviate ─────────────────────────────────────────────────────────────────────────────────────
export const weaviateNodeSchema = z.object({
  /** Node name as `/v1/nodes` reports it. */
  name: z.string(),
  /** HEALTHY, UNHEALTHY, UNAVAILABLE, INDEXING, TIMEOUT… as Weaviate says; null when not reported. */
  status: z.string().nullable(),
  version: z.string().nullable(),
  shardCount: z.number().nullable(),
  objectCount: z.number().nullable(),
});
export const weaviateMemberSchema = z.object({
  name: z.string(),
  endpoint: z.string(),
  /** `/v1/.well-known/ready` answered 2xx; false on any other status; null when it did not answer. */
  ready: z.boolean().nullable(),
  stale: staleSchema.nullable(),
});
export const weaviateStateSchema = z.object({
  kind: z.literal('weaviate'),
  ...base,
  /** Nodes per the freshest `/v1/nodes` answer (empty when none answered). */
  nodes: z.array(weaviateNodeSchema),
  /** Why no member's `/v1/nodes` gave nodes (`HTTP 401 …`) while some member answered; null otherwise. */
  nodesError: z.string().nullable(),
  members: z.array(weaviateMemberSchema),
  /** Nodes reporting HEALTHY. */
  healthyCount: z.number(),
});
export type WeaviateNode = z.infer<typeof weaviateNodeSchema>;
export type WeaviateMember = z.infer<typeof weaviateMemberSchema>;
export type WeaviateState = z.infer<typeof weaviateStateSchema>;

// ── Redis Cluster ────────────────────────────────────────────────────────────────────────────────
export const redisClusterReplicaSchema = z.object({
  /** Inventory member name, else the node's `ip:port`. */
  name: z.string(),
  address: z.string(),
  /** Cluster bus link as the answering node sees it (`connected` / `disconnected`). */
  linkState: z.string(),
  /** `up` / `down` as the replica itself reports its replication link; null when it did not answer. */
  masterLinkStatus: z.string().nullable(),
  /** Master's `master_repl_offset` − the replica's `slave_repl_offset`, bytes; null when either is unknown. */
  offsetLag: z.number().nullable(),
  /** CLUSTER NODES flags besides myself/slave: `fail`, `fail?`, `noaddr`… */
  flags: z.array(z.string()),
});
export const redisClusterMasterSchema = z.object({
  name: z.string(),
  address: z.string(),
  id: z.string(),
  /** Slots this master serves, and as ranges (`0-5460`). */
  slots: z.number(),
  slotRanges: z.array(z.string()),
  configEpoch: z.number(),
  linkState: z.string(),
  flags: z.array(z.string()),
  replicas: z.array(redisClusterReplicaSchema),
});
export const redisClusterNodeViewSchema = z.object({
  name: z.string(),
  address: z.string(),
  /** `master` / `replica` as the node answers ROLE-wise (INFO replication); null when it did not answer. */
  role: z.enum(['master', 'replica']).nullable(),
  /** This node's own `cluster_state` (a node cut off from the majority says `fail`). */
  clusterState: z.string().nullable(),
  stale: staleSchema.nullable(),
});
export const redisClusterStateSchema = z.object({
  kind: z.literal('redis-cluster'),
  ...base,
  /** `cluster_state` (ok / fail) of the node whose view is shown; null when nobody answers. */
  clusterState: z.string().nullable(),
  /** Out of `totalSlots` (16384): assigned to a node, served by a healthy one, on a PFAIL / FAIL node. */
  totalSlots: z.number(),
  slotsAssigned: z.number().nullable(),
  slotsOk: z.number().nullable(),
  slotsPfail: z.number().nullable(),
  slotsFail: z.number().nullable(),
  knownNodes: z.number().nullable(),
  currentEpoch: z.number().nullable(),
  /** Member whose CLUSTER INFO / NODES the shard view comes from. */
  viewFrom: z.string().nullable(),
  masters: z.array(redisClusterMasterSchema),
  nodes: z.array(redisClusterNodeViewSchema),
  /** Changes of the set of masters (`rc1,rc2,rc3` → `rc2,rc3,rc4`), oldest first, bounded. */
  masterChanges: z.array(leaderChangeSchema),
});
export type RedisClusterReplica = z.infer<typeof redisClusterReplicaSchema>;
export type RedisClusterMaster = z.infer<typeof redisClusterMasterSchema>;
export type RedisClusterNodeView = z.infer<typeof redisClusterNodeViewSchema>;
export type RedisClusterState = z.infer<typeof redisClusterStateSchema>;

// ── Kinds without a probe: listed, never faked ──────────────────────────────────────────────────

export const noProbeStateSchema = z.object({
  kind: z.literal('no-probe'),
  ...base,
  /** The inventory kind. */
  clusterKind: z.string(),
  members: z.array(z.string()),
  message: z.literal('no probe yet'),
});
export type NoProbeState = z.infer<typeof noProbeStateSchema>;

// ── DNS ──────────────────────────────────────────────────────────────────────────────────────────
export const dnsNameSchema = z.object({
  name: z.string(),
  /** The SRV record's target and port (the lab's regions share 127.0.0.1: the port tells them apart). */
  srv: z.object({ target: z.string(), port: z.number().int() }).nullable(),
  /** A records with their TTL (seconds) as the server answered them. */
  addresses: z.array(z.string()),
  ttlSeconds: z.number().nullable(),
  /** Why this name did not resolve (NXDOMAIN, timeout…), null when it did. */
  error: z.string().nullable(),
});
export const dnsStateSchema = z.object({
  kind: z.literal('dns'),
  ...base,
  /** The server whose answer is shown (the first that answered). */
  server: z.string().nullable(),
  names: z.array(dnsNameSchema),
});
export type DnsName = z.infer<typeof dnsNameSchema>;
export type DnsState = z.infer<typeof dnsStateSchema>;

export const clusterStateSchema = z.discriminatedUnion('kind', [
  dnsStateSchema,
  patroniStateSchema,
  haproxyStateSchema,
  redisSentinelStateSchema,
  etcdStateSchema,
  mongodbStateSchema,
  kafkaStateSchema,
  weaviateStateSchema,
  redisClusterStateSchema,
  noProbeStateSchema,
]);
export type ClusterState = z.infer<typeof clusterStateSchema>;

/** One immutable snapshot of every cluster; `clusters` is what CEL sees as `clusters`. */
export const clusterSnapshotSchema = z.object({
  fetchedAt: z.string(),
  clusters: z.record(z.string(), clusterStateSchema),
  /** Firing alerts, when the inventory has a `monitoring:` section (not part of CEL's `clusters`). */
  alerts: alertsStateSchema.optional(),
});
export type ClusterSnapshot = z.infer<typeof clusterSnapshotSchema>;

/** The worst freshness of a cluster: the stalest of its targets (null when all are fresh). */
export function worstStale(state: ClusterState): Stale | null {
  let worst: Stale | null = null;
  for (const t of state.targets) if (t.stale && (!worst || t.stale.sinceMs > worst.sinceMs)) worst = t.stale;
  return worst;
}

/** Recursively freezes a snapshot so no subscriber can mutate what others see. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
