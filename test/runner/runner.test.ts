import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fold } from '../../source/core/engine/reducer.js';
import { ExitCode, HatuiError } from '../../source/core/exit-codes.js';
import { MemorySink } from '../../source/services/runner-deps.js';
import { answersDecider } from '../../source/services/runner-answers.js';
import { FakeTransport, fixture, hosts, parse, runTest } from './support.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'hatui-runner-'));

describe('runner: flow, checks, rollback', () => {
  it('runs checks, branches a failed step to the rollback path, and ends failed (exit 1)', async () => {
    const dir = tmp();
    const r = await runTest(fixture('flow.md'), { vars: { dir } });
    expect(r.exitCode).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['break', 'cleanup', 'prepare', 'rollback']);
    const s = r.state.steps;
    expect([s.prepare!.status, s.break!.status, s.never!.status, s.rollback!.status, s.cleanup!.status]).toEqual(['ok', 'failed', 'pending', 'ok', 'ok']);
    expect(s.prepare!.checks.map((c) => [c.result, c.values])).toEqual([
      [true, { 'captures.info.json.ok': true }],
      [true, { 'captures.info.json.n': 3 }],
    ]);
    expect(r.state.inRollback).toBe(true);
    expect(r.state.outcome).toBe('failed');
    expect(r.state.anomalies).toEqual([]);
  });

  it('replaying the recorded events gives the live state (deep-equal), twice', async () => {
    const r = await runTest(fixture('flow.md'), { vars: { dir: tmp() } });
    const events = JSON.parse(JSON.stringify(r.sink.events));
    expect(fold(fixture('flow.md'), events)).toEqual(r.state);
    expect(fold(fixture('flow.md'), events)).toEqual(fold(fixture('flow.md'), events));
  });
});

describe('runner: confirmations', () => {
  it('a missing confirmation stops before executing anything (exit 3, names the step)', async () => {
    const dir = tmp();
    const r = await runTest(fixture('confirm.md'), { vars: { dir } });
    expect(r.exitCode).toBe(3);
    expect(r.message).toContain("step 'danger'");
    expect(readdirSync(dir)).toEqual([]);
    expect(r.sink.events.some((e) => e.type === 'command-started')).toBe(false);
    expect(r.state.steps.danger!.status).toBe('awaiting-confirmation');
  });
  it('a wrong typed answer refuses: nothing runs, run aborted (exit 1)', async () => {
    const dir = tmp();
    const r = await runTest(fixture('confirm.md'), { vars: { dir }, answers: { danger: { confirm: 'yes' } } });
    expect(r.exitCode).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
    expect(r.state.steps.danger!.refused?.reason).toContain("type 'really'");
  });
  it('the right answers run everything and record who confirmed what', async () => {
    const dir = tmp();
    const r = await runTest(fixture('confirm.md'), { vars: { dir }, answers: { danger: { confirm: 'really' }, after: { checklist: 'all' } } });
    expect(r.exitCode).toBe(0);
    expect(r.state.anomalies).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['after', 'danger']);
    expect(r.state.steps.danger!.confirmation).toMatchObject({ level: 'typed', by: 'tester@host', typed: 'really' });
    const types = r.sink.events.map((e) => e.type);
    expect(types.indexOf('confirmation-given')).toBeLessThan(types.indexOf('command-started'));
  });
});

describe('runner: write-ahead', () => {
  it('a failed append of command-started stops the run before the command runs', async () => {
    const dir = tmp();
    const probe = await runTest(fixture('flow.md'), { vars: { dir: tmp() } });
    const at = probe.sink.events.findIndex((e) => e.type === 'command-started');
    const sink = new MemorySink();
    sink.failFrom = at;
    const r = await runTest(fixture('flow.md'), { vars: { dir }, sink });
    expect(r.exitCode).toBe(1);
    expect(r.message).toMatch(/audit log write failed.*before its next side effect/);
    expect(readdirSync(dir)).toEqual([]);
  });
  it('a failed append of confirmation-given stops the run before the command runs', async () => {
    const dir = tmp();
    const answers = { danger: { confirm: 'really' } };
    const probe = await runTest(fixture('confirm.md'), { vars: { dir: tmp() }, answers });
    const sink = new MemorySink();
    sink.failFrom = probe.sink.events.findIndex((e) => e.type === 'confirmation-given');
    const r = await runTest(fixture('confirm.md'), { vars: { dir }, answers, sink });
    expect(r.exitCode).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
  });
});

