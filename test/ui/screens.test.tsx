import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { initialState } from '../../source/core/engine/state.js';
import { reduce } from '../../source/core/engine/reducer.js';
import type { RunEvent } from '../../source/core/engine/events.js';
import { OutputBuffer } from '../../source/ui/output-buffer.js';
import { Help } from '../../source/ui/screens/help.js';
import { Home } from '../../source/ui/screens/home.js';
import { Walkthrough } from '../../source/ui/screens/walkthrough.js';
import { bindingsFor } from '../../source/ui/keymap.js';
import type { RunbookEntry } from '../../source/ui/state/home-state.js';
import { demoRunbook, labSnapshot, press, runStarted, until } from './fixtures.js';
import { OUTCOMES, type StepStatus } from '../../source/core/outcome.js';
import { waitFor } from '../support/wait-for.js';

const runbooks: RunbookEntry[] = [
  { id: 'pg-switchover', title: 'Planned Patroni switchover', tags: ['switchover', 'pg'], path: 'runbooks/pg-switchover.md', clusters: ['pg'], problems: [] },
  { id: 'redis-sentinel-failover', title: 'Sentinel failover', tags: ['failover', 'redis'], path: 'runbooks/redis.md', clusters: ['redis'], problems: [] },
  { id: 'broken', title: 'Broken one', tags: [], path: 'runbooks/broken.md', clusters: [], problems: ['runbooks/broken.md:3:1: missing title'] },
];
const ESC = '\x1b';
const ENTER = '\r';
const CTRL_C = '\x03';
const ANSI = /\x1b\[[0-9;]*m/;

let saved: string | undefined;
beforeEach(() => {
  saved = process.env.NO_COLOR;
});
afterEach(() => {
  if (saved === undefined) delete process.env.NO_COLOR;
  else process.env.NO_COLOR = saved;
});

describe('Home screen', () => {
  it('shows the environment, every cluster panel (no-probe kinds included) and the runbooks with tags', () => {
    const { lastFrame } = render(<Home environment="production" snapshot={labSnapshot({ stalePg2: true })} runbooks={runbooks} />);
    const frame = lastFrame()!;
    expect(frame.split('\n')[0]).toContain('PRODUCTION');
    expect(frame).toMatch(/pg patroni\s+leader pg1\s+sync pg2\s+DCS ok/);
    expect(frame).toMatch(/pg2\s+sync_standby.*STALE 4\.2s/);
    expect(frame).toContain('rw pg1:UP pg2:DOWN pg3:DOWN');
    expect(frame).toMatch(/master 127\.0\.0\.1:56379\s+sentinels 3\/3 agree\s+quorum 2 ok/);
    expect(frame).toContain('docs mongodb  no probe yet');
    expect(frame).toContain('pg-switchover');
    expect(frame).toContain('#switchover #pg');
  });

  it('filters the list with / and opens the selected runbook with enter', async () => {
    const onEffect = vi.fn();
    const { lastFrame, stdin } = render(<Home environment="lab" snapshot={labSnapshot()} runbooks={runbooks} onEffect={onEffect} />);
    await press(stdin, lastFrame, '/');
    stdin.write('redis');
    await until(() => lastFrame()?.includes('runbooks (1/3)'), 'the filtered list');
    expect(lastFrame()).not.toContain('pg-switchover');
    await press(stdin, lastFrame, ENTER);
    stdin.write(ENTER);
    await until(() => onEffect.mock.calls.length > 0, 'the open effect');
    expect(onEffect).toHaveBeenCalledWith({ kind: 'open', entry: runbooks[1] });
  });

  it('refuses to open an invalid runbook and says why', async () => {
    const onEffect = vi.fn();
    const { lastFrame, stdin } = render(<Home environment="lab" snapshot={labSnapshot()} runbooks={runbooks} onEffect={onEffect} />);
    await press(stdin, lastFrame, 'j');
    await press(stdin, lastFrame, 'j');
    stdin.write(ENTER);
    await until(() => lastFrame()?.includes('cannot open broken'), 'the refusal');
    expect(onEffect).not.toHaveBeenCalled();
    expect(lastFrame()).toContain('cannot open broken: runbooks/broken.md:3:1: missing title');
  });

  it('asks for help with ? and quits with q', async () => {
    const onEffect = vi.fn();
    const { stdin } = render(<Home environment="lab" snapshot={labSnapshot()} runbooks={runbooks} onEffect={onEffect} />);
    stdin.write('?');
    await until(() => onEffect.mock.calls.length === 1, 'the help effect');
    stdin.write('q');
    await until(() => onEffect.mock.calls.length === 2, 'the quit effect');
    expect(onEffect.mock.calls.map((c) => c[0].kind)).toEqual(['help', 'quit']);
  });

  it('takes a pasted chunk with its Enter key by key', async () => {
    const onEffect = vi.fn();
    const { stdin } = render(<Home environment="lab" snapshot={labSnapshot()} runbooks={runbooks} onEffect={onEffect} />);
    stdin.write(':open redis-sentinel-failover\r');
    await until(() => onEffect.mock.calls.length > 0, 'the command effect');
    expect(onEffect).toHaveBeenCalledWith({ kind: 'command', text: 'open redis-sentinel-failover' });
  });

  it('runs a : command line', async () => {
    const onEffect = vi.fn();
    const { stdin, lastFrame } = render(<Home environment="lab" snapshot={labSnapshot()} runbooks={runbooks} onEffect={onEffect} />);
    await press(stdin, lastFrame, ':');
    stdin.write('open pg-switchover');
    await until(() => lastFrame()?.includes('open pg-switchover'), 'the typed command');
    stdin.write(ENTER);
    await until(() => onEffect.mock.calls.length > 0, 'the command effect');
    expect(onEffect).toHaveBeenCalledWith({ kind: 'command', text: 'open pg-switchover' });
  });

  it('honours NO_COLOR: no colour escapes, statuses still readable as words', () => {
    process.env.NO_COLOR = '1';
    const { lastFrame } = render(<Home environment="production" snapshot={labSnapshot({ stalePg2: true })} runbooks={runbooks} />);
    // ink-testing-library renders without colour support anyway; check our theme hands Ink no colours.
    expect(lastFrame()).not.toMatch(ANSI);
    expect(lastFrame()).toContain('STALE');
  });

  it('fits 80 columns', () => {
    const { lastFrame } = render(<Home environment="lab" snapshot={labSnapshot({ stalePg2: true })} runbooks={runbooks} width={80} height={24} />);
    for (const line of lastFrame()!.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(lastFrame()!.split('\n').length).toBeLessThanOrEqual(24);
  });
});

describe('Help screen', () => {
  it('lists exactly the key-binding table of the screen it was opened from', () => {
    const { lastFrame } = render(<Help environment="staging" screen="walkthrough" />);
    const frame = lastFrame()!;
    expect(frame).toContain('STAGING');
    for (const b of bindingsFor('walkthrough')) {
      expect(frame).toContain(b.keys.join(' / '));
      expect(frame).toContain(b.description);
    }
  });
});

function stateWith(statuses: Record<string, StepStatus>) {
  const runbook = demoRunbook();
  let state = reduce(initialState(runbook), runStarted(runbook));
  state = { ...state, steps: Object.fromEntries(Object.entries(state.steps).map(([id, s]) => [id, { ...s, status: statuses[id] ?? s.status }])) };
  return { runbook, state };
}

describe('Walkthrough screen', () => {
  const ALL: StepStatus[] = ['pending', 'running', 'awaiting-confirmation', ...OUTCOMES];
  it.each(ALL)('shows step status %s as a word', (status) => {
    const { runbook, state } = stateWith({ check: status });
    const { lastFrame } = render(<Walkthrough environment="lab" runbook={runbook} state={state} snapshot={labSnapshot()} output={new OutputBuffer()} />);
    expect(lastFrame()).toMatch(new RegExp(`^\\s+${status}\\b`, 'm'));
  });

  it('shows prose, checklist, the command with quoted values and its host, and the cluster panel', () => {
    const { runbook, state } = stateWith({});
    const { lastFrame } = render(
      <Walkthrough environment="lab" runbook={runbook} state={{ ...state, current: 'switch' }} snapshot={labSnapshot()} output={new OutputBuffer()} />,
    );
    const frame = lastFrame()!;
    expect(frame).toContain('[!WARNING] Writes pause for about two seconds.');
    expect(frame).toContain("$ echo switching to pg2");
    expect(frame).toContain('@ local');
    expect(frame).toMatch(/pg patroni\s+leader pg1/);
    expect(frame.split('\n')[0]).toContain('LAB');
  });

  it('streams 100k lines through a bounded buffer and shows the tail', async () => {
    const { runbook, state } = stateWith({ check: 'running' });
    const buffer = new OutputBuffer(2000);
    const { lastFrame } = render(<Walkthrough environment="lab" runbook={runbook} state={{ ...state, current: 'check' }} snapshot={labSnapshot()} output={buffer} />);
    let chunk = '';
    for (let i = 1; i <= 100_000; i++) {
      chunk += `line ${i}\n`;
      if (i % 1000 === 0) {
        buffer.append(chunk);
        chunk = '';
      }
    }
    const frame = await waitFor(() => lastFrame()!.includes('line 100000') && lastFrame()!, 10_000, 'the tail on screen', 10);
    expect(frame).toContain('100000 lines');
    expect(frame).toContain('line 100000');
    expect(frame).not.toContain('line 1\n');
    expect(buffer.length).toBe(2000);
  });

  it('Ctrl-C once asks, twice cancels the running command', async () => {
    const { runbook, state } = stateWith({ check: 'running' });
    const running = {
      ...state,
      current: 'check',
      steps: { ...state.steps, check: { ...state.steps.check!, commands: [{ commandIndex: 0, hostIndex: 0, hostCount: 1, target: { selector: 'local', host: 'local' }, command: 'echo members', startedAt: '', status: 'running' as const, exitCode: null, signal: null, output: { tail: '', chars: 0, chunks: 0, truncated: false } }] } },
    };
    const onEffect = vi.fn();
    const { lastFrame, stdin } = render(<Walkthrough environment="lab" runbook={runbook} state={running} snapshot={labSnapshot()} output={new OutputBuffer()} onEffect={onEffect} />);
    stdin.write(CTRL_C);
    await until(() => lastFrame()?.includes('Ctrl-C again cancels the running command'), 'the Ctrl-C warning');
    expect(onEffect).not.toHaveBeenCalled();
    stdin.write(CTRL_C);
    await until(() => onEffect.mock.calls.length > 0, 'the cancel effect');
    expect(onEffect).toHaveBeenCalledWith({ kind: 'cancel-command' });
  });

  it('a yes confirmation shows the target host and environment; n refuses', async () => {
    const { runbook, state } = stateWith({ verify: 'awaiting-confirmation' });
    const onAnswer = vi.fn();
    const prompt = { prompt: { kind: 'confirm' as const, stepId: 'verify', verdict: { level: 'yes' as const, reason: 'the runbook asks for a yes' } }, targets: [{ selector: 'pg.leader', host: 'pg1', address: '127.0.0.1:2222' }], preflight: [] };
    const { lastFrame, stdin } = render(<Walkthrough environment="staging" runbook={runbook} state={{ ...state, current: 'verify' }} snapshot={labSnapshot()} output={new OutputBuffer()} prompt={prompt} onAnswer={onAnswer} />);
    expect(lastFrame()).toContain('STAGING  Confirm: Verify');
    expect(lastFrame()).toContain('pg.leader → pg1 (127.0.0.1:2222)');
    expect(lastFrame()).toContain('[y/N]');
    stdin.write('n');
    await until(() => onAnswer.mock.calls.length > 0, 'the answer');
    expect(onAnswer).toHaveBeenCalledWith({ kind: 'refused', reason: 'operator answered no' });
  });

  it('a typed confirmation shows live topology and accepts only the exact name', async () => {
    const { runbook, state } = stateWith({ switch: 'awaiting-confirmation' });
    const onAnswer = vi.fn();
    const prompt = { prompt: { kind: 'confirm' as const, stepId: 'switch', verdict: { level: 'typed' as const, expectedText: 'pg', reason: "changes cluster 'pg'" } }, targets: [], preflight: [] };
    const { lastFrame, stdin } = render(<Walkthrough environment="production" runbook={runbook} state={{ ...state, current: 'switch' }} snapshot={labSnapshot()} output={new OutputBuffer()} prompt={prompt} onAnswer={onAnswer} />);
    expect(lastFrame()).toContain('Type pg to confirm');
    expect(lastFrame()).toMatch(/PRODUCTION\s+Confirm: Switch the leader/);
    expect(lastFrame()).toMatch(/pg1\s+leader\s+running/);
    await press(stdin, lastFrame, 'pgx');
    stdin.write(ENTER);
    await until(() => lastFrame()?.includes("typed text did not match: type 'pg' to confirm"), 'the mismatch message');
    expect(onAnswer).not.toHaveBeenCalled();
    await press(stdin, lastFrame, '\x7f');
    stdin.write(ENTER);
    await until(() => onAnswer.mock.calls.length > 0, 'the answer');
    expect(onAnswer).toHaveBeenCalledWith({ kind: 'given', typed: 'pg' });
  });

  it('the confirmation shows the command exactly as it will run on the resolved target', async () => {
    const { runbook, state } = stateWith({ switch: 'awaiting-confirmation' });
    const targets = [{ selector: 'local', host: 'local' }];
    const prompt = { prompt: { kind: 'confirm' as const, stepId: 'switch', verdict: { level: 'typed' as const, expectedText: 'pg', reason: "changes cluster 'pg'" } }, targets, preflight: [] };
    const { lastFrame } = render(<Walkthrough environment="lab" runbook={runbook} state={{ ...state, current: 'switch' }} snapshot={labSnapshot()} output={new OutputBuffer()} prompt={prompt} />);
    expect(lastFrame()).toContain('target: local → local');
    expect(lastFrame()).toContain('$ echo switching to pg2');
  });

  it('a typed confirmation typed fast (one chunk with Enter) is not lost', async () => {
    const { runbook, state } = stateWith({ switch: 'awaiting-confirmation' });
    const onAnswer = vi.fn();
    const prompt = { prompt: { kind: 'confirm' as const, stepId: 'switch', verdict: { level: 'typed' as const, expectedText: 'pg', reason: "changes cluster 'pg'" } }, targets: [], preflight: [] };
    const { stdin } = render(<Walkthrough environment="lab" runbook={runbook} state={{ ...state, current: 'switch' }} snapshot={labSnapshot()} output={new OutputBuffer()} prompt={prompt} onAnswer={onAnswer} />);
    stdin.write('pg\r');
    await until(() => onAnswer.mock.calls.length > 0, 'the answer');
    expect(onAnswer).toHaveBeenCalledTimes(1);
    expect(onAnswer).toHaveBeenCalledWith({ kind: 'given', typed: 'pg' });
  });

  it('a failing pre-flight shows its values and blocks unless overridden by typing', async () => {
    const { runbook, state } = stateWith({ switch: 'awaiting-confirmation' });
    const onAnswer = vi.fn();
    const preflight = [{ source: 'clusters.pg.syncStandby == vars.candidate', result: false, values: { 'clusters.pg.syncStandby': 'pg3', 'vars.candidate': 'pg2' } }];
    const prompt = { prompt: { kind: 'preflight-override' as const, stepId: 'switch', expectedText: 'pg' }, targets: [], preflight };
    const { lastFrame, stdin } = render(<Walkthrough environment="lab" runbook={runbook} state={{ ...state, current: 'switch' }} snapshot={labSnapshot()} output={new OutputBuffer()} prompt={prompt} onAnswer={onAnswer} />);
    expect(lastFrame()).toContain('Pre-flight FAILED: Switch the leader');
    const flat = lastFrame()!.replace(/[│\s]+/g, ' ');
    expect(flat).toContain('✗ pre-flight FAILED clusters.pg.syncStandby == vars.candidate');
    expect(flat).toContain('values: clusters.pg.syncStandby="pg3" vars.candidate="pg2"');
    stdin.write(ESC);
    await waitFor(() => onAnswer.mock.calls.length > 0, 10_000, 'the answer to Esc', 10);
    expect(onAnswer).toHaveBeenLastCalledWith({ kind: 'refused', reason: 'operator kept the pre-flight block' });
    await press(stdin, lastFrame, 'pg');
    stdin.write(ENTER);
    await until(() => onAnswer.mock.calls.length === 2, 'the override answer');
    expect(onAnswer).toHaveBeenLastCalledWith({ kind: 'override', typed: 'pg' });
  });

  it('fits 80×24', () => {
    const { runbook, state } = stateWith({ check: 'ok', switch: 'running' });
    const { lastFrame } = render(<Walkthrough environment="lab" runbook={runbook} state={{ ...state, current: 'switch' }} snapshot={labSnapshot()} output={new OutputBuffer()} width={80} height={24} />);
    const lines = lastFrame()!.split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  });
});

export type { RunEvent };
