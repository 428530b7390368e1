// What the MongoDB and Kafka client libraries get from the inventory: the `admin` credential with the
// cluster's `username` (SCRAM for MongoDB, SASL PLAIN/SCRAM for Kafka) and the `tls` settings (PEM files
// read through the credential reader). Pure given the reader, so the mapping is unit-tested; every
// unreadable file or credential throws naming its inventory path.
import { ADMIN_KEY, AUTH_MECHANISMS } from '../../core/inventory/credential-keys.js';
import type { Cluster, TlsSettings } from '../../core/inventory/model.js';
import { clusterCredential, CredentialError, type CredentialReader } from '../../core/secrets/credentials.js';

export interface TlsMaterial {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

/** The PEM texts of `tls` (undefined when the cluster has no `tls`). */
export function tlsMaterial(name: string, tls: TlsSettings | undefined, reader: CredentialReader): TlsMaterial | undefined {
  if (!tls) return undefined;
  const read = (key: 'ca' | 'cert' | 'key') => {
    const path = tls[key];
    if (path === undefined) return {};
    try {
      return { [key]: reader.readFile(path) };
    } catch (error) {
      throw new CredentialError(`clusters.${name}.tls.${key}: cannot read ${path}: ${(error as Error).message}`);
    }
  };
  return { ...read('ca'), ...read('cert'), ...read('key'), rejectUnauthorized: tls.insecure !== true };
}

function login(name: string, cluster: Cluster, reader: CredentialReader): { username: string; password: string; mechanism: string } | undefined {
  const password = clusterCredential(name, cluster, ADMIN_KEY, reader);
  if (password === undefined) return undefined;
  if (cluster.username === undefined) throw new CredentialError(`clusters.${name}: credentials.${ADMIN_KEY} needs username`);
  return { username: cluster.username, password, mechanism: cluster.authMechanism ?? AUTH_MECHANISMS[cluster.kind]![0]! };
}

/** MongoClient options for auth and TLS (the probe adds its timeouts and `directConnection`). */
export interface MongoAuthOptions {
  auth?: { username: string; password: string };
  authSource?: string;
  authMechanism?: 'SCRAM-SHA-256' | 'SCRAM-SHA-1';
  tls?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  tlsAllowInvalidCertificates?: boolean;
  tlsAllowInvalidHostnames?: boolean;
}

export function mongoAuthOptions(name: string, cluster: Cluster, reader: CredentialReader): MongoAuthOptions {
  const user = login(name, cluster, reader);
  const tls = tlsMaterial(name, cluster.tls, reader);
  return {
    ...(user
      ? { auth: { username: user.username, password: user.password }, authSource: cluster.authSource ?? 'admin', authMechanism: user.mechanism as 'SCRAM-SHA-256' | 'SCRAM-SHA-1' }
      : {}),
    ...(tls
      ? {
          tls: true,
          ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
          ...(tls.cert !== undefined ? { cert: tls.cert, key: tls.key } : {}),
          ...(tls.rejectUnauthorized ? {} : { tlsAllowInvalidCertificates: true, tlsAllowInvalidHostnames: true }),
        }
      : {}),
  };
}

/** kafkajs client config for auth and TLS. */
type KafkaLogin = { username: string; password: string };
export interface KafkaAuthOptions {
  sasl?: ({ mechanism: 'plain' } & KafkaLogin) | ({ mechanism: 'scram-sha-256' } & KafkaLogin) | ({ mechanism: 'scram-sha-512' } & KafkaLogin);
  ssl?: TlsMaterial;
}

export function kafkaAuthOptions(name: string, cluster: Cluster, reader: CredentialReader): KafkaAuthOptions {
  const user = login(name, cluster, reader);
  const tls = tlsMaterial(name, cluster.tls, reader);
  return {
    ...(user ? { sasl: { mechanism: user.mechanism.toLowerCase() as 'plain' | 'scram-sha-256' | 'scram-sha-512', username: user.username, password: user.password } as KafkaAuthOptions['sasl'] } : {}),
    ...(tls ? { ssl: tls } : {}),
  };
}

/** A short description for errors: who logged in how (never the password). */
export function loginLabel(cluster: Cluster): string {
  if (!cluster.credentials?.[ADMIN_KEY]) return 'no credentials';
  const mechanism = cluster.authMechanism ?? AUTH_MECHANISMS[cluster.kind]?.[0] ?? '?';
  return `user '${cluster.username ?? '?'}'${cluster.kind === 'mongodb' ? ` (${mechanism}, authSource ${cluster.authSource ?? 'admin'})` : ` (SASL ${mechanism})`}`;
}
