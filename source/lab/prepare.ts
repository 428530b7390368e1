// Lays out the lab directory (owners, modes, secrets, keys, config files) and describes how each node
// is started. Idempotent: data, secrets, keys and the configs Redis/Sentinel rewrite are kept.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import {
  etcdArgv,
  haproxyConfig,
  patroniConfig,
  patronictlConfig,
  redisClusterConfig,
  redisConfig,
  sentinelConfig,
  sshdConfig,
  withRedisAuth,
  type PgSecrets,
} from './configs.js';
import { monitoringNode } from './monitoring.js';
import { DR_ZONE, etcdBArgv, ensureTsigKey, namedConfig, patroniBConfig, patronictlBConfig, redisBConfig, zoneFile } from './region-b.js';
import { labPaths, partOf, type EtcdNode, type LabNode, type LabSettings } from './settings.js';
import type { DaemonSpec } from './supervise.js';

export interface Account {
  uid: number;
  gid: number;
  home: string;
}

export function account(user: string): Account {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!line) throw new HatuiError(`user ${user} does not exist: run \`hatui lab install\``, ExitCode.failed);
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '/' };
}

function ownedDir(path: string, owner: Account | null, mode: number): void {
  mkdirSync(path, { recursive: true });
  if (owner) chownSync(path, owner.uid, owner.gid);
  chmodSync(path, mode);
}

function writeOwned(path: string, text: string, owner: Account | null, mode: number): void {
  writeFileSync(path, text, { mode });
  chmodSync(path, mode);
  if (owner) chownSync(path, owner.uid, owner.gid);
}

function secret(path: string): string {
  if (!existsSync(path)) writeFileSync(path, randomBytes(18).toString('base64url') + '\n', { mode: 0o600 });
  return readFileSync(path, 'utf8').trim();
}

function sshKey(path: string, comment: string): void {
  if (existsSync(path) && existsSync(`${path}.pub`)) return;
  execFileSync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { stdio: 'ignore' });
}

export function pgSecrets(settings: LabSettings): PgSecrets {
  const paths = labPaths(settings);
  return { superuser: secret(paths.pgSuperuserPassword), replication: secret(paths.pgReplicationPassword) };
}

/** The one password of every lab Redis node and Sentinel (generated on first use, kept after). */
export function redisPassword(settings: LabSettings): string {
  return secret(labPaths(settings).redisPassword);
}

/** PostgreSQL runs as postgres and must reach its node dir: every parent of the lab dir needs o+x. */
export function requireTraversable(settings: LabSettings, user: string): void {
  try {
    execFileSync('/usr/bin/setpriv', [`--reuid=${user}`, `--regid=${user}`, '--init-groups', '/usr/bin/test', '-x', settings.dir], { stdio: 'ignore' });
  } catch {
    throw new HatuiError(
      `HATUI_LAB_DIR=${settings.dir} is not traversable by the ${user} user (a parent directory lacks o+x); use a directory like /var/tmp/hatui-lab`,
      ExitCode.failed,
    );
  }
}

/** Creates the shared layout: lab dir, run/logs, secrets, the SSH client key, known_hosts. */
export function prepareCommon(settings: LabSettings): void {
  const paths = labPaths(settings);
  ownedDir(paths.dir, null, 0o755);
  ownedDir(paths.run, null, 0o755);
  ownedDir(paths.logs, null, 0o755);
  ownedDir(paths.secrets, null, 0o700);
  ownedDir(paths.ssh, null, 0o755);
  pgSecrets(settings);
  redisPassword(settings);
  sshKey(paths.clientKey, `hatui-lab-client@${settings.portBase}`);
  chmodSync(paths.clientKey, 0o600);
  writeOwned(paths.authorizedKeys, readFileSync(`${paths.clientKey}.pub`, 'utf8'), null, 0o644);
  writeOwned(paths.patronictlConfig, patronictlConfig(settings), null, 0o644);
  writeOwned(paths.patronictlConfigB, patronictlBConfig(settings), null, 0o644);
  // Region A's archive_command writes here from the first WAL segment on (region B may come later).
  const pg = account('postgres');
  ownedDir(paths.walArchive, pg, 0o750);
  ownedDir(paths.walArchiveB, pg, 0o750);
}