const HOSTILE = ['$(touch PWN)', '`touch PWN`', '; touch PWN', '&& touch PWN', 'a\nb\n', "it's \"quoted\"", '*', '-n', '--help', 'ünïcødé ✓ 日本', '', ' leading and trailing ', '\\', '$HOME', '!x', '>PWN'];

describe('runner: hostile values', () => {
  it('reach a local command byte for byte and create no side effect', async () => {
    const dir = tmp();
    const runbook = fixture('hostile.md');
    for (const [i, raw] of HOSTILE.entries()) {
      const value = raw.replaceAll('PWN', join(dir, 'pwned'));
      const out = join(dir, `out-${i}`);
      const r = await runTest(runbook, { vars: { value, out } });
      expect(r.exitCode, JSON.stringify(value)).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe(value);
    }
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });
});

describe('runner: secrets', () => {
  it('a secret variable reaches the command through the environment and never appears in events', async () => {
    const runbook = parse('---\nid: s\ntitle: S\nvars:\n  pw:\n    secret: true\n---\n\n## Use it {#use}\n\n```sh {host=local capture=echo}\nprintf "%s" {{ pw }}\n```\n\n```check\ncaptures.echo.stdout != ""\n```\n');
    const secret = 'hunter2-s3cr3t';
    const r = await runTest(runbook, { vars: { pw: secret }, secretNames: ['pw'] });
    expect(r.exitCode).toBe(0);
    const logged = JSON.stringify(r.sink.events);
    expect(logged).not.toContain(secret);
    expect(logged).toContain('HATUI_SECRET_PW');
    expect(r.state.captures.echo!.stdout).toBe('••••');
  });
});

