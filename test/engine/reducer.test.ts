import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../source/core/engine/events.js';
import { fold, reduce } from '../../source/core/engine/reducer.js';
import { initialState, OUTPUT_TAIL_CHARS } from '../../source/core/engine/state.js';
import { AT, makeRunbook } from './helpers.js';
import { simulate } from './simulate.js';

const runbook = makeRunbook([
  { id: 'a', commands: ['x', 'y'], checks: ['true'], retries: 1, onFail: { kind: 'rollback' } },
  { id: 'b', changes: 'pg', checklist: ['one'], preflight: ['true'], commands: [{ template: 'z', capture: 'zz' }] },
  { id: 'rollback', commands: ['r'] },
]);

describe('fold', () => {
  it('folding the same recorded events twice gives deep-equal states', () => {
    const sim = simulate(runbook, { command: (s, _i, attempt) => (s === 'a' && attempt === 1 ? 'failed' : 'ok'), confirm: () => 'give' });
    expect(sim.state.outcome).toBe('ok');
    const events = JSON.parse(JSON.stringify(sim.events)) as RunEvent[];
    const first = fold(runbook, events);
    const second = fold(runbook, events);
    expect(second).toEqual(first);
    expect(first).toEqual(sim.state);
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);
  });

  it('records attempts, captures, confirmations, checklist ticks and locks', () => {
    const sim = simulate(runbook, { command: (s, _i, attempt) => (s === 'a' && attempt === 1 ? 'failed' : 'ok'), confirm: () => 'give' });
    const a = sim.state.steps.a!;
    expect(a.attempts).toBe(2);
    expect(a.history).toHaveLength(1);
    expect(a.history[0]!.status).toBe('failed');
    const b = sim.state.steps.b!;
    expect(b.confirmation).toMatchObject({ level: 'typed', by: 'op', typed: 'pg' });
    expect(b.checklistTicked.map((t) => t.item)).toEqual([0]);
    expect(b.preflight).toHaveLength(1);
    expect(sim.state.locks.pg).toMatchObject({ holder: 'op' });
  });

  it('keeps only a bounded tail of command output', () => {
    const rb = makeRunbook([{ id: 'a', commands: ['x'] }]);
    const big = 'y'.repeat(3000);
    const events: RunEvent[] = [
      { ...simulate(rb, {}).events[0]! },
      { type: 'step-started', at: AT, stepId: 'a', attempt: 1 },
      { type: 'command-started', at: AT, stepId: 'a', commandIndex: 0, target: { selector: 'local', host: 'local' }, command: 'x' },
      ...Array.from({ length: 10 }, (): RunEvent => ({ type: 'command-output', at: AT, stepId: 'a', commandIndex: 0, stream: 'stdout', data: big })),
    ];
    const out = fold(rb, events).steps.a!.commands[0]!.output;
    expect(out.tail.length).toBe(OUTPUT_TAIL_CHARS);
    expect(out.chars).toBe(30000);
    expect(out.truncated).toBe(true);
  });

  it('records out-of-order events as anomalies instead of throwing', () => {
    const state = fold(runbook, [
      { type: 'step-started', at: AT, stepId: 'a', attempt: 1 },
      { type: 'command-finished', at: AT, stepId: 'nope', commandIndex: 0, outcome: 'ok', exitCode: 0, signal: null, durationMs: 1 },
      { type: 'bogus' } as unknown as RunEvent,
    ]);
    expect(state.anomalies.map((a) => a.type)).toEqual(['step-started', 'command-finished', 'bogus']);
    expect(state.status).toBe('not-started');
  });
});

