// Region B (DR) of the lab: its own etcd member (region B's DCS survives region A's loss), a two-member
// Patroni standby cluster replicating from region A's HAProxy rw port (and restoring from region A's WAL
// archive when streaming is cut), a Redis replica of region A's master, and bind9 serving the DR zone
// whose names (db., cache.) point at region A until dr-activate moves them. docs/lab.md has the layout.
import { execFileSync } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { patroniConfig, redisAuthLines, SCOPE_NAMESPACE, type PgSecrets } from './configs.js';
import { fetchJson, labRedisAuth, sentinelMasters, type Check, type PatroniView } from './health.js';
import { redisInfo } from './resp.js';
import { labPaths, pgbNodes, type LabSettings, type PgbNode, type RegionBNode } from './settings.js';

/** The DR zone bind9 serves; names are `db.<zone>` (PostgreSQL rw) and `cache.<zone>` (Redis master). */
export const DR_ZONE = 'dr.hatui-lab.test';
export const DR_TSIG_KEY_NAME = 'hatui-lab-dr';
export const DR_TTL = 5;
export const REGION_B_SCOPE_SUFFIX = '-b';

export function regionBScope(settings: LabSettings): string {
  return `${settings.scope}${REGION_B_SCOPE_SUFFIX}`;
}

/** Region A's archive_command / region B's restore_command (cp, as the guide's rsync on one host). */
export function archiveCommand(dir: string): string {
  return `test ! -f ${dir}/%f && cp %p ${dir}/%f`;
}
export function restoreCommand(dir: string): string {
  return `cp ${dir}/%f %p`;
}

