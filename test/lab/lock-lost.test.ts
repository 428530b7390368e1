// Issue 16, operator lock, on the real lab etcd through the built CLI:
// - the etcd lock key is deleted (and then taken by another operator) while a run waits between two
//   `changes=pg` steps: the second command never runs, the loss is logged naming the new holder (exit 4);
// - a `changes=pg` run is SIGKILLed mid-command; `hatui resume` takes the lock again (seen in etcd, same
//   run id, this process's pid) before it retries the step, and releases only that lock;
// - a drill holds the same cluster lock as a run while its fault step runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../source/core/engine/events.js';
import type { Inventory } from '../../source/core/inventory/model.js';
import type { LabSettings } from '../../source/lab/index.js';
import { createLockManager, currentHolder, LockHeldError, type LockHolder } from '../../source/services/lock.js';
import { labInventoryFile } from '../ssh/lab-support.js';
import { hatui, labEnv, testLab, waitFor, waitPartHealthy } from './helpers.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
let settings: LabSettings;
let inventory: Inventory;
let inventoryPath: string;
let work: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  settings = testLab();
  await waitPartHealthy(settings, 'etcd');
  ({ inventory, path: inventoryPath } = labInventoryFile(settings));
  work = mkdtempSync(join(tmpdir(), 'hatui-lock-lost-'));
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function etcd(path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${settings.ports.etcdClient}/v3/${path}`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json();
}

/** The holder record under the pg lock key in the lab's etcd, read here with our own request. */
async function lockInEtcd(): Promise<LockHolder | undefined> {
  const r = (await etcd('kv/range', { key: b64('/hatui/locks/pg/lock') })) as { kvs?: { value: string }[] };
  const v = r.kvs?.[0]?.value;
  return v ? (JSON.parse(Buffer.from(v, 'base64').toString('utf8')) as LockHolder) : undefined;
}

interface Child {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

/** Starts the built CLI with the lab env and a private state dir; output is collected as it comes. */
function start(args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['bin/hatui.js', ...args], { cwd: repoRoot, env: { ...process.env, ...labEnv(settings), NO_COLOR: '1', CI: 'true', HATUI_ANCHOR_COMMAND: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, out: () => out, exited };
}

const waitOutput = (c: Child, pattern: RegExp, what: string) => waitFor(() => pattern.exec(c.out()), 90_000, `${what}; output so far:\n${c.out()}`);

const events = (log: string): RunEvent[] =>
  readFileSync(log, 'utf8').split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line).event as RunEvent];
    } catch {
      return [];
    }
  });

function answers(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

describe('operator lock lost while a run waits between two changes=pg steps', () => {
  it('deleting the etcd lock key (then another operator taking it) stops the run before the second command, naming the new holder', async () => {
    const state = mkdtempSync(join(work, 'state-'));
    const go = join(work, 'go-lost');
    const run = start(['run', 'test/fixtures/lock/two-changes.md', '--headless', '--inventory', inventoryPath, '--answers', answers('lost.yaml', 'one: pg\ntwo: pg\n')], { XDG_STATE_HOME: state, HATUI_TEST_GO: go });
    await waitOutput(run, /waiting-for-go/, 'the run to wait between the changes');
    const held = await lockInEtcd();
    expect(held?.pid).toBe(run.child.pid);
    expect(held?.runbook).toBe('two-changes');

    await etcd('kv/deleterange', { key: b64('/hatui/locks/pg/lock') });
    expect(await lockInEtcd()).toBeUndefined();
    // Another operator now finds the lock stale and takes it over (typed), as nothing stops them.
    const other = createLockManager(inventory, { leaseMs: 15_000 });
    try {
      const refusal = (await other.acquireLock('pg', currentHolder('other-runbook')).catch((e: unknown) => e)) as LockHeldError;
      expect(refusal).toBeInstanceOf(LockHeldError);
      expect(refusal.stale).toBe(true);
      const mine = await other.acquireLock('pg', currentHolder('other-runbook'), { takeover: { previous: refusal.holder, typed: 'pg' } });
      writeFileSync(go, '');
      const code = await run.exited;
      const out = run.out();
      expect(code, out).toBe(4);
      expect(out).toContain('go-seen');
      expect(out).not.toContain('two-ran');
      expect(out).toMatch(/lock on cluster 'pg' LOST/);
      expect(out).toContain(`pid ${process.pid} (runbook other-runbook`);

      const log = /audit log: (\S+\.jsonl)/.exec(out)![1]!;
      const recorded = events(log);
      expect(recorded.some((e) => e.type === 'command-started' && e.stepId === 'two')).toBe(false);
      expect(recorded).toContainEqual(expect.objectContaining({ type: 'command-finished', stepId: 'wait', outcome: 'ok' }));
      const lost = recorded.find((e) => e.type === 'lock-lost');
      expect(lost).toMatchObject({ cluster: 'pg', holder: expect.stringContaining(`pid ${process.pid}`) });
      expect(recorded.at(-1)).toMatchObject({ type: 'run-aborted', reason: expect.stringContaining("lock on cluster 'pg' lost") });
      expect(recorded.some((e) => e.type === 'lock-released')).toBe(false);
      // The lost run deleted nothing of the new holder's lock.
      expect((await lockInEtcd())?.pid).toBe(process.pid);
      expect((await hatui(['audit', 'verify', log], { XDG_STATE_HOME: state })).code).toBe(0);
      await mine.release();
    } finally {
      await other.close();
    }
  });
});

describe('resume of a crashed changes=pg run', () => {
  it('takes the lock again (seen in etcd, same run id) before retrying the step, and releases only that lock', async () => {
    const state = mkdtempSync(join(work, 'state-'));
    const go = join(work, 'go-resume');
    const runbook = resolve(repoRoot, 'test/fixtures/lock/long-change.md');
    const first = start(['run', runbook, '--headless', '--inventory', inventoryPath, '--answers', answers('first.yaml', 'change: pg\n')], { XDG_STATE_HOME: state, HATUI_TEST_GO: go });
    const pgid = Number((await waitOutput(first, /change-started pgid=(\d+)/, 'the change to start'))[1]);
    const crashedHolder = await lockInEtcd();
    expect(crashedHolder?.pid).toBe(first.child.pid);
    first.child.kill('SIGKILL');
    await first.exited;
    process.kill(-pgid, 'SIGKILL'); // the orphaned wait loop of the dead run
    const log = /audit log: (\S+\.jsonl)/.exec(first.out())![1]!;
    expect(events(log).some((e) => e.type === 'lock-released')).toBe(false);

    const resumed = start(['resume', log, '--headless', '--inventory', inventoryPath, '--answers', answers('resume.yaml', 'change: { confirm: pg, resume: retry }\n')], { XDG_STATE_HOME: state, HATUI_TEST_GO: go });
    // The crashed run's lease runs out first (its process is gone); then the resume holds the lock.
    await waitOutput(resumed, /change-started/, 'the retried change to start');
    const retaken = await lockInEtcd();
    expect(retaken?.pid).toBe(resumed.child.pid);
    expect(retaken?.runId).toBe(crashedHolder?.runId);
    writeFileSync(go, '');
    const code = await resumed.exited;
    expect(code, resumed.out()).toBe(0);
    expect(resumed.out()).toContain('after-ran');

    const recorded = events(log);
    const at = recorded.findIndex((e) => e.type === 'run-resumed');
    const after = recorded.slice(at + 1);
    const taken = after.findIndex((e) => e.type === 'lock-taken');
    expect(after[taken]).toMatchObject({ cluster: 'pg', takeover: { sameRun: true, previousHolder: expect.stringContaining(`pid ${first.child.pid}`) } });
    expect(taken).toBeLessThan(after.findIndex((e) => e.type === 'command-started'));
    expect(after.filter((e) => e.type === 'lock-released')).toHaveLength(1);
    expect(await lockInEtcd()).toBeUndefined();
    expect((await hatui(['audit', 'verify', log], { XDG_STATE_HOME: state })).code).toBe(0);
  });
});

describe('a drill takes the same cluster lock as a run', () => {
  it('the drill\'s lock is in etcd while its fault step runs, and released after', async () => {
    const state = mkdtempSync(join(work, 'state-'));
    const go = join(work, 'go-drill');
    const report = join(work, 'drill-report');
    const drill = start(['drill', 'test/fixtures/lock/drill-wait.md', '--headless', '--answers', answers('drill.yaml', 'fault: pg\n'), '--report', report], { XDG_STATE_HOME: state, HATUI_TEST_GO: go });
    await waitOutput(drill, /fault-waiting/, 'the drill\'s fault step');
    const held = await lockInEtcd();
    expect(held?.pid).toBe(drill.child.pid);
    expect(held?.runbook).toBe('drill-lock-wait');
    // Another operator's run is refused while the drill holds it.
    const other = createLockManager(inventory);
    try {
      await expect(other.acquireLock('pg', currentHolder('other'))).rejects.toThrow(/locked by .*drill-lock-wait/);
    } finally {
      await other.close();
    }
    writeFileSync(go, '');
    await drill.exited;
    expect(drill.out()).toContain('fault-done');
    expect(await lockInEtcd()).toBeUndefined();
    const logs = readdirSync(join(state, 'hatui'), { recursive: true }).map(String).filter((f) => f.endsWith('.jsonl'));
    const recorded = logs.flatMap((f) => events(join(state, 'hatui', f)));
    expect(recorded).toContainEqual(expect.objectContaining({ type: 'lock-taken', cluster: 'pg', holder: expect.stringContaining(`pid ${drill.child.pid}`) }));
  });
});
