// The confirmation shows every character of every command of the step, with its resolved host, at
// any terminal size: long lines are cut into pieces (never `…`), long commands scroll, and the step
// cannot be confirmed before the last line has been on screen. The screen is parsed back into commands.
import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import { reduce } from '../../source/core/engine/reducer.js';
import { initialState } from '../../source/core/engine/state.js';
import { parseRunbook } from '../../source/core/runbook/parse.js';
import { OutputBuffer } from '../../source/ui/output-buffer.js';
import { Walkthrough } from '../../source/ui/screens/walkthrough.js';
import { labSnapshot, renderSized, runStarted, tick, until } from './fixtures.js';

const FIVE_LINES = ['old=pg1', 'new=pg2', 'patronictl -c /etc/patroni/config.yml list', 'patronictl -c /etc/patroni/config.yml switchover --leader "$old" --candidate "$new" --force', 'echo "switched from $old to $new"'];
// 300 characters, no spaces in the last 120 (a word longer than any line must be cut, not dropped).
const LONG = `curl -sS -X POST http://127.0.0.1:8008/switchover -d '{"leader":"pg1","candidate":"pg2"}' --max-time 30 --retry 0 -H 'Content-Type: application/json' -o /tmp/switchover.out --write-out '%{http_code}' && `;
const LONG_COMMAND = (LONG + 'x'.repeat(300 - LONG.length - 1) + 'Z').slice(0, 300);

const MD = `---
id: long-commands
title: Long commands
clusters: [pg]
---

## Switch with long commands {#switch changes=pg}

\`\`\`sh {host=pg.leader}
${FIVE_LINES.join('\n')}
\`\`\`

\`\`\`sh {host=local}
${LONG_COMMAND}
\`\`\`
`;

function setup() {
  const { runbook, problems } = parseRunbook(MD, 'long-commands.md');
  if (!runbook) throw new Error(JSON.stringify(problems));
  const targets = [{ selector: 'pg.leader', host: 'pg1', address: '127.0.0.1:2222' }, { selector: 'local', host: 'local' }];
  let state = reduce(initialState(runbook), runStarted(runbook));
  state = reduce(state, { type: 'step-started', at: '2026-11-25T20:00:00.000Z', stepId: 'switch', attempt: 1 });
  state = reduce(state, { type: 'confirmation-requested', at: '2026-11-25T20:00:00.000Z', stepId: 'switch', level: 'typed', expected: 'pg', targets });
  const prompt = { prompt: { kind: 'confirm' as const, stepId: 'switch', verdict: { level: 'typed' as const, expectedText: 'pg', reason: "changes cluster 'pg'" } }, targets, preflight: [] };
  return { runbook, state: { ...state, current: 'switch' }, prompt };
}

/** The box's inner lines (between `│ ` and ` │`), trailing padding removed. */
function boxLines(frame: string): string[] {
  return frame
    .split('\n')
    .map((l) => /│ (.*) │\s*$/.exec(l)?.[1])
    .filter((l): l is string => l !== undefined)
    .map((l) => l.replace(/\s+$/, ''));
}

interface Shown {
  from: number;
  total: number;
  lines: string[];
}
/** The commands window on screen: its position (`commands A–B of T`, absent when all fit) and its lines (those just above `why:`). */
function shownCommands(frame: string): Shown {
  const lines = boxLines(frame);
  const end = lines.findIndex((l) => l.startsWith('why: '));
  const m = lines.map((l) => /^commands (\d+)–(\d+) of (\d+)/.exec(l)).find((x) => x !== null);
  if (!m) {
    const start = lines.findIndex((l) => l.startsWith('@ '));
    expect(start, frame).toBeGreaterThanOrEqual(0);
    return { from: 0, total: end - start, lines: lines.slice(start, end) };
  }
  const from = Number(m[1]) - 1;
  const count = Number(m[2]) - from;
  return { from, total: Number(m[3]), lines: lines.slice(end - count, end) };
}

/** Commands parsed back from screen lines: `@ host`, `$ first line`, `  next line`, `⤷ ` continues the line above. */
function parse(lines: readonly string[]): { host: string; command: string }[] {
  const out: { host: string; lines: string[] }[] = [];
  let last: 'host' | 'command' = 'host';
  for (const l of lines) {
    const body = l.slice(2);
    if (l.startsWith('@ ')) {
      out.push({ host: body, lines: [] });
      last = 'host';
    } else if (l.startsWith('⤷ ')) {
      const c = out.at(-1)!;
      if (last === 'host') c.host += body;
      else c.lines[c.lines.length - 1] += body;
    } else {
      out.at(-1)!.lines.push(body);
      last = 'command';
    }
  }
  return out.map((c) => ({ host: c.host, command: c.lines.join('\n') }));
}

const expected = [
  { host: 'pg1 (127.0.0.1:2222)', command: FIVE_LINES.join('\n') },
  { host: 'local', command: LONG_COMMAND },
];

