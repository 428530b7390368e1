// Region B's hosts in the lab inventory: the standby cluster members, redis-b and the DNS host (which
// also carries region A's entry points, so dr-activate can ask region A from outside it).
import type { Inventory, InventoryHost } from '../core/inventory/model.js';
import { DR_TSIG_KEY_NAME, DR_ZONE, regionBScope, restoreCommand } from './region-b.js';
import { labPaths, pgbNodes, pgNodes, type LabSettings } from './settings.js';

export function addRegionBHosts(settings: LabSettings, hosts: Record<string, InventoryHost>, host: (env: Record<string, string>) => InventoryHost): void {
  const p = settings.ports;
  const paths = labPaths(settings);
  for (const n of pgbNodes) {
    hosts[n] = host({
      PATRONICTL_CONFIG_FILE: paths.patronictlConfigB,
      PATRONI_URL: `http://127.0.0.1:${p.regionB.patroni[n]}`,
      PATRONI_URLS: pgbNodes.map((m) => `http://127.0.0.1:${p.regionB.patroni[m]}`).join(' '),
      PGHOST: `${paths.nodeDir(n)}/run`,
      PGPORT: String(p.regionB.pg[n]),
      PGUSER: 'postgres',
      PGDATABASE: 'postgres',
      PGDATA: `${paths.nodeDir(n)}/data`,
      // dr-failback makes region B a standby cluster again: what it follows and where it restores WAL from
      DR_UPSTREAM: `127.0.0.1:${p.haproxyRw}`,
      DR_STANDBY_RESTORE_COMMAND: restoreCommand(paths.walArchive),
    });
  }
  // dr-failback rebuilds region A as a standby cluster of region B (run from a region A member).
  for (const n of pgNodes) {
    Object.assign(hosts[n]!.env!, {
      PATRONI_URLS: pgNodes.map((m) => `http://127.0.0.1:${p.patroni[m]}`).join(' '),
      REGION_B_PATRONI_URLS: pgbNodes.map((m) => `http://127.0.0.1:${p.regionB.patroni[m]}`).join(' '),
      DR_STANDBY_RESTORE_COMMAND: restoreCommand(paths.walArchiveB),
    });
  }
  // redis-cli reads REDISCLI_AUTH (sent as secret env over the SSH channel, as region A's Redis hosts).
  const redisAuth = { REDISCLI_AUTH: { file: paths.redisPassword } };
  const regionASentinels = Object.values(p.sentinel).map((port) => `127.0.0.1:${port}`).join(' ');
  hosts['redis-b'] = {
    ...host({ REDIS_PORT: String(p.regionB.redis), REGION_A_SENTINELS: regionASentinels, REDIS_MASTER_NAME: settings.masterName }),
    secretEnv: { REDISCLI_AUTH: { ...redisAuth.REDISCLI_AUTH } },
  };
  hosts.dns = {
    ...host({
    DNS_SERVER: '127.0.0.1',
    DNS_PORT: String(p.regionB.dns),
    DR_ZONE,
    TSIG_KEY_NAME: DR_TSIG_KEY_NAME,
    REGION_A_PATRONI_URLS: pgNodes.map((n) => `http://127.0.0.1:${p.patroni[n]}`).join(' '),
    REDIS_B_PORT: String(p.regionB.redis),
    REGION_A_RW: `127.0.0.1:${p.haproxyRw}`,
    REGION_A_REDIS: Object.values(p.redis).map((port) => `127.0.0.1:${port}`).join(' '),
    REGION_A_SENTINELS: regionASentinels,
    REDIS_MASTER_NAME: settings.masterName,
    REGION_B_PATRONI_URLS: pgbNodes.map((m) => `http://127.0.0.1:${p.regionB.patroni[m]}`).join(' '),
    }),
    // the DNS host asks region A's and region B's Redis from outside region A (assess, verify)
    secretEnv: { REDISCLI_AUTH: { ...redisAuth.REDISCLI_AUTH } },
  };
}

/** Region B's standby cluster as a Patroni cluster of the inventory (the Patroni probe shows its standby leader). */
export function regionBCluster(settings: LabSettings): Inventory['clusters'][string] {
  const p = settings.ports.regionB;
  const paths = labPaths(settings);
  return {
    kind: 'patroni',
    description: 'Region B (DR): Patroni standby cluster following region A, etcd-b DCS',
    scope: regionBScope(settings),
    namespace: '/service/',
    standbyOf: 'pg',
    // Region B's own DCS: its operator lock (a DR drill, the activation) must not live in region A's etcd.
    endpoints: { dcs: `http://127.0.0.1:${p.etcdClient}` },
    members: pgbNodes.map((n) => ({ name: n, host: n, endpoint: `http://127.0.0.1:${p.patroni[n]}`, port: p.pg[n] })),
    credentials: { superuser: { file: paths.pgSuperuserPassword }, replication: { file: paths.pgReplicationPassword } },
  };
}

/** The DR zone's DNS server as an inventory cluster: the panel shows where db.<zone> and cache.<zone> point now. */
export function regionBDnsCluster(settings: LabSettings): Inventory['clusters'][string] {
  return {
    kind: 'dns',
    description: `DR names (zone ${DR_ZONE}, bind9 on 127.0.0.1:${settings.ports.regionB.dns}): db and cache, moved by dr-activate`,
    members: [{ name: 'dns', host: 'dns', endpoint: `127.0.0.1:${settings.ports.regionB.dns}` }],
    names: [`db.${DR_ZONE}`, `cache.${DR_ZONE}`],
  };
}
