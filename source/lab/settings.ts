// Lab settings: where the lab lives, which ports it uses, and the Patroni DCS knobs.
// Every port is derived from one base (HATUI_LAB_PORT_BASE) so several labs (demo, tests, dev labs)
// can run side by side on one machine without colliding; docs/lab.md has the table.
import { createHash } from 'node:crypto';
import { ExitCode, HatuiError } from '../core/exit-codes.js';

export const labParts = ['etcd', 'pg', 'haproxy', 'redis', 'sshd', 'rediscluster', 'monitoring', 'region-b'] as const;
export type LabPart = (typeof labParts)[number];
/**
 * Parts `lab up` starts only when named (`lab up rediscluster monitoring`, `--regions 2` for region B), so
 * other lab users do not pay for them.
 */
export const optionalParts: readonly LabPart[] = ['rediscluster', 'monitoring', 'region-b'];
/** What `lab up` starts when no part is named. */
export const defaultLabParts: readonly LabPart[] = labParts.filter((p) => !optionalParts.includes(p));

/** Region B (DR, docs/lab.md): its own etcd, a two-member Patroni standby cluster, a Redis replica, bind9. */
export const regionBNodes = ['etcd-b', 'pgb1', 'pgb2', 'redis-b', 'dns'] as const;
export type RegionBNode = (typeof regionBNodes)[number];
export const pgbNodes = ['pgb1', 'pgb2'] as const;
export type PgbNode = (typeof pgbNodes)[number];

export const labNodes = [
  'etcd1',
  'etcd2',
  'etcd3',
  'pg1',
  'pg2',
  'pg3',
  'haproxy',
  'redis1',
  'redis2',
  'redis3',
  'sentinel1',
  'sentinel2',
  'sentinel3',
  'sshd',
  'sshd-jump',
  'rc1',
  'rc2',
  'rc3',
  'rc4',
  'rc5',
  'rc6',
  'prometheus',
  'alertmanager',
  'redis-exporter',
  'pg-exporter1',
  'pg-exporter2',
  'pg-exporter3',
  ...regionBNodes,
] as const;
export type LabNode = (typeof labNodes)[number];

export const etcdNodes = ['etcd1', 'etcd2', 'etcd3'] as const;
export const pgNodes = ['pg1', 'pg2', 'pg3'] as const;
export const redisNodes = ['redis1', 'redis2', 'redis3'] as const;
export const sentinelNodes = ['sentinel1', 'sentinel2', 'sentinel3'] as const;
/** Redis Cluster nodes: rc1–rc3 get the slots (masters), rc4–rc6 replicate them (`--cluster-replicas 1`). */
export const redisClusterNodes = ['rc1', 'rc2', 'rc3', 'rc4', 'rc5', 'rc6'] as const;
export type RedisClusterNode = (typeof redisClusterNodes)[number];
/** One postgres exporter per PostgreSQL member (postgres_exporter 0.11 has no multi-target /probe). */
export const pgExporterNodes = ['pg-exporter1', 'pg-exporter2', 'pg-exporter3'] as const;
export type PgExporterNode = (typeof pgExporterNodes)[number];
export type EtcdNode = (typeof etcdNodes)[number];
export type PgNode = (typeof pgNodes)[number];
export type RedisNode = (typeof redisNodes)[number];
export type SentinelNode = (typeof sentinelNodes)[number];

/** Which nodes make up each part, in start order. */
export const partNodes: Record<LabPart, readonly LabNode[]> = {
  etcd: etcdNodes,
  pg: pgNodes,
  haproxy: ['haproxy'],
  redis: [...redisNodes, ...sentinelNodes],
  sshd: ['sshd', 'sshd-jump'],
  rediscluster: redisClusterNodes,
  // Exporters first, Alertmanager before the Prometheus that sends to it.
  monitoring: [...pgExporterNodes, 'redis-exporter', 'alertmanager', 'prometheus'],
  'region-b': regionBNodes,
};

/** Parts a part needs running first (Patroni needs its DCS; HAProxy's health needs a Patroni leader). */
export const partDependencies: Record<LabPart, readonly LabPart[]> = {
  etcd: [],
  pg: ['etcd'],
  haproxy: ['pg'],
  redis: [],
  sshd: [],
  rediscluster: [],
  monitoring: ['pg', 'redis'],
  'region-b': ['pg', 'haproxy', 'redis'],
};

