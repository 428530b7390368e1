// hatui admin mongodb / kafka against the wire-level doubles (source/lab/doubles; NOT MongoDB or Kafka),
// in process: the same code the shipped runbooks call on a host.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run, summary } from '../../source/commands/admin.js';
import { KafkaClusterDouble } from '../../source/lab/doubles/kafka-wire.js';
import { MongoReplicaSetDouble } from '../../source/lab/doubles/mongo-wire.js';
import { cleanupAfterEach } from '../doubles/cleanup.js';

const later = cleanupAfterEach();

/** Runs `hatui admin <args>` in process; returns its exit code and the JSON lines it printed. */
async function admin(args: string[]): Promise<{ code: number; printed: unknown[] }> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
  try {
    const code = await run(args);
    return { code, printed: lines.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown) };
  } finally {
    spy.mockRestore();
  }
}
afterEach(() => vi.restoreAllMocks());

describe('summary of replSetGetStatus', () => {
  it('names the primary, counts healthy members and secondaries, and takes the largest lag; no primary gives -1', () => {
    const at = (s: number) => new Date(1_700_000_000_000 + s * 1000);
    const status = { set: 'rs0', members: [
      { name: 'a:1', stateStr: 'PRIMARY', health: 1, optimeDate: at(10) },
      { name: 'b:1', stateStr: 'SECONDARY', health: 1, optimeDate: at(7) },
      { name: 'c:1', stateStr: '(not reachable/healthy)', health: 0, optimeDate: at(0) },
    ] };
    expect(summary(status)).toEqual({ set: 'rs0', primary: 'a:1', healthy: 2, secondaries: 1, maxLagSeconds: 3 });
    expect(summary({ set: 'rs0', members: [{ name: 'b:1', stateStr: 'SECONDARY', health: 1 }] }).maxLagSeconds).toBe(-1);
  });
});

describe('hatui admin mongodb on the MongoDB double', () => {
  it('refuses to run without MONGODB_URI in the environment (never from the command line)', async () => {
    vi.stubEnv('MONGODB_URI', '');
    await expect(admin(['mongodb', 'status'])).rejects.toThrow(/\$MONGODB_URI is not set/);
  });

  it('steps down only the primary it was told about; a second call does nothing; wait-primary writes with w:majority', async () => {
    const mongo = await MongoReplicaSetDouble.start('rs0', [{ state: 'PRIMARY' }, { state: 'SECONDARY', syncSource: 0 }, { state: 'SECONDARY', syncSource: 0 }]);
    later(() => mongo.close());
    vi.stubEnv('MONGODB_URI', `mongodb://${mongo.hosts.join(',')}/?replicaSet=rs0`);
    const old = mongo.hosts[0]!;
    expect((await admin(['mongodb', 'status'])).printed).toEqual([{ set: 'rs0', primary: old, healthy: 3, secondaries: 2, maxLagSeconds: 0 }]);
    expect((await admin(['mongodb', 'step-down', '--expect-primary', old])).printed).toEqual([{ steppedDown: true, from: old }]);
    const waited = await admin(['mongodb', 'wait-primary', '--not', old, '--timeout-secs', '30', '--write', 'hatui.check']);
    const primary = (waited.printed[0] as { primary: string }).primary;
    expect(primary).not.toBe(old);
    expect(mongo.hosts).toContain(primary);
    expect(waited.printed[0]).toMatchObject({ wrote: true });
    expect(mongo.primaryIndex).not.toBe(0);
    const again = await admin(['mongodb', 'step-down', '--expect-primary', old]);
    expect(again.printed[0]).toMatchObject({ steppedDown: false, primary });
    expect(mongo.primaryIndex).toBe(mongo.hosts.indexOf(primary));
  });
});

describe('hatui admin kafka on the Kafka double', () => {
  it('lists under-replicated partitions while a broker is down and elects the preferred leaders once it is back', async () => {
    const partitions = Array.from({ length: 3 }, (_, i) => {
      const replicas = [0, 1, 2].map((k) => ((i + k) % 3) + 1);
      return { partition: i, leader: replicas[0]!, replicas, isr: [...replicas] };
    });
    const kafka = await KafkaClusterDouble.start({ controller: 1, brokers: [{ nodeId: 1 }, { nodeId: 2 }, { nodeId: 3 }], topics: [{ name: 'orders', partitions }], sasl: { username: 'ops', password: 'pw' } });
    later(() => kafka.close());
    vi.stubEnv('KAFKA_BOOTSTRAP', kafka.addresses.join(','));
    vi.stubEnv('KAFKA_SASL_USERNAME', 'ops');
    vi.stubEnv('KAFKA_SASL_PASSWORD', 'pw');
    await kafka.stopBroker(0);
    expect((await admin(['kafka', 'partitions'])).printed[0]).toMatchObject({ under_replicated: 3, unavailable: 0, brokers: [2, 3] });
    await kafka.startBroker(0);
    expect((await admin(['kafka', 'wait-isr', '--timeout-secs', '10', '--interval-secs', '0.1'])).printed).toEqual([{ under_replicated: 0 }]);
    const elected = await admin(['kafka', 'elect-leaders', '--preferred', '--all-topic-partitions']);
    expect(elected.printed[0]).toEqual({ elected: [{ topic: 'orders', partition: 0 }] });
    for (const p of kafka.topics[0]!.partitions) expect(p.leader).toBe(p.replicas[0]);
    expect((await admin(['kafka', 'elect-leaders', '--preferred', '--all-topic-partitions'])).printed[0]).toEqual({ elected: [] });
    expect(kafka.logins.flat()).toContain('ok ops');
  });
});
