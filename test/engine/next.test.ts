import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../source/core/engine/events.js';
import { next } from '../../source/core/engine/next.js';
import { fold, markInFlightUnknown } from '../../source/core/engine/reducer.js';
import { AT, makeRunbook, runStarted } from './helpers.js';
import { simulate, type World } from './simulate.js';

const fails = (...ids: string[]): World['command'] => (stepId) => (ids.includes(stepId) ? 'failed' : 'ok');

describe('next(): routing table', () => {
  const cases: {
    name: string;
    steps: Parameters<typeof makeRunbook>[0];
    world: World;
    started: string[];
    outcome: string;
    statuses?: Record<string, string>;
  }[] = [
    {
      name: 'runs the main path in order and stops before rollback steps',
      steps: [{ id: 'a', commands: ['x'] }, { id: 'b', commands: ['x'] }, { id: 'rollback', commands: ['x'] }, { id: 'r2' }],
      world: {},
      started: ['a', 'b'],
      outcome: 'ok',
      statuses: { rollback: 'pending', r2: 'pending' },
    },
    {
      name: 'a false guard skips the step and the run stays ok',
      steps: [{ id: 'a', when: "vars.mode == 'x'", commands: ['x'] }, { id: 'b' }],
      world: { guard: () => false },
      started: ['a', 'b'],
      outcome: 'ok',
      statuses: { a: 'skipped', b: 'ok' },
    },
    {
      name: 'a true guard runs the step',
      steps: [{ id: 'a', when: 'true', commands: ['x'] }],
      world: { guard: () => true },
      started: ['a'],
      outcome: 'ok',
      statuses: { a: 'ok' },
    },
    {
      name: 'on-fail=rollback runs the whole rollback path and the run fails',
      steps: [{ id: 'a' }, { id: 'b', commands: ['x'], onFail: { kind: 'rollback' } }, { id: 'c' }, { id: 'rollback', commands: ['x'] }, { id: 'r2', commands: ['y'] }],
      world: { command: fails('b') },
      started: ['a', 'b', 'rollback', 'r2'],
      outcome: 'failed',
      statuses: { b: 'failed', c: 'pending', rollback: 'ok', r2: 'ok' },
    },
    {
      name: 'on-fail=abort ends the run failed at once',
      steps: [{ id: 'a', commands: ['x'], onFail: { kind: 'abort' } }, { id: 'b' }],
      world: { command: fails('a') },
      started: ['a'],
      outcome: 'failed',
      statuses: { a: 'failed', b: 'pending' },
    },
    {
      name: 'on-fail=<step> jumps to that step and continues from it',
      steps: [{ id: 'a', commands: ['x'], onFail: { kind: 'step', stepId: 'fix' } }, { id: 'b' }, { id: 'fix', commands: ['x'] }],
      world: { command: fails('a') },
      started: ['a', 'fix'],
      outcome: 'failed',
    },
    {
      name: 'retries=2 tries three times, then routes on-fail',
      steps: [{ id: 'a', commands: ['x'], retries: 2, onFail: { kind: 'rollback' } }, { id: 'rollback' }],
      world: { command: fails('a') },
      started: ['a', 'a', 'a', 'rollback'],
      outcome: 'failed',
    },
    {
      name: 'a retry that succeeds keeps the run ok',
      steps: [{ id: 'a', commands: ['x'], retries: 3 }, { id: 'b' }],
      world: { command: (_s, _i, attempt) => (attempt < 3 ? 'failed' : 'ok') },
      started: ['a', 'a', 'a', 'b'],
      outcome: 'ok',
      statuses: { a: 'ok' },
    },
    {
      name: 'a timed-out command is a failure for routing',
      steps: [{ id: 'a', commands: ['x'], onFail: { kind: 'rollback' } }, { id: 'rollback' }],
      world: { command: () => 'timed-out' },
      started: ['a', 'rollback'],
      outcome: 'failed',
      statuses: { a: 'timed-out' },
    },
    {
      name: 'a cancelled command is a failure for routing',
      steps: [{ id: 'a', commands: ['x'], onFail: { kind: 'rollback' } }, { id: 'rollback' }],
      world: { command: () => 'cancelled' },
      started: ['a', 'rollback'],
      outcome: 'failed',
      statuses: { a: 'cancelled' },
    },
    {
      name: 'a failing check fails the step (commands ok)',
      steps: [{ id: 'a', commands: ['x'], checks: ['captures.x.exitCode == 0'], onFail: { kind: 'rollback' } }, { id: 'rollback' }],
      world: { check: () => false },
      started: ['a', 'rollback'],
      outcome: 'failed',
      statuses: { a: 'failed' },
    },
    {
      name: 'a failed command skips the remaining commands of the step',
      steps: [{ id: 'a', commands: ['x', 'y'] }],
      world: { command: (_s, i) => (i === 0 ? 'failed' : 'ok') },
      started: ['a'],
      outcome: 'failed',
    },
    {
      name: 'a failing rollback step aborts',
      steps: [{ id: 'a', commands: ['x'], onFail: { kind: 'rollback' } }, { id: 'rollback', commands: ['x'], onFail: { kind: 'rollback' } }, { id: 'r2' }],
      world: { command: () => 'failed' },
      started: ['a', 'rollback'],
      outcome: 'failed',
      statuses: { r2: 'pending' },
    },
    {
      name: 'on-fail=ask with retry decision runs again',
      steps: [{ id: 'a', commands: ['x'], onFail: { kind: 'ask' } }],
      world: { command: (_s, _i, attempt) => (attempt === 1 ? 'failed' : 'ok'), decision: () => 'retry' },
      started: ['a', 'a'],
      outcome: 'ok',
    },
    {
      name: 'on-fail=ask with skip decision continues',
      steps: [{ id: 'a', commands: ['x'], onFail: { kind: 'ask' } }, { id: 'b' }],
      world: { command: fails('a'), decision: () => 'skip' },
      started: ['a', 'b'],
      outcome: 'ok',
      statuses: { a: 'skipped', b: 'ok' },
    },
    {
      name: 'an on-fail loop is bounded',
      steps: [{ id: 'a', commands: ['x'], onFail: { kind: 'step', stepId: 'a' } }],
      world: { command: fails('a') },
      started: Array(25).fill('a'),
      outcome: 'failed',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const sim = simulate(makeRunbook(c.steps), c.world);
      expect(sim.stoppedAt).toBeUndefined();
      expect(sim.started).toEqual(c.started);
      expect(sim.state.outcome).toBe(c.outcome);
      expect(sim.state.anomalies).toEqual([]);
      for (const [id, status] of Object.entries(c.statuses ?? {})) expect(sim.state.steps[id]!.status, id).toBe(status);
    });
  }
});

