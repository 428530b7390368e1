// The Kafka and MongoDB canaries against the wire-level doubles (source/lab/doubles: NOT Kafka or
// MongoDB), started in-process on free ports: a kafkajs producer with acks=-1 and a Fetch read-back
// round-trip, a stopped broker moving the canary partition's leader while produces resume, and the
// MongoDB canary's w:majority writes across a stopped primary, none of the acknowledged ones lost.
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaClusterDouble } from '../../source/lab/doubles/kafka-wire.js';
import { MongoReplicaSetDouble } from '../../source/lab/doubles/mongo-wire.js';
import { canaryTopic } from '../../source/lab/doubles/lab-doubles.js';
import { startKafkaCanary } from '../../source/drill/canary-kafka.js';
import { startMongoCanary } from '../../source/drill/canary-mongodb.js';
import { sleep } from '../../source/drill/clock.js';
import { waitFor } from '../support/wait-for.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
});

async function kafkaDouble(): Promise<KafkaClusterDouble> {
  const k = await KafkaClusterDouble.start({ controller: 1, brokers: [{ nodeId: 1 }, { nodeId: 2 }, { nodeId: 3 }], topics: [canaryTopic()] });
  closers.push(() => k.close());
  return k;
}

describe('Kafka double: Produce, Fetch and ListOffsets for a kafkajs producer (acks=-1)', () => {
  it('stores acknowledged produces in the leader log and every in-sync replica; Fetch reads them back', async () => {
    const k = await kafkaDouble();
    const { Kafka, logLevel } = (await import('kafkajs')).default;
    const kafka = new Kafka({ clientId: 't', brokers: k.addresses, logLevel: logLevel.NOTHING, logCreator: () => () => undefined, retry: { retries: 0 } });
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    await producer.connect();
    closers.push(() => producer.disconnect());
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await producer.send({ topic: 'hatui-canary', acks: -1, messages: [{ partition: 0, value: `v${i}` }, { partition: 0, value: `w${i}` }] }));
    expect(answers.map((a) => a[0]!.baseOffset)).toEqual(['0', '2', '4', '6', '8']);
    expect(k.received[0]).toContain('Produce v3');
    for (const id of [1, 2, 3]) expect(k.logs.log('hatui-canary', 0, id).end).toBe(10n); // leader 1 and both followers
    const admin = kafka.admin();
    await admin.connect();
    closers.push(() => admin.disconnect());
    expect((await admin.fetchTopicOffsets('hatui-canary')).find((o) => o.partition === 0)).toMatchObject({ high: '10', low: '0' });
    // The canary's own read-back path: a fresh canary sees only its run's records.
    const canary = await startKafkaCanary({ brokers: k.addresses, maxRate: 200 });
    closers.push(() => canary.close());
    await waitFor(() => canary.acked() >= 20, 10_000);
    const log = await canary.stop();
    const present = await canary.verify();
    expect(present.length).toBeGreaterThanOrEqual(log.acks.length);
    expect(log.acks.map((a) => a.seq).every((s) => present.includes(s))).toBe(true);
    expect(k.received.flat()).toEqual(expect.arrayContaining(['Fetch v4', 'ListOffsets v2']));
  });

  it('a stopped leader broker: produces fail (connection, NOT_LEADER) until kafkajs refreshes metadata, then resume on the new leader with nothing acknowledged lost', async () => {
    const k = await kafkaDouble();
    const canary = await startKafkaCanary({ brokers: k.addresses, maxRate: 300 });
    closers.push(() => canary.close());
    await waitFor(() => canary.acked() >= 30, 10_000);
    expect(k.topics[0]!.partitions[0]!.leader).toBe(1);
    await k.stopBroker(0);
    const before = canary.acked();
    expect(k.topics[0]!.partitions[0]!.leader).toBe(2); // the next in-sync replica
    await waitFor(() => canary.acked() >= before + 30, 15_000);
    // Broker 1 back (in sync at once, its log caught up) and a preferred election: the leader moves back while the
    // producer's metadata still names broker 2, which answers NOT_LEADER_FOR_PARTITION until kafkajs refreshes.
    await k.startBroker(0);
    expect(k.logs.log('hatui-canary', 0, 1).end).toBe(k.logs.log('hatui-canary', 0, 2).end);
    expect(k.electPreferredLeaders()).toContainEqual({ topic: 'hatui-canary', partition: 0, from: 2, to: 1 });
    const back = canary.acked();
    await waitFor(() => canary.acked() >= back + 30, 15_000);
    const log = await canary.stop();
    const present = await canary.verify();
    const lost = log.acks.filter((a) => !present.includes(a.seq));
    expect(lost).toEqual([]);
    const messages = [...new Set(log.errors.map((e) => e.message))];
    // The stopped broker: the send in flight loses its connection, or the next one is refused, by timing.
    expect(messages.some((m) => /Closed connection|ECONNREFUSED/.test(m)), messages.join(' | ')).toBe(true);
    expect(messages).toContain('This server is not the leader for that topic-partition');
    expect(k.produced[1]!.some((line) => line.startsWith('hatui-canary-0 acks=-1 ok'))).toBe(true);
    expect(k.produced[1]!).toContain('hatui-canary-0 acks=-1 NOT_LEADER_FOR_PARTITION');
    // Two brokers down: ISR 1 of 3, below min.insync.replicas 2, so acks=-1 is refused (the canary ran with one down).
    await k.stopBroker(0);
    await k.stopBroker(1);
    expect(k.topics[0]!.partitions[0]).toMatchObject({ leader: 3, isr: [3] });
    const { Kafka, logLevel } = (await import('kafkajs')).default;
    const kafka = new Kafka({ clientId: 't', brokers: [k.addresses[2]!], logLevel: logLevel.NOTHING, logCreator: () => () => undefined, retry: { retries: 0 } });
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    closers.push(() => producer.disconnect());
    await expect(producer.send({ topic: 'hatui-canary', acks: -1, messages: [{ partition: 0, value: 'x' }] })).rejects.toThrow(/replicas/i);
    expect(k.produced[2]!.at(-1)).toMatch(/NOT_ENOUGH_REPLICAS/);
  });
});

describe('MongoDB double: the w:majority canary across a stopped primary', () => {
  it('counts acknowledged writes, finds the new primary, reads back every acknowledged one', async () => {
    const m = await MongoReplicaSetDouble.start('rs0', [{ state: 'PRIMARY' }, { state: 'SECONDARY', syncSource: 0 }, { state: 'SECONDARY', syncSource: 0 }]);
    closers.push(() => m.close());
    const canary = await startMongoCanary({ hosts: m.hosts, replicaSet: 'rs0', maxRate: 300 });
    closers.push(() => canary.close());
    await waitFor(() => canary.acked() >= 30, 10_000);
    await m.stop(0);
    const before = canary.acked();
    await waitFor(() => m.primaryIndex !== null && m.primaryIndex !== 0, 10_000);
    await waitFor(() => canary.acked() >= before + 30, 20_000);
    await sleep(100);
    const log = await canary.stop();
    const present = await canary.verify();
    expect(log.acks.filter((a) => !present.includes(a.seq))).toEqual([]);
    expect(log.errors.length).toBeGreaterThan(0);
    // The double acknowledged (w: majority, no writeConcernError) at least every write the canary counts as acknowledged.
    expect(m.acknowledged.majority).toBeGreaterThanOrEqual(log.acks.length);
    expect(Object.keys(m.acknowledged)).toEqual(['majority']);
  });
});
