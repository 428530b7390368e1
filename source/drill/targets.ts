// Where a drill writes and what it watches, from the inventory: the PostgreSQL canary goes to the
// read-write endpoint (HAProxy) of the Patroni cluster, the Redis canary through the cluster's
// Sentinels, the Redis Cluster canary through a cluster client seeded with every member; the pollers
// use the Patroni members' REST URLs, the Sentinels and Redis members, or the cluster's members.
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import { DRILL_SYSTEM_NAMES, type DrillSystem } from '../core/drill/model.js';
import type { Cluster, Inventory } from '../core/inventory/model.js';
import { REDIS_AUTH_KEY } from '../core/inventory/credential-keys.js';
import { clusterCredential, CredentialError } from '../core/secrets/credentials.js';
import { systemCredentialReader } from '../adapters/credential-reader.js';
import type { Canary } from './canary.js';
import { startPgCanary } from './canary-pg.js';
import { parseHostPort } from '../core/host-port.js';
import { startRedisCanary } from './canary-redis.js';
import { startRedisClusterCanary } from './canary-redis-cluster.js';
import type { DrillClock } from './clock.js';
import type { ViewSource } from './observer.js';
import { patroniViewSource } from './view-patroni.js';
import { redisViewSource } from './view-redis.js';
import { redisClusterViewSource } from './view-redis-cluster.js';
import { createRedisSentinelProbe } from '../adapters/probes/redis-sentinel.js';
import { createMongodbProbe } from '../adapters/probes/mongodb.js';
import { createKafkaProbe, type KafkaObservation } from '../adapters/probes/kafka.js';
import { kafkaAuthOptions, mongoAuthOptions } from '../adapters/probes/client-auth.js';
import { startMongoCanary } from './canary-mongodb.js';
import { CANARY_TOPIC, startKafkaCanary } from './canary-kafka.js';
import { mongoViewSource } from './view-mongodb.js';
import { kafkaView, watchedKafkaProbe } from './view-kafka.js';
import type { ClusterProbe } from '../adapters/probes/types.js';
import type { ClusterState } from '../core/cluster-state.js';
import { snapshotCluster } from '../services/snapshot.js';
import { resolveEndpoint } from '../adapters/probes/dns.js';

export interface DrillTargets {
  system: DrillSystem;
  cluster: string;
  /** What serves the cluster when it is not the real server (the inventory's `servedBy`), else null. */
  servedBy: 'wire-level-double' | null;
  startCanary(clock: DrillClock): Promise<Canary>;
  viewSource: ViewSource;
  close(): void;
}

export interface TargetOptions {
  /** Inventory cluster to drill; default: the first one of the system's kind (or the runbook's `clusters`). */
  cluster?: string;
  candidates?: string[];
  /** PostgreSQL: the DNS name the canary writes through (a `dns` cluster of the inventory lists it). */
  via?: string;
  pgUser?: string;
  pgDatabase?: string;
  env?: Record<string, string | undefined>;
}

const KIND: Record<DrillSystem, Cluster['kind']> = { postgresql: 'patroni', redis: 'redis-sentinel', 'redis-cluster': 'redis-cluster', mongodb: 'mongodb', kafka: 'kafka' };

export function drillSystem(text: string): DrillSystem {
  const system = Object.hasOwn(DRILL_SYSTEM_NAMES, text.toLowerCase()) ? DRILL_SYSTEM_NAMES[text.toLowerCase()] : undefined;
  if (!system) throw new HatuiError(`drill system '${text}': the canary supports postgresql, redis, redis-cluster, mongodb and kafka`, ExitCode.usage);
  return system;
}

function pickCluster(inventory: Inventory, system: DrillSystem, o: TargetOptions): [string, Cluster] {
  const names = o.cluster ? [o.cluster] : [...(o.candidates ?? []), ...Object.keys(inventory.clusters)];
  for (const name of names) {
    const c = inventory.clusters[name];
    if (c && c.kind === KIND[system]) return [name, c];
  }
  if (o.cluster) throw new HatuiError(`inventory cluster '${o.cluster}' is not a ${KIND[system]} cluster`, ExitCode.usage);
  throw new HatuiError(`the inventory has no ${KIND[system]} cluster for a ${system} drill`, ExitCode.usage);
}