// Random event sequences over the real step ids (and a few strange ones): reduce never throws.
const stepId = fc.constantFrom('a', 'b', 'rollback', 'nope', '__proto__', 'constructor', '');
const text = fc.string({ maxLength: 20 });
const target = fc.record({ selector: text, host: text });
const expression = fc.record({ source: text, result: fc.boolean(), values: fc.dictionary(text, fc.jsonValue()), error: fc.option(text, { nil: undefined }) });
const outcome = fc.constantFrom('ok', 'failed', 'timed-out', 'cancelled', 'skipped', 'unknown');
const commandOutcome = fc.constantFrom('ok', 'failed', 'timed-out', 'cancelled', 'unknown');
const index = fc.integer({ min: -1, max: 3 });
const event: fc.Arbitrary<RunEvent> = fc.oneof(
  fc.record({ type: fc.constant('run-started'), at: text, runId: text, runbookId: fc.constantFrom('rb', 'other'), runbookPath: text, runbookSha256: text, environment: text, operator: text, hatuiVersion: text, dryRun: fc.boolean(), vars: fc.dictionary(text, text), stepIds: fc.array(text) }),
  fc.record({ type: fc.constant('step-started'), at: text, stepId, attempt: fc.integer({ min: -1, max: 4 }) }),
  fc.record({ type: fc.constant('guard-evaluated'), at: text, stepId, guard: expression }),
  fc.record({ type: fc.constant('preflight-evaluated'), at: text, stepId, results: fc.array(expression, { maxLength: 3 }) }),
  fc.record({ type: fc.constant('preflight-overridden'), at: text, stepId, by: text, typed: text }),
  fc.record({ type: fc.constant('confirmation-requested'), at: text, stepId, level: fc.constantFrom('none', 'yes', 'typed'), targets: fc.array(target, { maxLength: 2 }) }),
  fc.record({ type: fc.constant('confirmation-given'), at: text, stepId, level: fc.constantFrom('none', 'yes', 'typed'), by: text }),
  fc.record({ type: fc.constant('confirmation-refused'), at: text, stepId, by: text }),
  fc.record({ type: fc.constant('checklist-ticked'), at: text, stepId, item: index, by: text }),
  fc.record({ type: fc.constant('command-started'), at: text, stepId, commandIndex: index, target, command: text, hostIndex: fc.option(index, { nil: undefined }), hostCount: fc.option(index, { nil: undefined }) }),
  fc.record({ type: fc.constant('command-output'), at: text, stepId, commandIndex: index, stream: fc.constantFrom('stdout', 'stderr'), data: fc.string({ maxLength: 200 }) }),
  fc.record({ type: fc.constant('command-finished'), at: text, stepId, commandIndex: index, outcome: commandOutcome, exitCode: fc.option(fc.integer(), { nil: null }), signal: fc.option(text, { nil: null }), durationMs: fc.nat(), capture: fc.option(fc.record({ name: fc.constantFrom('x', '__proto__', 'zz'), stdout: text, exitCode: fc.option(fc.integer(), { nil: null }) }), { nil: undefined }) }),
  fc.record({ type: fc.constant('check-evaluated'), at: text, stepId, check: expression }),
  fc.record({ type: fc.constant('step-finished'), at: text, stepId, outcome }),
  fc.record({ type: fc.constant('lock-taken'), at: text, cluster: fc.constantFrom('pg', '__proto__'), holder: text }),
  fc.record({ type: fc.constant('lock-released'), at: text, cluster: fc.constantFrom('pg', '__proto__') }),
  fc.record({ type: fc.constant('run-resumed'), at: text, operator: text, hatuiVersion: text }),
  fc.record({ type: fc.constant('resume-decision'), at: text, stepId, decision: fc.constantFrom('retry', 'skip', 'recheck', 'abort'), by: text }),
  fc.record({ type: fc.constant('note'), at: text, text }),
  fc.record({ type: fc.constant('run-aborted'), at: text, reason: text }),
  fc.record({ type: fc.constant('run-finished'), at: text, outcome }),
) as fc.Arbitrary<RunEvent>;
const garbage = fc.oneof(fc.constant(null), fc.jsonValue(), fc.record({ type: text })) as unknown as fc.Arbitrary<RunEvent>;

describe('reduce is total', () => {
  it('random well-typed event sequences never throw, never hit an internal error, and fold deterministically', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        const start: RunEvent = { type: 'run-started', at: AT, runId: 'r', runbookId: 'rb', runbookPath: 'p', runbookSha256: 's', environment: 'lab', operator: 'o', hatuiVersion: 'v', dryRun: false, vars: {}, stepIds: [] };
        const all = [start, ...events];
        const state = fold(runbook, all);
        expect(state.anomalies.filter((a) => a.message.startsWith('internal'))).toEqual([]);
        expect(fold(runbook, all)).toEqual(state);
        expect(Object.getPrototypeOf(state.steps)).toBe(Object.prototype);
      }),
      { numRuns: 400 },
    );
  });
  it('garbage events never throw', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(event, garbage), { maxLength: 40 }), (events) => {
        let state = initialState(runbook);
        for (const e of events) state = reduce(state, e);
        expect(state.eventCount).toBe(events.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('step ids that look like Object.prototype keys', () => {
  it('a runbook with a step called __proto__ folds like any other', () => {
    const rb = makeRunbook([{ id: '__proto__', commands: ['x'] }, { id: 'constructor' }]);
    const sim = simulate(rb, {});
    expect(sim.state.outcome).toBe('ok');
    expect(Object.keys(sim.state.steps)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(sim.state.steps)).toBe(Object.prototype);
    expect(sim.state.steps['__proto__']!.status).toBe('ok');
  });
});
