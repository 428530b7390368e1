import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../../source/ui/app.js';
import { staticSource } from '../../source/services/poller.js';
import type { RunbookEntry } from '../../source/ui/state/home-state.js';
import { labSnapshot } from './fixtures.js';

const tick = () => new Promise((r) => setTimeout(r, 50));
const drain: RunbookEntry = { id: 'haproxy-drain', title: 'HAProxy - drain a backend server', tags: ['haproxy'], path: 'runbooks/haproxy-drain.md', clusters: ['haproxy'], problems: [] };

describe('App: the : command line', () => {
  it(':open <id> name=value… starts the runbook with those variables', async () => {
    const openRunbook = vi.fn(() => new Promise<never>(() => {}));
    const { stdin } = render(<App environment="lab" source={staticSource(labSnapshot())} runbooks={[drain]} openRunbook={openRunbook} />);
    await tick();
    stdin.write(':open haproxy-drain server=pg2 backend=pg_ro\r');
    await tick();
    expect(openRunbook).toHaveBeenCalledWith(drain, ['server=pg2', 'backend=pg_ro']);
  });

  it('refuses an assignment that is not name=value, and says how to give a missing variable', async () => {
    const openRunbook = vi.fn(() => Promise.reject(new Error("variable 'server' needs a value: --var server=…")));
    const { stdin, lastFrame } = render(<App environment="lab" source={staticSource(labSnapshot())} runbooks={[drain]} openRunbook={openRunbook} />);
    await tick();
    stdin.write(':open haproxy-drain =pg2\r');
    await tick();
    expect(lastFrame()).toContain("'=pg2' is not name=value");
    expect(openRunbook).not.toHaveBeenCalled();
    stdin.write(':open haproxy-drain\r');
    await tick();
    expect(lastFrame()).toContain("haproxy-drain needs 'server': type :open haproxy-drain server=…");
  });
});
