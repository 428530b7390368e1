import { describe, expect, it } from 'vitest';
import { toAsciicast } from '../../source/core/audit/asciicast.js';
import { buildTimeline } from '../../source/core/audit/timeline.js';
import { toMarkdown } from '../../source/core/audit/markdown.js';
import { toText } from '../../source/core/audit/text-replay.js';
import type { RunEvent } from '../../source/core/engine/events.js';
import { sampleEvents } from './fixtures.js';

const events = sampleEvents();
const loggedOutput = events.flatMap((e) => (e.type === 'command-output' ? [e.data] : [])).join('');

export function parseAsciicast(text: string) {
  const [headerLine, ...rest] = text.trimEnd().split('\n');
  const header = JSON.parse(headerLine!) as { version: number; term: { cols: number; rows: number }; timestamp: number };
  const entries = rest.map((l) => JSON.parse(l) as [number, string, string]);
  return { header, entries };
}

describe('asciicast v3 export', () => {
  it('has a v3 header and [interval, code, data] events with relative intervals', () => {
    const { header, entries } = parseAsciicast(toAsciicast(events));
    expect(header).toMatchObject({ version: 3, term: { cols: 80, rows: 24 }, timestamp: Math.floor(Date.parse(events[0]!.at) / 1000) });
    for (const [interval, code, data] of entries) {
      expect(interval).toBeGreaterThanOrEqual(0);
      expect(['o', 'm']).toContain(code);
      expect(typeof data).toBe('string');
    }
    const total = entries.reduce((sum, [interval]) => sum + interval, 0);
    const lastOutput = [...events].reverse().find((e) => e.type === 'command-output')!;
    expect(total).toBeCloseTo((Date.parse(lastOutput.at) - Date.parse(events[0]!.at)) / 1000, 3);
  });

  it('has one marker per step, labelled with the step id, and its output equals the logged output', () => {
    const retried: RunEvent[] = [...events.slice(0, 6), { type: 'step-started', at: events[5]!.at, stepId: 'check', attempt: 2 }, ...events.slice(6)];
    const { entries } = parseAsciicast(toAsciicast(retried));
    expect(entries.filter(([, code]) => code === 'm').map(([, , d]) => d)).toEqual(['check', 'switch']);
    expect(entries.filter(([, code]) => code === 'o').map(([, , d]) => d).join('')).toBe(loggedOutput);
  });
});

describe('markdown postmortem', () => {
  const md = toMarkdown(buildTimeline(events), { logPath: '/state/runs/x.jsonl', head: '15:abc', verdict: 'intact' });
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
    const cut = toMarkdown(buildTimeline(events.slice(0, 10)), { logPath: 'x' });
    expect(cut).toContain('## Step `switch`: unknown');
    expect(cut).toContain('unknown (no finish recorded)');
  });
  it('fences output containing backticks safely', () => {
    const tricky: RunEvent[] = [...events.slice(0, 3), { ...(events[3] as Extract<RunEvent, { type: 'command-output' }>), data: '```\n| pipe |\n' }, ...events.slice(4)];
    expect(toMarkdown(buildTimeline(tricky), { logPath: 'x' })).toContain('````text\n```\n| pipe |\n````');
  });
});

describe('text replay', () => {
  it('walks the steps in order with commands, output and outcomes', () => {
    const text = toText(buildTimeline(events));
    expect(text.indexOf('step check')).toBeLessThan(text.indexOf('step switch'));
    expect(text).toContain("$ echo 'hello'    # on local");
    expect(text).toContain('  | hello');
    expect(text).toContain('confirmed (typed) by root@lab');
    expect(text).toContain('run finished 2026-11-25T20:00:08.000Z: ok');
  });
});