function credential(cluster: Cluster, name: string, keys: string[], env: Record<string, string | undefined>): string | undefined {
  try {
    for (const key of keys) {
      const value = clusterCredential(name, cluster, key, systemCredentialReader(env));
      if (value !== undefined) return value;
    }
    return undefined;
  } catch (error) {
    if (error instanceof CredentialError) throw new HatuiError(error.message, ExitCode.failed);
    throw error;
  }
}

/** Auth options from the inventory's credentials; a missing or unreadable one is a failed drill, not a crash. */
function credentialed<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof CredentialError) throw new HatuiError(error.message, ExitCode.failed);
    throw error;
  }
}

function rwEndpoint(inventory: Inventory, name: string, cluster: Cluster): string {
  const own = cluster.endpoints?.rw;
  if (own) return own;
  for (const c of Object.values(inventory.clusters)) if (c.kind === 'haproxy' && c.endpoints?.rw) return c.endpoints.rw;
  throw new HatuiError(`inventory cluster '${name}' has no read-write endpoint (endpoints.rw, e.g. HAProxy's rw port)`, ExitCode.usage);
}

export function drillTargets(inventory: Inventory, system: DrillSystem, o: TargetOptions = {}): DrillTargets {
  const env = o.env ?? process.env;
  const [name, cluster] = pickCluster(inventory, system, o);
  const targets = systemTargets(inventory, system, name, cluster, o, env);
  return { ...targets, servedBy: cluster.servedBy ?? null };
}

/** A probe snapshot function that carries the previous state over (change histories), bounded per poll. */
function snapshots(name: string, cluster: Cluster, inventory: Inventory, probe: ClusterProbe<unknown>) {
  let prev: ClusterState | undefined;
  return async () => (prev = await snapshotCluster(name, cluster, inventory, { timeoutMs: 600, probeFor: () => probe, ...(prev ? { prev } : {}) }));
}