const BASE_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };

/** Writes the node's files and returns how to start it. */
export function prepareNode(settings: LabSettings, node: LabNode): DaemonSpec {
  const paths = labPaths(settings);
  const dir = paths.nodeDir(node);
  switch (partOf(node)) {
    case 'etcd': {
      ownedDir(dir, null, 0o700);
      return { node, argv: etcdArgv(settings, node as EtcdNode), env: { ...BASE_ENV, HOME: dir }, cwd: dir };
    }
    case 'pg': {
      const pg = account('postgres');
      ownedDir(dir, pg, 0o700);
      ownedDir(`${dir}/run`, pg, 0o755);
      writeOwned(`${dir}/patroni.yml`, patroniConfig(settings, node as 'pg1', pgSecrets(settings)), pg, 0o600);
      return { node, user: 'postgres', argv: ['/usr/bin/python3', '/usr/bin/patroni', `${dir}/patroni.yml`], env: { ...BASE_ENV, HOME: pg.home, USER: 'postgres' }, cwd: dir };
    }
    case 'haproxy': {
      ownedDir(dir, null, 0o755);
      writeOwned(`${dir}/haproxy.cfg`, haproxyConfig(settings), null, 0o644);
      return { node, argv: ['/usr/sbin/haproxy', '-db', '-f', `${dir}/haproxy.cfg`], env: { ...BASE_ENV, HOME: dir }, cwd: dir };
    }
    case 'redis': {
      const redis = account('redis');
      ownedDir(dir, redis, 0o700);
      const sentinel = node.startsWith('sentinel');
      const conf = `${dir}/${sentinel ? 'sentinel' : 'redis'}.conf`;
      // Sentinel and CONFIG REWRITE rewrite these files: keep them across restarts (LAB-FACTS gotcha 13),
      // only the auth lines are brought up to date (a lab dir from before auth, or a new password file).
      const password = redisPassword(settings);
      const text = existsSync(conf)
        ? withRedisAuth(readFileSync(conf, 'utf8'), settings, sentinel ? 'sentinel' : 'redis', password)
        : sentinel
          ? sentinelConfig(settings, node as 'sentinel1', password)
          : redisConfig(settings, node as 'redis1', password);
      writeOwned(conf, text, redis, 0o600);
      const argv = sentinel ? ['/usr/bin/redis-sentinel', conf] : ['/usr/bin/redis-server', conf];
      return { node, user: 'redis', argv, env: { ...BASE_ENV, HOME: dir }, cwd: dir };
    }
    case 'rediscluster': {
      const redis = account('redis');
      ownedDir(dir, redis, 0o700);
      const conf = `${dir}/redis.conf`;
      // CONFIG REWRITE (and the persistence check's fixes) rewrite it: kept across restarts.
      if (!existsSync(conf)) writeOwned(conf, redisClusterConfig(settings, node as 'rc1', redisPassword(settings)), redis, 0o600);
      return { node, user: 'redis', argv: ['/usr/bin/redis-server', conf], env: { ...BASE_ENV, HOME: dir }, cwd: dir };
    }
    case 'sshd': {
      ownedDir(dir, null, 0o700);
      ownedDir('/run/sshd', null, 0o755);
      const hostKey = `${dir}/ssh_host_ed25519_key`;
      sshKey(hostKey, `hatui-lab-${node}@${settings.portBase}`);
      writeOwned(`${dir}/sshd_config`, sshdConfig(settings, node as 'sshd'), null, 0o600);
      return { node, argv: ['/usr/sbin/sshd', '-D', '-e', '-f', `${dir}/sshd_config`], env: { ...BASE_ENV, HOME: dir }, cwd: dir };
    }
    case 'monitoring': {
      const prom = account('prometheus');
      ownedDir(dir, prom, 0o700);
      const { files, spec } = monitoringNode(settings, node, pgSecrets(settings).superuser, redisPassword(settings));
      for (const [name, [text, mode]] of Object.entries(files)) writeOwned(`${dir}/${name}`, text, prom, mode);
      return { node, ...spec, env: { ...BASE_ENV, HOME: dir, ...spec.env }, cwd: dir };
    }
    case 'region-b':
      return prepareRegionBNode(settings, node);
  }
}

