// Pure parts of the lab: settings from the environment, the ports table, configs, the inventory shape.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { inventorySchema } from '../../source/core/inventory/model.js';
import { parseDuration, formatStatus } from '../../source/commands/lab.js';
import { etcdArgv, haproxyConfig, patroniConfig, redisConfig, sentinelConfig, sshdConfig, withRedisAuth } from '../../source/lab/configs.js';
import { labInventory, labInventoryYaml } from '../../source/lab/inventory.js';
import { parseRanges } from '../../source/lab/ports.js';
import { parseResp } from '../../source/lab/resp.js';
import { parseResp as probeParseResp } from '../../source/adapters/probes/resp.js';
import { expandParts } from '../../source/lab/up.js';
import { LAB_PORT_SPAN, labNodes, labSettings, nodePorts } from '../../source/lab/index.js';
import { labPaths } from '../../source/lab/settings.js';

describe('labSettings', () => {
  it('defaults to /var/tmp/hatui-lab and base 55000 with the documented offsets', () => {
    const s = labSettings({});
    expect(s.dir).toBe('/var/tmp/hatui-lab');
    expect(s.portBase).toBe(55000);
    expect(s.ports).toMatchObject({
      etcdClient: 55000,
      etcdPeer: 55001,
      pg: { pg1: 55010, pg2: 55011, pg3: 55012 },
      patroni: { pg1: 55020, pg2: 55021, pg3: 55022 },
      haproxyRw: 55030,
      haproxyRo: 55031,
      haproxyStats: 55032,
      redis: { redis1: 55040, redis2: 55041, redis3: 55042 },
      sentinel: { sentinel1: 55050, sentinel2: 55051, sentinel3: 55052 },
      sshd: 55060,
      sshdJump: 55061,
    });
    expect(s.dcs).toEqual({ ttl: 10, loopWait: 2, retryTimeout: 4, synchronousMode: false, failsafeMode: false });
  });

  it('gives every node distinct ports within base..base+LAB_PORT_SPAN-1', () => {
    const s = labSettings({ HATUI_LAB_PORT_BASE: '57000' });
    const ports = labNodes.flatMap((n) => nodePorts(s, n));
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports.every((p) => p >= 57000 && p < 57000 + LAB_PORT_SPAN)).toBe(true);
  });

  it('reads the DCS knobs and refuses retry_timeout below 2 and bad values, naming them', () => {
    const s = labSettings({ HATUI_LAB_TTL: '5', HATUI_LAB_LOOP_WAIT: '1', HATUI_LAB_RETRY_TIMEOUT: '2', HATUI_LAB_SYNCHRONOUS_MODE: 'true', HATUI_LAB_FAILSAFE_MODE: 'yes' });
    expect(s.dcs).toEqual({ ttl: 5, loopWait: 1, retryTimeout: 2, synchronousMode: true, failsafeMode: true });
    expect(() => labSettings({ HATUI_LAB_RETRY_TIMEOUT: '1' })).toThrow(/gotcha 7/);
    expect(() => labSettings({ HATUI_LAB_PORT_BASE: 'abc' })).toThrow(/HATUI_LAB_PORT_BASE=abc/);
    expect(() => labSettings({ HATUI_LAB_DIR: 'relative/dir' })).toThrow(/absolute/);
    expect(() => labSettings({ HATUI_LAB_SYNCHRONOUS_MODE: 'maybe' })).toThrow(/true or false/);
  });

  it('puts labs with different dirs or bases in different cgroups', () => {
    const a = labSettings({ HATUI_LAB_DIR: '/tmp/a' });
    const b = labSettings({ HATUI_LAB_DIR: '/tmp/b' });
    expect(a.cgroupRoot).not.toBe(b.cgroupRoot);
    expect(a.cgroupRoot.startsWith('/sys/fs/cgroup/unified/hatui-lab-55000-')).toBe(true);
  });
});