function systemTargets(inventory: Inventory, system: DrillSystem, name: string, cluster: Cluster, o: TargetOptions, env: Record<string, string | undefined>): Omit<DrillTargets, 'servedBy'> {
  const address = (m: Cluster['members'][number], port: number) => (m.endpoint ?? `${inventory.hosts[m.host]?.address ?? m.host}:${m.port ?? port}`).replace(/^[a-z]+:\/\//, '');
  if (system === 'mongodb') {
    const hosts = cluster.members.map((m) => address(m, 27017));
    if (hosts.length === 0) throw new HatuiError(`inventory cluster '${name}': a MongoDB drill needs members`, ExitCode.usage);
    const reader = systemCredentialReader(env);
    const auth = credentialed(() => mongoAuthOptions(name, cluster, reader));
    // The view reads the MongoDB probe's snapshot (the same probe and credential the panels use).
    const view = mongoViewSource(snapshots(name, cluster, inventory, createMongodbProbe(reader) as ClusterProbe<unknown>));
    return { system, cluster: name, startCanary: (clock) => startMongoCanary({ hosts, auth, clock }), viewSource: view, close() {} };
  }
  if (system === 'kafka') {
    const brokers = cluster.members.map((m) => address(m, 9092));
    if (brokers.length === 0) throw new HatuiError(`inventory cluster '${name}': a Kafka drill needs members`, ExitCode.usage);
    const reader = systemCredentialReader(env);
    const auth = credentialed(() => kafkaAuthOptions(name, cluster, reader));
    const canary = { topic: env.HATUI_CANARY_KAFKA_TOPIC || CANARY_TOPIC, partition: Number(env.HATUI_CANARY_KAFKA_PARTITION || 0) };
    if (!Number.isInteger(canary.partition) || canary.partition < 0) throw new HatuiError(`HATUI_CANARY_KAFKA_PARTITION=${env.HATUI_CANARY_KAFKA_PARTITION}: expected a partition number`, ExitCode.usage);
    // The view reads the Kafka probe (the panels' probe), plus the freshest metadata it folded for the canary's partition.
    let newest: KafkaObservation | null = null;
    const probe = watchedKafkaProbe(createKafkaProbe(reader), (o) => (newest = o));
    const snapshot = snapshots(name, cluster, inventory, probe as ClusterProbe<unknown>);
    return {
      system,
      cluster: name,
      startCanary: (clock) => startKafkaCanary({ brokers, auth, ...canary, clock }),
      viewSource: async (now) => {
        const state = await snapshot();
        return kafkaView(state, newest, canary, now());
      },
      close() {},
    };
  }
  if (system === 'postgresql') {
    const via = o.via ? viaName(inventory, o.via) : undefined;
    const rw = via ? { host: '', port: 0 } : parseHostPort(rwEndpoint(inventory, name, cluster));
    const password = credential(cluster, name, ['canary', 'app', 'superuser'], env) ?? env.PGPASSWORD;
    const members = cluster.members.map((m) => ({ name: m.name, url: (m.endpoint ?? '').replace(/\/+$/, '') })).filter((m) => m.url.startsWith('http'));
    if (members.length === 0) throw new HatuiError(`inventory cluster '${name}': members need a Patroni REST endpoint (http://host:port)`, ExitCode.usage);
    return {
      system,
      cluster: name,
      startCanary: (clock) =>
        startPgCanary({
          ...rw,
          user: o.pgUser ?? env.HATUI_CANARY_PGUSER ?? 'postgres',
          database: o.pgDatabase ?? env.HATUI_CANARY_PGDATABASE ?? 'postgres',
          ...(password ? { password } : {}),
          ...(via ? { resolve: via.resolve, label: `via ${via.name} (DNS ${via.server})` } : {}),
          clock,
        }),
      viewSource: patroniViewSource(members),
      close() {},
    };
  }
  if (system === 'redis-cluster') {
    const members = cluster.members.map((m) => ({ name: m.name, ...parseHostPort(m.endpoint ?? `${inventory.hosts[m.host]?.address ?? m.host}:${m.port ?? 6379}`) }));
    if (members.length === 0) throw new HatuiError(`inventory cluster '${name}': a Redis Cluster drill needs members`, ExitCode.usage);
    const password = credential(cluster, name, [REDIS_AUTH_KEY], env);
    const view = redisClusterViewSource({ members, ...(password ? { password } : {}) });
    return {
      system,
      cluster: name,
      startCanary: (clock) => startRedisClusterCanary({ nodes: members.map(({ host, port }) => ({ host, port })), ...(password ? { password } : {}), clock }),
      viewSource: view.source,
      close: () => view.close(),
    };
  }
  const sentinels = (cluster.sentinels ?? []).map(parseHostPort);
  if (sentinels.length === 0 || !cluster.masterName) throw new HatuiError(`inventory cluster '${name}': a Redis drill needs sentinels and masterName`, ExitCode.usage);
  // One password for the data nodes and the Sentinels (the cluster's `auth` credential).
  const password = credential(cluster, name, [REDIS_AUTH_KEY], env);
  const sentinelPassword = password;
  // The view reads the Sentinel probe's snapshot (the same probe and credential the panels use).
  const probe = createRedisSentinelProbe(systemCredentialReader(env));
  let prev: ClusterState | undefined;
  const snapshot = async () => (prev = await snapshotCluster(name, cluster, inventory, { timeoutMs: 600, probeFor: () => probe as ClusterProbe<unknown>, ...(prev ? { prev } : {}) }));
  const view = redisViewSource({ cluster, inventory, snapshot });
  return {
    system,
    cluster: name,
    startCanary: (clock) =>
      startRedisCanary({ sentinels, name: cluster.masterName!, ...(password ? { password } : {}), ...(sentinelPassword ? { sentinelPassword } : {}), clock }),
    viewSource: view.source,
    close: () => view.close(),
  };
}

/** The `dns` inventory cluster listing `name`: the canary resolves it at that server before every connection. */
function viaName(inventory: Inventory, name: string): { name: string; server: string; resolve: () => Promise<{ host: string; port: number }> } {
  const found = Object.entries(inventory.clusters).find(([, c]) => c.kind === 'dns' && (c.names ?? []).includes(name));
  const server = found?.[1].members.find((m) => m.endpoint)?.endpoint;
  if (!found || !server) throw new HatuiError(`drill via ${name}: no dns cluster of the inventory lists that name (kind: dns, names: [${name}], a member with endpoint host:port)`, ExitCode.usage);
  return { name, server, resolve: () => resolveEndpoint(server, name, 5432) };
}