describe('next(): operator gates', () => {
  it('asks for a typed confirmation on changes= and stops without an answer before any command', () => {
    const rb = makeRunbook([{ id: 'a', commands: ['x'] }, { id: 'switch', changes: 'pg', commands: ['x'] }]);
    const sim = simulate(rb, {});
    expect(sim.stoppedAt).toMatchObject({ kind: 'confirm', stepId: 'switch', verdict: { level: 'typed', expectedText: 'pg' } });
    expect(sim.events.filter((e) => e.type === 'command-started').map((e) => (e as { stepId: string }).stepId)).toEqual(['a']);
    expect(sim.state.locks).toHaveProperty('pg');
  });
  it('a refused confirmation aborts without running the step', () => {
    const rb = makeRunbook([{ id: 'a', confirm: 'yes', commands: ['x'], onFail: { kind: 'rollback' } }, { id: 'rollback', commands: ['x'] }]);
    const sim = simulate(rb, { confirm: () => 'refuse' });
    expect(sim.events.some((e) => e.type === 'command-started')).toBe(false);
    expect(sim.state.status).toBe('aborted');
    expect(sim.state.steps.a!.status).toBe('cancelled');
    expect(sim.state.steps.rollback!.status).toBe('pending');
  });
  it('production needs typed confirmation for every step with commands, not for prose-only steps', () => {
    const rb = makeRunbook([{ id: 'read' }, { id: 'act', commands: ['x'] }]);
    const sim = simulate(rb, { environment: 'production' });
    expect(sim.stoppedAt).toMatchObject({ kind: 'confirm', stepId: 'act', verdict: { level: 'typed', expectedText: 'act' } });
    expect(sim.state.steps.read!.status).toBe('ok');
  });
  it('a manual checklist must be ticked before the commands', () => {
    const rb = makeRunbook([{ id: 'a', checklist: ['notify team', 'open ticket'], commands: ['x'] }]);
    const state = fold(rb, [runStarted(rb), { type: 'step-started', at: AT, stepId: 'a', attempt: 1 }, { type: 'checklist-ticked', at: AT, stepId: 'a', item: 1, by: 'op' }]);
    expect(next(rb, state)).toEqual({ kind: 'checklist', stepId: 'a', items: [0] });
  });
  it('a failing pre-flight blocks until overridden', () => {
    const rb = makeRunbook([{ id: 'a', preflight: ['clusters.pg.lag < 100'], commands: ['x'] }]);
    const blocked = simulate(rb, { preflight: () => false });
    expect(blocked.stoppedAt).toMatchObject({ kind: 'decide', reason: 'preflight-blocked', options: ['override', 'abort'] });
    expect(blocked.events.some((e) => e.type === 'command-started')).toBe(false);
    const overridden = simulate(rb, { preflight: () => false, decision: () => 'override' });
    expect(overridden.state.outcome).toBe('ok');
  });
  it('a guard that cannot be evaluated fails the step instead of skipping it', () => {
    const rb = makeRunbook([{ id: 'a', when: 'nope', commands: ['x'] }]);
    const state = fold(rb, [runStarted(rb), { type: 'step-started', at: AT, stepId: 'a', attempt: 1 }, { type: 'guard-evaluated', at: AT, stepId: 'a', guard: { source: 'nope', result: false, values: {}, error: 'undeclared' } }]);
    expect(next(rb, state)).toMatchObject({ kind: 'finish-step', outcome: 'failed' });
  });
});