describe('the confirmation shows every command of the step in full', () => {
  it('fixture: a 5-line command and a 300-character one', () => {
    expect(LONG_COMMAND).toHaveLength(300);
    expect(FIVE_LINES).toHaveLength(5);
  });

  it('at 80×24 every character is on screen once scrolled; confirming waits until the end was shown', async () => {
    const { runbook, state, prompt } = setup();
    const onAnswer = vi.fn();
    const { lastFrame, stdin } = render(<Walkthrough environment="lab" runbook={runbook} state={state} snapshot={labSnapshot()} output={new OutputBuffer()} prompt={prompt} onAnswer={onAnswer} width={80} height={24} />);
    const first = lastFrame()!;
    for (const line of first.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(boxLines(first).join('\n')).not.toContain('…');
    expect(boxLines(first).join(' ')).toContain('target: pg.leader → pg1 (127.0.0.1:2222), local →  local');
    expect(boxLines(first).join(' ')).toMatch(/commands 1–\d+ of \d+ · \d+ more below · up\/down line\s+· pageup\/pagedown page/);

    // Typing the right text before the end was shown is refused, and says how to go on.
    stdin.write('pg');
    await tick();
    stdin.write('\r');
    await tick();
    expect(onAnswer).not.toHaveBeenCalled();
    expect(lastFrame()).toContain('scroll to the end of the commands first');

    // Scroll down line by line, collecting every screen line by its index in the whole.
    const byIndex = new Map<number, string>();
    let shown = shownCommands(lastFrame()!);
    for (let i = 0; i < 200; i++) {
      shown.lines.forEach((l, j) => byIndex.set(shown.from + j, l));
      if (shown.from + shown.lines.length >= shown.total) break;
      stdin.write('\x1b[B'); // down
      await tick();
      shown = shownCommands(lastFrame()!);
    }
    expect(lastFrame()).toContain('· the end');
    expect(byIndex.size).toBe(shown.total);
    const all = [...byIndex.keys()].sort((a, b) => a - b).map((k) => byIndex.get(k)!);
    expect(parse(all)).toEqual(expected);

    stdin.write('\r');
    await tick();
    expect(onAnswer).toHaveBeenCalledWith({ kind: 'given', typed: 'pg' });
  });

  it('pagedown and pageup move a page; the end is reached and confirming is accepted', async () => {
    const { runbook, state, prompt } = setup();
    const onAnswer = vi.fn();
    const { lastFrame, stdin } = render(<Walkthrough environment="lab" runbook={runbook} state={state} snapshot={labSnapshot()} output={new OutputBuffer()} prompt={prompt} onAnswer={onAnswer} width={80} height={24} />);
    const top = shownCommands(lastFrame()!);
    stdin.write('\x1b[6~'); // pagedown
    await tick();
    const next = shownCommands(lastFrame()!);
    expect(next.from).toBeGreaterThan(top.from + 1);
    stdin.write('\x1b[5~'); // pageup
    await tick();
    expect(shownCommands(lastFrame()!).from).toBe(0);
    for (let i = 0; i < 20 && !lastFrame()!.includes('· the end'); i++) {
      stdin.write('\x1b[6~');
      await tick();
    }
    stdin.write('pg\r');
    await tick();
    expect(onAnswer).toHaveBeenCalledWith({ kind: 'given', typed: 'pg' });
  });

  it('in a 160×45 terminal both commands fit whole: no scrolling, nothing cut', async () => {
    const { runbook, state, prompt } = setup();
    const { lastFrame, unmount } = await renderSized(<Walkthrough environment="lab" runbook={runbook} state={state} snapshot={labSnapshot()} output={new OutputBuffer()} prompt={prompt} width={160} height={45} />, 160, 45);
    await until(() => JSON.stringify(parse(shownCommands(lastFrame()!).lines)) === JSON.stringify(expected), 'the whole commands at 160×45');
    const frame = lastFrame()!;
    for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(160);
    expect(frame).not.toMatch(/commands \d+–\d+ of/);
    expect(parse(shownCommands(frame).lines)).toEqual(expected);
    unmount();
  });

  it('the step detail of a step not yet reached shows its commands whole too', () => {
    const { runbook } = setup();
    const state = reduce(initialState(runbook), runStarted(runbook));
    const { lastFrame } = render(<Walkthrough environment="lab" runbook={runbook} state={state} snapshot={labSnapshot()} output={new OutputBuffer()} width={100} height={40} initialUi={{ viewing: 'switch', scroll: 0, interruptArmed: false }} />);
    const frame = lastFrame()!;
    const right = frame.split('\n').map((l) => l.slice(listWidthAt(100) + 1).replace(/\s+$/, ''));
    const from = right.findIndex((l) => l.startsWith('$ '));
    const lines = right.slice(from).filter((l) => /^(\$ |  |⤷ )/.test(l) && !/^\s+pg\d/.test(l));
    const commands = parse(['@ x', ...lines]).map((c) => c.command).join('\n');
    expect(lines.join('\n')).not.toContain('…');
    expect(commands).toContain(FIVE_LINES.join('\n'));
    expect(commands.replace(/\n/g, '')).toContain(LONG_COMMAND);
  });
});

function listWidthAt(width: number): number {
  return Math.max(26, Math.min(48, Math.floor(width * 0.28)));
}
