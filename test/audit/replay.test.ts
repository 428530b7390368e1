import { describe, expect, it } from 'vitest';
import { toAsciicast } from '../../source/core/audit/asciicast.js';
import { foldLog } from '../../source/core/audit/replay-fold.js';
import { toMarkdown } from '../../source/core/audit/markdown.js';
import { toText } from '../../source/core/audit/text-replay.js';
import type { RunEvent } from '../../source/core/engine/events.js';
import { parseAsciicast, screen } from '../support/asciicast.js';
import { refusedEvents, sampleEvents } from './fixtures.js';

const events = sampleEvents();
const loggedOutput = events.flatMap((e) => (e.type === 'command-output' ? [e.data] : [])).join('');

describe('asciicast v3 export', () => {
  it('has a v3 header and [interval, code, data] events with relative intervals', () => {
    const { header, entries } = parseAsciicast(toAsciicast(foldLog(events)));
    expect(header).toMatchObject({ version: 3, term: { cols: 80, rows: 24 }, timestamp: Math.floor(Date.parse(events[0]!.at) / 1000) });
    const total = entries.reduce((sum, [interval]) => sum + interval, 0);
    expect(total).toBeCloseTo((Date.parse(events.at(-1)!.at) - Date.parse(events[0]!.at)) / 1000, 3);
  });

  it('has one marker per step, labelled with the step id, and carries the logged output in order with CRLF line ends', () => {
    const retried: RunEvent[] = [...events.slice(0, 6), { type: 'step-started', at: events[5]!.at, stepId: 'check', attempt: 2 }, { type: 'step-finished', at: events[5]!.at, stepId: 'check', outcome: 'ok' }, ...events.slice(6)];
    const { entries } = parseAsciicast(toAsciicast(foldLog(retried)));
    expect(entries.filter(([, code]) => code === 'm').map(([, , d]) => d)).toEqual(['check', 'switch']);
    const output = entries.filter(([, code]) => code === 'o').map(([, , d]) => d).join('');
    expect(output).not.toMatch(/[^\r]\n/);
    expect(output).toContain(loggedOutput.replace(/\n/g, '\r\n').split('\r\n')[0]!);
    for (const chunk of loggedOutput.split('\n').filter(Boolean)) expect(output).toContain(`${chunk}\r\n`);
  });

  it('plays on a terminal emulator showing each command, the confirmation and the outcomes, one per line', async () => {
    const lines = await screen(toAsciicast(foldLog(events)));
    expect(lines).toContain("$ echo 'hello'    # on local");
    expect(lines).toContain('hello');
    expect(lines).toContain('? confirmation (typed) requested for pg1 (pg.leader, 127.0.0.1:2201)');
    expect(lines).toContain('✓ confirmed (typed) by root@lab, typed `pg`');
    expect(lines).toContain('$ patronictl switchover    # on pg1 (pg.leader, 127.0.0.1:2201)');
    expect(lines).toContain('Switching over…');
    expect(lines).toContain('→ command 1 finished: ok (exit 0, 3010 ms)');
    expect(lines).toContain('■ step finished: ok');
    expect(lines).toContain('■ run finished: ok');
  });

  it('shows a refused confirmation as refused, and the run aborting, on the emulator screen', async () => {
    const lines = await screen(toAsciicast(foldLog(refusedEvents()), { cols: 160 }));
    expect(lines).toContain('✗ confirmation (typed) refused by root@lab: typed text did not match; the step does not run');
    expect(lines.some((l) => l.startsWith('$ patronictl'))).toBe(false);
    expect(lines.join('\n')).not.toContain('unknown');
  });
});

