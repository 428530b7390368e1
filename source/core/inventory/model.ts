// Inventory: which clusters exist, their hosts, how to reach them and where credentials come from.
// YAML on disk (see docs/inventory.md), validated with zod. Credentials are never inline: they name an
// environment variable or a file.
import { z } from 'zod';

const duration = z.union([z.string(), z.number()]);

export const credentialSourceSchema = z
  .object({
    env: z.string().optional(),
    file: z.string().optional(),
  })
  .strict()
  .refine((c) => Boolean(c.env) !== Boolean(c.file), { message: 'give exactly one of env or file' });

export const sshSettingsSchema = z
  .object({
    user: z.string().optional(),
    port: z.number().int().min(1).max(65535).optional(),
    identityFile: z.string().optional(),
    /** Use ssh-agent (SSH_AUTH_SOCK) instead of or besides an identity file. */
    agent: z.boolean().optional(),
    knownHosts: z.string().optional(),
    /** Inventory host name of a jump host (ProxyJump-style). */
    jump: z.string().optional(),
    connectTimeout: duration.optional(),
    keepaliveInterval: duration.optional(),
  })
  .strict();

export const hostSchema = z
  .object({
    address: z.string(),
    /** `ssh` (default) or `local` (run on this machine with execa). */
    transport: z.enum(['ssh', 'local']).default('ssh'),
    ssh: sshSettingsSchema.optional(),
    /** Environment exported (shell-quoted) before every command on this host, e.g. PGPORT. */
    env: z.record(z.string(), z.string()).optional(),
    /**
     * Secret environment for every command on this host (e.g. REDISCLI_AUTH), each from an env var or file
     * read by hatui: sent over the SSH channel's stdin, never on a command line or in the audit log.
     */
    secretEnv: z.record(z.string(), credentialSourceSchema).optional(),
  })
  .strict();

export const clusterKinds = ['patroni', 'haproxy', 'redis-sentinel', 'redis-cluster', 'mongodb', 'kafka', 'weaviate', 'etcd', 'dns'] as const;
export type ClusterKind = (typeof clusterKinds)[number];

export const memberSchema = z
  .object({
    name: z.string(),
    /** Inventory host the member runs on (for `host=<cluster>.<role>` selectors). */
    host: z.string(),
    /** Probe endpoint: Patroni REST URL, `host:port` for Redis/etcd/Mongo/Kafka, HTTP URL for Weaviate. */
    endpoint: z.string().optional(),
    port: z.number().int().optional(),
  })
  .strict();

/** TLS to the cluster's members (MongoDB, Kafka): PEM files read by hatui; `{}` verifies against the system CAs. */
export const tlsSettingsSchema = z
  .object({
    /** CA bundle the members' certificates must chain to. */
    ca: z.string().optional(),
    /** Client certificate and its key, for clusters that require one (mutual TLS). */
    cert: z.string().optional(),
    key: z.string().optional(),
    /** Skip certificate and host name verification: lab only, never on a real cluster. */
    insecure: z.boolean().optional(),
  })
  .strict()
  .refine((t) => Boolean(t.cert) === Boolean(t.key), { message: 'give both cert and key, or neither' });

export const authMechanisms = ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'SCRAM-SHA-512', 'PLAIN'] as const;

