import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../../source/ui/app.js';
import { staticSource } from '../../source/services/poller.js';
import type { RunbookEntry } from '../../source/ui/state/home-state.js';
import { labSnapshot, press, resizeTerminal, shown, until } from './fixtures.js';
import { waitFor } from '../support/wait-for.js';

// Used only by the layout and credential-variable tests that landed with the full-terminal layout; the rest wait on conditions.
const tick = () => new Promise((r) => setTimeout(r, 50));

const drain: RunbookEntry = { id: 'haproxy-drain', title: 'HAProxy - drain a backend server', tags: ['haproxy'], path: 'runbooks/haproxy-drain.md', clusters: ['haproxy'], problems: [] };

describe('App: the : command line', () => {
  it(':open <id> name=value… starts the runbook with those variables', async () => {
    const openRunbook = vi.fn(() => new Promise<never>(() => {}));
    const { stdin, lastFrame } = render(<App environment="lab" source={staticSource(labSnapshot())} runbooks={[drain]} openRunbook={openRunbook} />);
    await shown(lastFrame, 'haproxy-drain');
    stdin.write(':open haproxy-drain server=pg2 backend=pg_ro\r');
    await until(() => openRunbook.mock.calls.length > 0, 'the run to open');
    expect(openRunbook).toHaveBeenCalledWith(drain, ['server=pg2', 'backend=pg_ro']);
  });

  it('refuses an assignment that is not name=value, and says how to give a missing variable', async () => {
    const openRunbook = vi.fn(() => Promise.reject(new Error("variable 'server' needs a value: --var server=…")));
    const { stdin, lastFrame } = render(<App environment="lab" source={staticSource(labSnapshot())} runbooks={[drain]} openRunbook={openRunbook} />);
    await shown(lastFrame, 'haproxy-drain');
    stdin.write(':open haproxy-drain =pg2\r');
    await until(() => lastFrame()?.includes("'=pg2' is not name=value"), 'the refusal');
    expect(lastFrame()).toContain("'=pg2' is not name=value");
    expect(openRunbook).not.toHaveBeenCalled();
    stdin.write(':open haproxy-drain\r');
    await until(() => lastFrame()?.includes("haproxy-drain needs 'server'"), 'the missing-variable message');
    expect(lastFrame()).toContain("haproxy-drain needs 'server': type :open haproxy-drain server=…");
  });
});