export function etcdBArgv(settings: LabSettings): string[] {
  const { etcdClient, etcdPeer } = settings.ports.regionB;
  const client = `http://127.0.0.1:${etcdClient}`;
  const peer = `http://127.0.0.1:${etcdPeer}`;
  return [
    '/usr/bin/etcd',
    '--name=etcd-b',
    `--data-dir=${labPaths(settings).nodeDir('etcd-b')}/data`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=etcd-b=${peer}`,
    '--initial-cluster-state=new',
    `--initial-cluster-token=hatui-lab-b-${settings.portBase}`,
    '--logger=zap',
    '--log-outputs=stderr',
  ];
}

interface PatroniYaml {
  [key: string]: unknown;
  bootstrap: { dcs: { postgresql: { parameters: Record<string, unknown> } } & Record<string, unknown> };
  postgresql: Record<string, unknown> & { parameters: Record<string, unknown> };
}

/**
 * Region B's member config: region A's (same PostgreSQL settings, auth and pg_hba) with its own scope,
 * ports, DCS and a `standby_cluster` section following region A's HAProxy rw port.
 */
export function patroniBConfig(settings: LabSettings, node: PgbNode, secrets: PgSecrets): string {
  const p = settings.ports.regionB;
  const paths = labPaths(settings);
  const dir = paths.nodeDir(node);
  const config = parse(patroniConfig(settings, 'pg1', secrets)) as PatroniYaml;
  config.scope = regionBScope(settings);
  config.namespace = SCOPE_NAMESPACE;
  config.name = node;
  config.restapi = { listen: `127.0.0.1:${p.patroni[node]}`, connect_address: `127.0.0.1:${p.patroni[node]}` };
  delete config.etcd;
  config.etcd3 = { hosts: [`127.0.0.1:${p.etcdClient}`] };
  config.bootstrap.dcs.standby_cluster = {
    host: '127.0.0.1',
    port: settings.ports.haproxyRw,
    restore_command: restoreCommand(paths.walArchive),
    create_replica_methods: ['basebackup'],
  };
  // Once promoted, region B archives into its own directory (region A restores from it on failback).
  config.bootstrap.dcs.postgresql.parameters.archive_command = archiveCommand(paths.walArchiveB);
  Object.assign(config.postgresql, {
    listen: `127.0.0.1:${p.pg[node]}`,
    connect_address: `127.0.0.1:${p.pg[node]}`,
    data_dir: `${dir}/data`,
    pgpass: `${dir}/pgpass`,
  });
  config.postgresql.parameters = { ...config.postgresql.parameters, unix_socket_directories: `${dir}/run` };
  return stringify(config);
}

export function patronictlBConfig(settings: LabSettings): string {
  return stringify({ scope: regionBScope(settings), namespace: SCOPE_NAMESPACE, etcd3: { hosts: [`127.0.0.1:${settings.ports.regionB.etcdClient}`] } });
}

/**
 * redis-b: a replica of region A's current master. replica-priority 0: region A's Sentinels never
 * promote it (only dr-activate does, with REPLICAOF NO ONE). Same password as every lab Redis
 * (requirepass + masterauth, configs.ts redisAuthLines).
 */
export function redisBConfig(settings: LabSettings, masterPort: number, password: string): string {
  const auth = redisAuthLines(settings, 'redis', password);
  return `# hatui lab Redis redis-b, region B (generated once; CONFIG REWRITE may rewrite it)
bind 127.0.0.1
port ${settings.ports.regionB.redis}
protected-mode no
daemonize no
logfile ""
dir ${labPaths(settings).nodeDir('redis-b')}
save ""
appendonly no
replica-priority 0
replicaof 127.0.0.1 ${masterPort}
${auth}`;
}

/** The port of region A's Redis master as Sentinel sees it now (redis1 when the Sentinels do not agree). */
export async function regionAMasterPort(settings: LabSettings): Promise<number> {
  const masters = (await sentinelMasters(settings)).filter((m): m is string => Boolean(m));
  const first = masters[0];
  return first && masters.every((m) => m === first) ? Number(first.split(':')[1]) : settings.ports.redis.redis1;
}

export function namedConfig(settings: LabSettings): string {
  const paths = labPaths(settings);
  const dir = paths.nodeDir('dns');
  return `// hatui lab bind9, region-independent DNS for the DR zone (generated; see docs/lab.md)
options {
  directory "${dir}";
  pid-file none;
  session-keyfile "${dir}/session.key";
  managed-keys-directory "${dir}";
  listen-on port ${settings.ports.regionB.dns} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  allow-query { 127.0.0.0/8; };
  dnssec-validation no;
  notify no;
};
controls { };
include "${paths.dnsTsigKey}";
zone "${DR_ZONE}" {
  type primary;
  file "${dir}/db.${DR_ZONE}";
  allow-update { key "${DR_TSIG_KEY_NAME}"; };
};
`;
}

/** The zone as first written: both names on region A (HAProxy rw, the Redis master), TTL 5 s. */
export function zoneFile(settings: LabSettings, redisMasterPort: number): string {
  const z = `${DR_ZONE}.`;
  return `$ORIGIN ${z}
$TTL ${DR_TTL}
@ IN SOA ns.${z} hostmaster.${z} 1 60 60 3600 ${DR_TTL}
@ IN NS ns.${z}
ns IN A 127.0.0.1
; one address per region (everything is on loopback: the port in each SRV record tells the regions apart)
a IN A 127.0.0.1
b IN A 127.0.0.1
db IN A 127.0.0.1
db IN SRV 0 0 ${settings.ports.haproxyRw} a.${z}
cache IN A 127.0.0.1
cache IN SRV 0 0 ${redisMasterPort} a.${z}
`;
}

/** `key "hatui-lab-dr" { algorithm hmac-sha256; secret "…"; };` made once by tsig-keygen. */
export function ensureTsigKey(settings: LabSettings): void {
  const path = labPaths(settings).dnsTsigKey;
  if (existsSync(path)) return;
  const text = execFileSync('/usr/sbin/tsig-keygen', ['-a', 'hmac-sha256', DR_TSIG_KEY_NAME], { encoding: 'utf8' });
  writeFileSync(path, text, { mode: 0o600 });
}

/** The base64 secret of the lab TSIG key (for runbooks: HATUI_VAR_TSIG_SECRET). */
export function tsigSecret(settings: LabSettings): string {
  const text = readFileSync(labPaths(settings).dnsTsigKey, 'utf8');
  const m = /secret\s+"([^"]+)"/.exec(text);
  if (!m) throw new Error(`${labPaths(settings).dnsTsigKey}: no secret in the TSIG key file`);
  return m[1]!;
}

/** A resolver that asks only the lab's bind9 (never /etc/hosts or the system resolver). */
export function labResolver(settings: LabSettings, timeoutMs = 1000): Resolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  resolver.setServers([`127.0.0.1:${settings.ports.regionB.dns}`]);
  return resolver;
}

/** Where a DR name points now: the SRV target's region letter and port. */
export async function drNameTarget(settings: LabSettings, name: 'db' | 'cache'): Promise<{ region: string; port: number }> {
  const [srv] = await labResolver(settings).resolveSrv(`${name}.${DR_ZONE}`);
  if (!srv) throw new Error(`${name}.${DR_ZONE}: no SRV record at 127.0.0.1:${settings.ports.regionB.dns}`);
  return { region: srv.name.split('.')[0] ?? '', port: srv.port };
}

export async function patroniBState(settings: LabSettings, node: PgbNode, timeoutMs = 1000): Promise<PatroniView | null> {
  try {
    const { body } = await fetchJson(`http://127.0.0.1:${settings.ports.regionB.patroni[node]}/patroni`, timeoutMs);
    return typeof body === 'object' && body !== null ? (body as PatroniView) : null;
  } catch {
    return null;
  }
}

