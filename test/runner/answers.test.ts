import { describe, expect, it } from 'vitest';
import { HatuiError } from '../../source/core/exit-codes.js';
import { answersDecider, parseAnswers } from '../../source/services/runner-answers.js';
import { resolveVars } from '../../source/services/runner-vars.js';
import { makeRunbook } from '../engine/helpers.js';

function problem(fn: () => unknown): HatuiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof HatuiError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('answers file', () => {
  it('reads every documented form', () => {
    const a = parseAnswers('a: yes\nb: pg\nc: {checklist: all}\nd: {checklist: [2]}\ne: {override: pg}\nf: {resume: retry}\ng: {confirm: x, checklist: all}\nh: true\n', 'ans.yaml');
    expect(a).toEqual({
      a: { confirm: 'yes' },
      b: { confirm: 'pg' },
      c: { checklist: 'all' },
      d: { checklist: [1] },
      e: { override: 'pg' },
      f: { resume: 'retry' },
      g: { confirm: 'x', checklist: 'all' },
      h: { confirm: 'yes' },
    });
  });
  it('reports every problem with file:line:col and exit 2', () => {
    const e = problem(() => parseAnswers('a: {bogus: 1}\nb: {resume: later}\nc: [1, 2]\n', 'ans.yaml'));
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain("ans.yaml:1:1: 'a': unknown key 'bogus'");
    expect(e.message).toContain("ans.yaml:2:1: 'b.resume' must be one of retry, skip, recheck, abort");
    expect(e.message).toContain('ans.yaml:3:1:');
  });
  it('broken YAML names the line', () => {
    const e = problem(() => parseAnswers('a: yes\nb: [unclosed\n', 'ans.yaml'));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^ans\.yaml:\d+:\d+: /);
  });
  it('a resume answer is used once per step; questions without answers are missing', async () => {
    const step = makeRunbook([{ id: 's', checklist: ['a', 'b'] }]).steps[0]!;
    const d = answersDecider({ s: { resume: 'retry', checklist: [1] } }, 'op');
    const request = { step, reason: 'unknown' as const, options: ['retry' as const] };
    expect(await d.resume(request)).toEqual({ kind: 'answer', value: 'retry' });
    expect(await d.resume(request)).toEqual({ kind: 'missing' });
    expect(await d.checklist({ step, items: [0, 1] })).toEqual({ kind: 'answer', value: [1] });
    expect(await d.confirm({ step, verdict: { level: 'yes', reason: '' }, targets: [], environment: 'lab' })).toEqual({ kind: 'missing' });
  });
});

describe('variables', () => {
  const rb = makeRunbook([{ id: 's' }], {
    vars: { mode: { secret: false, default: 'planned', choices: ['planned', 'crash'] }, pw: { secret: true }, name: { secret: false } },
  });
  it('--var beats the environment beats the default; secrets listed', () => {
    expect(resolveVars(rb, ['name=a=b'], { HATUI_VAR_PW: 's3' })).toEqual({ values: { mode: 'planned', pw: 's3', name: 'a=b' }, secretNames: ['pw'] });
  });
  it.each([
    [['nope=1', 'name=x'], { HATUI_VAR_PW: 'x' }, "no variable 'nope'"],
    [['name=x'], {}, "variable 'pw' needs a value"],
    [['name=x', 'mode=other'], { HATUI_VAR_PW: 'x' }, 'not one of planned, crash'],
    [['noequals'], {}, 'expects name=value'],
  ])('usage error for %j', (args, env, fragment) => {
    const e = problem(() => resolveVars(rb, args, env));
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain(fragment);
  });
});
