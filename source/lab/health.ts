// Health checks per part. Each check returns { ok, detail } from one look at the real servers; the
// waits poll a check until it passes or a deadline passes (then the last detail says what was missing).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { etcdNodes, labPaths, pgNodes, redisNodes, sentinelNodes, type EtcdNode, type LabPart, type LabSettings, type PgNode } from './settings.js';
import { pairs, redisCommand, redisInfo } from './resp.js';
import { sleep } from './supervise.js';
import { checkRedisCluster } from './redis-cluster.js';
import { checkMonitoring } from './monitoring.js';
import { checkRegionB } from './region-b.js';

export interface Check {
  ok: boolean;
  detail: string;
}

export async function fetchJson(url: string, timeoutMs = 1000): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body };
}

/** One etcd member's `/health` (false when it has no leader, i.e. no quorum; an error when it does not answer). */
export async function etcdMemberHealth(settings: LabSettings, node: EtcdNode, timeoutMs = 1000): Promise<Check> {
  const port = settings.ports.etcd[node].client;
  try {
    const { body } = await fetchJson(`http://127.0.0.1:${port}/health`, timeoutMs);
    const ok = (body as { health?: string })?.health === 'true';
    return { ok, detail: ok ? 'healthy' : `/health: ${JSON.stringify(body)}` };
  } catch (error) {
    return { ok: false, detail: `127.0.0.1:${port}: ${(error as Error).message}` };
  }
}

/** Every etcd member healthy (the lab always starts all three; a quorum of two is a fault, not "up"). */
export async function checkEtcd(settings: LabSettings): Promise<Check> {
  const checks = await Promise.all(etcdNodes.map((n) => etcdMemberHealth(settings, n)));
  const bad = etcdNodes.filter((_, i) => !checks[i]!.ok);
  if (bad.length) return { ok: false, detail: bad.map((n) => `${n} ${checks[etcdNodes.indexOf(n)]!.detail}`).join('; ') };
  return { ok: true, detail: `${etcdNodes.length} members healthy` };
}

export interface PatroniView {
  role?: string;
  state?: string;
  timeline?: number;
  replication?: { application_name: string; state: string; sync_state?: string }[];
}

export async function patroniState(settings: LabSettings, node: PgNode, timeoutMs = 1000): Promise<PatroniView | null> {
  try {
    const { body } = await fetchJson(`http://127.0.0.1:${settings.ports.patroni[node]}/patroni`, timeoutMs);
    return typeof body === 'object' && body !== null ? (body as PatroniView) : null;
  } catch {
    return null;
  }
}

/** The current Patroni leader (role master on /patroni), when exactly one node claims it. */
export async function patroniLeader(settings: LabSettings): Promise<PgNode | null> {
  const views = await Promise.all(pgNodes.map((n) => patroniState(settings, n)));
  const leaders = pgNodes.filter((_, i) => views[i]?.role === 'master' || views[i]?.role === 'primary');
  return leaders.length === 1 ? leaders[0]! : null;
}

/** One leader, and both other nodes streaming from it (leader's /patroni replication[].state). */
export async function checkPg(settings: LabSettings): Promise<Check & { leader?: PgNode }> {
  const views = await Promise.all(pgNodes.map((n) => patroniState(settings, n)));
  const missing = pgNodes.filter((_, i) => !views[i]);
  if (missing.length) return { ok: false, detail: `no Patroni REST answer from ${missing.join(', ')}` };
  const leaders = pgNodes.filter((_, i) => views[i]?.role === 'master' || views[i]?.role === 'primary');
  if (leaders.length !== 1) return { ok: false, detail: `${leaders.length} leaders (${leaders.join(', ') || 'none yet'})` };
  const leader = leaders[0]!;
  const view = views[pgNodes.indexOf(leader)]!;
  if (view.state !== 'running') return { ok: false, detail: `leader ${leader} state ${view.state}` };
  const streaming = (view.replication ?? []).filter((r) => r.state === 'streaming').map((r) => r.application_name);
  const replicas = pgNodes.filter((n) => n !== leader);
  const notYet = replicas.filter((r) => !streaming.includes(r));
  if (notYet.length) return { ok: false, detail: `leader ${leader}; not streaming yet: ${notYet.join(', ')}`, leader };
  return { ok: true, detail: `leader ${leader}; streaming ${replicas.join(', ')}`, leader };
}

export interface HaproxyServer {
  backend: string;
  server: string;
  status: string;
}

