import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../source/core/engine/events.js';
import { Replay } from '../../source/ui/screens/replay.js';
import { demoRunbook, press, runStarted, until } from './fixtures.js';

const at = '2026-11-25T20:00:00.000Z';
function recorded(): RunEvent[] {
  const rb = demoRunbook();
  const target = { selector: 'local', host: 'local' };
  return [
    runStarted(rb, 'production'),
    { type: 'step-started', at, stepId: 'check', attempt: 1 },
    { type: 'command-started', at, stepId: 'check', commandIndex: 0, target, command: 'echo members' },
    { type: 'command-output', at, stepId: 'check', commandIndex: 0, stream: 'stdout', data: 'members\n' },
    { type: 'command-finished', at, stepId: 'check', commandIndex: 0, outcome: 'ok', exitCode: 0, signal: null, durationMs: 3 },
    { type: 'step-finished', at, stepId: 'check', outcome: 'ok' },
    { type: 'step-started', at, stepId: 'switch', attempt: 1 },
    { type: 'command-started', at, stepId: 'switch', commandIndex: 0, target, command: "echo switching to 'pg2'" },
    { type: 'command-output', at, stepId: 'switch', commandIndex: 0, stream: 'stdout', data: 'switching to pg2\nlost connection\n' },
    { type: 'command-finished', at, stepId: 'switch', commandIndex: 0, outcome: 'unknown', exitCode: null, signal: null, durationMs: 9 },
    { type: 'step-finished', at, stepId: 'switch', outcome: 'unknown', message: 'connection lost' },
  ];
}

describe('Replay screen', () => {
  it('shows the recorded environment, the folded statuses and the recorded output; n/p/g and / search move', async () => {
    const { lastFrame, stdin } = render(<Replay events={recorded()} runbook={demoRunbook()} />);
    expect(lastFrame()!.split('\n')[0]).toContain('PRODUCTION');
    expect(lastFrame()).toContain('visit 1/2');
    expect(lastFrame()).toContain('members');
    stdin.write('n');
    await until(() => lastFrame()?.includes('visit 2/2'), 'the next visit');
    expect(lastFrame()).toContain('visit 2/2');
    expect(lastFrame()).toMatch(/^\s+unknown\b/m);
    expect(lastFrame()).toContain('lost connection');
    stdin.write('p');
    await until(() => lastFrame()?.includes('visit 1/2'), 'the previous visit');
    expect(lastFrame()).toContain('visit 1/2');
    await press(stdin, lastFrame, '/');
    await press(stdin, lastFrame, 'lost');
    stdin.write('\r');
    await until(() => lastFrame()?.includes('match 1/1 for "lost"'), 'the search match');
    expect(lastFrame()).toContain('visit 2/2');
    expect(lastFrame()).toContain('match 1/1 for "lost"');
    await press(stdin, lastFrame, 'g');
    await press(stdin, lastFrame, '1');
    stdin.write('\r');
    await until(() => lastFrame()?.includes('visit 1/2'), 'the visit jumped to');
    expect(lastFrame()).toContain('visit 1/2');
  });
});
