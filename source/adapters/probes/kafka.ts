// Kafka probe: one target per broker (inventory member endpoint), asked with the real `kafkajs` admin
// client, loaded on first use. Each poll bootstraps from that broker alone and pins every connection the
// client opens to it (socketFactory): kafkajs otherwise sends metadata requests to a random broker of the
// cluster, and one hung broker would stall every poll. Metadata is cluster-wide, so any broker's answer
// names the brokers, the controller and every partition's leader, replicas and ISR.
//
// kafkajs 2.2 refuses a whole metadata answer when one partition has no leader (the broker sets
// LEADER_NOT_AVAILABLE on it; tulios/kafkajs#1460) — exactly when the panel matters most. Then the probe
// re-reads the same answer through kafkajs's own connection and codec, keeping the per-partition errors.
import { connect, isIP } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { KafkaBroker, KafkaPartition, KafkaState, LeaderChange } from '../../core/cluster-state.js';
import type { Cluster, ClusterMember, Inventory } from '../../core/inventory/model.js';
import type { CredentialReader } from '../../core/secrets/credentials.js';
import { systemCredentialReader } from '../credential-reader.js';
import { kafkaAuthOptions, loginLabel, type KafkaAuthOptions } from './client-auth.js';
import { fresh, memberEndpoint, staleOf, pollClosing, targetStatuses, trackChanges } from './common.js';
import type { ClusterProbe, TargetResult } from './types.js';

export interface KafkaObservation {
  clusterId: string | null;
  controllerId: number | null;
  brokers: { nodeId: number; host: string; port: number }[];
  topics: number;
  partitions: KafkaPartition[];
  /** `admin`: kafkajs's admin client; `metadata`: the raw answer, read again after the admin client refused it. */
  via: 'admin' | 'metadata';
  /** Epoch ms the answer arrived. */
  at: number;
}

/** The metadata as kafkajs decodes it (admin `describeCluster` + `fetchTopicMetadata`, or the raw Metadata answer). */
export interface KafkaMetadata {
  clusterId?: string | null;
  controllerId?: number | null;
  brokers: { nodeId: number; host: string; port: number }[];
  topics: { name: string; partitions: { partitionId: number; leader: number; replicas: number[]; isr: number[] }[] }[];
}

export const KAFKA_TIMEOUT_MS = 1000;
/** How many under-replicated / offline partitions the state lists by name. */
export const FIRST_PARTITIONS = 5;

export function kafkaObservation(m: KafkaMetadata, via: KafkaObservation['via'], at: number): KafkaObservation {
  const partitions = m.topics
    .flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionId, leader: p.leader >= 0 ? p.leader : null, replicas: [...p.replicas], isr: [...p.isr] })))
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  const controllerId = m.controllerId === undefined || m.controllerId === null || m.controllerId < 0 ? null : m.controllerId;
  return { clusterId: m.clusterId ?? null, controllerId, brokers: m.brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })), topics: m.topics.length, partitions, via, at };
}

/** `host:port` of a broker (port 9092 when the inventory gives none). */
function kafkaAddress(member: ClusterMember, inventory: Inventory): string {
  const endpoint = memberEndpoint(member, inventory).replace(/^[a-z]+:\/\//, '');
  return /:\d+$/.test(endpoint) ? endpoint : `${endpoint}:9092`;
}

/** A kafkajs socket factory that connects every broker connection to this one address (over TLS when kafkajs asks for it). */
function pinnedSockets(address: string) {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(at + 1));
  return ({ onConnect, ssl }: { onConnect: () => void; ssl?: ConnectionOptions | boolean | null }) =>
    ssl ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...(ssl === true ? {} : ssl) }, onConnect) : connect({ host, port }, onConnect);
}

