import { describe, expect, it } from 'vitest';
import { checkAnswer, confirmationFor } from '../../source/core/policy/confirm.js';
import { makeRunbook } from './helpers.js';

const step = (input: Parameters<typeof makeRunbook>[0][0]) => makeRunbook([input]).steps[0]!;

describe('confirmationFor', () => {
  const table = [
    { name: 'none in lab', step: step({ id: 's', commands: ['x'] }), env: 'lab', level: 'none', expected: undefined },
    { name: 'yes as asked', step: step({ id: 's', confirm: 'yes', commands: ['x'] }), env: 'lab', level: 'yes', expected: undefined },
    { name: 'typed defaults to step id', step: step({ id: 's', confirm: 'typed', commands: ['x'] }), env: 'lab', level: 'typed', expected: 's' },
    { name: 'typed with confirm-text', step: step({ id: 's', confirm: 'typed', confirmText: 'pg2', commands: ['x'] }), env: 'lab', level: 'typed', expected: 'pg2' },
    { name: 'changes= forces typed with the cluster name', step: step({ id: 's', confirm: 'none', changes: 'pg', commands: ['x'] }), env: 'lab', level: 'typed', expected: 'pg' },
    { name: 'changes= with confirm-text', step: step({ id: 's', changes: 'pg', confirmText: 'switch pg', commands: ['x'] }), env: 'staging', level: 'typed', expected: 'switch pg' },
    { name: 'production upgrades none to typed for side effects', step: step({ id: 's', commands: ['x'] }), env: 'production', level: 'typed', expected: 's' },
    { name: 'production upgrades yes to typed', step: step({ id: 's', confirm: 'yes', commands: ['x'] }), env: 'production', level: 'typed', expected: 's' },
    { name: 'production: no commands, no upgrade', step: step({ id: 's' }), env: 'production', level: 'none', expected: undefined },
  ] as const;
  for (const row of table) {
    it(row.name, () => {
      const verdict = confirmationFor(row.step, { environment: row.env });
      expect(verdict.level).toBe(row.level);
      expect(verdict.expectedText).toBe(row.expected);
      expect(verdict.reason.length).toBeGreaterThan(0);
    });
  }
  it('production names the single remote host it will act on', () => {
    expect(confirmationFor(step({ id: 's', commands: ['x'] }), { environment: 'production', targets: [{ selector: 'pg.leader', host: 'pg2' }] }).expectedText).toBe('pg2');
  });
});

describe('checkAnswer', () => {
  const yes = { level: 'yes', reason: '' } as const;
  const typed = { level: 'typed', expectedText: 'pg', reason: '' } as const;
  const table: [string, Parameters<typeof checkAnswer>[0], string | undefined, boolean][] = [
    ['none needs nothing', { level: 'none', reason: '' }, undefined, true],
    ['yes accepts yes', yes, 'yes', true],
    ['yes accepts Y', yes, ' Y ', true],
    ['yes refuses no', yes, 'no', false],
    ['yes refuses missing', yes, undefined, false],
    ['typed accepts exact text', typed, 'pg', true],
    ['typed ignores surrounding blanks', typed, ' pg\n', true],
    ['typed refuses yes', typed, 'yes', false],
    ['typed refuses other case', typed, 'PG', false],
    ['typed refuses prefix', typed, 'p', false],
    ['typed with empty expectation refuses everything', { level: 'typed', expectedText: '', reason: '' }, '', false],
  ];
  for (const [name, verdict, answer, ok] of table) {
    it(name, () => expect(checkAnswer(verdict, answer).ok).toBe(ok));
  }
});
