// Shared UI test fixtures: a parsed runbook, a cluster snapshot shaped like the lab's, events.
import { readFileSync } from 'node:fs';
import type { ReactElement } from 'react';
import type { ClusterSnapshot } from '../../source/core/cluster-state.js';
import type { RunEvent } from '../../source/core/engine/events.js';
import type { Runbook } from '../../source/core/runbook/model.js';
import { parseRunbook } from '../../source/core/runbook/parse.js';

export function demoRunbook(): Runbook {
  const path = new URL('./fixtures/switch.md', import.meta.url).pathname;
  const { runbook, problems } = parseRunbook(readFileSync(path, 'utf8'), path);
  if (!runbook) throw new Error(problems.map((p) => JSON.stringify(p)).join('\n'));
  return runbook;
}

const AT = '2026-11-25T20:00:00.000Z';
export function labSnapshot(over: { leader?: string; stalePg2?: boolean } = {}): ClusterSnapshot {
  const leader = over.leader ?? 'pg1';
  const member = (name: string) => ({
    name,
    role: name === leader ? ('leader' as const) : name === 'pg2' && leader !== 'pg2' ? ('sync_standby' as const) : ('replica' as const),
    state: 'running',
    timeline: 3,
    lagBytes: 0,
    lagSeconds: 0,
    apiReachable: !(over.stalePg2 && name === 'pg2'),
    stale: over.stalePg2 && name === 'pg2' ? { sinceMs: 4200, error: 'timed out after 1000 ms' } : null,
  });
  return {
    fetchedAt: AT,
    clusters: {
      pg: {
        kind: 'patroni',
        name: 'pg',
        fetchedAt: AT,
        targets: [],
        scope: 'hatui-lab',
        members: ['pg1', 'pg2', 'pg3'].map(member),
        leader,
        syncStandby: leader === 'pg2' ? 'pg1' : 'pg2',
        leaderChanges: leader === 'pg1' ? [] : [{ from: 'pg1', to: leader, at: '2026-11-25T20:00:01.000Z' }],
        dcsReachable: true,
      },
      haproxy: {
        kind: 'haproxy',
        name: 'haproxy',
        fetchedAt: AT,
        targets: [],
        rw: { name: 'pg_rw', servers: ['pg1', 'pg2', 'pg3'].map((n) => ({ name: n, status: n === leader ? ('UP' as const) : ('DOWN' as const), raw: n === leader ? 'UP' : 'DOWN', checkStatus: null })) },
        ro: { name: 'pg_ro', servers: ['pg1', 'pg2', 'pg3'].map((n) => ({ name: n, status: 'UP' as const, raw: 'UP', checkStatus: null })) },
      },
      redis: {
        kind: 'redis-sentinel',
        name: 'redis',
        fetchedAt: AT,
        targets: [],
        masterName: 'hatui-redis',
        sentinels: [56390, 56391, 56392].map((p) => ({ address: `127.0.0.1:${p}`, master: '127.0.0.1:56379', flags: 'master', quorum: 2, quorumReachable: true, stale: null })),
        master: '127.0.0.1:56379',
        agreement: true,
        quorum: 2,
        sentinelsReachable: 3,
        masterOffset: 2503,
        replicas: [{ address: '127.0.0.1:56380', linkStatus: 'up', offset: 2503, offsetLag: 0, masterOfReplica: '127.0.0.1:56379', stale: null }],
        leaderChanges: [],
      },
      etcd: { kind: 'etcd', name: 'etcd', fetchedAt: AT, targets: [], members: [{ name: 'etcd1', endpoint: 'http://127.0.0.1:23790', healthy: true, version: '3.4.23', isLeader: true, raftTerm: 2, dbSize: 1 }].map((m) => ({ ...m, stale: null })), healthyCount: 1, quorumSize: 1, hasQuorum: true, leaderKey: { key: '/service/hatui-lab/leader', holder: 'pg1', ageSeconds: 1, ttlSeconds: 9, grantedTtlSeconds: 10 } },
      docs: { kind: 'no-probe', name: 'docs', fetchedAt: AT, targets: [], clusterKind: 'mongodb', members: ['mongo1'], message: 'no probe yet' },
    },
  };
}

export function runStarted(runbook: Runbook, environment = 'lab'): RunEvent {
  return {
    type: 'run-started',
    at: AT,
    runId: 'r1',
    runbookId: runbook.id,
    runbookPath: runbook.path,
    runbookSha256: 'x',
    environment,
    operator: 'tester',
    hatuiVersion: '0.1.0',
    dryRun: false,
    vars: { candidate: 'pg2' },
    stepIds: runbook.steps.map((s) => s.id),
  };
}

export const tick = () => new Promise((r) => setTimeout(r, 30));

/** Gives an ink-testing-library stdout a terminal size (it says 100 columns, no rows) and tells Ink it changed. */
export function resizeTerminal(stdout: NodeJS.EventEmitter, columns: number, rows: number): void {
  Object.defineProperty(stdout, 'columns', { value: columns, configurable: true });
  Object.defineProperty(stdout, 'rows', { value: rows, configurable: true });
  stdout.emit('resize');
}

/**
 * Renders into a fake terminal that is `columns`×`rows` from the first frame (ink-testing-library's says
 * 100 columns, and with CI set Ink ignores 'resize', so a test that grows it after the first frame measures
 * Ink's stale layout, not the screen). Same shape as ink-testing-library's render.
 */
export async function renderSized(tree: ReactElement, columns: number, rows: number) {
  const { EventEmitter } = await import('node:events');
  const { render } = await import('ink');
  let last: string | undefined;
  const stdout = Object.assign(new EventEmitter(), { columns, rows, write: (frame: string) => ((last = frame), true) });
  const stderr = Object.assign(new EventEmitter(), { write: () => true });
  const stdin = Object.assign(new EventEmitter(), { isTTY: true, setEncoding() {}, setRawMode() {}, resume() {}, pause() {}, ref() {}, unref() {}, read: () => null });
  const instance = render(tree, { stdout: stdout as never, stderr: stderr as never, stdin: stdin as never, debug: true, exitOnCtrlC: false, patchConsole: false });
  return { lastFrame: () => last, unmount: () => instance.unmount() };
}

/** Waits (polling every 5 ms, up to 5 s) until `cond` holds: a render or an effect, never a fixed sleep. */
export async function until(cond: () => unknown, what = 'condition'): Promise<void> {
  const { waitFor } = await import('../support/wait-for.js');
  await waitFor(() => Boolean(cond()), 5000, what, 5);
}

/** Writes keys and waits until the frame shows their effect (it differs from the frame before the write). */
export async function press(stdin: { write(data: string): void }, lastFrame: () => string | undefined, keys: string): Promise<void> {
  const before = lastFrame();
  stdin.write(keys);
  await until(() => lastFrame() !== before, `the frame to change after ${JSON.stringify(keys)}`);
}

/**
 * Waits until the frame shows `text`, then lets React run the new screen's effects (Ink subscribes a screen's
 * input handler in an effect after its first render), so the next keystroke reaches that screen.
 */
export async function shown(lastFrame: () => string | undefined, text: string): Promise<void> {
  await until(() => lastFrame()?.includes(text), `the frame to show ${JSON.stringify(text)}`);
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}