describe('markdown postmortem', () => {
  const md = toMarkdown(foldLog(events), { logPath: '/state/runs/x.jsonl', head: '15:abc', verdict: 'intact' });
  it('names operator, version, runbook and its sha256, inventory sha256, log and head', () => {
    for (const text of ['root@lab', '0.1.0', '/rb/demo.md', 'a'.repeat(64), 'b'.repeat(64), '/state/runs/x.jsonl', '15:abc']) expect(md).toContain(text);
  });
  it('has a section per step with each command, host, confirmation (who, when, typed), output, outcome and duration', () => {
    expect(md).toContain('## Step `check`: ok');
    expect(md).toContain('## Step `switch`: ok');
    expect(md).toContain('### Command 1 on pg1 (pg.leader, 127.0.0.1:2201)');
    expect(md).toContain('patronictl switchover');
    expect(md).toContain('given by root@lab at 2026-11-25T20:00:05.000Z, typed `pg`');
    expect(md).toContain('Switching over…\ndone\n');
    expect(md).toContain('duration 3.0 s');
    expect(md).toMatch(/\| 2026-11-25T20:00:08.000Z \| {2}\| run finished: ok \|/);
  });
  it('marks a step the log ends in as unknown, never ok', () => {
    const cut = toMarkdown(foldLog(events.slice(0, 10)), { logPath: 'x' });
    expect(cut).toContain('## Step `switch`: unknown');
    expect(cut).toContain('**unknown**');
    expect(cut).not.toContain('## Step `switch`: ok');
  });
  it('fences output containing backticks safely', () => {
    const tricky: RunEvent[] = [...events.slice(0, 3), { ...(events[3] as Extract<RunEvent, { type: 'command-output' }>), data: '```\n| pipe |\n' }, ...events.slice(4)];
    expect(toMarkdown(foldLog(tricky), { logPath: 'x' })).toContain('````text\n```\n| pipe |\n````');
  });
  it('files a refused confirmation as refused (the step cancelled, its commands not run), never unknown', () => {
    const refused = toMarkdown(foldLog(refusedEvents()), { logPath: 'x' });
    expect(refused).toContain('- Confirmation (typed) for pg1 (pg.leader, 127.0.0.1:2201): **refused** by root@lab at 2026-11-25T20:00:05.000Z: typed text did not match');
    expect(refused).toContain('## Step `switch`: cancelled');
    expect(refused).toContain('confirmation (typed) refused by root@lab');
    expect(refused).not.toMatch(/unknown/);
  });
  it('never invents a step for an event the reducer rejects: it is listed as not applied', () => {
    const foreign: RunEvent[] = [...events.slice(0, 6), { type: 'step-started', at: events[5]!.at, stepId: 'ghost', attempt: 1 }, ...events.slice(6)];
    const out = toMarkdown(foldLog(foreign), { logPath: 'x' });
    expect(out).not.toContain('## Step `ghost`');
    expect(out).toContain("step started (attempt 1) [not applied: unknown step 'ghost']");
    expect(out).toContain('## Log anomalies');
  });
});

describe('text replay', () => {
  it('walks the steps in order with commands, output and outcomes', () => {
    const text = toText(foldLog(events));
    expect(text.indexOf('step check')).toBeLessThan(text.indexOf('step switch'));
    expect(text).toContain("$ echo 'hello'    # on local");
    expect(text).toContain('  | hello');
    expect(text).toContain('confirmed (typed) by root@lab');
    expect(text).toContain('run finished 2026-11-25T20:00:08.000Z: ok');
  });
  it('shows a refused confirmation as refused, never unknown', () => {
    const text = toText(foldLog(refusedEvents()));
    expect(text).toContain('[2/2] step switch: cancelled: confirmation refused by root@lab (typed text did not match)');
    expect(text).toContain('confirmation (typed) REFUSED by root@lab at 2026-11-25T20:00:05.000Z: typed text did not match; commands not run');
    expect(text).not.toMatch(/unknown/);
    expect(text).toContain("run aborted 2026-11-25T20:00:05.000Z: confirmation refused for step 'switch' by root@lab: typed text did not match");
  });
});
