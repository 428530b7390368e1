// The lab's own inventory (<dir>/inventory.yaml): every node reached over the lab sshd as postgres,
// with per-host env so patronictl, psql, redis-cli and etcdctl work as they would in production.
import { stringify } from 'yaml';
import type { Inventory, InventoryHost } from '../core/inventory/model.js';
import { doublePorts, doublesPid } from './doubles/lab-doubles.js';
import { findBin } from '../drill/hatui-path.js';
import { addRegionBHosts, regionBCluster, regionBDnsCluster } from './region-b-inventory.js';
import { runningPid } from './supervise.js';
import { etcdClientAddresses, etcdNodes, labPaths, partNodes, pgNodes, redisClusterNodes, redisNodes, sentinelNodes, type LabSettings } from './settings.js';

export interface LabInventoryOptions {
  /** List the Redis Cluster (part `rediscluster`, started only when asked). */
  redisCluster?: boolean;
  /** List the wire-level doubles' clusters (mongo, mongos, kafka, weaviate: `lab up --doubles`). */
  doubles?: boolean;
  /** List region B (part `region-b`, DR): its hosts and the standby cluster pg-b. */
  regionB?: boolean;
}

/** What runs now: the Redis Cluster part, the doubles' serving process. */
export function runningInventoryOptions(settings: LabSettings): LabInventoryOptions {
  return {
    redisCluster: partNodes.rediscluster.some((n) => runningPid(settings, n) !== null),
    doubles: doublesPid(settings) !== null,
    regionB: partNodes['region-b'].some((n) => runningPid(settings, n) !== null),
  };
}

/** The doubles' clusters and hosts (each described as the double it is, never as the real server). */
function doubleClusters(settings: LabSettings, host: (env: Record<string, string>) => InventoryHost): { hosts: Record<string, InventoryHost>; clusters: Inventory['clusters'] } {
  const p = doublePorts(settings);
  const hosts: Record<string, InventoryHost> = {};
  const members = (prefix: string, ports: number[], env: (port: number) => Record<string, string>, scheme = '') =>
    ports.map((port, i) => {
      hosts[`${prefix}${i + 1}`] = host(env(port));
      return { name: `${prefix}${i + 1}`, host: `${prefix}${i + 1}`, endpoint: `${scheme}127.0.0.1:${port}`, port };
    });
  const bootstrap = p.kafka.map((port) => `127.0.0.1:${port}`).join(',');
  // The runbooks for these clusters call `hatui admin …` on their hosts (over the lab's sshd): this installation's bin.
  const bin = findBin();
  const control = { HATUI_DOUBLES_CONTROL: `http://127.0.0.1:${p.control[0]}`, ...(bin ? { HATUI_BIN: bin } : {}) };
  return {
    hosts,
    clusters: {
      mongo: { kind: 'mongodb', description: 'MongoDB replica set rs0: a wire-level double (not MongoDB)', members: members('mongo', p.mongo, (port) => ({ MONGODB_URI: `mongodb://127.0.0.1:${port}/?replicaSet=rs0`, ...control })), servedBy: 'wire-level-double' },
      mongos: { kind: 'mongodb', description: 'MongoDB sharded cluster through mongos: a wire-level double (not mongos)', members: members('mongos', p.mongos, (port) => ({ MONGODB_URI: `mongodb://127.0.0.1:${port}/` })), servedBy: 'wire-level-double' },
      kafka: { kind: 'kafka', description: 'Kafka, 3 brokers: a wire-level double (not Kafka)', members: members('kafka', p.kafka, () => ({ KAFKA_BIN: '/opt/kafka/bin', KAFKA_BOOTSTRAP: bootstrap, KAFKA_CLIENT_CONFIG: '/dev/null', ...control })), servedBy: 'wire-level-double' },
      weaviate: { kind: 'weaviate', description: 'Weaviate, 3 nodes: a wire-level double (not Weaviate)', members: members('weaviate', p.weaviate, (port) => ({ WEAVIATE_URL: `http://127.0.0.1:${port}` }), 'http://'), servedBy: 'wire-level-double' },
    },
  };
}

