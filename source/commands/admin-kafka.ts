// `hatui admin kafka …`: what the shipped Kafka runbook asks of a cluster, for hosts without Kafka's CLI
// tools: partitions that are under-replicated or have no leader (kafkajs admin, Metadata), waiting for the
// ISRs to refill, and a preferred leader election (ElectLeaders v1, KIP-460, sent over kafkajs's own
// connection, which kafkajs's admin API does not offer). Brokers come from KAFKA_BOOTSTRAP; a SASL/PLAIN
// login from KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (environment only, never printed). No TLS yet.
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import type { KafkaAuthOptions } from '../adapters/probes/client-auth.js';

export const KAFKA_USAGE = `Usage: hatui admin kafka <command>
  partitions                 {under_replicated, unavailable, brokers, partitions: [...]} (the URP and leaderless ones)
  wait-isr [--timeout-secs 600] [--interval-secs 10]
                             waits until no partition is under-replicated; prints {under_replicated: 0}
  elect-leaders --preferred --all-topic-partitions
                             preferred leader election on every partition; prints {elected: [...]}
  leader --topic <t> [--partition 0] [--not <broker id>] [--timeout-secs 60] [--write]
                             the partition's leader: {topic, partition, leader, address, replicas, isr};
                             with --not, waits until another broker leads it; with --write, then sends one
                             record there with acks=-1 (all in-sync replicas) and adds {wrote, offset}
Brokers: $KAFKA_BOOTSTRAP (host:port,…); SASL/PLAIN login: $KAFKA_SASL_USERNAME and $KAFKA_SASL_PASSWORD.`;

interface Partition {
  topic: string;
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

function connection(): { brokers: string[]; auth: KafkaAuthOptions } {
  const brokers = (process.env.KAFKA_BOOTSTRAP ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (brokers.length === 0) throw new HatuiError('admin kafka: $KAFKA_BOOTSTRAP is not set (host:port,… of the brokers)', ExitCode.usage);
  const username = process.env.KAFKA_SASL_USERNAME;
  const password = process.env.KAFKA_SASL_PASSWORD;
  if (username && !password) throw new HatuiError('admin kafka: $KAFKA_SASL_USERNAME is set but $KAFKA_SASL_PASSWORD is not', ExitCode.usage);
  return { brokers, auth: username && password ? { sasl: { mechanism: 'plain', username, password } } : {} };
}

async function readPartitions(brokers: string[], auth: KafkaAuthOptions): Promise<{ brokers: number[]; partitions: Partition[] }> {
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  const kafka = new Kafka({ clientId: 'hatui-admin', brokers, logLevel: logLevel.NOTHING, logCreator: () => () => undefined, retry: { retries: 2 }, ...auth });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    const { topics } = await admin.fetchTopicMetadata();
    const partitions = topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr })));
    return { brokers: cluster.brokers.map((b) => b.nodeId).sort((a, b) => a - b), partitions };
  } finally {
    await admin.disconnect();
  }
}

const underReplicated = (p: Partition) => p.isr.length < p.replicas.length;
const unavailable = (p: Partition) => p.leader < 0;

export async function runKafka(sub: string | undefined, flags: Record<string, string | boolean | undefined>): Promise<number> {
  const { brokers, auth } = connection();
  const print = (doc: unknown) => process.stdout.write(JSON.stringify(doc) + '\n');
  switch (sub) {
    case 'partitions': {
      const { brokers: ids, partitions } = await readPartitions(brokers, auth);
      print({ under_replicated: partitions.filter(underReplicated).length, unavailable: partitions.filter(unavailable).length, brokers: ids, partitions: partitions.filter((p) => underReplicated(p) || unavailable(p)) });
      return ExitCode.ok;
    }
    case 'wait-isr': {
      const deadline = Date.now() + num(flags['timeout-secs'], 600) * 1000;
      for (;;) {
        const left = (await readPartitions(brokers, auth)).partitions.filter(underReplicated).length;
        if (left === 0) {
          print({ under_replicated: 0 });
          return ExitCode.ok;
        }
        if (Date.now() >= deadline) throw new HatuiError(`admin kafka: ${left} partition(s) still under-replicated`, ExitCode.failed);
        await new Promise((r) => setTimeout(r, num(flags['interval-secs'], 10) * 1000));
      }
    }
    case 'elect-leaders': {
      if (flags.preferred !== true || flags['all-topic-partitions'] !== true) throw new HatuiError(`admin kafka elect-leaders: only --preferred --all-topic-partitions is supported\n${KAFKA_USAGE}`, ExitCode.usage);
      print({ elected: await electPreferred(brokers, auth) });
      return ExitCode.ok;
    }
    case 'leader': {
      const topic = typeof flags.topic === 'string' ? flags.topic : '';
      if (!topic) throw new HatuiError(`admin kafka leader: --topic is required\n${KAFKA_USAGE}`, ExitCode.usage);
      const partition = num(flags.partition, 0);
      const not = flags.not === undefined ? null : num(flags.not, -1);
      const deadline = Date.now() + num(flags['timeout-secs'], 60) * 1000;
      for (;;) {
        const found = await partitionLeader(brokers, auth, topic, partition).catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }));
        if ('leader' in found && found.leader >= 0 && found.leader !== not) {
          const wrote = flags.write === true ? await produceCheck(brokers, auth, topic, partition) : null;
          print({ ...found, ...(wrote ? { wrote: true, offset: wrote } : {}) });
          return ExitCode.ok;
        }
        if (Date.now() >= deadline) throw new HatuiError(`admin kafka: ${topic}-${partition} ${'error' in found ? `not readable (${found.error})` : `still led by ${found.leader}`}`, ExitCode.failed);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    default:
      throw new HatuiError(`admin kafka: unknown command '${sub ?? ''}'\n${KAFKA_USAGE}`, ExitCode.usage);
  }
}

