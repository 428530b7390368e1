// Issue 18: a pre-flight refusal and its typed override, in the terminal app itself: the App, a real
// RunSession and the real runner with local commands. The cluster state says the DCS lost quorum; the
// step stops at its pre-flight with nothing run; a wrong name does not override; the cluster's name
// typed (the step's id here: the step changes no cluster) does, the command runs, and the override is logged.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, describe, expect, it } from 'vitest';
import { App } from '../../source/ui/app.js';
import { staticSource } from '../../source/services/poller.js';
import type { RunbookEntry } from '../../source/ui/state/home-state.js';
import { parseRunbook } from '../../source/core/runbook/parse.js';
import { inventoryResolver, localLocks, localTransports, MemorySink, secretRedactor, systemClock } from '../../source/services/runner-deps.js';
import { RunSession } from '../../source/ui/session.js';
import { labSnapshot } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'hatui-app-preflight-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tick = (ms = 60) => new Promise((r) => setTimeout(r, ms));
async function until(f: () => boolean, what: string, ms = 10_000, frame?: () => string | undefined) {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`deadline passed waiting for ${what}: ${frame?.() ?? ''}`);
    await tick(20);
  }
}

const entry: RunbookEntry = { id: 'guarded', title: 'Guarded switch', tags: [], path: 'guarded.md', clusters: ['pg'], problems: [] };

function open(marker: string, sink: MemorySink) {
  const md = `---\nid: guarded\ntitle: Guarded switch\nclusters: [pg, etcd]\n---\n## Switch the leader {#switch confirm=none}\n\n\`\`\`preflight\n// DCS quorum\nclusters.etcd.hasQuorum == true\n\`\`\`\n\n\`\`\`sh {host=local}\ntouch ${marker}\n\`\`\`\n`;
  const { runbook, problems } = parseRunbook(md, 'guarded.md');
  if (!runbook) throw new Error(JSON.stringify(problems));
  const session = new RunSession(runbook, 'tester@host');
  const done = session.start(
    { runId: 'app-pf', vars: {}, secretNames: [], environment: 'lab', runbookSha256: 'x', hatuiVersion: 'test', defaultTimeoutMs: 60_000 },
    { sink, transportFor: localTransports(), resolveTarget: inventoryResolver(), clusterState: async () => ({ etcd: { hasQuorum: false, members: 3, healthyMembers: 1 } }), redactor: secretRedactor([]), clock: systemClock, locks: localLocks },
  );
  return { session, done };
}

/** Renders the App, opens the runbook with `:open` and waits for the pre-flight refusal on screen. */
async function openToRefusal(name: string) {
  const marker = join(dir, name);
  const sink = new MemorySink();
  let opened: ReturnType<typeof open> | undefined;
  const { stdin, lastFrame } = render(<App environment="lab" source={staticSource(labSnapshot())} runbooks={[entry]} openRunbook={async () => (opened = open(marker, sink)).session} />);
  await tick();
  stdin.write(':open guarded\r');
  await until(() => (lastFrame() ?? '').includes('Pre-flight FAILED'), 'the pre-flight refusal on screen', 10_000, lastFrame);
  return { marker, sink, stdin, lastFrame, opened: () => opened! };
}

describe('App: a failing pre-flight and its typed override', () => {
  it('Esc keeps the block and nothing runs', async () => {
    const { marker, sink, stdin, lastFrame, opened } = await openToRefusal('kept');
    const flat = lastFrame()!.replace(/[│\s]+/g, ' ');
    expect(flat).toContain('Pre-flight FAILED: Switch the leader');
    expect(flat).toContain('✗ pre-flight FAILED clusters.etcd.hasQuorum == true');
    expect(flat).toContain('values: clusters.etcd.hasQuorum=false');
    await tick(200);
    stdin.write('\u001b');
    await until(() => opened().session.prompt?.prompt.kind !== 'preflight-override', 'the block kept', 10_000, lastFrame);
    await tick(300);
    expect(existsSync(marker)).toBe(false);
    expect(sink.events.some((e) => e.type === 'command-started')).toBe(false);
    expect(sink.events.some((e) => e.type === 'preflight-overridden')).toBe(false);
  });

  it('a wrong text does not override; the expected text typed does, the command runs and the override is logged', async () => {
    const { marker, sink, stdin, lastFrame, opened } = await openToRefusal('overridden');
    const shown = opened().session.prompt!.prompt;
    const expected = shown.kind === 'preflight-override' ? shown.expectedText : '';
    expect(expected).toBe('switch');
    stdin.write('swtch');
    await tick();
    stdin.write('\r');
    await tick(150);
    expect(existsSync(marker)).toBe(false);
    expect(opened().session.prompt?.prompt.kind).toBe('preflight-override');
    // Clear what was typed, then type the cluster's name.
    for (let i = 0; i < 6; i++) stdin.write('\u007f');
    await tick();
    stdin.write('switch');
    await tick();
    stdin.write('\r');
    await opened().done;
    expect(existsSync(marker)).toBe(true);
    expect(sink.events.find((e) => e.type === 'preflight-overridden')).toMatchObject({ stepId: 'switch', typed: 'switch', by: 'tester@host' });
    const started = sink.events.findIndex((e) => e.type === 'command-started');
    expect(started).toBeGreaterThan(sink.events.findIndex((e) => e.type === 'preflight-overridden'));
  });
});
