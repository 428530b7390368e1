// The inventory → client library option mapping for MongoDB and Kafka (auth and TLS), table-driven.
import { describe, expect, it } from 'vitest';
import { kafkaAuthOptions, loginLabel, mongoAuthOptions, tlsMaterial } from '../../source/adapters/probes/client-auth.js';
import { clusterSchema, type Cluster } from '../../source/core/inventory/model.js';
import type { CredentialReader } from '../../source/core/secrets/credentials.js';

const files: Record<string, string> = { '/pki/ca.pem': 'CA PEM', '/pki/client.pem': 'CERT PEM', '/pki/client.key': 'KEY PEM', '/run/pw': 's3cret\n' };
const reader: CredentialReader = {
  env: { MONGO_PW: 'm0ngo' },
  readFile: (path) => {
    const text = files[path];
    if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
    return text;
  },
};
const cluster = (c: Record<string, unknown>): Cluster => clusterSchema.parse({ members: [], ...c });

describe('mongodb option mapping', () => {
  it('maps the admin credential to auth with SCRAM-SHA-256 and authSource admin by default', () => {
    expect(mongoAuthOptions('docs', cluster({ kind: 'mongodb', username: 'ops', credentials: { admin: { env: 'MONGO_PW' } } }), reader)).toEqual({
      auth: { username: 'ops', password: 'm0ngo' },
      authSource: 'admin',
      authMechanism: 'SCRAM-SHA-256',
    });
  });

  it('keeps an explicit authSource and mechanism, and maps tls files to ca/cert/key', () => {
    const c = cluster({ kind: 'mongodb', username: 'ops', authSource: 'ops_db', authMechanism: 'SCRAM-SHA-1', credentials: { admin: { file: '/run/pw' } }, tls: { ca: '/pki/ca.pem', cert: '/pki/client.pem', key: '/pki/client.key' } });
    expect(mongoAuthOptions('docs', c, reader)).toEqual({
      auth: { username: 'ops', password: 's3cret' },
      authSource: 'ops_db',
      authMechanism: 'SCRAM-SHA-1',
      tls: true,
      ca: 'CA PEM',
      cert: 'CERT PEM',
      key: 'KEY PEM',
    });
  });

  it('turns verification off only for tls.insecure, and passes nothing without auth or tls', () => {
    expect(mongoAuthOptions('docs', cluster({ kind: 'mongodb', tls: { insecure: true } }), reader)).toEqual({ tls: true, tlsAllowInvalidCertificates: true, tlsAllowInvalidHostnames: true });
    expect(mongoAuthOptions('docs', cluster({ kind: 'mongodb', tls: {} }), reader)).toEqual({ tls: true });
    expect(mongoAuthOptions('docs', cluster({ kind: 'mongodb' }), reader)).toEqual({});
  });

  it('names the inventory path of an unreadable file or credential', () => {
    expect(() => mongoAuthOptions('docs', cluster({ kind: 'mongodb', tls: { ca: '/pki/missing.pem' } }), reader)).toThrow("clusters.docs.tls.ca: cannot read /pki/missing.pem: ENOENT: no such file, open '/pki/missing.pem'");
    expect(() => mongoAuthOptions('docs', cluster({ kind: 'mongodb', username: 'ops', credentials: { admin: { env: 'UNSET' } } }), reader)).toThrow('clusters.docs.credentials.admin: environment variable UNSET is not set');
  });
});

describe('kafka option mapping', () => {
  it('maps the admin credential to SASL PLAIN by default, SCRAM when asked, and tls to ssl', () => {
    const plain = cluster({ kind: 'kafka', username: 'ops', credentials: { admin: { file: '/run/pw' } } });
    expect(kafkaAuthOptions('events', plain, reader)).toEqual({ sasl: { mechanism: 'plain', username: 'ops', password: 's3cret' } });
    const scram = cluster({ kind: 'kafka', username: 'ops', authMechanism: 'SCRAM-SHA-512', credentials: { admin: { file: '/run/pw' } }, tls: { ca: '/pki/ca.pem' } });
    expect(kafkaAuthOptions('events', scram, reader)).toEqual({ sasl: { mechanism: 'scram-sha-512', username: 'ops', password: 's3cret' }, ssl: { ca: 'CA PEM', rejectUnauthorized: true } });
    expect(kafkaAuthOptions('events', cluster({ kind: 'kafka', tls: { insecure: true } }), reader)).toEqual({ ssl: { rejectUnauthorized: false } });
  });

  it('describes the login for error messages without the password', () => {
    expect(loginLabel(cluster({ kind: 'kafka', username: 'ops', credentials: { admin: { file: '/run/pw' } } }))).toBe("user 'ops' (SASL PLAIN)");
    expect(loginLabel(cluster({ kind: 'mongodb', username: 'ops', credentials: { admin: { file: '/run/pw' } } }))).toBe("user 'ops' (SCRAM-SHA-256, authSource admin)");
    expect(loginLabel(cluster({ kind: 'kafka' }))).toBe('no credentials');
  });

  it('refuses a cert without its key in the schema', () => {
    expect(clusterSchema.safeParse({ kind: 'kafka', members: [], tls: { cert: '/pki/client.pem' } }).success).toBe(false);
    expect(tlsMaterial('x', undefined, reader)).toBeUndefined();
  });
});
