// Issue 16, operator lock: a lock lost while a run holds it stops the run before its next command (the
// in-flight command's outcome is the observed one, the loss is a recorded event naming the new holder),
// and a resume takes the interrupted run's locks again before anything else, never releasing what it
// did not take.
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../source/core/engine/events.js';
import { fold } from '../../source/core/engine/reducer.js';
import { next } from '../../source/core/engine/next.js';
import type { LockLoss, LockService } from '../../source/services/runner-deps.js';
import { FakeTransport, parse, runTest } from './support.js';

const runbook = parse(
  '---\nid: two\ntitle: Two changes\nclusters: [pg]\n---\n\n## One {#one changes=pg}\n\n```sh {host=local}\none\n```\n\n## Two {#two changes=pg}\n\n```sh {host=local}\ntwo\n```\n',
);
const answers = { one: { confirm: 'pg' }, two: { confirm: 'pg' } };

/** A lock service double: records calls; `lose()` reports the held lock lost; `verify` asks `onVerify`. */
class FakeLocks implements LockService {
  readonly calls: string[] = [];
  private listener: ((loss: LockLoss) => void) | undefined;
  onVerify: (() => LockLoss | undefined) | undefined;
  refuse: string | undefined;
  async acquire(request: Parameters<LockService['acquire']>[0]) {
    this.calls.push(`acquire ${request.cluster} ${request.runId}`);
    if (this.refuse) return { ok: false as const, message: this.refuse };
    this.listener = request.onLost;
    return { ok: true as const, holder: 'me@here pid 1' };
  }
  async verify(clusters: string[]) {
    this.calls.push(`verify ${clusters.join(',')}`);
    const loss = this.onVerify?.();
    if (loss) this.lose(loss);
  }
  async release(cluster: string) {
    this.calls.push(`release ${cluster}`);
  }
  lose(loss: LockLoss) {
    this.listener?.(loss);
  }
}

const types = (events: RunEvent[]) => events.map((e) => e.type);

describe('runner: a lost operator lock', () => {
  it('lost while a command runs: that command ends as observed, the loss is recorded naming the new holder, the next command never runs (exit 4)', async () => {
    const locks = new FakeLocks();
    const transport = new FakeTransport((request) => {
      if (request.command === 'one') locks.lose({ cluster: 'pg', reason: 'the lock key was deleted', holder: 'bob@ops2 pid 77' });
      return {};
    });
    const r = await runTest(runbook, { transportFor: () => transport, locks, answers });
    expect(transport.requests.map((q) => q.command)).toEqual(['one']);
    expect(r.exitCode).toBe(4);
    expect(r.message).toContain('bob@ops2 pid 77');
    expect(r.message).toContain("lock on cluster 'pg' lost");
    const finished = r.sink.events.find((e) => e.type === 'command-finished');
    expect(finished).toMatchObject({ stepId: 'one', outcome: 'ok' });
    expect(r.sink.events).toContainEqual(expect.objectContaining({ type: 'lock-lost', cluster: 'pg', holder: 'bob@ops2 pid 77', reason: 'the lock key was deleted' }));
    expect(r.sink.events.some((e) => e.type === 'command-started' && e.stepId === 'two')).toBe(false);
    // Not ours any more: no lock-released for it.
    expect(types(r.sink.events)).not.toContain('lock-released');
    expect(r.state.lockLost).toMatchObject({ cluster: 'pg', holder: 'bob@ops2 pid 77' });
  });

  it('a loss found by the check right before the next command stops the run before it is sent or recorded', async () => {
    const locks = new FakeLocks();
    const transport = new FakeTransport();
    let verifies = 0;
    locks.onVerify = () => (++verifies === 2 ? { cluster: 'pg', reason: 'lease expired' } : undefined);
    const r = await runTest(runbook, { transportFor: () => transport, locks, answers });
    expect(transport.requests.map((q) => q.command)).toEqual(['one']);
    expect(r.exitCode).toBe(4);
    expect(r.sink.events.filter((e) => e.type === 'command-started').map((e) => (e as { stepId: string }).stepId)).toEqual(['one']);
    expect(types(r.sink.events).slice(-2)).toEqual(['lock-lost', 'run-aborted']);
    expect(locks.calls).toEqual(['acquire pg test-run', 'verify pg', 'verify pg']);
  });
});

