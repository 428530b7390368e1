// UI state without a terminal: the key table, the ring buffer, and each screen's pure reducer.
import { describe, expect, it } from 'vitest';
import { initialVarsUi, reduceVars, type VarsUi } from '../../source/ui/state/vars-state.js';
import { actionFor, KEYMAP, keyName, type ScreenName } from '../../source/ui/keymap.js';
import { OutputBuffer } from '../../source/ui/output-buffer.js';
import { initialConfirmUi, reduceConfirm, type ConfirmPrompt } from '../../source/ui/state/confirm-state.js';
import { filterRunbooks, initialHomeUi, reduceHome, type RunbookEntry } from '../../source/ui/state/home-state.js';
import { initialReplayUi, reduceReplay, stepVisits } from '../../source/ui/state/replay-state.js';
import { initialWalkthroughUi, reduceWalkthrough } from '../../source/ui/state/walkthrough-state.js';
import type { RunEvent } from '../../source/core/engine/events.js';
import { colorEnabled, makeTheme, statusGlyph } from '../../source/ui/theme.js';
import { OUTCOMES } from '../../source/core/outcome.js';

describe('keymap', () => {
  it('never binds one key to two actions on the same screen', () => {
    const screens: ScreenName[] = ['home', 'walkthrough', 'confirm', 'help', 'replay'];
    for (const screen of screens) {
      const seen = new Map<string, string>();
      for (const b of KEYMAP.filter((x) => x.screens.includes(screen)))
        for (const k of b.keys) {
          expect(seen.get(k), `${screen}: ${k} bound to ${seen.get(k)} and ${b.action}`).toBeUndefined();
          seen.set(k, b.action);
        }
    }
  });
  it('normalises Ink keys and finds actions from the one table', () => {
    expect(keyName('c', { ctrl: true })).toBe('ctrl+c');
    expect(keyName('', { upArrow: true })).toBe('up');
    expect(keyName(' ', {})).toBe('space');
    expect(actionFor('home', '/')).toBe('filter');
    expect(actionFor('replay', '/')).toBe('search');
    expect(actionFor('walkthrough', 'ctrl+c')).toBe('interrupt');
    expect(actionFor('home', 'n')).toBeUndefined();
  });
});

describe('OutputBuffer', () => {
  it('keeps only the newest lines, counts all, joins chunks split mid-line', () => {
    const b = new OutputBuffer(3);
    b.append('a\nb');
    b.append('c\nd\ne\n');
    expect(b.total).toBe(4);
    expect(b.window(10)).toEqual(['bc', 'd', 'e']);
    b.append('partial');
    expect(b.window(2)).toEqual(['e', 'partial']);
    expect(b.window(2, 1)).toEqual(['d', 'e']);
    expect(b.search('PART')).toEqual([3]);
  });
  it('holds 100k lines in bounded memory', () => {
    const b = new OutputBuffer(1000);
    for (let i = 0; i < 100; i++) b.append(Array.from({ length: 1000 }, (_, j) => `l${i * 1000 + j}`).join('\n') + '\n');
    expect(b.total).toBe(100_000);
    expect(b.length).toBe(1000);
    expect(b.window(1)).toEqual(['l99999']);
  });
});

const entries: RunbookEntry[] = [
  { id: 'pg-switchover', title: 'Switchover', tags: ['switchover'], path: 'a', clusters: [], problems: [] },
  { id: 'redis-failover', title: 'Sentinel', tags: ['failover', 'redis'], path: 'b', clusters: [], problems: [] },
];

describe('home reducer', () => {
  it('filters by id, title or #tag', () => {
    expect(filterRunbooks(entries, '#failover').map((e) => e.id)).toEqual(['redis-failover']);
    expect(filterRunbooks(entries, 'switch').map((e) => e.id)).toEqual(['pg-switchover']);
  });
  it('q clears a filter first, then quits; esc in filter mode clears it', () => {
    let ui = reduceHome(initialHomeUi, '/', '/', entries).ui;
    ui = reduceHome(ui, 'r', 'r', entries).ui;
    expect(ui.filter).toBe('r');
    expect(reduceHome(ui, 'esc', '', entries).ui).toMatchObject({ mode: 'list', filter: '' });
    ui = reduceHome(ui, 'enter', '', entries).ui;
    const q1 = reduceHome(ui, 'q', 'q', entries);
    expect(q1.effect).toBeUndefined();
    expect(reduceHome(q1.ui, 'q', 'q', entries).effect).toEqual({ kind: 'quit' });
  });
  it('moves within bounds', () => {
    let ui = reduceHome(initialHomeUi, 'down', '', entries).ui;
    ui = reduceHome(ui, 'down', '', entries).ui;
    expect(ui.selected).toBe(1);
    expect(reduceHome(ui, 'enter', '', entries).effect).toEqual({ kind: 'open', entry: entries[1] });
  });
});