/** opts.regionB: region B is (to be) running, so its standby cluster is a cluster the panels poll. */
export function labInventory(settings: LabSettings, opts: LabInventoryOptions = {}): Inventory {
  const p = settings.ports;
  const paths = labPaths(settings);
  const ssh = { user: 'postgres', port: p.sshd, identityFile: paths.clientKey, knownHosts: paths.knownHosts };
  const etcdUrls = etcdClientAddresses(settings).map((a) => `http://${a}`).join(',');
  const host = (env: Record<string, string>): InventoryHost => ({ address: '127.0.0.1', transport: 'ssh', ssh: { ...ssh }, env });
  const hosts: Record<string, InventoryHost> = {};
  for (const n of pgNodes) {
    hosts[n] = host({
      PATRONICTL_CONFIG_FILE: paths.patronictlConfig,
      PATRONI_URL: `http://127.0.0.1:${p.patroni[n]}`,
      PGHOST: `${paths.nodeDir(n)}/run`,
      PGPORT: String(p.pg[n]),
      PGUSER: 'postgres',
      PGDATABASE: 'postgres',
      PGDATA: `${paths.nodeDir(n)}/data`,
    });
  }
  // redis-cli reads REDISCLI_AUTH (for nodes and Sentinels alike): sent as secret env, never on a command line.
  const redisAuth = { file: paths.redisPassword };
  redisNodes.forEach((n, i) => {
    hosts[n] = {
      ...host({ REDIS_PORT: String(p.redis[n]), SENTINEL_PORT: String(p.sentinel[sentinelNodes[i]!]), REDIS_MASTER_NAME: settings.masterName }),
      secretEnv: { REDISCLI_AUTH: { ...redisAuth } },
    };
  });
  for (const n of etcdNodes) hosts[n] = host({ ETCDCTL_API: '3', ETCDCTL_ENDPOINTS: etcdUrls });
  hosts.haproxy = host({
    HAPROXY_STATS_URL: `http://127.0.0.1:${p.haproxyStats}/;csv`,
    HAPROXY_SOCKET: `${paths.nodeDir('haproxy')}/admin.sock`,
    HAPROXY_RW_PORT: String(p.haproxyRw),
    HAPROXY_RO_PORT: String(p.haproxyRo),
  });
  if (opts.redisCluster) for (const n of redisClusterNodes) hosts[n] = host({ REDIS_PORT: String(p.redisCluster[n]) });
  const doubles = opts.doubles ? doubleClusters(settings, host) : { hosts: {}, clusters: {} };
  Object.assign(hosts, doubles.hosts);
  addRegionBHosts(settings, hosts, host);
  hosts.jump = { address: '127.0.0.1', transport: 'ssh', ssh: { ...ssh, port: p.sshdJump }, env: {} };

  const inventory: Inventory = {
    environment: 'lab',
    name: `hatui lab (${paths.dir}, ports ${settings.portBase}+)`,
    defaults: { commandTimeout: '60s', ssh: { ...ssh } },
    hosts,
    // HAProxy has no coordination store of its own: its operator lock lives on the lab's etcd.
    locks: { store: 'etcd' },
    clusters: {
      pg: {
        kind: 'patroni',
        description: 'Patroni 3 + PostgreSQL 15, etcd3 DCS',
        scope: settings.scope,
        namespace: '/service/',
        members: pgNodes.map((n) => ({ name: n, host: n, endpoint: `http://127.0.0.1:${p.patroni[n]}`, port: p.pg[n] })),
        endpoints: { rw: `127.0.0.1:${p.haproxyRw}`, ro: `127.0.0.1:${p.haproxyRo}` },
        // Region A archives every WAL segment into the lab archive (region B restores from it): show the archiver.
        walArchive: true,
        credentials: {
          superuser: { file: paths.pgSuperuserPassword },
          replication: { file: paths.pgReplicationPassword },
        },
      },
      haproxy: {
        kind: 'haproxy',
        description: 'HAProxy: rw → Patroni /primary, ro → /replica',
        members: [{ name: 'haproxy', host: 'haproxy', endpoint: `127.0.0.1:${p.haproxyStats}`, port: p.haproxyStats }],
        statsUrl: `http://127.0.0.1:${p.haproxyStats}/;csv`,
        backends: { readWrite: 'pg_rw', readOnly: 'pg_ro' },
        endpoints: { rw: `127.0.0.1:${p.haproxyRw}`, ro: `127.0.0.1:${p.haproxyRo}` },
      },
      redis: {
        kind: 'redis-sentinel',
        description: 'Redis 7: 1 master, 2 replicas, 3 Sentinels (quorum 2)',
        masterName: settings.masterName,
        sentinels: sentinelNodes.map((s) => `127.0.0.1:${p.sentinel[s]}`),
        members: redisNodes.map((n) => ({ name: n, host: n, endpoint: `127.0.0.1:${p.redis[n]}`, port: p.redis[n] })),
        credentials: { auth: { ...redisAuth } },
      },
      etcd: {
        kind: 'etcd',
        description: 'etcd 3.4, three members (Patroni DCS, v3 API; quorum 2)',
        members: etcdNodes.map((n) => ({ name: n, host: n, endpoint: `127.0.0.1:${p.etcd[n].client}`, port: p.etcd[n].client })),
        // One URL (etcd1's): consumers that need every member read `members` (the probe) or ETCDCTL_ENDPOINTS.
        endpoints: { client: `http://127.0.0.1:${p.etcdClient}` },
        namespace: `/service/${settings.scope}/`,
      },
      ...(opts.redisCluster
        ? {
            rediscluster: {
              kind: 'redis-cluster' as const,
              description: 'Redis 7 Cluster: 3 masters + 3 replicas (--cluster-replicas 1), RDB + AOF',
              members: redisClusterNodes.map((n) => ({ name: n, host: n, endpoint: `127.0.0.1:${p.redisCluster[n]}`, port: p.redisCluster[n] })),
              credentials: { auth: { file: paths.redisPassword } },
            },
          }
        : {}),
      ...doubles.clusters,
    },
    // `hatui lab up monitoring` starts these; without it the alerts panel says Alertmanager is unreachable.
    monitoring: { alertmanagerUrl: `http://127.0.0.1:${p.alertmanager}`, prometheusUrl: `http://127.0.0.1:${p.prometheus}` },
  };
  if (opts.regionB) {
    inventory.clusters['pg-b'] = regionBCluster(settings);
    inventory.clusters.dns = regionBDnsCluster(settings);
  }
  return inventory;
}

export function labInventoryYaml(settings: LabSettings, opts: LabInventoryOptions = {}): string {
  return `# Written by \`hatui lab up\`; regenerated on every up. See docs/lab.md.\n${stringify(labInventory(settings, opts))}`;
}
