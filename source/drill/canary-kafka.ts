// Kafka canary: a plain kafkajs producer (not idempotent, not transactional) sending one record at a
// time with acks=-1 (all in-sync replicas) to one partition of the canary topic, so the drill measures
// the one partition whose leader the fault takes away. kafkajs's own retries are off (retries: 0): each
// failed send is recorded as an error and the loop sends the next seq, so counts are honest; kafkajs still
// refreshes its metadata after a connection error or NOT_LEADER_FOR_PARTITION, which is how the producer
// finds the new leader. Read-back: the partition's leader (from the metadata), a Fetch from the log end
// offset seen at start up to the high watermark through kafkajs's own connection and codec; the records
// of this run carry its key and `<run>:<seq>` values.
import { randomUUID } from 'node:crypto';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import type { KafkaAuthOptions } from '../adapters/probes/client-auth.js';
import { openKafkaConnection } from '../adapters/probes/kafka.js';
import { canaryHandle, canaryRecorder, errorMessage as message, retryFor, writeLoop, writePacer, type Canary } from './canary.js';
import { drillClock, type DrillClock } from './clock.js';

export interface KafkaCanaryOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  /** Canary topic (it must exist: the canary does not create topics); default `hatui-canary`. */
  topic?: string;
  /** Partition written to (default 0). */
  partition?: number;
  auth?: KafkaAuthOptions;
  /** A send not acknowledged within this fails (default 2 000 ms; also the produce request's timeout). */
  requestTimeoutMs?: number;
  reconnectMs?: number;
  /** Upper bound on sends per second (default 500). */
  maxRate?: number;
  clock?: DrillClock;
}

export const CANARY_TOPIC = 'hatui-canary';

type KafkaJs = typeof import('kafkajs');

async function kafkajs(): Promise<KafkaJs> {
  return (await import('kafkajs')).default as unknown as KafkaJs; // CommonJS: its exports are the default
}

export async function startKafkaCanary(options: KafkaCanaryOptions): Promise<Canary> {
  if (options.brokers.length === 0) throw new HatuiError('canary: no Kafka brokers given', ExitCode.usage);
  const clock = options.clock ?? drillClock();
  const topic = options.topic ?? CANARY_TOPIC;
  const partition = options.partition ?? 0;
  const timeout = options.requestTimeoutMs ?? 2000;
  const run = randomUUID();
  const target = `Kafka ${options.brokers.join(',')} topic ${topic} partition ${partition} (acks=-1)`;
  const { Kafka, logLevel } = await kafkajs();
  const kafka = new Kafka({
    clientId: 'hatui-canary',
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
    logCreator: () => () => undefined,
    connectionTimeout: 1000,
    requestTimeout: timeout,
    retry: { retries: 0 },
    ...(options.auth ?? {}),
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false, retry: { retries: 0 } });
  const admin = kafka.admin({ retry: { retries: 3, initialRetryTime: 100 } });
  let startOffset: bigint;
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    const own = offsets.find((o) => o.partition === partition);
    if (!own) throw new Error(`topic ${topic} has no partition ${partition}`);
    startOffset = BigInt(own.high);
    await producer.connect();
  } catch (error) {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    throw new HatuiError(`canary: cannot produce to Kafka ${options.brokers.join(',')} topic ${topic}: ${message(error)}`, ExitCode.failed);
  }

  const record = canaryRecorder('kafka', 1, clock);
  const writes = writeLoop(record, (seq) => producer.send({ topic, acks: -1, timeout, messages: [{ partition, key: run, value: `${run}:${seq}` }] }), {
    pace: writePacer(clock, options.maxRate ?? 500),
    retryMs: options.reconnectMs ?? 20,
  });
  const stopAll = () => writes.stop();
  return canaryHandle(target, record, {
    stop: stopAll,
    verify: () =>
      retryFor(
        () => readBack(admin, options.auth ?? {}, topic, partition, startOffset, run),
        (error) => new HatuiError(`canary: cannot read back ${topic}-${partition} from Kafka ${options.brokers.join(',')}: ${message(error)}`, ExitCode.failed),
      ),
    async close() {
      await stopAll();
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    },
  });
}

type Admin = ReturnType<InstanceType<KafkaJs['Kafka']>['admin']>;

/** The seqs of run `run` in the partition from `from` to the high watermark, read from its leader. */
async function readBack(admin: Admin, auth: KafkaAuthOptions, topic: string, partition: number, from: bigint, run: string): Promise<number[]> {
  const [{ topics }, cluster] = await Promise.all([admin.fetchTopicMetadata({ topics: [topic] }), admin.describeCluster()]);
  const leader = topics[0]?.partitions.find((p) => p.partitionId === partition)?.leader;
  const broker = cluster.brokers.find((b) => b.nodeId === leader);
  if (!broker) throw new Error(`${topic}-${partition} has no leader now`);
  let close: () => Promise<unknown> = async () => undefined;
  const { conn, versions, defs, lookup } = await openKafkaConnection(`${broker.host}:${broker.port}`, auth, (c) => (close = c), { clientId: 'hatui-canary' });
  try {
    const seqs: number[] = [];
    const prefix = `${run}:`;
    for (let offset = from; ; ) {
      const fetch = lookup(versions)(1 /* Fetch */, defs.Fetch)({
        replicaId: -1,
        maxWaitTime: 0,
        minBytes: 1,
        maxBytes: 4 * 1024 * 1024,
        isolationLevel: 0,
        topics: [{ topic, partitions: [{ partition, fetchOffset: offset.toString(), maxBytes: 4 * 1024 * 1024 }] }],
      });
      const answer = (await conn.send(fetch)) as { responses: { partitions: { highWatermark: string; messages: { offset: string; value: Buffer | null }[] }[] }[] };
      const p = answer.responses[0]?.partitions[0];
      if (!p) throw new Error('empty fetch answer');
      const hw = BigInt(p.highWatermark);
      let next = offset;
      for (const m of p.messages) {
        const at = BigInt(m.offset);
        if (at < offset) continue; // a batch is returned whole: records before the fetch offset
        next = at + 1n;
        const value = m.value?.toString('utf8') ?? '';
        if (value.startsWith(prefix)) seqs.push(Number(value.slice(prefix.length)));
      }
      if (next >= hw) return seqs;
      if (next === offset) throw new Error(`fetch at ${offset} returned nothing below the high watermark ${hw}`);
      offset = next;
    }
  } finally {
    await close().catch(() => undefined);
  }
}