describe('confirm reducer', () => {
  const yes: ConfirmPrompt = { kind: 'confirm', stepId: 's', verdict: { level: 'yes', reason: '' } };
  const typed: ConfirmPrompt = { kind: 'confirm', stepId: 's', verdict: { level: 'typed', expectedText: 'pg', reason: '' } };
  it('yes: only y confirms; enter alone is the default no', () => {
    expect(reduceConfirm(initialConfirmUi, 'y', 'y', yes).answer).toEqual({ kind: 'given', typed: 'y' });
    expect(reduceConfirm(initialConfirmUi, 'enter', '', yes).answer?.kind).toBe('refused');
    expect(reduceConfirm(initialConfirmUi, 'x', 'x', yes).answer).toBeUndefined();
  });
  it('typed: a near miss is rejected with the expected text named', () => {
    let r = reduceConfirm(initialConfirmUi, 'P', 'PG', typed);
    r = reduceConfirm(r.ui, 'enter', '', typed);
    expect(r.answer).toBeUndefined();
    expect(r.ui.error).toContain("type 'pg'");
  });
  it('decide: only one of the offered options', () => {
    const decide: ConfirmPrompt = { kind: 'decide', stepId: 's', options: ['retry', 'abort'] };
    let r = reduceConfirm(initialConfirmUi, 'o', 'ok', decide);
    expect(reduceConfirm(r.ui, 'enter', '', decide).ui.error).toContain('retry, abort');
    r = reduceConfirm(initialConfirmUi, 'r', 'retry', decide);
    expect(reduceConfirm(r.ui, 'enter', '', decide).answer).toEqual({ kind: 'decided', option: 'retry' });
  });
});

describe('walkthrough reducer', () => {
  const ctx = { stepIds: ['a', 'b', 'c'], current: 'b', commandRunning: true, finished: false, page: 10 };
  it('Ctrl-C: first arms, any other key disarms, second cancels the command', () => {
    const armed = reduceWalkthrough(initialWalkthroughUi, 'ctrl+c', ctx);
    expect(armed.ui.interruptArmed).toBe(true);
    expect(armed.effect).toBeUndefined();
    expect(reduceWalkthrough(armed.ui, 'j', ctx).ui.interruptArmed).toBe(false);
    expect(reduceWalkthrough(armed.ui, 'ctrl+c', ctx).effect).toEqual({ kind: 'cancel-command' });
    expect(reduceWalkthrough(armed.ui, 'ctrl+c', { ...ctx, commandRunning: false }).effect).toEqual({ kind: 'abort-run' });
  });
  it('q does not leave a live run; it does once the run ended', () => {
    expect(reduceWalkthrough(initialWalkthroughUi, 'q', ctx).effect).toBeUndefined();
    expect(reduceWalkthrough(initialWalkthroughUi, 'q', { ...ctx, finished: true }).effect).toEqual({ kind: 'back' });
  });
  it('browses steps and scrolls output; f follows the current step again', () => {
    let ui = reduceWalkthrough(initialWalkthroughUi, 'up', ctx).ui;
    expect(ui.viewing).toBe('a');
    ui = reduceWalkthrough(ui, 'pageup', ctx).ui;
    expect(ui.scroll).toBe(10);
    expect(reduceWalkthrough(ui, 'f', ctx).ui).toEqual(initialWalkthroughUi);
  });
});

describe('replay reducer', () => {
  const at = '2026-01-01T00:00:00Z';
  const events: RunEvent[] = [
    { type: 'step-started', at, stepId: 'a', attempt: 1 },
    { type: 'command-output', at, stepId: 'a', commandIndex: 0, stream: 'stdout', data: 'hello\n' },
    { type: 'step-started', at, stepId: 'b', attempt: 1 },
    { type: 'command-output', at, stepId: 'b', commandIndex: 0, stream: 'stdout', data: 'needle here\n' },
    { type: 'step-started', at, stepId: 'c', attempt: 1 },
  ];
  const visits = stepVisits(events);
  it('splits events into step visits with their output', () => {
    expect(visits.map((v) => [v.stepId, v.from, v.to, v.output])).toEqual([
      ['a', 0, 2, 'hello\n'],
      ['b', 2, 4, 'needle here\n'],
      ['c', 4, 5, ''],
    ]);
  });
  it('next/previous, jump by number or id, search output', () => {
    const order = ['a', 'b', 'c'];
    let ui = reduceReplay(initialReplayUi, 'n', 'n', visits, order).ui;
    expect(ui.visit).toBe(1);
    ui = reduceReplay(ui, 'p', 'p', visits, order).ui;
    expect(ui.visit).toBe(0);
    ui = reduceReplay(ui, 'g', 'g', visits, order).ui;
    ui = reduceReplay(ui, '3', '3', visits, order).ui;
    ui = reduceReplay(ui, 'enter', '', visits, order).ui;
    expect(ui.visit).toBe(2);
    ui = reduceReplay(ui, '/', '/', visits, order).ui;
    ui = reduceReplay(ui, 'n', 'needle', visits, order).ui;
    ui = reduceReplay(ui, 'enter', '', visits, order).ui;
    expect(ui).toMatchObject({ visit: 1, message: 'match 1/1 for "needle"' });
    ui = reduceReplay(ui, 'g', 'g', visits, order).ui;
    ui = reduceReplay(ui, 'x', 'zzz', visits, order).ui;
    expect(reduceReplay(ui, 'enter', '', visits, order).ui.message).toBe('step zzz was never entered in this run');
  });
});