/** One partition's leader (broker id, -1 for none) and the address the metadata advertises for it. */
async function partitionLeader(brokers: string[], auth: KafkaAuthOptions, topic: string, partition: number): Promise<Partition & { address: string | null }> {
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  const kafka = new Kafka({ clientId: 'hatui-admin', brokers, logLevel: logLevel.NOTHING, logCreator: () => () => undefined, connectionTimeout: 1000, requestTimeout: 2000, retry: { retries: 2, initialRetryTime: 100 }, ...auth });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [cluster, { topics }] = await Promise.all([admin.describeCluster(), admin.fetchTopicMetadata({ topics: [topic] })]);
    const p = topics[0]?.partitions.find((x) => x.partitionId === partition);
    if (!p) throw new Error(`no partition ${topic}-${partition}`);
    const broker = cluster.brokers.find((b) => b.nodeId === p.leader);
    return { topic, partition, leader: p.leader, address: broker ? `${broker.host}:${broker.port}` : null, replicas: p.replicas, isr: p.isr };
  } finally {
    await admin.disconnect();
  }
}

/** Sends one record to the partition with acks=-1; its offset once all in-sync replicas have it. */
async function produceCheck(brokers: string[], auth: KafkaAuthOptions, topic: string, partition: number): Promise<string> {
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  const kafka = new Kafka({ clientId: 'hatui-admin', brokers, logLevel: logLevel.NOTHING, logCreator: () => () => undefined, connectionTimeout: 1000, requestTimeout: 5000, retry: { retries: 3, initialRetryTime: 100 }, ...auth });
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
  await producer.connect();
  try {
    const [answer] = await producer.send({ topic, acks: -1, messages: [{ partition, key: 'hatui-check', value: new Date().toISOString() }] });
    return answer?.baseOffset ?? '';
  } finally {
    await producer.disconnect();
  }
}

/** ElectLeaders v1 {election_type 0 (preferred), topic_partitions null (all), timeout_ms} to the first broker that answers. */
async function electPreferred(brokers: string[], auth: KafkaAuthOptions): Promise<{ topic: string; partition: number }[]> {
  const { openKafkaConnection } = await import('../adapters/probes/kafka.js');
  const [encoder, decoder] = await Promise.all([
    // @ts-expect-error kafkajs's internals ship without type declarations
    import('kafkajs/src/protocol/encoder.js'),
    // @ts-expect-error kafkajs's internals ship without type declarations
    import('kafkajs/src/protocol/decoder.js'),
  ]);
  const Encoder = encoder.default;
  const Decoder = decoder.default;
  const failures: string[] = [];
  for (const address of brokers) {
    const closers: (() => Promise<unknown>)[] = [];
    try {
      const { conn, versions } = await openKafkaConnection(address, auth, (close) => closers.push(close), { clientId: 'hatui-admin' });
      const range = versions[43];
      if (!range || range.minVersion > 1 || range.maxVersion < 1) throw new HatuiError(`admin kafka: broker ${address} does not offer ElectLeaders v1 (Kafka 2.4+ does)`, ExitCode.failed);
      const request = { apiKey: 43, apiVersion: 1, apiName: 'ElectLeaders', encode: async () => new Encoder().writeInt8(0).writeInt32(-1).writeInt32(30_000) };
      type Row = { partition: number; errorCode: number; message: string | null };
      const response = {
        decode: async (raw: Buffer) => {
          const d = new Decoder(raw);
          d.readInt32(); // throttle_time_ms
          const errorCode = d.readInt16();
          const results = d.readArray((t: any) => ({ topic: t.readString() as string, partitions: t.readArray((p: any): Row => ({ partition: p.readInt32(), errorCode: p.readInt16(), message: p.readString() })) as Row[] }));
          return { errorCode, results: results as { topic: string; partitions: Row[] }[] };
        },
        parse: async (data: unknown) => data,
      };
      const answer = (await conn.send({ request, response })) as unknown as { errorCode: number; results: { topic: string; partitions: Row[] }[] };
      if (answer.errorCode !== 0) throw new HatuiError(`admin kafka: ElectLeaders refused by ${address}: error code ${answer.errorCode}`, ExitCode.failed);
      const bad = answer.results.flatMap((t) => t.partitions.filter((p) => p.errorCode !== 0 && p.errorCode !== 84).map((p) => `${t.topic}-${p.partition}: ${p.message ?? `error ${p.errorCode}`}`));
      if (bad.length > 0) throw new HatuiError(`admin kafka: preferred leader election failed for ${bad.join(', ')}`, ExitCode.failed);
      return answer.results.flatMap((t) => t.partitions.filter((p) => p.errorCode === 0).map((p) => ({ topic: t.topic, partition: p.partition })));
    } catch (error) {
      if (error instanceof HatuiError) throw error;
      failures.push(`${address}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      for (const close of closers) await close().catch(() => undefined);
    }
  }
  throw new HatuiError(`admin kafka: no broker answered (${failures.join('; ')})`, ExitCode.failed);
}

function num(raw: string | boolean | undefined, fallback: number): number {
  if (raw === undefined || typeof raw === 'boolean') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new HatuiError(`admin kafka: '${raw}' is not a number of seconds`, ExitCode.usage);
  return n;
}