export async function haproxyServers(settings: LabSettings, timeoutMs = 1000): Promise<HaproxyServer[]> {
  const response = await fetch(`http://127.0.0.1:${settings.ports.haproxyStats}/;csv`, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  const lines = text.split('\n').filter(Boolean);
  const header = (lines[0] ?? '').replace(/^# /, '').split(',');
  const px = header.indexOf('pxname');
  const sv = header.indexOf('svname');
  const st = header.indexOf('status');
  return lines
    .slice(1)
    .map((line) => line.split(','))
    .filter((cols) => cols[sv] !== 'FRONTEND' && cols[sv] !== 'BACKEND')
    .map((cols) => ({ backend: cols[px] ?? '', server: cols[sv] ?? '', status: cols[st] ?? '' }));
}

/** Exactly one UP server in pg_rw, and it is the Patroni leader (HAProxy starts servers UP: gotcha 12). */
export async function checkHaproxy(settings: LabSettings): Promise<Check> {
  let servers: HaproxyServer[];
  try {
    servers = await haproxyServers(settings);
  } catch (error) {
    return { ok: false, detail: `HAProxy stats 127.0.0.1:${settings.ports.haproxyStats}: ${(error as Error).message}` };
  }
  const leader = await patroniLeader(settings);
  if (!leader) return { ok: false, detail: 'no single Patroni leader' };
  const up = (backend: string) => servers.filter((s) => s.backend === backend && s.status.startsWith('UP')).map((s) => s.server);
  const rw = up('pg_rw');
  const ro = up('pg_ro');
  if (rw.length !== 1 || rw[0] !== leader) return { ok: false, detail: `pg_rw UP: [${rw.join(', ')}], leader ${leader}` };
  const replicas = pgNodes.filter((n) => n !== leader);
  if (ro.length !== replicas.length || !replicas.every((r) => ro.includes(r))) return { ok: false, detail: `pg_ro UP: [${ro.join(', ')}], leader ${leader}` };
  return { ok: true, detail: `pg_rw → ${leader}; pg_ro → ${ro.join(', ')}` };
}

/** The lab's Redis password (nodes and Sentinels), or undefined before `lab up` made one. */
export function labRedisAuth(settings: LabSettings): string | undefined {
  try {
    return readFileSync(labPaths(settings).redisPassword, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The master address (host:port) each Sentinel reports, null where it did not answer. */
export async function sentinelMasters(settings: LabSettings): Promise<(string | null)[]> {
  const auth = labRedisAuth(settings);
  return Promise.all(
    sentinelNodes.map(async (s) => {
      try {
        const reply = await redisCommand(settings.ports.sentinel[s], ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', settings.masterName], 1000, auth);
        return Array.isArray(reply) && reply.length === 2 ? `${reply[0]}:${reply[1]}` : null;
      } catch {
        return null;
      }
    }),
  );
}

/** All three Sentinels agree on the master, know each other, and both replicas' links are up. */
export async function checkRedis(settings: LabSettings): Promise<Check> {
  const masters = await sentinelMasters(settings);
  const first = masters[0];
  if (!first || masters.some((m) => m !== first)) return { ok: false, detail: `sentinels report masters [${masters.join(', ')}]` };
  const masterPort = Number(first.split(':')[1]);
  const masterNode = redisNodes.find((n) => settings.ports.redis[n] === masterPort);
  if (!masterNode) return { ok: false, detail: `sentinels report ${first}, not a lab Redis` };
  const auth = labRedisAuth(settings);
  try {
    const info = await redisInfo(masterPort, 'replication', 1000, auth);
    if (info.role !== 'master') return { ok: false, detail: `${masterNode} reports role ${info.role}` };
    for (const replica of redisNodes.filter((n) => n !== masterNode)) {
      const r = await redisInfo(settings.ports.redis[replica], 'replication', 1000, auth);
      if (r.role !== 'slave' || r.master_port !== String(masterPort) || r.master_link_status !== 'up') {
        return { ok: false, detail: `${replica}: role ${r.role}, master port ${r.master_port}, link ${r.master_link_status}` };
      }
    }
    for (const s of sentinelNodes) {
      const m = pairs(await redisCommand(settings.ports.sentinel[s], ['SENTINEL', 'MASTER', settings.masterName], 1000, auth));
      if (Number(m['num-other-sentinels']) < 2) return { ok: false, detail: `${s} knows ${m['num-other-sentinels']} other sentinels` };
      if (Number(m['num-slaves']) < 2) return { ok: false, detail: `${s} knows ${m['num-slaves']} replicas` };
    }
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
  return { ok: true, detail: `master ${masterNode} (${first}); 2 replicas up; 3 sentinels agree` };
}

/** A real OpenSSH login with strict host-key checking against the lab known_hosts. */
export function sshLogin(settings: LabSettings, port: number, knownHosts = labPaths(settings).knownHosts, command = 'true'): Promise<Check> {
  const paths = labPaths(settings);
  const args = [
    '-F', '/dev/null',
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'ConnectTimeout=3',
    '-i', paths.clientKey,
    '-p', String(port),
    'postgres@127.0.0.1',
    command,
  ];
  return new Promise((resolve) => {
    execFile('/usr/bin/ssh', args, { timeout: 8000 }, (error, _stdout, stderr) => {
      resolve(error ? { ok: false, detail: `ssh 127.0.0.1:${port}: ${String(stderr).trim().split('\n').pop() ?? error.message}` } : { ok: true, detail: 'key login ok' });
    });
  });
}

export async function checkSshd(settings: LabSettings): Promise<Check> {
  const [main, jump] = await Promise.all([sshLogin(settings, settings.ports.sshd), sshLogin(settings, settings.ports.sshdJump)]);
  if (!main.ok) return main;
  if (!jump.ok) return jump;
  return { ok: true, detail: 'key login ok on sshd and sshd-jump' };
}

export function checkPart(settings: LabSettings, part: LabPart): Promise<Check> {
  switch (part) {
    case 'etcd':
      return checkEtcd(settings);
    case 'pg':
      return checkPg(settings);
    case 'haproxy':
      return checkHaproxy(settings);
    case 'redis':
      return checkRedis(settings);
    case 'sshd':
      return checkSshd(settings);
    case 'rediscluster':
      return checkRedisCluster(settings);
    case 'monitoring':
      return checkMonitoring(settings);
    case 'region-b':
      return checkRegionB(settings);
  }
}

/** Polls check until ok or the deadline (epoch ms); `alive` aborts early when a process died. */
export async function waitHealthy(check: () => Promise<Check>, deadline: number, alive: () => string | null, intervalMs = 150): Promise<Check> {
  let last: Check = { ok: false, detail: 'not checked yet' };
  for (;;) {
    last = await check();
    if (last.ok) return last;
    const dead = alive();
    if (dead) return { ok: false, detail: dead };
    if (Date.now() > deadline) return last;
    await sleep(intervalMs);
  }
}
