// Issue 5 acceptance 7: the operator lock lives on the cluster's coordination store (etcd lease for the
// Patroni cluster, a TTL key on the Redis master for Sentinel). A second run is refused naming the first;
// after `kill -9` of the first (a real process with another XDG_STATE_HOME) the lock is reported stale
// once its lease runs out, and can be taken over only with the cluster name typed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../source/core/exit-codes.js';
import type { Inventory } from '../../source/core/inventory/model.js';
import type { LabSettings } from '../../source/lab/index.js';
import { createLockManager, createLockService, currentHolder, LockHeldError, type LockHolder } from '../../source/services/lock.js';
import { Redis } from 'ioredis';
import { redisClient, redisPassword, sentinelMaster, testLab, waitFor, waitPartHealthy } from './helpers.js';
import { labInventoryFile } from '../ssh/lab-support.js';

const LEASE_MS = 2000;
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

let settings: LabSettings;
let inventory: Inventory;
let inventoryPath: string;
let stateDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  settings = testLab();
  await Promise.all([waitPartHealthy(settings, 'etcd'), waitPartHealthy(settings, 'redis')]);
  ({ inventory, path: inventoryPath } = labInventoryFile(settings));
  stateDir = mkdtempSync('/tmp/hatui-lock-state-');
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(stateDir, { recursive: true, force: true });
});