/** known_hosts for both lab sshds, `[127.0.0.1]:port keytype key`. */
export function writeKnownHosts(settings: LabSettings): void {
  const paths = labPaths(settings);
  const lines: string[] = [];
  for (const [node, port] of [['sshd', settings.ports.sshd], ['sshd-jump', settings.ports.sshdJump]] as const) {
    const pub = `${paths.nodeDir(node)}/ssh_host_ed25519_key.pub`;
    if (!existsSync(pub)) continue;
    const [type, key] = readFileSync(pub, 'utf8').trim().split(/\s+/);
    lines.push(`[127.0.0.1]:${port} ${type} ${key}`);
  }
  writeOwned(paths.knownHosts, lines.join('\n') + '\n', null, 0o644);
}

/** Region B nodes; redis-b.conf and the zone file are written before by writeRegionBDynamic (they need region A's master). */
function prepareRegionBNode(settings: LabSettings, node: LabNode): DaemonSpec {
  const paths = labPaths(settings);
  const dir = paths.nodeDir(node);
  switch (node) {
    case 'etcd-b':
      ownedDir(dir, null, 0o700);
      return { node, argv: etcdBArgv(settings), env: { ...BASE_ENV, HOME: dir }, cwd: dir };
    case 'pgb1':
    case 'pgb2': {
      const pg = account('postgres');
      ownedDir(dir, pg, 0o700);
      ownedDir(`${dir}/run`, pg, 0o755);
      writeOwned(`${dir}/patroni.yml`, patroniBConfig(settings, node, pgSecrets(settings)), pg, 0o600);
      return { node, user: 'postgres', argv: ['/usr/bin/python3', '/usr/bin/patroni', `${dir}/patroni.yml`], env: { ...BASE_ENV, HOME: pg.home, USER: 'postgres' }, cwd: dir };
    }
    case 'redis-b': {
      const conf = `${dir}/redis.conf`;
      if (!existsSync(conf)) throw new HatuiError(`${conf} missing: start redis-b through hatui lab up region-b`, ExitCode.failed);
      return { node, user: 'redis', argv: ['/usr/bin/redis-server', conf], env: { ...BASE_ENV, HOME: dir }, cwd: dir };
    }
    case 'dns': {
      writeOwned(`${dir}/named.conf`, namedConfig(settings), null, 0o644);
      return { node, argv: ['/usr/sbin/named', '-g', '-c', `${dir}/named.conf`], env: { ...BASE_ENV, HOME: dir }, cwd: dir };
    }
    default:
      throw new Error(`${node} is not a region B node`);
  }
}

/** Files of region B that name region A's current Redis master: written once (Redis and nsupdate change them later). */
export function writeRegionBDynamic(settings: LabSettings, redisMasterPort: number): void {
  const paths = labPaths(settings);
  ensureTsigKey(settings);
  const redis = account('redis');
  ownedDir(paths.nodeDir('redis-b'), redis, 0o700);
  const conf = `${paths.nodeDir('redis-b')}/redis.conf`;
  // Kept once written (REPLICAOF/CONFIG REWRITE change it); only its auth lines follow the password file.
  const password = redisPassword(settings);
  const text = existsSync(conf) ? withRedisAuth(readFileSync(conf, 'utf8'), settings, 'redis', password) : redisBConfig(settings, redisMasterPort, password);
  writeOwned(conf, text, redis, 0o600);
  ownedDir(paths.nodeDir('dns'), null, 0o755);
  const zone = `${paths.nodeDir('dns')}/db.${DR_ZONE}`;
  if (!existsSync(zone)) writeOwned(zone, zoneFile(settings, redisMasterPort), null, 0o644);
}