export const clusterSchema = z
  .object({
    kind: z.enum(clusterKinds),
    description: z.string().optional(),
    members: z.array(memberSchema).default([]),
    /** Redis Sentinel: monitored master name; Sentinel endpoints as `host:port`. */
    masterName: z.string().optional(),
    sentinels: z.array(z.string()).optional(),
    /** HAProxy: stats CSV URL and the backend names for read-write / read-only. */
    statsUrl: z.string().optional(),
    backends: z.object({ readWrite: z.string().optional(), readOnly: z.string().optional() }).strict().optional(),
    /** Client endpoints (e.g. HAProxy's rw/ro ports, etcd client URLs). */
    endpoints: z.record(z.string(), z.string()).optional(),
    /** Patroni scope / DCS namespace, etcd key prefix etc. */
    scope: z.string().optional(),
    namespace: z.string().optional(),
    /**
     * Patroni: show the leader's WAL archiver (pg_stat_archiver: last archived segment, its age, failures),
     * read over SQL as `username` (default postgres) with `credentials.monitor` or `credentials.superuser`.
     */
    walArchive: z.boolean().optional(),
    /** Patroni standby cluster: the inventory cluster it replicates from (its delay behind it is probed). */
    standbyOf: z.string().optional(),
    credentials: z.record(z.string(), credentialSourceSchema).optional(),
    /** MongoDB / Kafka: the user whose password is `credentials.admin`. */
    username: z.string().optional(),
    /** MongoDB: the database that holds the user (default `admin`). */
    authSource: z.string().optional(),
    /** SASL mechanism: MongoDB SCRAM-SHA-256 (default) or SCRAM-SHA-1; Kafka PLAIN (default), SCRAM-SHA-256 or SCRAM-SHA-512. */
    authMechanism: z.enum(authMechanisms).optional(),
    tls: tlsSettingsSchema.optional(),
    /** DNS: the names whose records the panel shows (members are the authoritative servers, `host:port`). */
    names: z.array(z.string()).optional(),
    /**
     * What serves this cluster when it is not the real server: `wire-level-double` for hatui's lab doubles
     * (source/lab/doubles; `hatui lab up --doubles` writes it). A drill on such a cluster says in its report
     * that it was measured on a wire-level double.
     */
    servedBy: z.enum(['wire-level-double']).optional(),
  })
  .strict();

/** Where alerts come from: the alerts panel and `hatui alerts` read Alertmanager's /api/v2/alerts. */
export const monitoringSchema = z
  .object({
    /** Alertmanager base URL, e.g. http://alertmanager.example:9093 */
    alertmanagerUrl: z.string().url(),
    /** Prometheus base URL (shown to the operator; optional). */
    prometheusUrl: z.string().url().optional(),
  })
  .strict();

export const inventorySchema = z
  .object({
    environment: z.enum(['lab', 'staging', 'production']),
    name: z.string().optional(),
    defaults: z
      .object({
        commandTimeout: duration.optional(),
        ssh: sshSettingsSchema.optional(),
      })
      .strict()
      .optional(),
    hosts: z.record(z.string(), hostSchema).default({}),
    clusters: z.record(z.string(), clusterSchema).default({}),
    /**
     * Operator locks for clusters without a coordination store of their own (haproxy, mongodb, kafka,
     * weaviate, redis-cluster): `store` names an etcd or redis-sentinel cluster of this inventory that every
     * operator's hatui reaches. Without it, `changes=` steps on those clusters are refused.
     */
    locks: z.object({ store: z.string() }).strict().optional(),
    monitoring: monitoringSchema.optional(),
  })
  .strict();

/** Cluster kinds that can keep operator locks (their own and, as `locks.store`, other clusters'). */
export const lockStoreKinds = ['patroni', 'etcd', 'redis-sentinel'] as const satisfies readonly ClusterKind[];
/** Kinds that may be named as the inventory's `locks.store`. */
export const sharedLockStoreKinds = ['etcd', 'redis-sentinel'] as const satisfies readonly ClusterKind[];

export type CredentialSource = z.infer<typeof credentialSourceSchema>;
export type TlsSettings = z.infer<typeof tlsSettingsSchema>;
export type SshSettings = z.infer<typeof sshSettingsSchema>;
export type InventoryHost = z.infer<typeof hostSchema>;
export type ClusterMember = z.infer<typeof memberSchema>;
export type Cluster = z.infer<typeof clusterSchema>;
export type Inventory = z.infer<typeof inventorySchema>;
export type Monitoring = z.infer<typeof monitoringSchema>;