const LEADER_ROLES = new Set(['standby_leader', 'master', 'primary']);

/** Region B healthy: etcd-b, a standby leader with the other member streaming, redis-b linked, DNS answering. */
export async function checkRegionB(settings: LabSettings): Promise<Check> {
  const p = settings.ports.regionB;
  try {
    const { body } = await fetchJson(`http://127.0.0.1:${p.etcdClient}/health`);
    if ((body as { health?: string })?.health !== 'true') return { ok: false, detail: `etcd-b /health: ${JSON.stringify(body)}` };
  } catch (error) {
    return { ok: false, detail: `etcd-b 127.0.0.1:${p.etcdClient}: ${(error as Error).message}` };
  }
  const views = await Promise.all(pgbNodes.map((n) => patroniBState(settings, n)));
  const missing = pgbNodes.filter((_, i) => !views[i]);
  if (missing.length) return { ok: false, detail: `no Patroni REST answer from ${missing.join(', ')}` };
  const leaders = pgbNodes.filter((_, i) => LEADER_ROLES.has(views[i]?.role ?? ''));
  if (leaders.length !== 1) return { ok: false, detail: `region B: ${leaders.length} leaders (${leaders.join(', ') || 'none yet'})` };
  const leader = leaders[0]!;
  const view = views[pgbNodes.indexOf(leader)]!;
  if (view.state !== 'running') return { ok: false, detail: `region B leader ${leader} state ${view.state}` };
  const other = pgbNodes.find((n) => n !== leader)!;
  if (!(view.replication ?? []).some((r) => r.application_name === other && r.state === 'streaming')) {
    return { ok: false, detail: `region B leader ${leader} (${view.role}); ${other} not streaming yet` };
  }
  try {
    const info = await redisInfo(p.redis, 'replication', 1000, labRedisAuth(settings));
    if (info.role !== 'master' && info.master_link_status !== 'up') return { ok: false, detail: `redis-b: link to :${info.master_port} ${info.master_link_status}` };
  } catch (error) {
    return { ok: false, detail: `redis-b: ${(error as Error).message}` };
  }
  try {
    const db = await drNameTarget(settings, 'db');
    return { ok: true, detail: `${view.role} ${leader}; ${other} streaming; redis-b linked; db.${DR_ZONE} → region ${db.region} :${db.port}` };
  } catch (error) {
    return { ok: false, detail: `dns 127.0.0.1:${p.dns}: ${(error as Error).message}` };
  }
}

/** `lab status` row detail for one region B node. */
export async function probeRegionBNode(settings: LabSettings, node: RegionBNode): Promise<{ role: string; healthy: boolean; detail: string }> {
  const p = settings.ports.regionB;
  try {
    switch (node) {
      case 'etcd-b': {
        const { body } = await fetchJson(`http://127.0.0.1:${p.etcdClient}/health`, 700);
        const health = (body as { health?: string })?.health;
        return { role: 'member', healthy: health === 'true', detail: `region B DCS; health ${health}` };
      }
      case 'pgb1':
      case 'pgb2': {
        const view = await patroniBState(settings, node, 700);
        if (!view) return { role: '', healthy: false, detail: 'no Patroni REST answer' };
        return { role: view.role ?? '', healthy: view.state === 'running', detail: `${view.state}; timeline ${view.timeline ?? '?'}` };
      }
      case 'redis-b': {
        const info = await redisInfo(p.redis, 'replication', 700, labRedisAuth(settings));
        const role = info.role === 'slave' ? 'replica' : (info.role ?? '');
        return { role, healthy: role === 'master' || info.master_link_status === 'up', detail: role === 'replica' ? `of :${info.master_port}, link ${info.master_link_status}` : 'promoted' };
      }
      case 'dns': {
        const [db, cache] = await Promise.all([drNameTarget(settings, 'db'), drNameTarget(settings, 'cache')]);
        return { role: 'dns', healthy: true, detail: `db → ${db.region}:${db.port}, cache → ${cache.region}:${cache.port}` };
      }
    }
  } catch (error) {
    return { role: '', healthy: false, detail: (error as Error).message };
  }
}
