import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../source/core/duration.js';
import { parseRunbook, parseRunbookDocument } from '../../source/core/runbook/parse.js';

const demoPath = 'test/fixtures/valid/local-demo.md';
const demo = readFileSync(demoPath, 'utf8');

describe('parseRunbook', () => {
  const { runbook, problems } = parseRunbook(demo, demoPath);

  it('fills the model from front matter', () => {
    expect(problems).toEqual([]);
    expect(runbook).toMatchObject({ id: 'local-demo', title: 'Local demo runbook', tags: ['demo'], clusters: ['pg'], targets: { rtoMs: 300_000, rpoMs: 0 }, path: demoPath });
    expect(runbook!.vars.db_password).toEqual({ secret: true, description: 'Password (from the environment)' });
    expect(runbook!.vars.mode).toEqual({ secret: false, default: 'planned', choices: ['planned', 'crash'] });
  });

  it('reads steps, attributes, commands, checks, preflight, checklist and callouts with positions', () => {
    const steps = runbook!.steps;
    expect(steps.map((s) => s.id)).toEqual(['hello', 'planned', 'change-the-cluster', 'rollback', 'after-rollback']);
    expect(steps.map((s) => s.rollback)).toEqual([false, false, false, true, true]);
    const [hello, planned, change] = steps;
    expect(hello).toMatchObject({ timeoutMs: 30_000, confirm: 'none', onFail: { kind: 'abort' }, position: { line: 26, column: 1 } });
    expect(hello!.commands[0]).toMatchObject({ host: 'local', capture: 'hello', expectExit: 0, template: "printf '%s' {{ greeting }}", position: { line: 30, column: 1 } });
    expect(hello!.checks.map((c) => [c.source, c.position.line])).toEqual([
      ['captures.hello.stdout == vars.greeting', 35],
      ['captures.hello.exitCode == 0', 36],
    ]);
    expect(planned).toMatchObject({ confirm: 'yes', onFail: { kind: 'rollback' }, retries: 2, when: { source: "vars.mode == 'planned'", position: { line: 39, column: 33 } } });
    expect(planned!.checklist.map((c) => c.text)).toEqual(['Tell the team in #ops', 'Open the incident ticket']);
    expect(planned!.callouts).toEqual([{ kind: 'warning', text: 'This changes nothing, but pretend it does.' }]);
    expect(planned!.preflight.map((e) => e.source)).toEqual(['captures.hello.stdout != ""']);
    expect(change).toMatchObject({ changes: 'pg', confirm: 'typed' });
    expect(hello!.prose).toEqual(['We say hello.']);
  });

  it('gives headings without #id a stable, unique slug', () => {
    const text = '---\nid: s\ntitle: S\n---\n\n## Check the Leader!\n\n## Check the leader\n\n## Ünïcode step\n\n## {#x}\n';
    const ids = parseRunbookDocument(text, 's.md').runbook.steps.map((s) => s.id);
    expect(ids).toEqual(['check-the-leader', 'check-the-leader-2', 'unicode-step', 'x']);
    expect(parseRunbookDocument(text, 's.md').runbook.steps.map((s) => s.id)).toEqual(ids);
  });

  it('reads quoted attribute values with spaces, braces and escaped quotes', () => {
    const text = '---\nid: q\ntitle: Q\nvars: {a: {default: "x"}}\n---\n\n## Title {with braces} {#q when="vars.a == \\"{x}\\"" confirm=typed confirm-text=\'do it\'}\n\n```sh {host=local user=postgres}\ntrue\n```\n';
    const { runbook, problems } = parseRunbook(text, 'q.md');
    expect(problems).toEqual([]);
    expect(runbook!.steps[0]).toMatchObject({ id: 'q', title: 'Title {with braces}', when: { source: 'vars.a == "{x}"' }, confirm: 'typed', confirmText: 'do it' });
    expect(runbook!.steps[0]!.commands[0]!.user).toBe('postgres');
  });

  it('reports YAML errors at the line of the error in the file', () => {
    const text = '---\nid: y\ntitle: Y\nvars:\n  a: [1,\n---\n\n## S\n';
    const { problems } = parseRunbook(text, 'y.md');
    expect(problems[0]).toMatchObject({ path: 'y.md', severity: 'error', message: expect.stringMatching(/front matter YAML/) });
    expect(problems[0]!.line).toBeGreaterThanOrEqual(5);
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['0', 0],
    [0, 0],
  ])('%s → %d ms', (input, ms) => {
    expect(parseDuration(input)).toEqual({ ok: true, ms });
  });
  it.each(['soon', '5 minutes', '30', '', '-1s', '1x'])('rejects %j naming the value', (input) => {
    const r = parseDuration(input);
    expect(r.ok).toBe(false);
    if (!r.ok && input.trim() !== '') expect(r.error).toContain(input);
  });
  it('rejects a bare non-zero number (unit missing)', () => {
    expect(parseDuration(30)).toMatchObject({ ok: false, error: expect.stringMatching(/no unit/) });
  });
});

describe('drill front matter', () => {
  const doc = (system: string) => `---\nid: d\ntitle: D\ndrill: { system: ${system}, fault: crash }\n---\n\n# D\n\n## Fault {#fault}\n\n\`\`\`sh {host=local}\ntrue\n\`\`\`\n`;
  it('takes the systems a canary exists for (mongodb and kafka too, any case) and refuses others', () => {
    for (const system of ['postgresql', 'redis', 'redis-cluster', 'mongodb', 'kafka', 'MongoDB']) {
      const { runbook, problems } = parseRunbook(doc(system), 'd.md');
      expect(problems, system).toEqual([]);
      expect(runbook?.drill?.system).toBe(system);
    }
    const { problems } = parseRunbook(doc('cassandra'), 'd.md');
    expect(problems.map((p) => p.message).join('\n')).toMatch(/drill systems are postgresql, .*mongodb, mongo, kafka/);
  });
});