/** Starts the holder process and resolves with its holder record once it has the lock. */
async function startHolder(cluster: string): Promise<{ child: ChildProcess; holder: LockHolder }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/ssh/fixtures/lock-holder.ts', inventoryPath, cluster, String(LEASE_MS)], {
    cwd: repoRoot,
    env: { ...process.env, XDG_STATE_HOME: stateDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code} before reporting`)));
  });
  const report = JSON.parse(line) as { acquired: boolean; holder?: LockHolder; message?: string };
  if (!report.acquired || !report.holder) throw new Error(`lock holder did not get the lock: ${report.message}`);
  return { child, holder: report.holder };
}

for (const cluster of ['pg', 'redis'] as const) {
  describe(`operator lock on cluster '${cluster}' (${cluster === 'pg' ? 'etcd lease' : 'Redis master TTL key'})`, () => {
    it('refuses a second run naming the first; after kill -9 of the first it is stale and needs a typed takeover', async () => {
      const manager = createLockManager(inventory, { leaseMs: LEASE_MS });
      try {
        const first = await startHolder(cluster);
        expect(first.holder.pid).toBe(first.child.pid);

        // Second run, this process: refused, naming the first holder (exit 4), and the refusal holds
        // across several lease periods because the first keeps refreshing.
        const me = currentHolder('second-runbook');
        for (let i = 0; i < 2; i++) {
          const refusal = await manager.acquireLock(cluster, me).catch((e: unknown) => e);
          expect(refusal).toBeInstanceOf(LockHeldError);
          const held = refusal as LockHeldError;
          expect(held.exitCode).toBe(ExitCode.refused);
          expect(held.stale).toBe(false);
          expect(held.holder.pid).toBe(first.child.pid);
          expect(held.message).toContain(`pid ${first.child.pid}`);
          expect(held.message).toContain('holder-runbook');
          await new Promise((r) => setTimeout(r, LEASE_MS));
        }
        expect((await manager.inspectLock(cluster)).holder?.pid).toBe(first.child.pid);

        // kill -9: no release, no more refreshes. Once the lease runs out the lock is reported stale.
        first.child.kill('SIGKILL');
        const stale = await waitFor(async () => (await manager.inspectLock(cluster)).stale, LEASE_MS * 4, 'the lock to go stale');
        expect(stale.pid).toBe(first.child.pid);
        const refusal = (await manager.acquireLock(cluster, me).catch((e: unknown) => e)) as LockHeldError;
        expect(refusal).toBeInstanceOf(LockHeldError);
        expect(refusal.stale).toBe(true);
        expect(refusal.message).toMatch(/STALE/);
        expect(refusal.message).toContain(`pid ${first.child.pid}`);

        // A takeover with the wrong typed text is refused; with the cluster name it succeeds and says whom it replaced.
        await expect(manager.acquireLock(cluster, me, { takeover: { previous: refusal.holder, typed: 'yes' } })).rejects.toThrow(/not confirmed/);
        const handle = await manager.acquireLock(cluster, me, { takeover: { previous: refusal.holder, typed: cluster } });
        expect(handle.record.takeover?.typed).toBe(cluster);
        expect(handle.record.takeover?.previousHolder).toContain(`pid ${first.child.pid}`);
        expect(handle.record.holder).toContain(`pid ${process.pid}`);
        expect((await manager.inspectLock(cluster)).holder?.pid).toBe(process.pid);
        await handle.release();
        expect(await manager.inspectLock(cluster)).toEqual({});
      } finally {
        await manager.close();
      }
    });
  });
}

describe('runner lock service', () => {
  it('acquires, refuses a second run, and records a confirmed takeover of a stale lock', async () => {
    const managerA = createLockManager(inventory, { leaseMs: LEASE_MS });
    const managerB = createLockManager(inventory, { leaseMs: LEASE_MS });
    try {
      const a = createLockService(managerA);
      const got = await a.acquire({ cluster: 'pg', holder: 'ops@a', runbookId: 'rb-a', runId: 'run-a' });
      expect(got.ok).toBe(true);
      const b = createLockService(managerB, { confirmTakeover: async (cluster) => cluster });
      const refused = await b.acquire({ cluster: 'pg', holder: 'ops@b', runbookId: 'rb-b', runId: 'run-b' });
      expect(refused.ok).toBe(false);
      expect(refused.ok ? '' : refused.message).toContain('rb-a');
      await a.release('pg');
      const clean = await b.acquire({ cluster: 'pg', holder: 'ops@b', runbookId: 'rb-b', runId: 'run-b' });
      expect(clean).toMatchObject({ ok: true });
      expect(clean.ok && clean.takeover).toBeFalsy();
      await b.release('pg');
    } finally {
      await managerA.close();
      await managerB.close();
    }
  });
});

describe('Redis operator lock while the master pauses writes (the safe planned failover)', () => {
  it('a CLIENT PAUSE WRITE of 9 s (longer than two command timeouts) keeps the lock: checks read it as ours, and the queued extension lands when the pause ends', async () => {
    const master = await waitFor(() => sentinelMaster(settings), 20_000, 'an agreed Redis master');
    // The default 15 s lease: a pause shorter than what is left of it cannot expire the key. (Redis keeps
    // counting TTLs while writes are paused; only the extension waits.)
    const leaseMs = 15_000;
    const pauseMs = 9_000;
    const manager = createLockManager(inventory, { leaseMs });
    const admin = redisClient(settings, master);
    const sentinels = Object.values(settings.ports.sentinel).map((port) => new Redis({ host: '127.0.0.1', port, password: redisPassword(settings) }));
    const lost: string[] = [];
    const fields = (await sentinels[0]!.call('SENTINEL', 'MASTER', settings.masterName)) as string[];
    const downAfter = fields[fields.indexOf('down-after-milliseconds') + 1]!;
    try {
      // The lab's Sentinels call a master down after 1 s without answers, and a write pause blocks their
      // hello PUBLISHes: for this test they wait longer, so the pause stays a pause, not a failover.
      for (const s of sentinels) await s.call('SENTINEL', 'SET', settings.masterName, 'down-after-milliseconds', '30000');
      const handle = await manager.acquireLock('redis', currentHolder('pause-test', 'run-pause'));
      handle.onLost((loss) => lost.push(loss.reason));
      await admin.call('CLIENT', 'PAUSE', String(pauseMs), 'WRITE');
      const until = Date.now() + pauseMs;
      let checks = 0;
      while (Date.now() < until - 1500) {
        expect(await handle.check(), lost.join('; ')).toBe(true);
        checks++;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(checks).toBeGreaterThanOrEqual(3);
      expect(lost).toEqual([]);
      // After the pause the queued extension lands: the key lives on with a fresh lease.
      await waitFor(async () => (await admin.pttl('hatui:lock:redis')) > leaseMs - 3000, 10_000, 'the lock key extended after the pause');
      expect(await handle.check()).toBe(true);
      await handle.release();
      expect(await admin.exists('hatui:lock:redis', 'hatui:lock:redis:holder')).toBe(0);
      expect(lost).toEqual([]);
    } finally {
      await admin.call('CLIENT', 'UNPAUSE').catch(() => undefined);
      for (const s of sentinels) {
        await s.call('SENTINEL', 'SET', settings.masterName, 'down-after-milliseconds', downAfter).catch(() => undefined);
        s.disconnect();
      }
      // A failed run of this test must not leave a stale lock that refuses the next Redis runbook test.
      await admin.del('hatui:lock:redis', 'hatui:lock:redis:holder').catch(() => undefined);
      admin.disconnect();
      await manager.close();
    }
  }, 60_000);
});
