// A Kafka cluster double on the wire: one TCP server per broker on 127.0.0.1, speaking the Kafka binary
// protocol for the requests the `kafkajs` admin client sends to read cluster metadata (ApiVersions,
// then Metadata), and for a plain (non-idempotent, non-transactional) `kafkajs` producer and a reader:
// Produce, Fetch and ListOffsets on partition logs (kafka-log.ts), so the real client connects and decodes
// real frames; brokers can be stopped and started and a preferred leader election run
// (kafka-cluster-state.ts). It is NOT a Kafka broker: no consumer groups, no transactions, no idempotent
// producer (InitProducerId), no compression codecs of its own (batches are stored as sent), no CRC check,
// no long-poll Fetch (it answers at once), replication to the ISR is instant. It
// advertises only the APIs it implements; any other request key closes the connection, as a broker does
// with a request it cannot parse. With `sasl`, it REQUIRES a SASL/PLAIN login (SaslHandshake v1 +
// SaslAuthenticate, KIP-152) before any other request, as a SASL_PLAINTEXT/SASL_SSL listener does (any other
// request first closes the connection); with `tls` it listens with TLS only.
//
// Built from the documented shapes (no Kafka could be run here):
//  - framing and primitive types: https://kafka.apache.org/protocol (size-prefixed frames; request
//    header v1: api_key INT16, api_version INT16, correlation_id INT32, client_id NULLABLE_STRING;
//    response header v0: correlation_id INT32; STRING = INT16 length, ARRAY = INT32 count, -1 = null)
//  - ApiVersions (key 18) v0–v2 and Metadata (key 3) v0–v8: Apache Kafka's message definitions
//    clients/src/main/resources/common/message/{ApiVersions,Metadata}{Request,Response}.json
//    (v1 adds rack, controller_id, is_internal; v2 cluster_id; v3 throttle_time_ms; v4 allow_auto_topic_creation;
//    v5 offline_replicas; v7 leader_epoch; v8 authorized operations; v9+ are flexible and not advertised)
//  - Produce (key 0) v3, Fetch (key 1) v4, ListOffsets (key 2) v1–v2: the same message definitions
//    ({Produce,Fetch,ListOffsets}{Request,Response}.json) and kafkajs 2.2's codecs for those versions
//    (src/protocol/requests/{produce/v3,fetch/v4,listOffsets/v1,v2}); produce errors as
//    ReplicaManager/Partition.appendRecordsToLeader answer them: NOT_LEADER_FOR_PARTITION (6) on a broker
//    that does not lead the partition, NOT_ENOUGH_REPLICAS (19) for acks=-1 when the ISR is smaller than
//    min.insync.replicas, UNKNOWN_TOPIC_OR_PARTITION (3), CORRUPT_MESSAGE (2) for a set that does not parse,
//    UNSUPPORTED_FOR_MESSAGE_FORMAT (43) for magic < 2; acks=0 gets no response at all; fetch past the
//    log end: OFFSET_OUT_OF_RANGE (1); ListOffsets timestamp -1 = log end, -2 = log start
//  - an ApiVersions request at a version the broker does not know gets a v0 answer with
//    UNSUPPORTED_VERSION (35) and the broker's range (KIP-511), which is how clients pick a version
//  - a partition whose leader is not alive: error_code LEADER_NOT_AVAILABLE (5), leader_id -1
//    (KRaftMetadataCache / MetadataCache in apache/kafka); a shorter ISR is not an error from v1 on
//  - SASL: SaslHandshake (17) v1 {mechanism} → {error_code, mechanisms[]}; SaslAuthenticate (36) v0–v1
//    {auth_bytes} → {error_code, error_message, auth_bytes, (v1) session_lifetime_ms}; PLAIN bytes are
//    `authzid NUL authcid NUL password` (RFC 4616); UNSUPPORTED_SASL_MECHANISM 33, SASL_AUTHENTICATION_FAILED 58
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { LoopbackListener, LoopbackSet } from './loopback.js';
import { KafkaWriter as Writer } from '../../adapters/kafka-frame.js';
import { brokerStarted, brokerStopped, preferredLeaderElection, type KafkaModel } from './kafka-cluster-state.js';
import { batchMagic, PartitionLogs, splitBatches } from './kafka-log.js';