/** kafkajs wraps errors (retries exceeded, non-retriable): the protocol error type, if any, from the chain. */
function protocolErrorType(error: unknown): string | undefined {
  for (let e = error as { type?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) if (e.type) return e.type;
  return undefined;
}

export interface RawConnection {
  connect(): Promise<unknown>;
  setVersions(versions: Record<number, { minVersion: number; maxVersion: number }>): void;
  setSupportAuthenticationProtocol(supported: boolean): void;
  authenticate(): Promise<unknown>;
  send(request: object): Promise<{ apiVersions?: { apiKey: number; minVersion: number; maxVersion: number }[] } & Record<string, unknown>>;
  disconnect(): Promise<unknown>;
}

/** A kafkajs connection to one broker, logged in as kafkajs's broker does (also used by `hatui admin kafka`). */
export async function openKafkaConnection(
  address: string,
  auth: KafkaAuthOptions,
  opened: (close: () => Promise<unknown>) => void,
  opts: { clientId?: string; socketFactory?: ReturnType<typeof pinnedSockets> } = {},
): Promise<{ conn: RawConnection; versions: Record<number, { minVersion: number; maxVersion: number }>; defs: any; lookup: any }> {
  const [connection, requests, loggers] = await Promise.all([
    // @ts-expect-error kafkajs's internals ship without type declarations
    import('kafkajs/src/network/connection.js'),
    // @ts-expect-error kafkajs's internals ship without type declarations
    import('kafkajs/src/protocol/requests/index.js'),
    // @ts-expect-error kafkajs's internals ship without type declarations
    import('kafkajs/src/loggers/index.js'),
  ]);
  const { requests: defs, lookup } = requests.default;
  const logger = loggers.default.createLogger({ level: loggers.default.LEVELS.NOTHING, logCreator: () => () => undefined });
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  const socketFactory = opts.socketFactory ?? pinnedSockets(address);
  const conn: RawConnection = new connection.default({ host, port, logger, socketFactory, requestTimeout: KAFKA_TIMEOUT_MS, connectionTimeout: KAFKA_TIMEOUT_MS, clientId: opts.clientId ?? 'hatui-probe', ...auth });
  opened(() => conn.disconnect());
  await conn.connect();
  const { apiVersions = [] } = await conn.send(defs.ApiVersions.protocol({ version: 2 })());
  const versions = Object.fromEntries(apiVersions.map((v) => [v.apiKey, { minVersion: v.minVersion, maxVersion: v.maxVersion }]));
  if (auth.sasl) {
    // The same login kafkajs's broker does: SaslHandshake, then SaslAuthenticate when the broker has it (key 36).
    conn.setVersions(versions);
    conn.setSupportAuthenticationProtocol(36 in versions);
    await conn.authenticate();
  }
  return { conn, versions, defs, lookup };
}

/** The Metadata answer through kafkajs's own connection and codec, with its per-partition errors kept. */
async function rawMetadata(address: string, socketFactory: ReturnType<typeof pinnedSockets>, auth: KafkaAuthOptions, opened: (close: () => Promise<unknown>) => void): Promise<KafkaMetadata> {
  const { conn, versions, defs, lookup } = await openKafkaConnection(address, auth, opened, { socketFactory });
  const metadata = lookup(versions)(3 /* Metadata */, defs.Metadata)({ topics: [], allowAutoTopicCreation: false });
  const raw = (await conn.send({ ...metadata, response: { ...metadata.response, parse: async (data: unknown) => data } })) as {
    clusterId?: string | null;
    controllerId?: number;
    brokers: KafkaMetadata['brokers'];
    topicMetadata: { topic: string; partitionMetadata: { partitionId: number; leader: number; replicas: number[]; isr: number[] }[] }[];
  };
  return { clusterId: raw.clusterId ?? null, controllerId: raw.controllerId ?? null, brokers: raw.brokers, topics: raw.topicMetadata.map((t) => ({ name: t.topic, partitions: t.partitionMetadata })) };
}

/** A refused SASL login as kafkajs reports it (KafkaJSSASLAuthenticationError, possibly wrapped). */
function saslFailure(error: unknown): string | undefined {
  for (let e = error as { name?: string; message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.name === 'KafkaJSSASLAuthenticationError' || /SASL/.test(e.message ?? '')) return e.message ?? 'SASL authentication failed';
  }
  return undefined;
}

async function askBroker(address: string, signal: AbortSignal, auth: KafkaAuthOptions, login: string, opened: (close: () => Promise<unknown>) => void): Promise<KafkaObservation> {
  try {
    return await ask(address, signal, auth, opened);
  } catch (error) {
    const failed = saslFailure(error);
    if (failed && !signal.aborted) throw new Error(`${address}: login as ${login} refused: ${failed}`);
    throw error;
  }
}

async function ask(address: string, signal: AbortSignal, auth: KafkaAuthOptions, opened: (close: () => Promise<unknown>) => void): Promise<KafkaObservation> {
  const { Kafka, logLevel } = (await import('kafkajs')).default; // CommonJS: its exports are the default
  signal.throwIfAborted(); // given up while kafkajs loaded: open nothing
  const socketFactory = pinnedSockets(address);
  const kafka = new Kafka({
    clientId: 'hatui-probe',
    brokers: [address],
    logLevel: logLevel.NOTHING,
    logCreator: () => () => undefined, // KAFKAJS_LOG_LEVEL in the environment would override logLevel
    connectionTimeout: KAFKA_TIMEOUT_MS,
    requestTimeout: KAFKA_TIMEOUT_MS,
    retry: { retries: 0 }, // the poller retries; kafkajs's backoff would outlive the poll
    socketFactory,
    ...auth,
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  opened(() => admin.disconnect());
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    const { topics } = await admin.fetchTopicMetadata();
    return kafkaObservation({ clusterId: cluster.clusterId, controllerId: cluster.controller, brokers: cluster.brokers, topics }, 'admin', Date.now());
  } catch (error) {
    if (protocolErrorType(error) === undefined || signal.aborted) throw error;
    return kafkaObservation(await rawMetadata(address, socketFactory, auth, opened), 'metadata', Date.now());
  }
}

export function combineKafka(name: string, cluster: Cluster, results: readonly TargetResult<KafkaObservation>[], prev: KafkaState | undefined, now: number): KafkaState {
  const at = new Date(now).toISOString();
  const newest = fresh(results).reduce<KafkaObservation | null>((best, f) => (!best || f.value.at > best.at ? f.value : best), null);
  const controller = newest?.controllerId ?? null;
  const listed = newest?.brokers ?? [];
  const brokers: KafkaBroker[] = results.map((r) => {
    const nodeId = listed.find((b) => `${b.host}:${b.port}` === r.address)?.nodeId ?? null;
    return { name: r.id, address: r.address, nodeId, controller: nodeId !== null && nodeId === controller, stale: staleOf(r, now) };
  });
  for (const b of listed) {
    if (!brokers.some((x) => x.nodeId === b.nodeId)) brokers.push({ name: `broker ${b.nodeId}`, address: `${b.host}:${b.port}`, nodeId: b.nodeId, controller: b.nodeId === controller, stale: null });
  }
  const partitions = newest?.partitions ?? [];
  // Under-replicated: a leader, but fewer in-sync replicas than replicas. Offline: no leader at all.
  const under = partitions.filter((p) => p.leader !== null && p.isr.length < p.replicas.length);
  const offline = partitions.filter((p) => p.leader === null);
  const prevObserved = prev !== undefined && prev.underReplicated !== null;
  const controllerChanges = trackChanges<LeaderChange>(prev?.controllerChanges, prev?.controller === null || prev === undefined ? null : String(prev.controller), prevObserved, controller === null ? null : String(controller), newest !== null, at);
  void cluster;
  return {
    kind: 'kafka',
    name,
    fetchedAt: at,
    targets: targetStatuses(results, now),
    clusterId: newest?.clusterId ?? null,
    controller,
    brokers,
    topics: newest ? newest.topics : null,
    partitions: newest ? partitions.length : null,
    underReplicated: newest ? under.length : null,
    offline: newest ? offline.length : null,
    minIsr: newest && partitions.length ? Math.min(...partitions.map((p) => p.isr.length)) : null,
    underReplicatedFirst: under.slice(0, FIRST_PARTITIONS),
    offlineFirst: offline.slice(0, FIRST_PARTITIONS),
    controllerChanges,
  };
}

/**
 * The probe. The cluster's `admin` credential (password of `username`, SASL PLAIN unless `authMechanism`
 * says SCRAM-SHA-256/512) and `tls` files are read through `reader` at each poll and handed to kafkajs.
 */
export function createKafkaProbe(reader: CredentialReader = systemCredentialReader()): ClusterProbe<KafkaObservation> {
  return {
    kinds: ['kafka'],
    targets(name, cluster, inventory) {
      const login = loginLabel(cluster);
      return cluster.members.map((member) => {
        const address = kafkaAddress(member, inventory);
        return {
          id: member.name,
          address,
          fetch: (signal) => pollClosing(address, signal, (opened) => askBroker(address, signal, kafkaAuthOptions(name, cluster, reader), login, opened)),
        };
      });
    },
    combine: (name, cluster, results, prev, now) => combineKafka(name, cluster, results, prev?.kind === 'kafka' ? prev : undefined, now),
  };
}

export const kafkaProbe = createKafkaProbe();