export function partOf(node: LabNode): LabPart {
  for (const part of labParts) if (partNodes[part].includes(node)) return part;
  throw new Error(`no part for ${node}`);
}

export interface LabPorts {
  /** etcd1's client and peer ports (the first member; `etcd` has every member's). */
  etcdClient: number;
  etcdPeer: number;
  etcd: Record<EtcdNode, { client: number; peer: number }>;
  pg: Record<PgNode, number>;
  patroni: Record<PgNode, number>;
  haproxyRw: number;
  haproxyRo: number;
  haproxyStats: number;
  redis: Record<RedisNode, number>;
  sentinel: Record<SentinelNode, number>;
  sshd: number;
  sshdJump: number;
  redisCluster: Record<RedisClusterNode, number>;
  /** Cluster bus ports, set explicitly (`cluster-port`): port+10000 would leave the lab's range. */
  redisClusterBus: Record<RedisClusterNode, number>;
  prometheus: number;
  alertmanager: number;
  redisExporter: number;
  pgExporter: Record<PgExporterNode, number>;
  regionB: RegionBPorts;
}

export interface RegionBPorts {
  etcdClient: number;
  etcdPeer: number;
  pg: Record<PgbNode, number>;
  patroni: Record<PgbNode, number>;
  redis: number;
  /** bind9, UDP and TCP */
  dns: number;
}

/** Patroni DCS timing knobs (bootstrap.dcs). Keep retry_timeout >= 2 (LAB-FACTS gotcha 7). */
export interface DcsKnobs {
  ttl: number;
  loopWait: number;
  retryTimeout: number;
  synchronousMode: boolean;
  failsafeMode: boolean;
}

export interface LabSettings {
  /** Lab directory (must be traversable by the postgres user). */
  dir: string;
  portBase: number;
  ports: LabPorts;
  dcs: DcsKnobs;
  /** Patroni scope (DCS namespace /service/<scope>) */
  scope: string;
  /** Redis Sentinel master name. */
  masterName: string;
  /** cgroup v2 directory holding one child cgroup per node. */
  cgroupRoot: string;
}

export const DEFAULT_LAB_DIR = '/var/tmp/hatui-lab';
export const DEFAULT_PORT_BASE = 55000;
export const CGROUP2_MOUNT = '/sys/fs/cgroup/unified';
/** Ports a lab may use from its base (base..base+LAB_PORT_SPAN-1); offsets below are allocated inside it. */
export const LAB_PORT_SPAN = 200;

/**
 * Offsets from the port base; documented in docs/lab.md. Ranges kept free for parts being added:
 * 2–9 more etcd members, 70–99 region B (DR), 100–159 Redis Cluster and the stateful doubles,
 * 160–189 monitoring (Prometheus, Alertmanager, exporters).
 */
export const PORT_OFFSETS = {
  etcdClient: 0,
  etcdPeer: 1,
  /** etcd2 at 2/3, etcd3 at 4/5 (client/peer). */
  etcdMembers: [0, 2, 4],
  pg: 10,
  patroni: 20,
  haproxyRw: 30,
  haproxyRo: 31,
  haproxyStats: 32,
  redis: 40,
  sentinel: 50,
  sshd: 60,
  sshdJump: 61,
  redisCluster: 100,
  redisClusterBus: 110,
  prometheus: 160,
  alertmanager: 161,
  redisExporter: 162,
  pgExporter: 163,
  regionB: { etcdClient: 70, etcdPeer: 71, pg: 72, patroni: 74, redis: 76, dns: 77 },
} as const;