const PRODUCE = 0;
const FETCH = 1;
const LIST_OFFSETS = 2;
const API_VERSIONS = 18;
const METADATA = 3;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
const ELECT_LEADERS = 43;
const ELECTION_NOT_NEEDED = 84;
const PREFERRED_LEADER_NOT_AVAILABLE = 80;
const SASL_APIS = [
  { apiKey: SASL_HANDSHAKE, min: 1, max: 1 },
  { apiKey: SASL_AUTHENTICATE, min: 0, max: 1 },
] as const;
const UNSUPPORTED_SASL_MECHANISM = 33;
const SASL_AUTHENTICATION_FAILED = 58;
const API_NAMES: Record<number, string> = { [PRODUCE]: 'Produce', [FETCH]: 'Fetch', [LIST_OFFSETS]: 'ListOffsets', [API_VERSIONS]: 'ApiVersions', [METADATA]: 'Metadata', [SASL_HANDSHAKE]: 'SaslHandshake', [SASL_AUTHENTICATE]: 'SaslAuthenticate', [ELECT_LEADERS]: 'ElectLeaders' };
/** What this double advertises (and implements): kafkajs 2.2 then picks ApiVersions v2, Metadata v6, Produce v3, Fetch v4, ListOffsets v2. */
export const ADVERTISED = [
  { apiKey: PRODUCE, min: 3, max: 3 },
  { apiKey: FETCH, min: 4, max: 4 },
  { apiKey: LIST_OFFSETS, min: 1, max: 2 },
  { apiKey: METADATA, min: 0, max: 8 },
  { apiKey: API_VERSIONS, min: 0, max: 2 },
  { apiKey: ELECT_LEADERS, min: 1, max: 1 },
] as const;
const UNSUPPORTED_VERSION = 35;
const LEADER_NOT_AVAILABLE = 5;
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const OFFSET_OUT_OF_RANGE = 1;
const CORRUPT_MESSAGE = 2;
const NOT_LEADER_FOR_PARTITION = 6;
const NOT_ENOUGH_REPLICAS = 19;
const UNSUPPORTED_FOR_MESSAGE_FORMAT = 43;
/** Leader epoch the metadata (v7+) names and stored batches carry (this double does not bump it). */
const LEADER_EPOCH = 5;
const NO_RESPONSE = Buffer.alloc(0);

export interface KafkaBrokerSpec {
  nodeId: number;
  rack?: string | null;
  /** Listed in the metadata's broker list (a dead broker drops out once the controller notices). */
  registered?: boolean;
  /** `host:port` the metadata advertises (default: where this double listens). */
  advertised?: string;
}
export interface KafkaPartitionSpec {
  partition: number;
  /** Leader broker id; -1 for none. A leader that is not registered counts as none. */
  leader: number;
  replicas: number[];
  isr: number[];
}
export interface KafkaTopicSpec {
  name: string;
  internal?: boolean;
  /** min.insync.replicas (default 1, Kafka's default): acks=-1 produces fail with NOT_ENOUGH_REPLICAS below it. */
  minInsyncReplicas?: number;
  partitions: KafkaPartitionSpec[];
}
export interface KafkaClusterSpec {
  clusterId?: string;
  /** Controller broker id (-1: none). */
  controller: number;
  brokers: KafkaBrokerSpec[];
  topics: KafkaTopicSpec[];
  /** Require a SASL/PLAIN login as this user before any Metadata request. */
  sasl?: { username: string; password: string };
  /** Listen with TLS only (PEM key and certificate). */
  tls?: { key: string; cert: string };
}
interface Broker extends KafkaBrokerSpec {
  index: number;
  listener: LoopbackListener;
}