describe('runner: targets', () => {
  const multi = parse('---\nid: m\ntitle: M\nclusters: [pg]\n---\n\n## On every member {#each}\n\n```sh {host=pg.members}\nhostname\n```\n');

  it('a selector matching several hosts runs them one at a time and stops at the first failure', async () => {
    const transport = new FakeTransport((_req, n) => (n === 1 ? { outcome: 'failed', exitCode: 1 } : {}));
    const r = await runTest(multi, { transportFor: () => transport, resolveTarget: async () => hosts('pg1', 'pg2', 'pg3') });
    expect(transport.requests.map((q) => q.host)).toEqual(['pg1', 'pg2']);
    expect(r.state.steps.each!.status).toBe('failed');
    expect(r.state.steps.each!.commands.map((c) => [c.target.host, c.hostIndex, c.hostCount, c.status])).toEqual([
      ['pg1', 0, 3, 'ok'],
      ['pg2', 1, 3, 'failed'],
    ]);
    expect(r.exitCode).toBe(1);
  });
  it('no matching host fails the step without running anything', async () => {
    const transport = new FakeTransport();
    const r = await runTest(multi, { transportFor: () => transport, resolveTarget: async () => [] });
    expect(transport.requests).toEqual([]);
    expect(r.state.steps.each!.message).toContain("matched no host");
  });
  it('asks again when the role moved between confirmation and execution', async () => {
    const runbook = parse('---\nid: mv\ntitle: MV\nclusters: [pg]\n---\n\n## Switch {#switch changes=pg}\n\n```sh {host=pg.leader}\nswitch\n```\n');
    const transport = new FakeTransport();
    let call = 0;
    const r = await runTest(runbook, {
      transportFor: () => transport,
      resolveTarget: async (selector) => [{ selector, host: call++ === 0 ? 'pg1' : 'pg2' }],
      answers: { switch: { confirm: 'pg' } },
    });
    expect(r.exitCode).toBe(0);
    expect(r.sink.events.filter((e) => e.type === 'confirmation-requested').map((e) => (e as { targets: { host: string }[] }).targets[0]!.host)).toEqual(['pg1', 'pg2']);
    expect(transport.requests.map((q) => q.host)).toEqual(['pg2']);
  });
  it('a lock that cannot be released at the end is recorded as a note; the finished run keeps its outcome', async () => {
    const runbook = parse('---\nid: lr\ntitle: LR\nclusters: [redis]\n---\n\n## Switch {#switch changes=redis}\n\n```sh {host=local}\ntrue\n```\n');
    const transport = new FakeTransport();
    const locks = { acquire: async () => ({ ok: true as const, holder: 'me@here' }), release: async () => { throw new Error('READONLY You can\'t write against a read only replica'); } };
    const r = await runTest(runbook, { transportFor: () => transport, locks, answers: { switch: { confirm: 'redis' } } });
    expect(r.exitCode).toBe(0);
    expect(r.sink.events.some((e) => e.type === 'note' && e.text.includes('READONLY'))).toBe(true);
    expect(r.sink.events.some((e) => e.type === 'lock-released')).toBe(false);
  });
  it('a lock held elsewhere refuses the run (exit 4) before anything runs', async () => {
    const runbook = parse('---\nid: lk\ntitle: LK\nclusters: [pg]\n---\n\n## Switch {#switch changes=pg}\n\n```sh {host=local}\ntrue\n```\n');
    const transport = new FakeTransport();
    const r = await runTest(runbook, { transportFor: () => transport, locks: { acquire: async () => ({ ok: false, message: 'held by bob@ops (pid 42)' }), release: async () => {} }, answers: { switch: { confirm: 'pg' } } });
    expect(r.exitCode).toBe(4);
    expect(r.message).toContain('bob@ops');
    expect(transport.requests).toEqual([]);
  });
});

