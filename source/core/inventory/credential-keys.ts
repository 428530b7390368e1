// Which credential key each kind's clients read: data, so the inventory check, the probes, the lock, the
// drill canaries and docs/inventory.md agree on one name. Redis (Sentinel or Cluster) has one password for
// data nodes and Sentinels alike (`requirepass`/`masterauth`, Sentinel `requirepass`/`auth-pass`).
import type { ClusterKind } from './model.js';

export const REDIS_AUTH_KEY = 'auth';
/** MongoDB (SCRAM) and Kafka (SASL/PLAIN): the password of the cluster's `username`. */
export const ADMIN_KEY = 'admin';
export const WEAVIATE_API_KEY = 'apiKey';

/** The only credential keys a kind accepts; kinds absent here (patroni, haproxy, etcd) accept any name. */
export const CREDENTIAL_KEYS: Partial<Record<ClusterKind, readonly string[]>> = {
  'redis-sentinel': [REDIS_AUTH_KEY],
  'redis-cluster': [REDIS_AUTH_KEY],
  mongodb: [ADMIN_KEY],
  kafka: [ADMIN_KEY],
  weaviate: [WEAVIATE_API_KEY],
};

/** The SASL mechanisms each kind's probe can use; the first is the default. */
export const AUTH_MECHANISMS: Partial<Record<ClusterKind, readonly string[]>> = {
  mongodb: ['SCRAM-SHA-256', 'SCRAM-SHA-1'],
  kafka: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
};