export class KafkaClusterDouble extends LoopbackSet<Broker> implements KafkaModel {
  /** Requests received per broker, `Name vN`, in order. */
  readonly received: string[][] = [];
  clusterId: string;
  controller: number;
  topics: KafkaTopicSpec[];
  /** Logins per broker: `ok <user>`, `failed <user>` or `refused mechanism <m>`, in order. */
  readonly logins: string[][] = [];
  /** Each partition replica's log of record batches. */
  readonly logs = new PartitionLogs();
  /** Produce answers per broker: `<topic>-<partition> acks=<n> <error name or ok @offset>`, in order. */
  readonly produced: string[][] = [];
  private readonly sasl: KafkaClusterSpec['sasl'];

  private constructor(spec: KafkaClusterSpec) {
    super();
    this.sasl = spec.sasl;
    this.clusterId = spec.clusterId ?? 'MkU3OEVBNTcwNTJENDM2Qk';
    this.controller = spec.controller;
    this.topics = spec.topics;
  }

  /** `ports`: fixed ports per broker (the lab's doubles); default: any free port. */
  static async start(spec: KafkaClusterSpec, ports: readonly number[] = []): Promise<KafkaClusterDouble> {
    const double = new KafkaClusterDouble(spec);
    for (const [index, b] of spec.brokers.entries()) {
      const tls = spec.tls;
      const create = (): Server => (tls ? createTlsServer({ key: tls.key, cert: tls.cert }, (socket) => double.serve(broker, socket)) : createServer((socket) => double.serve(broker, socket)));
      const broker: Broker = { ...b, index, listener: new LoopbackListener(create) };
      double.members.push(broker);
      double.received.push([]);
      broker.listener.port = ports[index] ?? 0;
      double.logins.push([]);
      double.produced.push([]);
      await broker.listener.start();
    }
    return double;
  }

  /** Broker ids in broker order. */
  get brokerIds(): number[] {
    return this.members.map((b) => b.nodeId);
  }

  liveBrokers(): number[] {
    return this.members.filter((b) => b.registered !== false && b.listener.mode !== 'closed').map((b) => b.nodeId);
  }

  /** Stops broker `index`: not listening, not registered; ISRs shrink (URP), its partitions' leaders move. */
  async stopBroker(index: number): Promise<void> {
    const broker = this.at(index);
    await broker.listener.setMode('closed');
    broker.registered = false;
    brokerStopped(this, broker.nodeId);
  }

  /** Starts broker `index` again: registered, back in its partitions' ISRs (leaders stay where they are). */
  async startBroker(index: number): Promise<void> {
    const broker = this.at(index);
    await broker.listener.setMode('answer');
    broker.registered = true;
    brokerStarted(this, broker.nodeId);
    // Back in the ISRs at once (kafka-cluster-state.ts): its replicas catch up with their leaders first.
    for (const t of this.topics) for (const p of t.partitions) if (p.replicas.includes(broker.nodeId) && p.leader !== -1 && p.leader !== broker.nodeId) this.logs.catchUp(t.name, p.partition, broker.nodeId, p.leader);
  }

  /** Preferred leader election over every partition (what kafka-leader-election.sh --election-type preferred asks). */
  electPreferredLeaders(): ReturnType<typeof preferredLeaderElection> {
    return preferredLeaderElection(this);
  }

  /** `127.0.0.1:<port>` of every broker, in order (also what the metadata advertises). */
  get addresses(): string[] {
    return this.members.map((b) => b.listener.address);
  }