describe('lab configs', () => {
  const s = labSettings({ HATUI_LAB_PORT_BASE: '57000', HATUI_LAB_DIR: '/tmp/x', HATUI_LAB_SYNCHRONOUS_MODE: '1' });

  it('writes a Patroni config with the etcd3 section, the knobs and the WAL sizes', () => {
    const config = parse(patroniConfig(s, 'pg2', { superuser: 'su', replication: 're' }));
    expect(config.etcd3).toEqual({ hosts: ['127.0.0.1:57000', '127.0.0.1:57002', '127.0.0.1:57004'] });
    expect(config.etcd).toBeUndefined();
    expect(config.bootstrap.dcs).toMatchObject({ ttl: 10, loop_wait: 2, retry_timeout: 4, synchronous_mode: true, failsafe_mode: false });
    expect(config.bootstrap.dcs.postgresql.parameters).toMatchObject({ max_wal_size: '256MB', wal_keep_size: '512MB' });
    expect(config.postgresql).toMatchObject({ listen: '127.0.0.1:57011', data_dir: '/tmp/x/pg2/data', parameters: { unix_socket_directories: '/tmp/x/pg2/run' } });
    expect(config.restapi.listen).toBe('127.0.0.1:57021');
  });

  it('checks HAProxy rw on /primary and ro on /replica with the measured timings', () => {
    const cfg = haproxyConfig(s);
    expect(cfg).toMatch(/listen pg_rw\n  bind 127\.0\.0\.1:57030\n  option httpchk GET \/primary/);
    expect(cfg).toMatch(/listen pg_ro\n  bind 127\.0\.0\.1:57031\n  balance roundrobin\n  option httpchk GET \/replica/);
    expect(cfg.match(/inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions/g)).toHaveLength(2);
    expect(cfg).toContain('server pg3 127.0.0.1:57012 check port 57022');
  });

  it('monitors hatui-lab with quorum 2 and the measured Sentinel timings', () => {
    const conf = sentinelConfig(s, 'sentinel2', 'pw');
    expect(conf).toContain('port 57051');
    expect(conf).toContain('sentinel monitor hatui-lab 127.0.0.1 57040 2');
    expect(conf).toContain('sentinel down-after-milliseconds hatui-lab 1000');
    expect(conf).toContain('sentinel failover-timeout hatui-lab 5000');
    // The other two Sentinels and both replicas are named up front (no discovery rounds at start).
    expect(conf.match(/^sentinel known-sentinel hatui-lab 127\.0\.0\.1 5705[02] [0-9a-f]{40}$/gm)).toHaveLength(2);
    expect(conf.match(/^sentinel known-replica hatui-lab 127\.0\.0\.1 5704[12]$/gm)).toHaveLength(2);
    const ids = ['sentinel1', 'sentinel2', 'sentinel3'].map((n) => /^sentinel myid (\w+)$/m.exec(sentinelConfig(s, n as 'sentinel1', 'pw'))![1]);
    expect(new Set(ids).size).toBe(3);
    expect(sentinelConfig(s, 'sentinel1', 'pw')).toContain(ids[1]);
  });

  it('turns Redis auth on: requirepass + masterauth on nodes, requirepass + auth-pass on Sentinels', () => {
    const node = redisConfig(s, 'redis2', 'S3cr3t_pw');
    expect(node).toMatch(/^requirepass S3cr3t_pw$/m);
    expect(node).toMatch(/^masterauth S3cr3t_pw$/m);
    const sentinel = sentinelConfig(s, 'sentinel1', 'S3cr3t_pw');
    expect(sentinel).toMatch(/^requirepass S3cr3t_pw$/m);
    expect(sentinel).toMatch(/^sentinel auth-pass hatui-lab S3cr3t_pw$/m);
    // auth-pass must follow the monitor line that declares the master.
    expect(sentinel.indexOf('sentinel auth-pass')).toBeGreaterThan(sentinel.indexOf('sentinel monitor'));
    expect(labPaths(s).redisPassword).toBe('/tmp/x/secrets/redis.password');
  });

  it('brings the auth lines of a rewritten config up to date, keeping everything else', () => {
    // As Sentinel rewrites it: quoted values, generated comments; no auth yet (a lab dir from before auth).
    const rewritten = 'port 57050\nsentinel monitor hatui-lab 127.0.0.1 57041 2\nrequirepass "old"\nsentinel auth-pass hatui-lab old\n# Generated by CONFIG REWRITE\nsentinel current-epoch 3\n';
    const updated = withRedisAuth(rewritten, s, 'sentinel', 'new');
    expect(updated).not.toContain('old');
    expect(updated).toContain('sentinel monitor hatui-lab 127.0.0.1 57041 2\n');
    expect(updated).toContain('sentinel current-epoch 3\n');
    expect(updated.match(/^requirepass new$/gm)).toHaveLength(1);
    expect(updated.match(/^sentinel auth-pass hatui-lab new$/gm)).toHaveLength(1);
    expect(withRedisAuth(updated, s, 'sentinel', 'new')).toBe(updated);
    expect(withRedisAuth('port 1\nmasterauth x\n', s, 'redis', 'y')).toBe('port 1\nrequirepass y\nmasterauth y\n');
  });

  it('runs sshd key-only with UsePAM yes and the lab authorized_keys', () => {
    const conf = sshdConfig(s, 'sshd-jump');
    expect(conf).toContain('Port 57061');
    expect(conf).toContain('PasswordAuthentication no');
    expect(conf).toContain('UsePAM yes');
    expect(conf).toContain('AuthorizedKeysFile /tmp/x/ssh/authorized_keys');
  });
});