describe('runner: unknown outcomes and resume', () => {
  const runbook = parse('---\nid: u\ntitle: U\n---\n\n## Act {#act}\n\n```sh {host=local}\nact\n```\n\n## Then {#then}\n\n```sh {host=local}\nthen\n```\n');

  it('a command whose end was not observed leaves the step unknown and stops with exit 3', async () => {
    const transport = new FakeTransport(() => ({ outcome: 'unknown', exitCode: null, message: 'connection lost' }));
    const r = await runTest(runbook, { transportFor: () => transport });
    expect(r.exitCode).toBe(3);
    expect(r.state.steps.act!.status).toBe('unknown');
    expect(transport.requests.map((q) => q.command)).toEqual(['act']);
  });
  it('a host-key refusal stops the whole run with exit 4: the step failed (never sent), no rollback runs', async () => {
    const rb = parse('---\nid: hk\ntitle: HK\n---\n\n## Act {#act on-fail=rollback}\n\n```sh {host=local}\nact\n```\n\n## Roll back {#rollback}\n\n```sh {host=local}\nundo\n```\n');
    const calls: string[] = [];
    const refusing = { run: async (q: { command: string }) => { calls.push(q.command); throw new HatuiError('127.0.0.1:22 (pg1): HOST KEY MISMATCH', ExitCode.refused); }, close: async () => {} };
    const r = await runTest(rb, { transportFor: () => refusing as never });
    expect(r.exitCode).toBe(4);
    expect(r.state.steps.act!.status).toBe('failed');
    expect(r.state.status).toBe('aborted');
    expect(calls).toEqual(['act']);
    expect(r.sink.events.some((e) => e.type === 'run-aborted' && e.reason.includes('HOST KEY MISMATCH'))).toBe(true);
  });
  it('a host-key refusal while resolving targets for a confirmation exits 4 and asks nothing', async () => {
    const rb = parse('---\nid: hc\ntitle: HC\n---\n\n## Act {#act confirm=yes}\n\n```sh {host=pg1}\nact\n```\n');
    const transport = new FakeTransport();
    const r = await runTest(rb, { transportFor: () => transport, resolveTarget: async () => { throw new HatuiError('HOST KEY MISMATCH', ExitCode.refused); }, answers: { act: { confirm: 'yes' } } });
    expect(r.exitCode).toBe(4);
    expect(r.sink.events.some((e) => e.type === 'confirmation-given')).toBe(false);
    expect(transport.requests).toEqual([]);
  });
  it('a host-key refusal while resolving a role selector also exits 4 before any command', async () => {
    const transport = new FakeTransport();
    const r = await runTest(runbook, { transportFor: () => transport, resolveTarget: async () => { throw new HatuiError('unknown host key SHA256:abc', ExitCode.refused); } });
    expect(r.exitCode).toBe(4);
    expect(transport.requests).toEqual([]);
  });
  it('a transport that throws is unknown too, never ok', async () => {
    const r = await runTest(runbook, { transportFor: () => ({ run: async () => { throw new Error('socket closed'); }, close: async () => {} }) });
    expect(r.state.steps.act!.status).toBe('unknown');
  });
  it('resume folds the log, marks the in-flight step unknown, and retry finishes the run ok', async () => {
    // A log that ends while `act` is running (the process was killed).
    const first = await runTest(runbook, { transportFor: () => new FakeTransport() });
    const cut = first.sink.events.findIndex((e) => e.type === 'command-finished');
    const prior = [...first.sink.events.slice(0, cut), { type: 'run-resumed' as const, at: new Date().toISOString(), operator: 'tester@host', hatuiVersion: 'test' }];
    const transport = new FakeTransport();
    const stopped = await runTest(runbook, { transportFor: () => transport, priorEvents: prior });
    expect(stopped.exitCode).toBe(3);
    expect(stopped.state.steps.act!.status).toBe('unknown');
    expect(transport.requests).toEqual([]);
    const resumed = await runTest(runbook, { transportFor: () => transport, priorEvents: prior, decider: answersDecider({ act: { resume: 'retry' } }, 'tester@host') });
    expect(resumed.exitCode).toBe(0);
    expect(transport.requests.map((q) => q.command)).toEqual(['act', 'then']);
    expect(resumed.state.steps.act!.decisions.map((d) => d.decision)).toEqual(['retry']);
    expect(fold(runbook, [...prior, ...resumed.sink.events])).toEqual(resumed.state);
  });
});

describe('runner: guards, retries, pre-flight and ask through real CEL and sh', () => {
  const text = (dir: string) => `---
id: g
title: G
vars:
  mode:
    default: planned
  dir:
    description: markers
---

## Only when crashed {#crash-only when="vars.mode == 'crash'"}

\`\`\`sh {host=local}
touch {{ dir }}/crash-only
\`\`\`

## Flaky once {#flaky retries=1}

\`\`\`sh {host=local}
test -f {{ dir }}/once || { touch {{ dir }}/once; exit 1; }
\`\`\`

## Guarded by pre-flight {#gated}

\`\`\`preflight
vars.mode == 'never'
\`\`\`

\`\`\`sh {host=local}
touch {{ dir }}/gated
\`\`\`

## Ask on failure {#asky on-fail=ask}

\`\`\`sh {host=local}
touch {{ dir }}/asky; exit 2
\`\`\`

## Last {#last}

\`\`\`sh {host=local}
touch {{ dir }}/last
\`\`\`
`;
  const marks = (dir: string) => readdirSync(dir).sort();

  it('skips a false guard, retries a flaky step, stops at a blocked pre-flight with exit 3', async () => {
    const dir = tmp();
    const r = await runTest(parse(text(dir)), { vars: { mode: 'planned', dir } });
    expect(r.exitCode).toBe(3);
    expect(r.message).toContain("step 'gated'");
    expect(r.state.steps['crash-only']!.status).toBe('skipped');
    expect(r.state.steps['crash-only']!.guard).toMatchObject({ result: false, values: { 'vars.mode': 'planned' } });
    expect(r.state.steps.flaky!.attempts).toBe(2);
    expect(r.state.steps.flaky!.status).toBe('ok');
    expect(marks(dir)).toEqual(['once']);
  });

  it('an override answer passes the pre-flight; an ask failure is decided by the answers (skip)', async () => {
    const dir = tmp();
    const r = await runTest(parse(text(dir)), { vars: { mode: 'planned', dir }, answers: { gated: { override: 'gated' }, asky: { resume: 'skip' } } });
    expect(r.exitCode).toBe(0);
    expect(r.state.steps.gated!.preflightOverride).toMatchObject({ typed: 'gated', by: 'tester@host' });
    expect(r.state.steps.asky!.status).toBe('skipped');
    expect(marks(dir)).toEqual(['asky', 'gated', 'last', 'once']);
  });

  it('a wrong override text aborts without running the gated step', async () => {
    const dir = tmp();
    const r = await runTest(parse(text(dir)), { vars: { mode: 'planned', dir }, answers: { gated: { override: 'yes' } } });
    expect(r.exitCode).toBe(1);
    expect(marks(dir)).toEqual(['once']);
  });
});

