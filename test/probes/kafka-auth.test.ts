// The Kafka probe on a cluster with SASL and TLS: the real `kafkajs` admin client logs in with SASL/PLAIN
// (SaslHandshake + SaslAuthenticate) against the wire-level double (test/doubles/kafka-wire.ts), which
// hangs up on Metadata before a login, and connects over TLS with a certificate made at test time.
import { describe, expect, it, vi } from 'vitest';
import { kafkaStateSchema, type KafkaState } from '../../source/core/cluster-state.js';
import type { Cluster, Inventory } from '../../source/core/inventory/model.js';
import { snapshotClusters } from '../../source/services/live-deps.js';
import { KafkaClusterDouble, type KafkaClusterSpec } from '../doubles/kafka-wire.js';
import { cleanupAfterEach } from '../doubles/cleanup.js';
import { selfSignedCert } from '../doubles/tls-cert.js';
import { doubleInventory } from './double-inventory.js';

const later = cleanupAfterEach();

const USER = { username: 'hatui-probe', password: 'k@fka pass/é' };
const login: Partial<Cluster> = { username: USER.username, credentials: { admin: { env: 'HATUI_TEST_KAFKA_PASSWORD' } } };

async function cluster(spec: Partial<KafkaClusterSpec>, extra: Partial<Cluster>, leader = 1): Promise<{ kafka: KafkaClusterDouble; inventory: Inventory }> {
  const double = await KafkaClusterDouble.start({
    controller: 1,
    brokers: [{ nodeId: 1 }, { nodeId: 2 }],
    topics: [{ name: 'orders', partitions: [{ partition: 0, leader, replicas: [1, 2], isr: [1, 2] }] }],
    ...spec,
  });
  later(() => double.close());
  return { kafka: double, inventory: doubleInventory({ events: { kind: 'kafka', prefix: 'k', endpoints: double.addresses, extra } }) };
}

async function snapshot(inventory: Inventory): Promise<KafkaState> {
  return kafkaStateSchema.parse((await snapshotClusters(inventory, { timeoutMs: 3000 })).events);
}

describe('kafka probe with SASL/PLAIN required by the double', () => {
  it('logs in with the admin credential and reads the metadata', async () => {
    vi.stubEnv('HATUI_TEST_KAFKA_PASSWORD', USER.password);
    const { kafka, inventory } = await cluster({ sasl: USER }, login);
    const state = await snapshot(inventory);
    expect(state).toMatchObject({ controller: 1, partitions: 1, underReplicated: 0 });
    expect(state.brokers.every((b) => b.stale === null)).toBe(true);
    for (const logins of kafka.logins) expect(logins).toContain(`ok ${USER.username}`);
    expect(kafka.received[0]).toEqual(expect.arrayContaining(['SaslHandshake v1', 'SaslAuthenticate v1', 'Metadata v6']));
  });

  it('logs in on the raw metadata path too (a partition without a leader)', async () => {
    vi.stubEnv('HATUI_TEST_KAFKA_PASSWORD', USER.password);
    const { inventory } = await cluster({ sasl: USER }, login, -1);
    const state = await snapshot(inventory);
    expect(state).toMatchObject({ offline: 1 });
  });

  it('names host:port and the user when the password is wrong, and never shows the password', async () => {
    vi.stubEnv('HATUI_TEST_KAFKA_PASSWORD', 'not-the-password');
    const { kafka, inventory } = await cluster({ sasl: USER }, login);
    const state = await snapshot(inventory);
    expect(state.partitions).toBeNull();
    for (const [i, b] of state.brokers.entries()) {
      expect(b.stale?.error).toMatch(new RegExp(`^${kafka.addresses[i]}: login as user 'hatui-probe' \\(SASL PLAIN\\) refused: .*Invalid username or password`));
    }
    expect(JSON.stringify(state)).not.toContain('not-the-password');
    expect(kafka.logins[0]).toContain(`failed ${USER.username}`);
  });

  it('gets no metadata without credentials: the broker hangs up before a login', async () => {
    const { kafka, inventory } = await cluster({ sasl: USER }, {});
    const state = await snapshot(inventory);
    expect(state.partitions).toBeNull();
    expect(kafka.logins[0]).toEqual([]);
  });

  it('connects over TLS with the inventory CA, and fails without it', async () => {
    const cert = selfSignedCert();
    later(cert.remove);
    vi.stubEnv('HATUI_TEST_KAFKA_PASSWORD', USER.password);
    const { inventory } = await cluster({ sasl: USER, tls: { key: cert.key, cert: cert.cert } }, { ...login, tls: { ca: cert.certFile } });
    expect(await snapshot(inventory)).toMatchObject({ controller: 1, partitions: 1 });
    const untrusted = structuredClone(inventory);
    untrusted.clusters.events!.tls = {};
    const refused = await snapshot(untrusted);
    expect(refused.partitions).toBeNull();
    expect(refused.brokers[0]!.stale?.error).toMatch(/SELF_SIGNED|self[- ]signed/i);
  });
});
