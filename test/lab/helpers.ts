// Helpers for lab-backed tests. Never assume which node leads: ask Patroni / Sentinel.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { inject } from 'vitest';
import {
  checkPart,
  labPaths,
  patroniLeader,
  pgNodes,
  redisNodes,
  sentinelMasters,
  type LabPart,
  type LabSettings,
  type PgNode,
  type RedisNode,
} from '../../source/lab/index.js';
import { sleep, waitFor } from '../support/wait-for.js';

/** The test lab's settings (provided by test/lab/global-setup.ts). */
export function testLab(): LabSettings {
  const settings = inject('hatuiLab');
  if (!settings) throw new Error('no test lab: run lab tests with `vitest --project lab` (test/lab/global-setup.ts)');
  process.env.HATUI_LAB_PORT_BASE = String(settings.portBase);
  process.env.HATUI_LAB_DIR = settings.dir;
  return settings;
}

export { sleep, waitFor } from '../support/wait-for.js';

/** Waits until a lab part passes its own health check (the same one `lab up` uses). */
export async function waitPartHealthy(settings: LabSettings, part: LabPart, deadlineMs = 90_000): Promise<string> {
  return waitFor(async () => {
    const check = await checkPart(settings, part);
    if (!check.ok) throw new Error(check.detail);
    return check.detail;
  }, deadlineMs, `${part} healthy`);
}

/** The current Patroni leader via REST, or null when there is not exactly one. */
export function pgLeader(settings: LabSettings): Promise<PgNode | null> {
  return patroniLeader(settings);
}

export function pgReplicas(settings: LabSettings, leader: PgNode): PgNode[] {
  return pgNodes.filter((n) => n !== leader);
}

/** The Redis node all three Sentinels name as master, or null when they disagree or do not answer. */
export async function sentinelMaster(settings: LabSettings): Promise<RedisNode | null> {
  const masters = await sentinelMasters(settings);
  const first = masters[0];
  if (!first || masters.some((m) => m !== first)) return null;
  const port = Number(first.split(':')[1]);
  return redisNodes.find((n) => settings.ports.redis[n] === port) ?? null;
}

export function pgPassword(settings: LabSettings): string {
  return readFileSync(labPaths(settings).pgSuperuserPassword, 'utf8').trim();
}

/** A pg client (not yet connected) to HAProxy rw/ro or straight to one node, as postgres over TCP. */
export function pgClient(settings: LabSettings, target: 'rw' | 'ro' | PgNode = 'rw'): pg.Client {
  const port = target === 'rw' ? settings.ports.haproxyRw : target === 'ro' ? settings.ports.haproxyRo : settings.ports.pg[target];
  return new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: pgPassword(settings), database: 'postgres', connectionTimeoutMillis: 5000 });
}

/** The lab's Redis password (auth is on for every node and Sentinel). */
export function redisPassword(settings: LabSettings): string {
  return readFileSync(labPaths(settings).redisPassword, 'utf8').trim();
}

/** ioredis auth options for the lab: the data nodes and the Sentinels share the password. */
export function redisAuth(settings: LabSettings): { password: string; sentinelPassword: string } {
  const password = redisPassword(settings);
  return { password, sentinelPassword: password };
}

/** An ioredis client to one Redis node (lazy connect off, no retries beyond 2). */
export function redisClient(settings: LabSettings, node: RedisNode): Redis {
  return new Redis({ host: '127.0.0.1', port: settings.ports.redis[node], password: redisPassword(settings), maxRetriesPerRequest: 2, connectTimeout: 3000 });
}

/** An ioredis client that finds the master through the lab Sentinels. */
export function sentinelClient(settings: LabSettings): Redis {
  return new Redis({
    sentinels: Object.values(settings.ports.sentinel).map((port) => ({ host: '127.0.0.1', port })),
    name: settings.masterName,
    ...redisAuth(settings),
    maxRetriesPerRequest: 2,
    connectTimeout: 3000,
  });
}

/**
 * A canary writer: appends 1, 2, 3… to `key` through a Sentinel-aware client, one write in flight,
 * recording which ones Redis acknowledged (and how many attempts failed).
 */
export function redisCanary(settings: LabSettings, key: string) {
  const client = new Redis({
    sentinels: Object.values(settings.ports.sentinel).map((port) => ({ host: '127.0.0.1', port })),
    name: settings.masterName,
    ...redisAuth(settings),
    failoverDetector: true,
    // The old master answers READONLY once it is a replica: reconnect through Sentinel and resend.
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
    maxRetriesPerRequest: 20,
    connectTimeout: 3000,
  });
  client.on('error', () => {});
  const acked: number[] = [];
  let errors = 0;
  let running = true;
  const done = (async () => {
    for (let seq = 1; running; seq++) {
      try {
        await client.rpush(key, String(seq));
        acked.push(seq);
      } catch {
        errors++;
        await sleep(20);
      }
    }
  })();
  return {
    acked,
    errors: () => errors,
    async stop() {
      running = false;
      await done;
      client.disconnect();
    },
  };
}

/**
 * Test isolation: a redis-sentinel-failover run takes its operator lock on the master it then moves
 * away from, so the release can miss; remove such a leftover lock so later runs are not refused one.
 */
export async function clearRedisRunbookLock(settings: LabSettings): Promise<void> {
  const master = await sentinelMaster(settings);
  if (!master) return;
  const client = redisClient(settings, master);
  try {
    for (const key of ['hatui:lock:redis', 'hatui:lock:redis:holder']) {
      const value = await client.get(key);
      if (value?.includes('"runbook":"redis-sentinel-failover"')) await client.del(key);
    }
  } finally {
    client.disconnect();
  }
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs the built CLI (`node bin/hatui.js …`) with the lab env; never throws on a non-zero exit.
 * Another engineer's `npm run build` removes dist/ for a moment: retried while the bundle is missing.
 */
export async function hatui(args: string[], env: Record<string, string> = {}, timeoutMs = 180_000): Promise<{ code: number; stdout: string; stderr: string }> {
  for (let attempt = 0; ; attempt++) {
    const result = await runCli(args, env, timeoutMs);
    if (attempt >= 20 || result.code !== 2 || !result.stderr.includes('bundle dist/cli.js is missing')) return result;
    await sleep(500);
  }
}

function runCli(args: string[], env: Record<string, string>, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/hatui.js', ...args], { cwd: repoRoot, env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Environment for a CLI child pointed at another lab (own base and dir). */
export function labEnv(settings: Pick<LabSettings, 'dir' | 'portBase'>): Record<string, string> {
  return { HATUI_LAB_DIR: settings.dir, HATUI_LAB_PORT_BASE: String(settings.portBase) };
}

/**
 * After a DR test: region A comes back (thawed); region B (promoted, diverged) is thrown away so the next
 * `lab up region-b` clones it anew; the Sentinels forget redis-b (else `redis.replicas` names an address no
 * inventory member has), as an operator does after retiring a replica.
 */
export async function restoreRegionA(settings: LabSettings): Promise<void> {
  const { labResetRegions } = await import('../../source/lab/region-reset.js');
  await labResetRegions(settings);
}