describe('runner: operator cancel', () => {
  it('cancelling a running command makes the step cancelled and aborts the run without rolling back', async () => {
    const dir = tmp();
    const runbook = parse(`---\nid: c\ntitle: C\nvars:\n  dir:\n    description: d\n---\n\n## Long {#long on-fail=rollback}\n\n\`\`\`sh {host=local}\nsleep 30\n\`\`\`\n\n## Roll back {#rollback}\n\n\`\`\`sh {host=local}\ntouch {{ dir }}/rolled-back\n\`\`\`\n`);
    const controller = new AbortController();
    const r = await runTest(runbook, {
      vars: { dir },
      signal: controller.signal,
      observe: (event) => {
        if (event.type === 'command-started') setTimeout(() => controller.abort(), 100);
      },
    });
    expect(r.exitCode).toBe(1);
    expect(r.state.steps.long!.status).toBe('cancelled');
    expect(r.state.steps.long!.commands[0]!.status).toBe('cancelled');
    expect(r.state.status).toBe('aborted');
    expect(r.state.steps.rollback!.status).toBe('pending');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('one live snapshot per batch, of only the clusters it reads; none for a batch that reads no cluster', async () => {
    const asked: (readonly string[] | undefined)[] = [];
    const clusterState = async (names?: readonly string[]) => {
      asked.push(names);
      return { pg: { leader: 'pg1', members: [{ name: 'pg2', lagBytes: 0 }] }, redis: { master: 'r1' } };
    };
    const runbook = parse(`---
id: batches
title: Batches
clusters: [pg, redis]
vars:
  mode: {}
---

## Gate {#gate}

\`\`\`preflight
clusters.pg.leader == 'pg1'
clusters.pg.members.all(m, m.lagBytes == 0)
vars.mode == 'x'
\`\`\`

\`\`\`sh {host=local capture=out}
printf ok
\`\`\`

\`\`\`check
captures.out.stdout == 'ok'
vars.mode == 'x'
\`\`\`

## Last {#last}

\`\`\`sh {host=local}
true
\`\`\`

\`\`\`check
clusters.redis.master == 'r1'
\`\`\`
`);
    const r = await runTest(runbook, { vars: { mode: 'x' }, clusterState });
    expect(r.exitCode).toBe(0);
    expect(asked).toEqual([['pg'], ['redis']]);
    expect(r.state.steps.gate!.preflight!.map((p) => p.result)).toEqual([true, true, true]);
    expect(r.state.steps.last!.checks.map((c) => c.values)).toEqual([{ 'clusters.redis.master': 'r1' }]);
  });
});