describe('next(): unknown never continues as ok', () => {
  const rb = makeRunbook([{ id: 'a', commands: ['x'], checks: ['true'] }, { id: 'b', commands: ['y'] }]);
  const inFlight = [runStarted(rb), { type: 'step-started', at: AT, stepId: 'a', attempt: 1 }, { type: 'command-started', at: AT, stepId: 'a', commandIndex: 0, target: { selector: 'local', host: 'local' }, command: 'x' }] as const;

  it('a step in flight when the log ends becomes unknown and needs a decision', () => {
    const state = markInFlightUnknown(fold(rb, [...inFlight]));
    expect(state.steps.a!.status).toBe('unknown');
    expect(state.steps.a!.commands[0]!.status).toBe('unknown');
    expect(next(rb, state)).toMatchObject({ kind: 'decide', stepId: 'a', reason: 'unknown', options: ['retry', 'skip', 'recheck', 'abort'] });
  });
  it('run-resumed in the log marks the step unknown the same way (replay = resume)', () => {
    const resumed = fold(rb, [...inFlight, { type: 'run-resumed', at: AT, operator: 'op', hatuiVersion: 't' }]);
    expect(resumed.steps.a!.status).toBe('unknown');
    expect(resumed.pendingDecision).toMatchObject({ stepId: 'a', reason: 'unknown' });
  });
  it('a command reported unknown makes the step unknown, not failed or ok', () => {
    const sim = simulate(rb, { command: () => 'unknown' });
    expect(sim.stoppedAt).toMatchObject({ kind: 'decide', reason: 'unknown' });
    expect(sim.state.steps.a!.status).toBe('unknown');
    expect(sim.state.steps.b!.status).toBe('pending');
  });
  it('a step-finished ok with an unobserved command is folded as unknown', () => {
    const state = fold(rb, [...inFlight, { type: 'step-finished', at: AT, stepId: 'a', outcome: 'ok' }]);
    expect(state.steps.a!.status).toBe('unknown');
    expect(state.anomalies.length).toBe(1);
  });
  it.each([
    ['retry', ['a', 'a', 'b'], 'ok'],
    ['skip', ['a', 'b'], 'ok'],
    ['recheck', ['a', 'b'], 'ok'],
    ['abort', ['a'], 'failed'],
  ] as const)('decision %s', (decision, started, outcome) => {
    let first = true;
    const sim = simulate(rb, {
      command: (s) => (s === 'a' && first ? ((first = false), 'unknown') : 'ok'),
      decision: () => decision,
    });
    expect(sim.started).toEqual(started);
    expect(sim.state.outcome).toBe(outcome);
  });
  it('recheck of a step without checks stays unknown', () => {
    const plain = makeRunbook([{ id: 'a', commands: ['x'] }]);
    let asked = 0;
    const sim = simulate(plain, { command: () => 'unknown', decision: () => (asked++ === 0 ? 'recheck' : undefined) });
    expect(sim.stoppedAt).toMatchObject({ kind: 'decide', reason: 'unknown' });
    expect(sim.state.steps.a!.status).toBe('unknown');
  });
});

describe('resume of a run that stopped between effects', () => {
  it('a run stopped at a missing confirmation continues by asking again, not as unknown', () => {
    const rb = makeRunbook([{ id: 'a', confirm: 'yes', commands: ['x'] }]);
    const events = [
      runStarted(rb),
      { type: 'step-started', at: AT, stepId: 'a', attempt: 1 },
      { type: 'confirmation-requested', at: AT, stepId: 'a', level: 'yes', targets: [] },
      { type: 'run-resumed', at: AT, operator: 'op', hatuiVersion: 't' },
    ] as RunEvent[];
    const state = fold(rb, events);
    expect(state.steps.a!.status).toBe('awaiting-confirmation');
    expect(state.pendingDecision).toBeUndefined();
    expect(next(rb, state)).toMatchObject({ kind: 'confirm', stepId: 'a' });
  });
  it('a confirmed step whose command never started continues with that command', () => {
    const rb = makeRunbook([{ id: 'a', confirm: 'yes', commands: ['x'] }]);
    const state = markInFlightUnknown(
      fold(rb, [
        runStarted(rb),
        { type: 'step-started', at: AT, stepId: 'a', attempt: 1 },
        { type: 'confirmation-requested', at: AT, stepId: 'a', level: 'yes', targets: [] },
        { type: 'confirmation-given', at: AT, stepId: 'a', level: 'yes', by: 'op' },
      ]),
    );
    expect(next(rb, state)).toEqual({ kind: 'run-command', stepId: 'a', commandIndex: 0, fromHost: 0 });
  });
});