describe('theme', () => {
  it('NO_COLOR (any non-empty value) turns every colour off', () => {
    expect(colorEnabled({ NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({})).toBe(true);
    expect(makeTheme(false).color('red')).toBeUndefined();
    expect(makeTheme(true).color('red')).toBe('red');
  });
  it('gives every status a distinct glyph, so none is told by colour alone', () => {
    const all = ['pending', 'running', 'awaiting-confirmation', ...OUTCOMES] as const;
    expect(new Set(all.map((s) => statusGlyph(s).glyph)).size).toBe(all.length);
  });
});

describe('variables form reducer', () => {
  const specs = {
    candidate: { default: 'auto', secret: false },
    mode: { default: 'planned', secret: false, choices: ['planned', 'crash'] },
    server: { secret: false },
    token: { secret: true },
  };
  const press = (ui: VarsUi, ...keys: string[]) => keys.reduce((u, k) => reduceVars(u, k, k.length === 1 ? k : '').ui, ui);

  it('prefills :open values, then HATUI_VAR_<NAME>, then defaults, and starts on the first missing one', () => {
    const ui = initialVarsUi('drill', specs, { candidate: 'pg2' }, { HATUI_VAR_TOKEN: 't0k', HATUI_VAR_CANDIDATE: 'pg3' });
    expect(ui.fields.map((f) => [f.name, f.value, f.source])).toEqual([
      ['candidate', 'pg2', 'command line'],
      ['mode', 'planned', 'default'],
      ['server', '', 'none'],
      ['token', 't0k', 'environment'],
    ]);
    expect(ui.focus).toBe(2);
  });

  it('letters are text here (q, k, j, ? do not navigate); arrows, tab, backspace and ctrl+u edit and move', () => {
    let ui = initialVarsUi('drill', specs, {}, {});
    ui = press(ui, 'q', 'k', 'j', '?', 'space', 'x');
    expect(ui.fields[2]!.value).toBe('qkj? x');
    ui = press(ui, 'backspace', 'backspace');
    expect(ui.fields[2]!.value).toBe('qkj?');
    ui = press(ui, 'ctrl+u');
    expect(ui.fields[2]!.value).toBe('');
    ui = press(ui, 'up', 'up', 'up');
    expect(ui.focus).toBe(0);
    ui = press(ui, 'tab', 'down', 'down', 'down');
    expect(ui.focus).toBe(3);
  });

  it('cycles a variable with choices with left/right and refuses a value outside them', () => {
    let ui = press(initialVarsUi('drill', specs, {}, {}), 'up');
    expect(ui.fields[ui.focus]!.name).toBe('mode');
    ui = press(ui, 'right');
    expect(ui.fields[1]!.value).toBe('crash');
    ui = press(ui, 'right', 'left'); // crash → planned → crash (wraps)
    expect(ui.fields[1]!.value).toBe('crash');
    ui = press(ui, 'x');
    const r = reduceVars(ui, 'enter', '');
    expect(r.effect).toBeUndefined();
    expect(r.ui.message).toBe('mode must be one of planned, crash');
  });

  it('enter starts only when every variable has a value; esc and ctrl+c go back', () => {
    let ui = initialVarsUi('drill', specs, {}, { HATUI_VAR_TOKEN: 't' });
    let r = reduceVars(ui, 'enter', '');
    expect(r.effect).toBeUndefined();
    expect(r.ui.message).toBe('server needs a value');
    ui = press(r.ui, 'p', 'g', '1');
    r = reduceVars(ui, 'enter', '');
    expect(r.effect).toEqual({ kind: 'start', values: { candidate: 'auto', mode: 'planned', server: 'pg1', token: 't' } });
    expect(reduceVars(ui, 'esc', '').effect).toEqual({ kind: 'back' });
    expect(reduceVars(ui, 'ctrl+c', '').effect).toEqual({ kind: 'back' });
  });
});