  private serve(broker: Broker, socket: Socket): void {
    let buffer = Buffer.alloc(0);
    const session = { user: null as string | null };
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 4 && buffer.length >= 4 + buffer.readInt32BE(0)) {
        const request = buffer.subarray(4, 4 + buffer.readInt32BE(0));
        buffer = buffer.subarray(4 + request.length);
        if (broker.listener.mode !== 'answer') continue; // hung: reads everything, answers nothing
        const response = this.answer(broker, request, session);
        if (response === NO_RESPONSE) continue; // acks=0: the broker sends nothing back
        if (response) socket.write(response);
        else socket.destroy();
      }
    });
  }

  private answer(broker: Broker, request: Buffer, session: { user: string | null }): Buffer | undefined {
    const apiKey = request.readInt16BE(0);
    const version = request.readInt16BE(2);
    const correlationId = request.readInt32BE(4);
    const clientIdLength = request.readInt16BE(8);
    const body = request.subarray(10 + Math.max(0, clientIdLength));
    this.received[broker.index]!.push(`${API_NAMES[apiKey] ?? `key${apiKey}`} v${version}`);
    const w = new Writer().int32(correlationId);
    if (apiKey === API_VERSIONS) return this.apiVersions(w, version).frame();
    if (this.sasl && apiKey === SASL_HANDSHAKE && version === 1) {
      const mechanism = body.toString('utf8', 2, 2 + body.readInt16BE(0));
      if (mechanism !== 'PLAIN') this.logins[broker.index]!.push(`refused mechanism ${mechanism}`);
      return w.int16(mechanism === 'PLAIN' ? 0 : UNSUPPORTED_SASL_MECHANISM).array(['PLAIN'], (x, m) => x.string(m)).frame();
    }
    if (this.sasl && apiKey === SASL_AUTHENTICATE && version <= 1) {
      // PLAIN: [authzid] NUL authcid NUL password
      const [, user = '', password = ''] = body.subarray(4, 4 + body.readInt32BE(0)).toString('utf8').split('\0');
      const ok = user === this.sasl.username && password === this.sasl.password;
      this.logins[broker.index]!.push(`${ok ? 'ok' : 'failed'} ${user}`);
      if (ok) session.user = user;
      w.int16(ok ? 0 : SASL_AUTHENTICATION_FAILED).string(ok ? null : 'Authentication failed: Invalid username or password').bytes(Buffer.alloc(0));
      if (version >= 1) w.int64(0n); // session_lifetime_ms: no re-authentication
      return w.frame();
    }
    if (this.sasl && session.user === null) return undefined; // anything else before a login: the broker hangs up
    if (apiKey === METADATA && version <= 8) return this.metadata(w, version, readTopics(body, version)).frame();
    if (apiKey === ELECT_LEADERS && version === 1) return this.electLeaders(w, body).frame();
    if (apiKey === PRODUCE && version === 3) return this.produce(broker, w, body);
    if (apiKey === FETCH && version === 4) return this.fetch(broker, w, body).frame();
    if (apiKey === LIST_OFFSETS && (version === 1 || version === 2)) return this.listOffsets(broker, w, body, version).frame();
    return undefined;
  }

  private partition(topic: string, id: number): KafkaPartitionSpec | undefined {
    return this.topics.find((t) => t.name === topic)?.partitions.find((p) => p.partition === id);
  }

  /** Why `broker` cannot serve the partition as its leader (an error code), or 0. */
  private leaderError(broker: Broker, p: KafkaPartitionSpec | undefined): number {
    if (!p) return UNKNOWN_TOPIC_OR_PARTITION;
    return p.leader === broker.nodeId ? 0 : NOT_LEADER_FOR_PARTITION;
  }

  /**
   * Produce v3: transactional_id, acks, timeout_ms, [topic, [partition, records]] →
   * [topic, [partition, error_code, base_offset, log_append_time]], throttle_time_ms.
   */
  private produce(broker: Broker, w: Writer, body: Buffer): Buffer {
    const r = new Reader(body);
    r.nullableString(); // transactional_id: transactions are not in this double (a transactional producer needs InitProducerId first)
    const acks = r.int16();
    r.int32(); // timeout_ms: replication is instant here, so never waited on
    const live = new Set(this.liveBrokers());
    const topics = r.array(() => {
      const name = r.string();
      const rows = r.array(() => {
        const id = r.int32();
        const records = r.bytes();
        const topic = this.topics.find((t) => t.name === name);
        const p = this.partition(name, id);
        let error = this.leaderError(broker, p);
        let batches: Buffer[] = [];
        if (error === 0) {
          try {
            batches = splitBatches(records);
            if (batches.some((b) => batchMagic(b) < 2)) error = UNSUPPORTED_FOR_MESSAGE_FORMAT;
          } catch {
            error = CORRUPT_MESSAGE;
          }
        }
        const inSync = p ? p.isr.filter((id) => live.has(id)) : [];
        if (error === 0 && acks === -1 && inSync.length < (topic?.minInsyncReplicas ?? 1)) error = NOT_ENOUGH_REPLICAS;
        let base = -1n;
        if (error === 0) base = this.logs.append(name, id, broker.nodeId, inSync, batches, LEADER_EPOCH);
        this.produced[broker.index]!.push(`${name}-${id} acks=${acks} ${error === 0 ? `ok @${base}` : (ERROR_NAMES[error] ?? `error ${error}`)}`);
        return { id, error, base };
      });
      return { name, rows };
    });
    if (acks === 0) return NO_RESPONSE;
    w.array(topics, (x, t) => x.string(t.name).array(t.rows, (y, p) => y.int32(p.id).int16(p.error).int64(p.base).int64(-1n))); // log_append_time -1: CreateTime topics
    return w.int32(0).frame(); // throttle_time_ms
  }

  /**
   * Fetch v4: replica_id, max_wait_ms, min_bytes, max_bytes, isolation_level, [topic, [partition,
   * fetch_offset, partition_max_bytes]] → throttle_time_ms, [topic, [partition, error_code, high_watermark,
   * last_stable_offset, aborted_transactions, records]]. Answered at once (no waiting for min_bytes).
   */
  private fetch(broker: Broker, w: Writer, body: Buffer): Writer {
    const r = new Reader(body);
    r.int32(); // replica_id (-1: a client)
    r.int32(); // max_wait_ms
    r.int32(); // min_bytes
    r.int32(); // max_bytes
    r.int8(); // isolation_level: no transactions here, so both levels read the same
    const topics = r.array(() => ({ name: r.string(), rows: r.array(() => ({ id: r.int32(), offset: r.int64(), maxBytes: r.int32() })) }));
    w.int32(0);
    w.array(topics, (x, t) =>
      x.string(t.name).array(t.rows, (y, q) => {
        const p = this.partition(t.name, q.id);
        let error = this.leaderError(broker, p);
        const log = error === 0 ? this.logs.log(t.name, q.id, broker.nodeId) : null;
        if (log && (q.offset > log.end || q.offset < 0n)) error = OFFSET_OUT_OF_RANGE;
        const hw = log ? log.end : -1n; // every ISR member has every batch: the high watermark is the log end
        const records = log && error === 0 ? this.logs.read(t.name, q.id, broker.nodeId, q.offset, q.maxBytes) : Buffer.alloc(0);
        y.int32(q.id).int16(error).int64(hw).int64(hw).int32(0).bytes(records); // last_stable_offset = hw; no aborted transactions
      }),
    );
    return w;
  }

  /** ListOffsets v1–v2: replica_id, (v2) isolation_level, [topic, [partition, timestamp]] → (v2) throttle, [topic, [partition, error, timestamp, offset]]. */
  private listOffsets(broker: Broker, w: Writer, body: Buffer, version: number): Writer {
    const r = new Reader(body);
    r.int32();
    if (version >= 2) r.int8();
    const topics = r.array(() => ({ name: r.string(), rows: r.array(() => ({ id: r.int32(), timestamp: r.int64() })) }));
    if (version >= 2) w.int32(0);
    w.array(topics, (x, t) =>
      x.string(t.name).array(t.rows, (y, q) => {
        const error = this.leaderError(broker, this.partition(t.name, q.id));
        const log = error === 0 ? this.logs.log(t.name, q.id, broker.nodeId) : null;
        // -2: the log start (this double never deletes, so 0); -1 (or any time: no timestamp index here): the log end
        const offset = !log ? -1n : q.timestamp === -2n ? 0n : log.end;
        y.int32(q.id).int16(error).int64(-1n).int64(offset);
      }),
    );
    return w;
  }

  /**
   * ElectLeaders v1 (KIP-460), preferred (election_type 0) only. All partitions (null): the partitions
   * that moved, error 0. Named partitions: each with 0, ELECTION_NOT_NEEDED (84) when its preferred replica
   * already leads, or PREFERRED_LEADER_NOT_AVAILABLE (80) when it is not alive and in sync.
   */
  private electLeaders(w: Writer, body: Buffer): Writer {
    const { type, partitions } = readElection(body);
    w.int32(0); // throttle_time_ms
    if (type !== 0) return w.int16(PREFERRED_LEADER_NOT_AVAILABLE).array([], () => undefined); // unclean elections: not in this double
    const moved = preferredLeaderElection(this, partitions ?? undefined);
    const results =
      partitions === null
        ? moved.map((m) => ({ topic: m.topic, partition: m.partition, error: 0 }))
        : partitions.flatMap(({ topic, partitions: ids }) =>
            ids.map((id) => {
              const p = this.topics.find((t) => t.name === topic)?.partitions.find((x) => x.partition === id);
              const error = !p ? UNKNOWN_TOPIC_OR_PARTITION : moved.some((m) => m.topic === topic && m.partition === id) ? 0 : p.leader === p.replicas[0] ? ELECTION_NOT_NEEDED : PREFERRED_LEADER_NOT_AVAILABLE;
              return { topic, partition: id, error };
            }),
          );
    const byTopic = [...new Set(results.map((r) => r.topic))].map((topic) => ({ topic, rows: results.filter((r) => r.topic === topic) }));
    w.int16(0).array(byTopic, (x, t) => x.string(t.topic).array(t.rows, (y, r) => y.int32(r.partition).int16(r.error).string(r.error === 0 ? null : `error ${r.error}`)));
    return w;
  }

  private apiVersions(w: Writer, version: number): Writer {
    const known = version <= 2;
    const advertised = this.sasl ? [...ADVERTISED, ...SASL_APIS] : ADVERTISED;
    w.int16(known ? 0 : UNSUPPORTED_VERSION).array(advertised, (x, a) => x.int16(a.apiKey).int16(a.min).int16(a.max));
    if (known && version >= 1) w.int32(0); // throttle_time_ms
    return w;
  }

  private metadata(w: Writer, v: number, requested: string[] | null): Writer {
    const registered = this.members.filter((b) => b.registered !== false);
    const alive = new Set(registered.map((b) => b.nodeId));
    if (v >= 3) w.int32(0); // throttle_time_ms
    w.array(registered, (x, b) => {
      const [host, port] = b.advertised ? [b.advertised.slice(0, b.advertised.lastIndexOf(':')), Number(b.advertised.slice(b.advertised.lastIndexOf(':') + 1))] : ['127.0.0.1', b.listener.port];
      x.int32(b.nodeId).string(host).int32(port);
      if (v >= 1) x.string(b.rack ?? null);
    });
    if (v >= 2) w.string(this.clusterId);
    if (v >= 1) w.int32(this.controller);
    const topics = requested === null ? this.topics : requested.map((name) => this.topics.find((t) => t.name === name) ?? { name, partitions: [], missing: true });
    w.array(topics, (x, t) => {
      x.int16('missing' in t ? UNKNOWN_TOPIC_OR_PARTITION : 0).string(t.name);
      if (v >= 1) x.int8('internal' in t && t.internal ? 1 : 0);
      x.array(t.partitions, (y, p) => {
        const leader = alive.has(p.leader) ? p.leader : -1;
        y.int16(leader === -1 ? LEADER_NOT_AVAILABLE : 0).int32(p.partition).int32(leader);
        if (v >= 7) y.int32(LEADER_EPOCH);
        y.array(p.replicas, (z, id) => z.int32(id)).array(p.isr, (z, id) => z.int32(id));
        if (v >= 5) y.array(p.replicas.filter((id) => !alive.has(id)), (z, id) => z.int32(id)); // offline_replicas
      });
      if (v >= 8) x.int32(-2147483648); // topic_authorized_operations: not requested
    });
    if (v >= 8) w.int32(-2147483648); // cluster_authorized_operations: not requested
    return w;
  }
}

