// Random runbooks × random worlds: the engine always ends or stops for the operator, never runs a command
// of a step that needs a confirmation before that confirmation, and never calls a run ok that was not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../source/core/engine/events.js';
import type { CommandOutcome } from '../../source/core/outcome.js';
import { confirmationFor } from '../../source/core/policy/confirm.js';
import type { OnFail } from '../../source/core/runbook/model.js';
import { makeRunbook, type StepInput } from './helpers.js';
import { simulate } from './simulate.js';

const stepShape = fc.record({
  confirm: fc.constantFrom('none', 'yes', 'typed'),
  changes: fc.option(fc.constant('pg'), { nil: undefined }),
  onFail: fc.constantFrom('abort', 'rollback', 'ask', 'step'),
  retries: fc.integer({ min: 0, max: 2 }),
  commands: fc.integer({ min: 0, max: 2 }),
  checks: fc.integer({ min: 0, max: 2 }),
  guarded: fc.boolean(),
  checklist: fc.integer({ min: 0, max: 1 }),
  preflight: fc.integer({ min: 0, max: 1 }),
});

const scenario = fc.record({
  main: fc.array(stepShape, { minLength: 1, maxLength: 5 }),
  rollback: fc.array(stepShape, { minLength: 0, maxLength: 2 }),
  outcomes: fc.array(fc.constantFrom<CommandOutcome>('ok', 'ok', 'ok', 'failed', 'timed-out', 'cancelled', 'unknown'), { minLength: 1, maxLength: 40 }),
  bools: fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
  environment: fc.constantFrom('lab', 'production'),
  decisions: fc.array(fc.constantFrom('retry', 'skip', 'recheck', 'abort', 'override', undefined), { minLength: 1, maxLength: 10 }),
  confirms: fc.array(fc.constantFrom('give', 'refuse', undefined), { minLength: 1, maxLength: 10 }),
});

type Shape = typeof stepShape extends fc.Arbitrary<infer T> ? T : never;

function build(main: Shape[], rollback: Shape[]) {
  const ids = [...main.map((_, i) => `m${i}`), ...rollback.map((_, i) => (i === 0 ? 'rollback' : `r${i}`))];
  const inputs: StepInput[] = [...main, ...rollback].map((shape, i) => {
    const later = ids.slice(i + 1, main.length);
    let onFail: OnFail = { kind: 'abort' };
    if (shape.onFail === 'rollback' && rollback.length > 0 && i < main.length) onFail = { kind: 'rollback' };
    else if (shape.onFail === 'ask') onFail = { kind: 'ask' };
    else if (shape.onFail === 'step' && later.length > 0) onFail = { kind: 'step', stepId: later[0]! };
    return {
      id: ids[i]!,
      confirm: shape.confirm,
      changes: shape.changes,
      onFail,
      retries: shape.retries,
      commands: Array.from({ length: shape.commands }, (_, k) => `c${k}`),
      checks: Array.from({ length: shape.checks }, (_, k) => `k${k}`),
      checklist: Array.from({ length: shape.checklist }, (_, k) => `item ${k}`),
      preflight: Array.from({ length: shape.preflight }, (_, k) => `p${k}`),
      ...(shape.guarded ? { when: 'g' } : {}),
    };
  });
  return makeRunbook(inputs);
}

describe('next() over random runbooks and worlds', () => {
  it('ends or stops for a decision, never runs an unconfirmed command, never calls a failed run ok', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        const runbook = build(sc.main, sc.rollback);
        let o = 0;
        let b = 0;
        let d = 0;
        let c = 0;
        const sim = simulate(runbook, {
          environment: sc.environment,
          command: () => sc.outcomes[o++ % sc.outcomes.length]!,
          guard: () => sc.bools[b++ % sc.bools.length]!,
          check: () => sc.bools[b++ % sc.bools.length]!,
          preflight: () => sc.bools[b++ % sc.bools.length]!,
          decision: (_s, reason) => {
            // Like the answers file, an operator's answers run out: the simulation then stops for a decision.
            if (d >= sc.decisions.length) return undefined;
            const x = sc.decisions[d++];
            if (x === 'override') return reason === 'preflight-blocked' ? 'override' : undefined;
            return reason === 'preflight-blocked' ? undefined : x;
          },
          confirm: () => (c < sc.confirms.length ? sc.confirms[c++] : undefined),
        });
        const { state, events } = sim;
        expect(state.anomalies).toEqual([]);
        // Ended, or stopped at an operator question.
        if (!sim.stoppedAt) expect(['finished', 'aborted']).toContain(state.status);
        else expect(['decide', 'confirm']).toContain(sim.stoppedAt.kind);
        // Every command ran after its step's confirmation (when one was needed) and after its checklist.
        const confirmed = new Set<string>();
        for (const e of events as RunEvent[]) {
          if (e.type === 'step-started' && e.attempt === 1) confirmed.delete(e.stepId);
          if (e.type === 'confirmation-given') confirmed.add(e.stepId);
          if (e.type === 'command-started') {
            const step = runbook.steps.find((s) => s.id === e.stepId)!;
            if (confirmationFor(step, { environment: sc.environment }).level !== 'none') expect(confirmed.has(e.stepId)).toBe(true);
          }
        }
        // ok only when no rollback and every visited main step ended ok or skipped.
        if (state.outcome === 'ok') {
          expect(state.inRollback).toBe(false);
          for (const id of state.visited) expect(['ok', 'skipped']).toContain(state.steps[id]!.status);
        }
        // A step with an unobserved command is never ok.
        for (const s of Object.values(state.steps)) {
          if (s.status === 'ok' && !s.decisions.some((x) => x.decision === 'recheck')) expect(s.commands.every((cmd) => cmd.status === 'ok')).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
