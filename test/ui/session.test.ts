// RunSession: the terminal app's decider driving the real runner (local commands, memory sink).
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRunbook } from '../../source/core/runbook/parse.js';
import type { Runbook } from '../../source/core/runbook/model.js';
import { inventoryResolver, localLocks, localTransports, MemorySink, secretRedactor, systemClock } from '../../source/services/runner-deps.js';
import { RunSession } from '../../source/ui/session.js';

const dir = mkdtempSync(join(tmpdir(), 'hatui-ui-session-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runbook(md: string): Runbook {
  const { runbook, problems } = parseRunbook(md, 'test.md');
  if (!runbook) throw new Error(JSON.stringify(problems));
  return runbook;
}

function start(rb: Runbook, sink = new MemorySink()) {
  const session = new RunSession(rb, 'tester@host');
  const done = session.start(
    { runId: 'r1', vars: {}, secretNames: [], environment: 'lab', runbookSha256: 'x', hatuiVersion: 'test', defaultTimeoutMs: 60_000 },
    { sink, transportFor: localTransports(), resolveTarget: inventoryResolver(), clusterState: async () => ({}), redactor: secretRedactor([]), clock: systemClock, locks: localLocks },
  );
  return { session, done, sink };
}

async function until(f: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('deadline passed');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('RunSession (the TUI as the runner decider)', () => {
  it('a refused confirmation runs nothing', async () => {
    const marker = join(dir, 'refused');
    const { session, done, sink } = start(runbook(`---\nid: t\ntitle: T\n---\n## Touch {#touch confirm=yes}\n\n\`\`\`sh {host=local}\ntouch ${marker}\n\`\`\`\n`));
    await until(() => session.prompt !== null);
    expect(session.prompt?.prompt).toMatchObject({ kind: 'confirm', stepId: 'touch', verdict: { level: 'yes' } });
    session.answer({ kind: 'refused', reason: 'operator answered no' });
    const result = await done;
    expect(existsSync(marker)).toBe(false);
    expect(sink.events.some((e) => e.type === 'command-started')).toBe(false);
    expect(sink.events.find((e) => e.type === 'confirmation-refused')).toMatchObject({ stepId: 'touch', by: 'tester@host' });
    expect(result?.state.steps.touch?.status).not.toBe('ok');
  });

  it('a typed confirmation runs the step and records the typed text', async () => {
    const marker = join(dir, 'typed');
    const { session, done, sink } = start(runbook(`---\nid: t\ntitle: T\n---\n## Touch {#touch confirm=typed confirm-text=go}\n\n\`\`\`sh {host=local}\ntouch ${marker}\n\`\`\`\n`));
    await until(() => session.prompt !== null);
    session.answer({ kind: 'given', typed: 'go' });
    const result = await done;
    expect(existsSync(marker)).toBe(true);
    expect(sink.events.find((e) => e.type === 'confirmation-given')).toMatchObject({ typed: 'go', level: 'typed' });
    expect(result?.state.outcome).toBe('ok');
  });

  it('Ctrl-C twice cancels the running command: the step is cancelled, never ok; output streamed to the buffer', async () => {
    const { session, done } = start(runbook(`---\nid: t\ntitle: T\n---\n## Wait {#wait}\n\n\`\`\`sh {host=local}\necho started; sleep 30\n\`\`\`\n`));
    await until(() => session.output.total > 1);
    expect(session.output.window(5).join('\n')).toContain('started');
    session.cancel();
    const result = await done;
    expect(result?.state.steps.wait?.status).toBe('cancelled');
    expect(result?.state.status).toBe('aborted');
  });

  it('a checklist is answered by ticking every item', async () => {
    const { session, done, sink } = start(runbook(`---\nid: t\ntitle: T\n---\n## Tick {#tick}\n\n- [ ] one\n- [ ] two\n\n\`\`\`sh {host=local}\ntrue\n\`\`\`\n`));
    await until(() => session.checklistPending !== null);
    expect(session.checklistPending).toEqual({ stepId: 'tick', left: 2 });
    session.tick();
    expect(session.checklistPending?.left).toBe(1);
    session.tick();
    const result = await done;
    expect(sink.events.filter((e) => e.type === 'checklist-ticked')).toHaveLength(2);
    expect(result?.state.outcome).toBe('ok');
  });

  it('a failing pre-flight blocks: kept blocked runs nothing; the override is typed and recorded', async () => {
    const md = (m: string) => `---\nid: t\ntitle: T\n---\n## Guarded {#g confirm=none}\n\n\`\`\`preflight\n1 == 2\n\`\`\`\n\n\`\`\`sh {host=local}\ntouch ${m}\n\`\`\`\n`;
    const blocked = join(dir, 'blocked');
    const a = start(runbook(md(blocked)));
    await until(() => a.session.prompt !== null);
    expect(a.session.prompt?.prompt.kind).toBe('preflight-override');
    expect(a.session.prompt?.preflight[0]).toMatchObject({ source: '1 == 2', result: false });
    a.session.answer({ kind: 'refused', reason: 'operator kept the pre-flight block' });
    await a.done;
    expect(existsSync(blocked)).toBe(false);
    const overridden = join(dir, 'overridden');
    const b = start(runbook(md(overridden)));
    await until(() => b.session.prompt !== null);
    const expected = b.session.prompt!.prompt.kind === 'preflight-override' ? b.session.prompt!.prompt.expectedText : '';
    b.session.answer({ kind: 'override', typed: expected });
    await b.done;
    expect(existsSync(overridden)).toBe(true);
    expect(b.sink.events.find((e) => e.type === 'preflight-overridden')).toMatchObject({ typed: expected, by: 'tester@host' });
  });
});

describe('RunSession: stale operator lock', () => {
  it('asks for the cluster name before taking over a stale lock, and passes on exactly what was typed', async () => {
    const session = new RunSession(runbook('---\nid: t\ntitle: T\n---\n## A\n\n```sh {host=local}\ntrue\n```\n'), 'tester@host');
    const answer = session.lockTakeover({ cluster: 'pg', staleHolder: 'bob@ops pid 42 (runbook pg-switchover)' });
    const prompt = session.prompt!;
    expect(prompt.prompt).toMatchObject({ kind: 'confirm', verdict: { level: 'typed', expectedText: 'pg' } });
    expect(prompt.prompt.kind === 'confirm' && prompt.prompt.verdict.reason).toContain('bob@ops pid 42');
    session.answer({ kind: 'given', typed: 'pg' });
    await expect(answer).resolves.toEqual({ kind: 'answer', value: 'pg' });
  });

  it('a refused takeover keeps the lock refused', async () => {
    const session = new RunSession(runbook('---\nid: t\ntitle: T\n---\n## A\n\n```sh {host=local}\ntrue\n```\n'), 'tester@host');
    const answer = session.lockTakeover({ cluster: 'pg', staleHolder: 'bob@ops' });
    session.answer({ kind: 'refused', reason: 'operator refused' });
    await expect(answer).resolves.toEqual({ kind: 'refuse', reason: 'operator refused' });
  });
});
