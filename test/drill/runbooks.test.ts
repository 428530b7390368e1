// The shipped drill runbooks: valid, declaring their scenario and targets, with the guide's quarterly
// plan structure (preparation, scenario 1 for PostgreSQL and Redis, scenario 2 stubbed and saying so,
// evaluation, record and improve).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../source/core/runbook/parse.js';

function load(name: string) {
  const path = `runbooks/${name}`;
  const { runbook, problems } = parseRunbook(readFileSync(path, 'utf8'), path);
  expect(problems).toEqual([]);
  return runbook!;
}

describe('shipped drill runbooks', () => {
  it.each([
    ['drill-pg-primary-failure.md', 'postgresql', 'primary-crash', 300_000, 60_000],
    ['drill-pg-switchover.md', 'postgresql', 'planned-switchover', 300_000, 0],
    ['drill-redis-master-failure.md', 'redis', 'master-crash', 60_000, undefined],
    ['drill-redis-planned-failover.md', 'redis', 'planned-failover', 60_000, 0],
  ])('%s declares its scenario, targets and a typed-confirmed fault step', (file, system, fault, rto, rpo) => {
    const rb = load(file);
    expect(rb.tags).toContain('drill');
    expect(rb.drill).toEqual({ system, fault });
    expect(rb.targets.rtoMs).toBe(rto);
    expect(rb.targets.rpoMs).toBe(rpo);
    const faultStep = rb.steps.find((s) => s.id === 'fault')!;
    expect(faultStep.confirm).toBe('typed');
    expect(rb.steps.map((s) => s.id)).toEqual(expect.arrayContaining(['prepare', 'preflight', 'fault', 'verify', 'evaluate', 'record']));
    const prepare = rb.steps.find((s) => s.id === 'prepare')!.checklist.map((c) => c.text).join(' | ');
    for (const word of ['window', 'notified', 'rollback', 'onitoring']) expect(prepare).toContain(word);
  });

  it('the crash drills take the fault command from variables with lab defaults', () => {
    expect(load('drill-pg-primary-failure.md').vars.fault_command!.default).toBe('hatui lab crash');
    expect(load('drill-redis-master-failure.md').vars.rejoin_command!.default).toBe('hatui lab restart');
  });

  it('the quarterly plan has preparation, scenario 1 for both systems, the region drill, evaluation and a record listing every report', () => {
    const rb = load('drill-quarterly.md');
    expect(rb.steps.map((s) => s.id)).toEqual(['prepare', 'scenario-pg', 'scenario-redis', 'scenario-region', 'evaluate', 'record']);
    const text = (id: string) => rb.steps.find((s) => s.id === id)!;
    expect(text('scenario-pg').commands.map((c) => c.template).join('\n')).toContain('drill-pg-primary-failure.md');
    expect(text('scenario-redis').commands.map((c) => c.template).join('\n')).toContain('drill-redis-master-failure.md');
    const region = text('scenario-region');
    const regionCmds = region.commands.map((c) => c.template).join('\n');
    expect(regionCmds).toContain('drill-region-failure.md');
    expect(regionCmds).toContain('--report {{ report_dir }}/region');
    expect(region.checks.length).toBeGreaterThan(0);
    const evaluate = text('evaluate').checklist.map((c) => c.text).join(' | ');
    for (const phrase of ['RTO', 'RPO', 'unexpected', 'alerting']) expect(evaluate).toContain(phrase);
    expect(text('record').checklist).toHaveLength(4);
    const record = text('record').commands.map((c) => c.template).join('\n');
    for (const d of ['postgresql', 'redis', 'region']) expect(record).toContain(d);
    for (const f of ['report.md', 'report.json', 'timeline.svg']) expect(record).toContain(f);
  });
});
