// A drill opened in the app: the walkthrough with the live drill panel under it (the canary's counts
// re-drawn between run events, the clock since the fault, the marks), then, once the drill has written
// its report, the report screen; q goes back to the runbook list. The session is built the way
// ui/start-drill.ts builds it, with a stub canary context instead of a live one.
import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import { analyze } from '../../source/core/drill/analyze.js';
import { buildReport } from '../../source/core/drill/report.js';
import { parseRunbook } from '../../source/core/runbook/parse.js';
import { staticSource } from '../../source/services/poller.js';
import type { Canary } from '../../source/drill/canary.js';
import { App } from '../../source/ui/app.js';
import { DrillView } from '../../source/ui/drill-view.js';
import { RunSession } from '../../source/ui/session.js';
import type { RunbookEntry } from '../../source/ui/state/home-state.js';
import { observations, syntheticLog } from '../drill/fixtures.js';
import { labSnapshot, press, shown, until } from './fixtures.js';

const MD = `---
id: drill-demo
title: Drill demo
clusters: [pg]
drill: { system: postgresql, fault: primary-crash }
targets: { rto: 5m, rpo: 0s }
---

## Crash the primary {#fault}

\`\`\`sh {host=local}
true
\`\`\`
`;

const START = 1_700_000_000_000;
const entry: RunbookEntry = { id: 'drill-demo', title: 'Drill demo', tags: ['drill'], path: 'runbooks/drill-demo.md', clusters: ['pg'], problems: [] };

describe('App: a drill opened in the app', () => {
  it('shows the live drill panel under the walkthrough, keeps counting between run events, then the report screen; q goes home', async () => {
    const { runbook } = parseRunbook(MD, 'drill-demo.md');
    const session = new RunSession(runbook!, 'tester');
    const view = new DrillView('postgresql');
    session.drill = view;
    const full = syntheticLog({ startMs: START, durationMs: 20_000, periodMs: 10, outageFrom: 5_000, outageTo: 12_000 });
    const obs = observations(START, [['leader-seen', 50], ['leader-lost', 5_400], ['new-leader', 11_500], ['healthy', 15_000]]);
    let now = START + 3_000;
    const upTo = () => ({ ...full, acks: full.acks.filter((a) => a.atMs <= now), errors: full.errors.filter((e) => e.atMs <= now) });
    const canary = { target: '127.0.0.1:55000 table hatui_canary', snapshot: upTo } as unknown as Canary;
    const openRunbook = vi.fn(async () => session);
    const { stdin, lastFrame } = render(<App environment="lab" source={staticSource(labSnapshot())} runbooks={[entry]} openRunbook={openRunbook} width={120} height={40} />);
    await shown(lastFrame, 'drill-demo');
    stdin.write(':open drill-demo\r');
    await until(() => lastFrame()!.includes('starting the canary'), 'the drill panel before the canary writes');

    view.context = { clock: { now: () => now, wall: () => now }, canary, observations: () => obs.filter((o) => o.atMs <= now) };
    session.changed();
    await until(() => lastFrame()!.includes('drill · canary 127.0.0.1:55000 table hatui_canary · fault not yet'), 'the live panel');
    const acked = (frame: string) => Number(/acked .* (\d+)\s*│/.exec(frame)?.[1]);
    const before = acked(lastFrame()!);

    // The fault's command was sent at 5 s; time passes with no run event: the ticker redraws the counts.
    view.faultAtMs = START + 5_000;
    now = START + 16_000;
    await until(() => lastFrame()!.includes('T+00:11.0 since the fault'), 'the clock since the fault');
    const frame = lastFrame()!;
    expect(acked(frame)).toBeGreaterThan(before);
    expect(frame).toContain('◆ T+00:00.4 leader lost');
    expect(frame).toContain('◆ T+00:06.5 new leader: pg2');
    expect(frame).toMatch(/◆ T\+00:07\.\d first acknowledged write/);
    for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(120);

    // The report is written: the report screen replaces the walkthrough.
    const present = full.acks.map((a) => a.seq);
    const targets = { rtoMs: 300_000, rpoMs: 0 };
    const report = buildReport(
      { runbook: { id: 'drill-demo', title: 'Drill demo', path: 'runbooks/drill-demo.md' }, system: 'postgresql', fault: 'primary-crash', startedAtMs: START, finishedAtMs: START + 20_000, targets, canaryTarget: canary.target, firstSeq: 1, firstErrors: [], observations: obs, steps: [{ id: 'fault', outcome: 'ok' }], runOutcome: 'ok' },
      analyze({ log: full, present, t0Ms: START + 5_000, observations: obs, targets }),
    );
    view.result = { report, paths: { dir: '/tmp/r', json: '/tmp/r/report.json', markdown: '/tmp/r/report.md', svg: '/tmp/r/timeline.svg' } };
    session.finish({ state: session.state, exitCode: 0, message: 'drill PASS' });
    await until(() => lastFrame()!.includes('Drill report · Drill demo · PASS'), 'the report screen');
    expect(lastFrame()).toContain('report: /tmp/r/report.md');
    expect(lastFrame()).toMatch(/fault → first acknowledged write\s+7\.\d+ s/);
    // The report screen's key handler attaches in an effect after its first frame: a key sent in the same
    // instant is not seen (as for every Ink screen). No operator types that fast; give it a moment.
    await new Promise((r) => setTimeout(r, 300));
    await press(stdin, lastFrame, 'q');
    await shown(lastFrame, '── runbooks');
  });
});
