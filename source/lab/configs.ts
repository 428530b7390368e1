// Configuration text for every lab daemon. Pure functions of the settings (and secrets passed in), so
// they are easy to read side by side and to test.
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { archiveCommand } from './region-b.js';
import { etcdClientAddresses, etcdNodes, labPaths, pgNodes, redisNodes, sentinelNodes, type EtcdNode, type LabSettings, type PgNode, type RedisClusterNode, type RedisNode, type SentinelNode } from './settings.js';

export const PG_BIN_DIR = '/usr/lib/postgresql/15/bin';
export const SCOPE_NAMESPACE = '/service/';

export interface PgSecrets {
  superuser: string;
  replication: string;
}

/**
 * One member of the lab's three-member etcd. `--initial-cluster*` only matter for the first start (an
 * existing data dir keeps its membership). Heartbeat/election are raised from 100/1000 ms so a busy
 * 2-core box does not make the members re-elect under load; still well inside Patroni's retry_timeout.
 */
export function etcdArgv(settings: LabSettings, node: EtcdNode = 'etcd1'): string[] {
  const ports = settings.ports.etcd;
  const client = `http://127.0.0.1:${ports[node].client}`;
  const peer = `http://127.0.0.1:${ports[node].peer}`;
  const cluster = etcdNodes.map((n) => `${n}=http://127.0.0.1:${ports[n].peer}`).join(',');
  return [
    '/usr/bin/etcd',
    `--name=${node}`,
    `--data-dir=${labPaths(settings).nodeDir(node)}/data`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=${cluster}`,
    '--initial-cluster-state=new',
    `--initial-cluster-token=hatui-lab-${settings.portBase}`,
    '--heartbeat-interval=200',
    '--election-timeout=2000',
    '--logger=zap',
    '--log-outputs=stderr',
  ];
}

export function patroniConfig(settings: LabSettings, node: PgNode, secrets: PgSecrets): string {
  const p = settings.ports;
  const nodeDir = labPaths(settings).nodeDir(node);
  const config = {
    scope: settings.scope,
    namespace: SCOPE_NAMESPACE,
    name: node,
    log: { level: 'INFO', format: '%(asctime)s %(levelname)s: %(message)s' },
    restapi: { listen: `127.0.0.1:${p.patroni[node]}`, connect_address: `127.0.0.1:${p.patroni[node]}` },
    etcd3: { hosts: etcdClientAddresses(settings) },
    bootstrap: {
      dcs: {
        ttl: settings.dcs.ttl,
        loop_wait: settings.dcs.loopWait,
        retry_timeout: settings.dcs.retryTimeout,
        maximum_lag_on_failover: 1048576,
        synchronous_mode: settings.dcs.synchronousMode,
        failsafe_mode: settings.dcs.failsafeMode,
        postgresql: {
          use_pg_rewind: true,
          use_slots: true,
          parameters: {
            max_wal_size: '256MB',
            wal_keep_size: '512MB',
            max_connections: 100,
            shared_buffers: '32MB',
            max_wal_senders: 10,
            max_replication_slots: 10,
            hot_standby: 'on',
            wal_level: 'replica',
            // Region A archives every WAL segment; region B's standby cluster restores from it (docs/lab.md).
            archive_mode: 'on',
            archive_command: archiveCommand(labPaths(settings).walArchive),
          },
        },
      },
      initdb: [{ encoding: 'UTF8' }, { locale: 'C' }],
    },
    postgresql: {
      listen: `127.0.0.1:${p.pg[node]}`,
      connect_address: `127.0.0.1:${p.pg[node]}`,
      data_dir: `${nodeDir}/data`,
      bin_dir: PG_BIN_DIR,
      pgpass: `${nodeDir}/pgpass`,
      use_unix_socket: true,
      authentication: {
        superuser: { username: 'postgres', password: secrets.superuser },
        replication: { username: 'replicator', password: secrets.replication },
      },
      parameters: { unix_socket_directories: `${nodeDir}/run` },
      pg_hba: [
        'local all all trust',
        'local replication all trust',
        'host all all 127.0.0.1/32 scram-sha-256',
        'host replication replicator 127.0.0.1/32 scram-sha-256',
      ],
      basebackup: [{ checkpoint: 'fast' }],
    },
    tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
  };
  return stringify(config);
}

/** What patronictl needs (world-readable, no secrets): PATRONICTL_CONFIG_FILE points here. */
export function patronictlConfig(settings: LabSettings): string {
  return stringify({ scope: settings.scope, namespace: SCOPE_NAMESPACE, etcd3: { hosts: etcdClientAddresses(settings) } });
}

// The second expect (Patroni's JSON body names the role) makes HAProxy read the whole response before it
// resets the check connection; on the status line alone it resets while Patroni still writes the body,
// and every check then logs a ConnectionResetError traceback in the Patroni log (~7 MB/hour per node).
export function haproxyConfig(settings: LabSettings): string {
  const p = settings.ports;
  const servers = (extra: string) =>
    pgNodes.map((n) => `  server ${n} 127.0.0.1:${p.pg[n]} check port ${p.patroni[n]}${extra}`).join('\n');
  return `# hatui lab HAProxy (generated; see docs/lab.md)
global
  maxconn 500
  stats socket ${labPaths(settings).nodeDir('haproxy')}/admin.sock user root group postgres mode 660 level admin

defaults
  mode tcp
  retries 2
  timeout connect 2s
  timeout client 30m
  timeout server 30m
  timeout check 1s

listen stats
  mode http
  bind 127.0.0.1:${p.haproxyStats}
  stats enable
  stats uri /
  stats refresh 5s

listen pg_rw
  bind 127.0.0.1:${p.haproxyRw}
  option httpchk GET /primary
  http-check expect status 200
  http-check expect rstring "role"
  default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
${servers(' maxconn 200')}

listen pg_ro
  bind 127.0.0.1:${p.haproxyRo}
  balance roundrobin
  option httpchk GET /replica
  http-check expect status 200
  http-check expect rstring "role"
  default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
${servers(' maxconn 200')}
`;
}

/**
 * The auth lines of a Redis node (`requirepass` for clients, `masterauth` for replicating from the master,
 * which may be any node after a failover) or of a Sentinel (`requirepass` for clients and the other
 * Sentinels, `sentinel auth-pass` for the monitored nodes). The password is base64url, so it needs no quoting.
 */
export function redisAuthLines(settings: LabSettings, role: 'redis' | 'sentinel', password: string): string {
  return role === 'redis'
    ? `requirepass ${password}\nmasterauth ${password}\n`
    : `requirepass ${password}\nsentinel auth-pass ${settings.masterName} ${password}\n`;
}

/**
 * A config (possibly rewritten by Sentinel or CONFIG REWRITE) with its auth lines replaced by the current
 * ones: a lab directory from before auth was on, or whose password file was replaced, gets them on the next up.
 */
export function withRedisAuth(config: string, settings: LabSettings, role: 'redis' | 'sentinel', password: string): string {
  const kept = config
    .split('\n')
    .filter((line) => !/^\s*(requirepass|masterauth|sentinel\s+auth-pass)\s/i.test(line))
    .join('\n');
  return `${kept.replace(/\n*$/, '\n')}${redisAuthLines(settings, role, password)}`;
}

export function redisConfig(settings: LabSettings, node: RedisNode, password: string): string {
  const port = settings.ports.redis[node];
  const replicaOf = node === 'redis1' ? '' : `replicaof 127.0.0.1 ${settings.ports.redis.redis1}\n`;
  return `# hatui lab Redis ${node} (generated once; Sentinel and CONFIG REWRITE may rewrite it)
bind 127.0.0.1
port ${port}
protected-mode no
daemonize no
logfile ""
dir ${labPaths(settings).nodeDir(node)}
# Persistence as the HA/DR guide configures it: RDB snapshots and an AOF fsynced every second.
save 900 1
save 300 10
save 60 10000
appendonly yes
appendfsync everysec
repl-diskless-sync yes
repl-diskless-sync-delay 0
${replicaOf}${redisAuthLines(settings, 'redis', password)}`;
}

/**
 * The guide's persistence settings (RDB + AOF), as `CONFIG GET` answers them: what the lab's Redis Cluster
 * nodes run and what `redis-persistence-check.md` compares every node with.
 */
export const GUIDE_REDIS_PERSISTENCE: Readonly<Record<string, string>> = {
  save: '900 1 300 10 60 10000',
  rdbcompression: 'yes',
  rdbchecksum: 'yes',
  dbfilename: 'dump.rdb',
  appendonly: 'yes',
  appendfilename: 'appendonly.aof',
  appendfsync: 'everysec',
  'no-appendfsync-on-rewrite': 'no',
  'auto-aof-rewrite-percentage': '100',
  'auto-aof-rewrite-min-size': '67108864',
  'aof-load-truncated': 'yes',
};

/** A Redis Cluster node as the guide configures one, with the guide's RDB/AOF settings and its password. */
export function redisClusterConfig(settings: LabSettings, node: RedisClusterNode, password: string): string {
  const dir = labPaths(settings).nodeDir(node);
  return `# hatui lab Redis Cluster node ${node} (generated once; CONFIG REWRITE may rewrite it)
bind 127.0.0.1
port ${settings.ports.redisCluster[node]}
cluster-port ${settings.ports.redisClusterBus[node]}
protected-mode no
daemonize no
logfile ""
dir ${dir}
cluster-enabled yes
cluster-config-file nodes.conf
cluster-node-timeout 5000
requirepass ${password}
masterauth ${password}
save 900 1
save 300 10
save 60 10000
rdbcompression yes
rdbchecksum yes
dbfilename dump.rdb
appendonly yes
appendfilename "appendonly.aof"
appendfsync everysec
no-appendfsync-on-rewrite no
auto-aof-rewrite-percentage 100
auto-aof-rewrite-min-size 64mb
aof-load-truncated yes
`;
}

/** A fixed Sentinel run id per lab and node, so each config can name the other two up front. */
export function sentinelId(settings: LabSettings, node: SentinelNode): string {
  return createHash('sha1').update(`hatui-lab-${settings.portBase}-${node}`).digest('hex');
}

export function sentinelConfig(settings: LabSettings, node: SentinelNode, password: string): string {
  const m = settings.masterName;
  // Naming the other Sentinels and the replicas saves the hello/INFO discovery rounds (up to ~10 s).
  const peers = sentinelNodes
    .filter((s) => s !== node)
    .map((s) => `sentinel known-sentinel ${m} 127.0.0.1 ${settings.ports.sentinel[s]} ${sentinelId(settings, s)}\n`)
    .join('');
  const replicas = redisNodes
    .filter((r) => r !== 'redis1')
    .map((r) => `sentinel known-replica ${m} 127.0.0.1 ${settings.ports.redis[r]}\n`)
    .join('');
  return `# hatui lab Sentinel ${node} (generated once; Sentinel rewrites it)
bind 127.0.0.1
port ${settings.ports.sentinel[node]}
protected-mode no
daemonize no
logfile ""
dir ${labPaths(settings).nodeDir(node)}
sentinel resolve-hostnames no
sentinel monitor ${m} 127.0.0.1 ${settings.ports.redis.redis1} 2
sentinel down-after-milliseconds ${m} 1000
sentinel failover-timeout ${m} 5000
sentinel parallel-syncs ${m} 1
sentinel myid ${sentinelId(settings, node)}
${redisAuthLines(settings, 'sentinel', password)}${peers}${replicas}`;
}

export function sshdConfig(settings: LabSettings, node: 'sshd' | 'sshd-jump'): string {
  const paths = labPaths(settings);
  const port = node === 'sshd' ? settings.ports.sshd : settings.ports.sshdJump;
  return `# hatui lab ${node} (generated): key-only, loopback, users postgres
Port ${port}
ListenAddress 127.0.0.1
HostKey ${paths.nodeDir(node)}/ssh_host_ed25519_key
PidFile none
AuthorizedKeysFile ${paths.authorizedKeys}
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM yes
StrictModes no
PermitRootLogin no
AllowUsers postgres
AllowTcpForwarding yes
X11Forwarding no
PrintMotd no
PrintLastLog no
MaxSessions 64
MaxStartups 64:30:128
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
LogLevel INFO
`;
}