export function labPorts(base: number): LabPorts {
  // (named for the three-node parts; the Redis Cluster has six)
  const three = <K extends string>(names: readonly K[], offset: number) =>
    Object.fromEntries(names.map((n, i) => [n, base + offset + i])) as Record<K, number>;
  return {
    etcdClient: base + PORT_OFFSETS.etcdClient,
    etcdPeer: base + PORT_OFFSETS.etcdPeer,
    etcd: Object.fromEntries(etcdNodes.map((n, i) => [n, { client: base + PORT_OFFSETS.etcdMembers[i]!, peer: base + PORT_OFFSETS.etcdMembers[i]! + 1 }])) as LabPorts['etcd'],
    pg: three(pgNodes, PORT_OFFSETS.pg),
    patroni: three(pgNodes, PORT_OFFSETS.patroni),
    haproxyRw: base + PORT_OFFSETS.haproxyRw,
    haproxyRo: base + PORT_OFFSETS.haproxyRo,
    haproxyStats: base + PORT_OFFSETS.haproxyStats,
    redis: three(redisNodes, PORT_OFFSETS.redis),
    sentinel: three(sentinelNodes, PORT_OFFSETS.sentinel),
    sshd: base + PORT_OFFSETS.sshd,
    sshdJump: base + PORT_OFFSETS.sshdJump,
    redisCluster: three(redisClusterNodes, PORT_OFFSETS.redisCluster),
    redisClusterBus: three(redisClusterNodes, PORT_OFFSETS.redisClusterBus),
    prometheus: base + PORT_OFFSETS.prometheus,
    alertmanager: base + PORT_OFFSETS.alertmanager,
    redisExporter: base + PORT_OFFSETS.redisExporter,
    pgExporter: three(pgExporterNodes, PORT_OFFSETS.pgExporter),
    regionB: {
      etcdClient: base + PORT_OFFSETS.regionB.etcdClient,
      etcdPeer: base + PORT_OFFSETS.regionB.etcdPeer,
      pg: three(pgbNodes, PORT_OFFSETS.regionB.pg),
      patroni: three(pgbNodes, PORT_OFFSETS.regionB.patroni),
      redis: base + PORT_OFFSETS.regionB.redis,
      dns: base + PORT_OFFSETS.regionB.dns,
    },
  };
}

/** Client `host:port` of every etcd member, in member order (Patroni, patronictl and the inventory list all). */
export function etcdClientAddresses(settings: LabSettings): string[] {
  return etcdNodes.map((n) => `127.0.0.1:${settings.ports.etcd[n].client}`);
}

/** The TCP ports a node listens on (first = its main port). */
export function nodePorts(settings: LabSettings, node: LabNode): number[] {
  const p = settings.ports;
  switch (node) {
    case 'etcd1':
    case 'etcd2':
    case 'etcd3':
      return [p.etcd[node].client, p.etcd[node].peer];
    case 'pg1':
    case 'pg2':
    case 'pg3':
      return [p.patroni[node], p.pg[node]];
    case 'haproxy':
      return [p.haproxyRw, p.haproxyRo, p.haproxyStats];
    case 'redis1':
    case 'redis2':
    case 'redis3':
      return [p.redis[node]];
    case 'sentinel1':
    case 'sentinel2':
    case 'sentinel3':
      return [p.sentinel[node]];
    case 'sshd':
      return [p.sshd];
    case 'sshd-jump':
      return [p.sshdJump];
    case 'rc1':
    case 'rc2':
    case 'rc3':
    case 'rc4':
    case 'rc5':
    case 'rc6':
      return [p.redisCluster[node], p.redisClusterBus[node]];
    case 'prometheus':
      return [p.prometheus];
    case 'alertmanager':
      return [p.alertmanager];
    case 'redis-exporter':
      return [p.redisExporter];
    case 'pg-exporter1':
    case 'pg-exporter2':
    case 'pg-exporter3':
      return [p.pgExporter[node]];
    case 'etcd-b':
      return [p.regionB.etcdClient, p.regionB.etcdPeer];
    case 'pgb1':
    case 'pgb2':
      return [p.regionB.patroni[node], p.regionB.pg[node]];
    case 'redis-b':
      return [p.regionB.redis];
    case 'dns':
      return [p.regionB.dns];
  }
}

function intEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new HatuiError(`${name}=${raw}: expected an integer from ${min} to ${max}`, ExitCode.usage);
  }
  return value;
}

function boolEnv(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new HatuiError(`${name}=${raw}: expected true or false`, ExitCode.usage);
}

/**
 * Reads the lab settings from the environment:
 * HATUI_LAB_DIR (default /var/tmp/hatui-lab), HATUI_LAB_PORT_BASE (default 55000; ports base..base+LAB_PORT_SPAN-1),
 * HATUI_LAB_TTL (10), HATUI_LAB_LOOP_WAIT (2), HATUI_LAB_RETRY_TIMEOUT (4, at least 2),
 * HATUI_LAB_SYNCHRONOUS_MODE (false), HATUI_LAB_FAILSAFE_MODE (false).
 */