describe('lab inventory', () => {
  const s = labSettings({ HATUI_LAB_PORT_BASE: '57000', HATUI_LAB_DIR: '/tmp/x' });

  it('passes the inventory schema after a YAML round trip', () => {
    const inventory = inventorySchema.parse(parse(labInventoryYaml(s)));
    expect(inventory).toEqual(inventorySchema.parse(labInventory(s)));
    expect(inventory.environment).toBe('lab');
  });

  it('reaches every host over the lab sshd as postgres, with per-node tool env', () => {
    const inventory = labInventory(s);
    expect(Object.keys(inventory.hosts).sort()).toEqual(['dns', 'etcd1', 'etcd2', 'etcd3', 'haproxy', 'jump', 'pg1', 'pg2', 'pg3', 'pgb1', 'pgb2', 'redis-b', 'redis1', 'redis2', 'redis3']);
    for (const [name, host] of Object.entries(inventory.hosts)) {
      expect(host.address).toBe('127.0.0.1');
      expect(host.ssh).toMatchObject({ user: 'postgres', port: name === 'jump' ? 57061 : 57060, identityFile: '/tmp/x/ssh/id_ed25519', knownHosts: '/tmp/x/ssh/known_hosts' });
    }
    expect(inventory.hosts.pg2!.env).toMatchObject({ PGHOST: '/tmp/x/pg2/run', PGPORT: '57011', PATRONICTL_CONFIG_FILE: '/tmp/x/patronictl.yaml' });
    expect(inventory.hosts.redis3!.env).toMatchObject({ REDIS_PORT: '57042' });
    for (const n of ['etcd1', 'etcd2', 'etcd3']) {
      expect(inventory.hosts[n]!.env).toEqual({ ETCDCTL_API: '3', ETCDCTL_ENDPOINTS: 'http://127.0.0.1:57000,http://127.0.0.1:57002,http://127.0.0.1:57004' });
    }
  });

  it('region B up: its standby cluster pg-b follows pg (the panel shows its delay behind pg)', () => {
    const c = labInventory(s, { regionB: true }).clusters;
    expect(c['pg-b']).toMatchObject({ kind: 'patroni', scope: 'hatui-lab-b', standbyOf: 'pg' });
    expect(inventorySchema.parse(parse(labInventoryYaml(s, { regionB: true })))).toEqual(inventorySchema.parse(labInventory(s, { regionB: true })));
  });

  it('gives redis-cli the lab Redis password as secret env on region B\'s redis-b and DNS hosts too', () => {
    const hosts = labInventory(s).hosts;
    for (const name of ['redis1', 'redis-b', 'dns']) {
      expect(hosts[name]!.secretEnv).toEqual({ REDISCLI_AUTH: { file: '/tmp/x/secrets/redis.password' } });
      expect(JSON.stringify(hosts[name]!.env)).not.toContain('redis.password');
    }
  });

  it('names the clusters pg, haproxy, redis, etcd with endpoints, and credentials only as files', () => {
    const c = labInventory(s).clusters;
    expect(c.pg).toMatchObject({ kind: 'patroni', scope: 'hatui-lab' });
    expect(c.pg!.members.map((m) => m.endpoint)).toEqual(['http://127.0.0.1:57020', 'http://127.0.0.1:57021', 'http://127.0.0.1:57022']);
    expect(c.pg!.credentials).toEqual({ superuser: { file: '/tmp/x/secrets/pg-superuser.password' }, replication: { file: '/tmp/x/secrets/pg-replication.password' } });
    expect(c.haproxy).toMatchObject({ kind: 'haproxy', statsUrl: 'http://127.0.0.1:57032/;csv', backends: { readWrite: 'pg_rw', readOnly: 'pg_ro' }, endpoints: { rw: '127.0.0.1:57030', ro: '127.0.0.1:57031' } });
    expect(c.redis).toMatchObject({ kind: 'redis-sentinel', masterName: 'hatui-lab', sentinels: ['127.0.0.1:57050', '127.0.0.1:57051', '127.0.0.1:57052'] });
    expect(c.etcd).toMatchObject({ kind: 'etcd', endpoints: { client: 'http://127.0.0.1:57000' } });
    expect(c.etcd!.members.map((m) => m.endpoint)).toEqual(['127.0.0.1:57000', '127.0.0.1:57002', '127.0.0.1:57004']);
  });

  it('starts three etcd members that name each other, and Redis with RDB + AOF everysec', () => {
    const argv = etcdArgv(s, 'etcd2');
    expect(argv).toContain('--name=etcd2');
    expect(argv).toContain('--listen-client-urls=http://127.0.0.1:57002');
    expect(argv).toContain('--initial-cluster=etcd1=http://127.0.0.1:57001,etcd2=http://127.0.0.1:57003,etcd3=http://127.0.0.1:57005');
    expect(nodePorts(s, 'etcd3')).toEqual([57004, 57005]);
    const redis = redisConfig(s, 'redis2', 'pw');
    expect(redis).toMatch(/^appendonly yes$/m);
    expect(redis).toMatch(/^appendfsync everysec$/m);
    expect(redis).toMatch(/^save 900 1$/m);
    expect(redis).not.toMatch(/^save ""$/m);
  });
});