describe('App: the variables form', () => {
  const switchover: RunbookEntry = {
    id: 'pg-switchover',
    title: 'PostgreSQL planned switchover (Patroni)',
    tags: ['switchover'],
    path: 'runbooks/pg-switchover.md',
    clusters: ['pg'],
    problems: [],
    vars: {
      candidate: { description: 'Member to promote, or auto', default: 'auto', secret: false },
      reason: { description: 'Why, for the audit log', secret: false },
      mode: { default: 'planned', secret: false, choices: ['planned', 'crash'] },
      pg_password: { description: 'PostgreSQL password', secret: true },
    },
  };

  it('does not ask for a variable that comes from an inventory credential; with only such variables the run starts at once', async () => {
    const fromInventory = { pg_password: { description: 'PostgreSQL password', secret: true, from: { cluster: 'pg', credential: 'superuser', position: { line: 1, column: 1 } } } };
    const withCredential: RunbookEntry = { ...switchover, vars: { candidate: switchover.vars!.candidate!, ...fromInventory } };
    const openRunbook = vi.fn(() => new Promise<never>(() => {}));
    const { stdin, lastFrame } = render(<App environment="lab" source={staticSource(labSnapshot())} runbooks={[withCredential, { ...drain, vars: fromInventory }]} openRunbook={openRunbook} />);
    await tick();
    stdin.write(':open pg-switchover\r');
    await tick();
    expect(lastFrame()).toContain('variables: pg-switchover');
    expect(lastFrame()).not.toContain('pg_password');
    stdin.write('\r');
    await waitFor(() => openRunbook.mock.calls.length > 0 || null, 5_000, 'the run to start');
    expect(openRunbook).toHaveBeenLastCalledWith(withCredential, ['candidate=auto']);
  });

  it('opens before the run with defaults, HATUI_VAR_ values, --var and :open values; a secret never shows', async () => {
    const openRunbook = vi.fn(() => new Promise<never>(() => {}));
    const { stdin, lastFrame } = render(
      <App environment="lab" source={staticSource(labSnapshot())} runbooks={[switchover]} openRunbook={openRunbook} env={{ HATUI_VAR_PG_PASSWORD: 's3cret-pw' }} vars={['candidate=pg3', 'mode=crash', 'other_runbooks_var=1']} />,
    );
    await shown(lastFrame, 'pg-switchover');
    stdin.write(':open pg-switchover candidate=pg2\r');
    await shown(lastFrame, 'variables: pg-switchover');
    const frame = lastFrame()!;
    expect(frame).toContain('variables: pg-switchover');
    expect(frame).toMatch(/candidate\s+pg2\s+from --var\/:open/);
    expect(frame).toMatch(/mode\s+crash\s+from --var\/:open · planned\|crash/);
    expect(frame).toMatch(/pg_password\s+•••• \(set\)\s+from HATUI_VAR_PG_PASSWORD/);
    expect(frame).toMatch(/reason\s+▏?\s+required/);
    expect(frame).not.toContain('s3cret-pw');
    expect(openRunbook).not.toHaveBeenCalled();
  });

  it('Enter with a required value missing names it; typed values (spaces too) start the run; a typed secret never shows', async () => {
    const openRunbook = vi.fn(() => new Promise<never>(() => {}));
    const { stdin, lastFrame } = render(<App environment="lab" source={staticSource(labSnapshot())} runbooks={[switchover]} openRunbook={openRunbook} env={{}} />);
    await shown(lastFrame, 'pg-switchover');
    stdin.write('\r'); // open the selected runbook: the form
    await shown(lastFrame, 'variables: pg-switchover');
    expect(lastFrame()).toContain('variables: pg-switchover');
    stdin.write('\r');
    await until(() => lastFrame()?.includes('reason needs a value'), 'the missing reason');
    expect(openRunbook).not.toHaveBeenCalled();
    await press(stdin, lastFrame, 'kernel update 6.1');
    stdin.write('\r');
    await until(() => lastFrame()?.includes('pg_password needs a value'), 'the missing password');
    expect(lastFrame()).toContain('pg_password needs a value (type it, or set HATUI_VAR_PG_PASSWORD)');
    await press(stdin, lastFrame, 'hunter2-pw');
    expect(lastFrame()).not.toContain('hunter2');
    expect(lastFrame()).toMatch(/pg_password\s+•••• \(set\)▏\s+typed/);
    stdin.write('\r');
    await until(() => openRunbook.mock.calls.length > 0, 'the run to open');
    expect(openRunbook).toHaveBeenCalledWith(switchover, ['candidate=auto', 'reason=kernel update 6.1', 'mode=planned', 'pg_password=hunter2-pw']);
  });

  it('Esc goes back and runs nothing; an :open variable the runbook does not declare is refused by name', async () => {
    const openRunbook = vi.fn(() => new Promise<never>(() => {}));
    const { stdin, lastFrame } = render(<App environment="lab" source={staticSource(labSnapshot())} runbooks={[switchover]} openRunbook={openRunbook} env={{}} />);
    await shown(lastFrame, 'pg-switchover');
    stdin.write(':open pg-switchover candidat=pg2\r');
    await until(() => lastFrame()?.includes("declares no variable 'candidat'"), 'the refusal');
    expect(lastFrame()).toContain("pg-switchover declares no variable 'candidat' (declared: candidate, reason");
    stdin.write('\r');
    await shown(lastFrame, 'variables: pg-switchover');
    stdin.write('\x1b');
    await until(() => lastFrame()?.includes('clusters & runbooks'), 'the home screen again');
    expect(lastFrame()).toContain('clusters & runbooks');
    expect(openRunbook).not.toHaveBeenCalled();
  });
});

describe('App: the terminal size', () => {
  it('draws at the terminal size, redraws on resize, and below 80×24 says what it needs', async () => {
    const onQuit = vi.fn();
    const { stdout, stdin, lastFrame } = render(<App environment="lab" source={staticSource(labSnapshot())} runbooks={[drain]} openRunbook={vi.fn()} onQuit={onQuit} />);
    const widest = () => Math.max(...lastFrame()!.split('\n').map((l) => l.length));
    resizeTerminal(stdout, 200, 50);
    await tick();
    expect(widest()).toBeGreaterThan(120);
    expect(widest()).toBeLessThanOrEqual(200);
    resizeTerminal(stdout, 100, 30);
    await tick();
    expect(widest()).toBeLessThanOrEqual(100);
    expect(lastFrame()).toContain('haproxy-drain');
    resizeTerminal(stdout, 70, 20);
    await tick();
    expect(lastFrame()).toContain('hatui needs a terminal of at least 80×24; this one is 70×20');
    resizeTerminal(stdout, 80, 24);
    await tick();
    expect(lastFrame()).toContain('haproxy-drain');
    resizeTerminal(stdout, 70, 20);
    await tick();
    stdin.write('q');
    await tick();
    expect(onQuit).toHaveBeenCalled();
  });
});
