// The MongoDB probe on a cluster with auth and TLS: the real `mongodb` driver logs in with SCRAM-SHA-256
// against the wire-level double (test/doubles/mongo-wire.ts runs the SASL conversation server side and
// refuses replSetGetStatus before a login), and connects over TLS with a certificate made at test time.
import { describe, expect, it, vi } from 'vitest';
import { mongodbStateSchema, type MongodbState } from '../../source/core/cluster-state.js';
import type { Cluster, Inventory } from '../../source/core/inventory/model.js';
import { snapshotClusters } from '../../source/services/live-deps.js';
import { MongoReplicaSetDouble, type MongoDoubleOptions } from '../doubles/mongo-wire.js';
import { cleanupAfterEach } from '../doubles/cleanup.js';
import { selfSignedCert } from '../doubles/tls-cert.js';
import { doubleInventory } from './double-inventory.js';

const later = cleanupAfterEach();

const USER = { username: 'hatui-probe', password: 'p@ss w0rd/é' };

async function replicaSet(options: MongoDoubleOptions, extra: Partial<Cluster>): Promise<{ rs: MongoReplicaSetDouble; inventory: Inventory }> {
  const double = await MongoReplicaSetDouble.start('rs0', [{ state: 'PRIMARY' }, { state: 'SECONDARY', syncSource: 0 }], options);
  later(() => double.close());
  return { rs: double, inventory: doubleInventory({ docs: { kind: 'mongodb', prefix: 'm', endpoints: double.hosts, extra } }) };
}

async function snapshot(inventory: Inventory): Promise<MongodbState> {
  return mongodbStateSchema.parse((await snapshotClusters(inventory, { timeoutMs: 3000 })).docs);
}

const login: Partial<Cluster> = { username: USER.username, credentials: { admin: { env: 'HATUI_TEST_MONGO_PASSWORD' } } };

describe('mongodb probe with auth (SCRAM-SHA-256 required by the double)', () => {
  it('logs in with the admin credential and reads replSetGetStatus', async () => {
    vi.stubEnv('HATUI_TEST_MONGO_PASSWORD', USER.password);
    const { rs, inventory } = await replicaSet({ auth: USER }, login);
    const state = await snapshot(inventory);
    expect(state).toMatchObject({ view: 'replSetGetStatus', setName: 'rs0', primary: 'm1' });
    expect(state.members.every((m) => m.stale === null)).toBe(true);
    for (const logins of rs.logins) expect(logins).toContain(`ok ${USER.username}`);
    for (const received of rs.received) expect(received).toEqual(expect.arrayContaining(['saslStart', 'saslContinue', 'replSetGetStatus']));
  });

  it('names host:port, the user and the mechanism when the password is wrong, and never shows the password', async () => {
    vi.stubEnv('HATUI_TEST_MONGO_PASSWORD', 'not-the-password');
    const { rs, inventory } = await replicaSet({ auth: USER }, login);
    const state = await snapshot(inventory);
    expect(state.view).toBeNull();
    for (const [i, m] of state.members.entries()) {
      expect(m.stale?.error).toBe(`${rs.hosts[i]}: login as user 'hatui-probe' (SCRAM-SHA-256, authSource admin) refused: Authentication failed.`);
    }
    expect(JSON.stringify(state)).not.toContain('not-the-password');
    expect(rs.logins[0]).toContain(`failed ${USER.username}`);
  });

  it('without credentials sees only hello: the double refuses replSetGetStatus before a login', async () => {
    const { inventory } = await replicaSet({ auth: USER }, {});
    const state = await snapshot(inventory);
    expect(state).toMatchObject({ view: 'hello', primary: 'm1' });
  });

  it('refuses a mechanism other than SCRAM-SHA-256 (SCRAM-SHA-1 asked for), naming it', async () => {
    vi.stubEnv('HATUI_TEST_MONGO_PASSWORD', USER.password);
    const { rs, inventory } = await replicaSet({ auth: USER }, { ...login, authMechanism: 'SCRAM-SHA-1' });
    const state = await snapshot(inventory);
    expect(state.members[0]!.stale?.error).toMatch(new RegExp(`^${rs.hosts[0]}: login as user 'hatui-probe' \\(SCRAM-SHA-1, authSource admin\\) refused: .*SCRAM-SHA-1`));
  });

  it('connects over TLS with the inventory CA, and fails without it', async () => {
    const cert = selfSignedCert();
    later(cert.remove);
    vi.stubEnv('HATUI_TEST_MONGO_PASSWORD', USER.password);
    const { inventory } = await replicaSet({ auth: USER, tls: { key: cert.key, cert: cert.cert } }, { ...login, tls: { ca: cert.certFile } });
    expect(await snapshot(inventory)).toMatchObject({ view: 'replSetGetStatus', primary: 'm1' });

    const untrusted = structuredClone(inventory);
    untrusted.clusters.docs!.tls = {};
    const refused = await snapshot(untrusted);
    expect(refused.view).toBeNull();
    expect(refused.members[0]!.stale?.error).toMatch(/SELF_SIGNED|self[- ]signed/i);
  });
});