describe('lab helpers', () => {
  it('expands parts with their dependencies in start order', () => {
    expect(expandParts(['haproxy'])).toEqual(['etcd', 'pg', 'haproxy']);
    expect(expandParts(['sshd', 'redis'])).toEqual(['redis', 'sshd']);
    expect(expandParts(undefined)).toEqual(['etcd', 'pg', 'haproxy', 'redis', 'sshd']);
    // monitoring is optional: only when asked for, and then after what it scrapes.
    expect(expandParts(['monitoring'])).toEqual(['etcd', 'pg', 'redis', 'monitoring']);
  });

  it('parses --for durations and refuses nonsense', () => {
    expect(parseDuration('1s')).toBe(1000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(() => parseDuration('soon')).toThrow(/--for soon/);
    expect(() => parseDuration('0s')).toThrow(/more than 0/);
  });

  it('parses reserved port ranges and RESP replies', () => {
    expect(parseRanges('55000-55099,8080\n')).toEqual([[55000, 55099], [8080, 8080]]);
    expect(parseRanges('')).toEqual([]);
    const reply = parseResp(Buffer.from('*2\r\n$9\r\n127.0.0.1\r\n$5\r\n56040\r\n'));
    expect(reply?.value).toEqual(['127.0.0.1', '56040']);
    expect(parseResp(Buffer.from('$5\r\nab'))).toBeUndefined();
    // One RESP parser: the lab's health checks read replies with the probes' parser.
    expect(parseResp).toBe(probeParseResp);
  });

  it('formats status as one table row per node', () => {
    const text = formatStatus({
      dir: '/tmp/x',
      portBase: 57000,
      running: false,
      nodes: [{ node: 'pg1', part: 'pg', pid: null, ports: [57020, 57010], role: '', health: 'down', detail: '' }],
    });
    expect(text.split('\n')).toEqual(['lab /tmp/x (ports from 57000): nothing running', 'NODE  PID  PORTS        ROLE  HEALTH  DETAIL', 'pg1   -    57020,57010  -     down']);
  });
});