const ERROR_NAMES: Record<number, string> = {
  [OFFSET_OUT_OF_RANGE]: 'OFFSET_OUT_OF_RANGE',
  [CORRUPT_MESSAGE]: 'CORRUPT_MESSAGE',
  [UNKNOWN_TOPIC_OR_PARTITION]: 'UNKNOWN_TOPIC_OR_PARTITION',
  [NOT_LEADER_FOR_PARTITION]: 'NOT_LEADER_FOR_PARTITION',
  [NOT_ENOUGH_REPLICAS]: 'NOT_ENOUGH_REPLICAS',
  [UNSUPPORTED_FOR_MESSAGE_FORMAT]: 'UNSUPPORTED_FOR_MESSAGE_FORMAT',
};

/** A big-endian reader over a request body (the protocol's primitive types). */
class Reader {
  private at = 0;
  constructor(private readonly b: Buffer) {}
  int8(): number {
    return this.b.readInt8((this.at += 1) - 1);
  }
  int16(): number {
    return this.b.readInt16BE((this.at += 2) - 2);
  }
  int32(): number {
    return this.b.readInt32BE((this.at += 4) - 4);
  }
  int64(): bigint {
    return this.b.readBigInt64BE((this.at += 8) - 8);
  }
  nullableString(): string | null {
    const n = this.int16();
    if (n < 0) return null;
    return this.b.toString('utf8', (this.at += n) - n, this.at);
  }
  string(): string {
    return this.nullableString() ?? '';
  }
  bytes(): Buffer {
    const n = this.int32();
    if (n < 0) return Buffer.alloc(0);
    return this.b.subarray((this.at += n) - n, this.at);
  }
  array<T>(each: () => T): T[] {
    const n = this.int32();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(each());
    return out;
  }
}