describe('runner: resume and the operator lock', () => {
  /** A crashed run: it held the lock on pg and died in step one's command. */
  const crashed: RunEvent[] = [
    { type: 'run-started', at: 't0', runId: 'test-run', runbookId: 'two', runbookPath: 'inline.md', runbookSha256: 'sha', environment: 'lab', operator: 'ann@ops1', hatuiVersion: 'test', dryRun: false, vars: {}, stepIds: ['one', 'two'] },
    { type: 'step-started', at: 't1', stepId: 'one', attempt: 1 },
    { type: 'lock-taken', at: 't2', cluster: 'pg', holder: 'ann@ops1 pid 9' },
    { type: 'confirmation-requested', at: 't3', stepId: 'one', level: 'typed', expected: 'pg', targets: [{ selector: 'local', host: 'local' }] },
    { type: 'confirmation-given', at: 't4', stepId: 'one', level: 'typed', by: 'ann@ops1', typed: 'pg' },
    { type: 'command-started', at: 't5', stepId: 'one', commandIndex: 0, target: { selector: 'local', host: 'local' }, command: 'one' },
    { type: 'run-resumed', at: 't6', operator: 'bob@ops2', hatuiVersion: 'test' },
  ];

  it('the fold moves the interrupted run\'s locks to relock, and next() takes them first', () => {
    const state = fold(runbook, crashed);
    expect(state.locks).toEqual({});
    expect(state.relock).toEqual(['pg']);
    expect(next(runbook, state)).toEqual({ kind: 'take-lock', cluster: 'pg' });
    const retaken = fold(runbook, [...crashed, { type: 'lock-taken', at: 't7', cluster: 'pg', holder: 'bob@ops2 pid 10' }]);
    expect(retaken.relock).toEqual([]);
    expect(next(runbook, retaken)).toMatchObject({ kind: 'decide', stepId: 'one', reason: 'unknown' });
  });

  it('re-takes the lock before deciding or running anything, and releases only the lock it took', async () => {
    const locks = new FakeLocks();
    const transport = new FakeTransport();
    const r = await runTest(runbook, { transportFor: () => transport, locks, answers: { ...answers, one: { confirm: 'pg', resume: 'retry' } }, priorEvents: crashed });
    expect(r.exitCode, r.message).toBe(0);
    expect(locks.calls[0]).toBe('acquire pg test-run');
    const after = types(r.sink.events);
    expect(after[0]).toBe('lock-taken');
    expect(after.indexOf('lock-taken')).toBeLessThan(after.indexOf('resume-decision'));
    expect(after.filter((t) => t === 'lock-released')).toHaveLength(1);
    expect(transport.requests.map((q) => q.command)).toEqual(['one', 'two']);
  });

  it('a lock held by someone else refuses the resume naming them: nothing runs and nothing is released', async () => {
    const locks = new FakeLocks();
    locks.refuse = "cluster 'pg' is locked by carol@ops3 pid 5";
    const transport = new FakeTransport();
    const r = await runTest(runbook, { transportFor: () => transport, locks, answers: { ...answers, one: { confirm: 'pg', resume: 'retry' } }, priorEvents: crashed });
    expect(r.exitCode).toBe(4);
    expect(r.message).toContain('carol@ops3');
    expect(transport.requests).toEqual([]);
    expect(types(r.sink.events)).not.toContain('lock-released');
    expect(locks.calls.filter((c) => c.startsWith('release'))).toEqual([]);
  });
});
