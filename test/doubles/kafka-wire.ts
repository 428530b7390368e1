// A Kafka cluster double on the wire: one TCP server per broker on 127.0.0.1, speaking the Kafka binary
// protocol for the two requests the `kafkajs` admin client sends to read cluster metadata (ApiVersions,
// then Metadata), so the real client connects and decodes real frames. It is NOT a Kafka broker: no
// produce/fetch, no groups. It advertises only the APIs it implements; any other request key closes the
// connection, as a broker does with a request it cannot parse. With `sasl`, it REQUIRES a SASL/PLAIN login
// (SaslHandshake v1 + SaslAuthenticate, KIP-152) before Metadata, as a SASL_PLAINTEXT/SASL_SSL listener
// does (any other request first closes the connection); with `tls` it listens with TLS only.
//
// Built from the documented shapes (no Kafka could be run here):
//  - framing and primitive types: https://kafka.apache.org/protocol (size-prefixed frames; request
//    header v1: api_key INT16, api_version INT16, correlation_id INT32, client_id NULLABLE_STRING;
//    response header v0: correlation_id INT32; STRING = INT16 length, ARRAY = INT32 count, -1 = null)
//  - ApiVersions (key 18) v0–v2 and Metadata (key 3) v0–v8: Apache Kafka's message definitions
//    clients/src/main/resources/common/message/{ApiVersions,Metadata}{Request,Response}.json
//    (v1 adds rack, controller_id, is_internal; v2 cluster_id; v3 throttle_time_ms; v4 allow_auto_topic_creation;
//    v5 offline_replicas; v7 leader_epoch; v8 authorized operations; v9+ are flexible and not advertised)
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

const API_VERSIONS = 18;
const METADATA = 3;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
const SASL_APIS = [
  { apiKey: SASL_HANDSHAKE, min: 1, max: 1 },
  { apiKey: SASL_AUTHENTICATE, min: 0, max: 1 },
] as const;
const UNSUPPORTED_SASL_MECHANISM = 33;
const SASL_AUTHENTICATION_FAILED = 58;
const API_NAMES: Record<number, string> = { [API_VERSIONS]: 'ApiVersions', [METADATA]: 'Metadata', [SASL_HANDSHAKE]: 'SaslHandshake', [SASL_AUTHENTICATE]: 'SaslAuthenticate' };
/** What this double advertises (and implements): kafkajs 2.2 then picks ApiVersions v2 and Metadata v6. */
export const ADVERTISED = [
  { apiKey: METADATA, min: 0, max: 8 },
  { apiKey: API_VERSIONS, min: 0, max: 2 },
] as const;
const UNSUPPORTED_VERSION = 35;
const LEADER_NOT_AVAILABLE = 5;
const UNKNOWN_TOPIC_OR_PARTITION = 3;

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

/** Big-endian writer for the protocol's primitive types. */
class Writer {
  private parts: Buffer[] = [];
  int8(v: number): this {
    const b = Buffer.alloc(1);
    b.writeInt8(v);
    return this.push(b);
  }
  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return this.push(b);
  }
  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return this.push(b);
  }
  int64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    return this.push(b);
  }
  bytes(v: Buffer): this {
    return this.int32(v.length).push(v);
  }
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const bytes = Buffer.from(v, 'utf8');
    return this.int16(bytes.length).push(bytes);
  }
  array<T>(items: readonly T[], each: (w: this, item: T) => void): this {
    this.int32(items.length);
    for (const item of items) each(this, item);
    return this;
  }
  private push(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  frame(): Buffer {
    const body = Buffer.concat(this.parts);
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length);
    return Buffer.concat([size, body]);
  }
}

export class KafkaClusterDouble extends LoopbackSet<Broker> {
  /** Requests received per broker, `Name vN`, in order. */
  readonly received: string[][] = [];
  clusterId: string;
  controller: number;
  topics: KafkaTopicSpec[];
  /** Logins per broker: `ok <user>`, `failed <user>` or `refused mechanism <m>`, in order. */
  readonly logins: string[][] = [];
  private readonly sasl: KafkaClusterSpec['sasl'];

  private constructor(spec: KafkaClusterSpec) {
    super();
    this.sasl = spec.sasl;
    this.clusterId = spec.clusterId ?? 'MkU3OEVBNTcwNTJENDM2Qk';
    this.controller = spec.controller;
    this.topics = spec.topics;
  }

  static async start(spec: KafkaClusterSpec): Promise<KafkaClusterDouble> {
    const double = new KafkaClusterDouble(spec);
    for (const [index, b] of spec.brokers.entries()) {
      const tls = spec.tls;
      const create = (): Server => (tls ? createTlsServer({ key: tls.key, cert: tls.cert }, (socket) => double.serve(broker, socket)) : createServer((socket) => double.serve(broker, socket)));
      const broker: Broker = { ...b, index, listener: new LoopbackListener(create) };
      double.members.push(broker);
      double.received.push([]);
      double.logins.push([]);
      await broker.listener.start();
    }
    return double;
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
    return undefined;
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
        if (v >= 7) y.int32(5); // leader_epoch
        y.array(p.replicas, (z, id) => z.int32(id)).array(p.isr, (z, id) => z.int32(id));
        if (v >= 5) y.array(p.replicas.filter((id) => !alive.has(id)), (z, id) => z.int32(id)); // offline_replicas
      });
      if (v >= 8) x.int32(-2147483648); // topic_authorized_operations: not requested
    });
    if (v >= 8) w.int32(-2147483648); // cluster_authorized_operations: not requested
    return w;
  }
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