export function labSettings(env: NodeJS.ProcessEnv = process.env, overrides: Partial<DcsKnobs> = {}): LabSettings {
  const dirRaw = env.HATUI_LAB_DIR && env.HATUI_LAB_DIR !== '' ? env.HATUI_LAB_DIR : DEFAULT_LAB_DIR;
  if (!dirRaw.startsWith('/')) throw new HatuiError(`HATUI_LAB_DIR=${dirRaw}: must be an absolute path`, ExitCode.usage);
  const dir = dirRaw.replace(/\/+$/, '') || '/';
  if (dir === '/') throw new HatuiError('HATUI_LAB_DIR=/: refusing to use / as the lab directory', ExitCode.usage);
  const portBase = intEnv(env, 'HATUI_LAB_PORT_BASE', DEFAULT_PORT_BASE, 1024, 65535 - LAB_PORT_SPAN);
  const dcs: DcsKnobs = {
    ttl: intEnv(env, 'HATUI_LAB_TTL', 10, 2, 3600),
    loopWait: intEnv(env, 'HATUI_LAB_LOOP_WAIT', 2, 1, 3600),
    retryTimeout: intEnv(env, 'HATUI_LAB_RETRY_TIMEOUT', 4, 1, 3600),
    synchronousMode: boolEnv(env, 'HATUI_LAB_SYNCHRONOUS_MODE', false),
    failsafeMode: boolEnv(env, 'HATUI_LAB_FAILSAFE_MODE', false),
    ...overrides,
  };
  if (dcs.retryTimeout < 2) {
    throw new HatuiError(
      `retry_timeout ${dcs.retryTimeout}: Patroni 3.0.2 with etcd3 loses its leader for minutes below 2 (LAB-FACTS gotcha 7); use 2 or more`,
      ExitCode.usage,
    );
  }
  const tag = createHash('sha256').update(`${dir}\0${portBase}`).digest('hex').slice(0, 8);
  return {
    dir,
    portBase,
    ports: labPorts(portBase),
    dcs,
    scope: 'hatui-lab',
    masterName: 'hatui-lab',
    cgroupRoot: `${CGROUP2_MOUNT}/hatui-lab-${portBase}-${tag}`,
  };
}

/** Files the lab writes, all under settings.dir. */
export function labPaths(settings: LabSettings) {
  const d = settings.dir;
  return {
    dir: d,
    inventory: `${d}/inventory.yaml`,
    events: `${d}/events.jsonl`,
    state: `${d}/lab.json`,
    run: `${d}/run`,
    logs: `${d}/logs`,
    secrets: `${d}/secrets`,
    pgSuperuserPassword: `${d}/secrets/pg-superuser.password`,
    pgReplicationPassword: `${d}/secrets/pg-replication.password`,
    /** Redis `requirepass`/`masterauth` and Sentinel `requirepass`/`auth-pass`: one password for every lab Redis. */
    redisPassword: `${d}/secrets/redis.password`,
    /** bind9 TSIG key (`key "<name>" { algorithm …; secret …; };`) that may update the DR zone */
    dnsTsigKey: `${d}/secrets/dns-tsig.key`,
    /** Region A's WAL archive (archive_command writes, region B's restore_command reads) */
    walArchive: `${d}/wal-archive`,
    /** Region B's WAL archive once it is promoted (region A's restore_command reads it on failback) */
    walArchiveB: `${d}/wal-archive-b`,
    patronictlConfigB: `${d}/patronictl-b.yaml`,
    ssh: `${d}/ssh`,
    knownHosts: `${d}/ssh/known_hosts`,
    clientKey: `${d}/ssh/id_ed25519`,
    authorizedKeys: `${d}/ssh/authorized_keys`,
    patronictlConfig: `${d}/patronictl.yaml`,
    nodeDir: (node: LabNode) => `${d}/${node}`,
    pidFile: (node: LabNode) => `${d}/run/${node}.pid`,
    log: (node: LabNode) => `${d}/logs/${node}.log`,
    cgroup: (node: LabNode) => `${settings.cgroupRoot}/${node}`,
  };
}
export type LabPathsT = ReturnType<typeof labPaths>;
