// Region B's configuration text (pure functions of the settings): the standby cluster follows region A's
// HAProxy rw port and restores from region A's archive, region A archives there, redis-b is never promoted
// by Sentinel, the zone names both regions by SRV, and `lab up` leaves region B out unless asked.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { patroniConfig } from '../../source/lab/configs.js';
import { labPaths, labSettings, nodePorts, regionBNodes } from '../../source/lab/index.js';
import { DR_ZONE, namedConfig, patroniBConfig, redisBConfig, zoneFile } from '../../source/lab/region-b.js';
import { expandParts } from '../../source/lab/up.js';

const s = labSettings({ HATUI_LAB_PORT_BASE: '41600', HATUI_LAB_DIR: '/tmp/hatui-unit-region-b' });
const secrets = { superuser: 'su', replication: 'rep' };

describe('lab region B', () => {
  it('is started only when asked for, and uses offsets 70–77', () => {
    expect(expandParts(undefined)).not.toContain('region-b');
    expect(expandParts(['region-b'])).toEqual(['etcd', 'pg', 'haproxy', 'redis', 'region-b']);
    const ports = regionBNodes.flatMap((n) => nodePorts(s, n)).map((p) => p - s.portBase);
    expect(ports.sort((a, b) => a - b)).toEqual([70, 71, 72, 73, 74, 75, 76, 77]);
  });

  it('region A archives every WAL segment into the lab archive', () => {
    const a = parse(patroniConfig(s, 'pg1', secrets));
    const params = a.bootstrap.dcs.postgresql.parameters;
    expect(params.archive_mode).toBe('on');
    expect(params.archive_command).toBe(`test ! -f ${labPaths(s).walArchive}/%f && cp %p ${labPaths(s).walArchive}/%f`);
  });

  it('region B is a standby cluster of region A with its own scope and DCS', () => {
    const b = parse(patroniBConfig(s, 'pgb2', secrets));
    expect(b.scope).toBe('hatui-lab-b');
    expect(b.etcd3.hosts).toEqual([`127.0.0.1:${s.ports.regionB.etcdClient}`]);
    expect(b.bootstrap.dcs.standby_cluster).toEqual({
      host: '127.0.0.1',
      port: s.ports.haproxyRw,
      restore_command: `cp ${labPaths(s).walArchive}/%f %p`,
      create_replica_methods: ['basebackup'],
    });
    expect(b.postgresql.listen).toBe(`127.0.0.1:${s.ports.regionB.pg.pgb2}`);
    expect(b.restapi.listen).toBe(`127.0.0.1:${s.ports.regionB.patroni.pgb2}`);
    expect(b.postgresql.parameters.unix_socket_directories).toBe(`${labPaths(s).nodeDir('pgb2')}/run`);
  });

  it('redis-b follows the master it is given, is never promoted by Sentinel and uses the lab Redis password', () => {
    const conf = redisBConfig(s, s.ports.redis.redis2, 'pw-b64url');
    expect(conf).toMatch(new RegExp(`^replicaof 127\\.0\\.0\\.1 ${s.ports.redis.redis2}$`, 'm'));
    expect(conf).toMatch(/^replica-priority 0$/m);
    expect(conf).toMatch(/^requirepass pw-b64url$/m);
    expect(conf).toMatch(/^masterauth pw-b64url$/m);
  });

  it('the zone starts on region A (SRV names region and port, TTL 5) and takes TSIG-signed updates only', () => {
    const zone = zoneFile(s, s.ports.redis.redis1);
    expect(zone).toMatch(/^\$TTL 5$/m);
    expect(zone).toContain(`db IN SRV 0 0 ${s.ports.haproxyRw} a.${DR_ZONE}.`);
    expect(zone).toContain(`cache IN SRV 0 0 ${s.ports.redis.redis1} a.${DR_ZONE}.`);
    const named = namedConfig(s);
    expect(named).toContain(`listen-on port ${s.ports.regionB.dns} { 127.0.0.1; };`);
    expect(named).toContain('allow-update { key "hatui-lab-dr"; };');
    expect(named).toContain('recursion no;');
  });
});