/** ElectLeaders v1 request: election_type int8, topic_partitions nullable [topic, [partition]] (null = all), timeout_ms. */
function readElection(body: Buffer): { type: number; partitions: { topic: string; partitions: number[] }[] | null } {
  const type = body.readInt8(0);
  const count = body.readInt32BE(1);
  if (count < 0) return { type, partitions: null };
  const partitions: { topic: string; partitions: number[] }[] = [];
  let at = 5;
  for (let i = 0; i < count; i++) {
    const length = body.readInt16BE(at);
    const topic = body.toString('utf8', at + 2, at + 2 + length);
    at += 2 + length;
    const n = body.readInt32BE(at);
    at += 4;
    const ids: number[] = [];
    for (let j = 0; j < n; j++, at += 4) ids.push(body.readInt32BE(at));
    partitions.push({ topic, partitions: ids });
  }
  return { type, partitions };
}

/** Metadata request topics: v0 an array (empty = all), v1+ a nullable array (null = all). */
function readTopics(body: Buffer, version: number): string[] | null {
  const count = body.readInt32BE(0);
  if (count < 0 || (version === 0 && count === 0)) return null;
  const names: string[] = [];
  let at = 4;
  for (let i = 0; i < count; i++) {
    const length = body.readInt16BE(at);
    names.push(body.toString('utf8', at + 2, at + 2 + length));
    at += 2 + length;
  }
  return names;
}
