// End to end in a real terminal: hatui under tmux (private socket, 80×24, CI unset so Ink renders),
// on the test lab. Opens the app, sees the panels and the runbook list; walks pg-switchover through its
// variables form (the password comes from the inventory: not asked for, never shown) and by typing the confirmation, sees the new leader in the panel, and the run's audit log verifies; walks
// redis-sentinel-failover under a canary writer: 0 acknowledged writes lost, the panel shows the new master.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { labPaths, type LabSettings, type PgNode } from '../../source/lab/index.js';
import { tmuxSession } from './tmux.js';
import { clearRedisRunbookLock, hatui, pgLeader, redisCanary, redisClient, sentinelMaster, testLab, waitFor, waitPartHealthy } from './helpers.js';

// Private tmux server per test process (two suites running at once must not share sessions).
const SOCKET = `hatui-test-${process.pid}`;
const SESSION = 'ui';
let settings: LabSettings;
let stateDir: string;

const { tmux, pane, keys, text } = tmuxSession(SOCKET, SESSION);

async function openApp(extraEnv: Record<string, string> = {}, size: [number, number] = [80, 24]): Promise<void> {
  const inventory = labPaths(settings).inventory;
  const envArgs = Object.entries({ XDG_STATE_HOME: stateDir, ...extraEnv }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  // A server left by an interrupted earlier run would refuse the session name.
  await tmux(['kill-server']).catch(() => undefined);
  // `; sleep 30` keeps the pane (and its last frame) after hatui exits.
  await tmux(['new-session', '-d', '-s', SESSION, '-x', String(size[0]), '-y', String(size[1]), ...envArgs, `node bin/hatui.js --inventory ${inventory} --runbooks runbooks; echo EXIT=$?; sleep 30`]);
  await waitFor(async () => (await pane()).includes('── runbooks'), 20_000, 'the home screen');
}

/** Opens a runbook by id and answers its questions (typed text, checklist) until the run ends. */
async function walk(runbookId: string, typedText: string): Promise<{ end: string; typed: number; form: string | null }> {
  // The `:` command line opens by exact id (a `/` filter would also match drill-* runbooks).
  await waitFor(async () => !(await pane()).includes('reading runbooks'), 10_000, 'the runbook list');
  await text(`:open ${runbookId}`);
  await keys('Enter');
  let typed = 0;
  let last = '';
  let form: string | null = null;
  const end = await waitFor(async () => {
    const p = await pane();
    last = p;
    if (p.includes('run ended') || p.includes('run stopped')) return p;
    if (p.includes(`variables: ${runbookId}`)) {
      // The variables form (the runbook declares variables): keep the values shown and start.
      form = p;
      await keys('Enter');
      await waitFor(async () => !(await pane()).includes(`variables: ${runbookId}`), 10_000, 'the variables form to close');
    } else if (p.includes(`Type ${typedText} to confirm`)) {
      typed++;
      // A step whose commands do not fit the box scrolls, and confirms only once their end was on screen.
      if (p.includes('more below')) for (let i = 0; i < 10; i++) await keys('PageDown');
      await text(typedText);
      await keys('Enter');
      await waitFor(async () => !(await pane()).includes(`Type ${typedText} to confirm`), 5_000, 'the confirmation to close');
    } else if (p.includes('space ticks')) await keys('Space');
    return null;
  }, 150_000, 'the run to end', 300).catch((error: Error) => {
    throw new Error(`${error.message}\nlast screen:\n${last}`);
  });
  return { end, typed, form };
}

async function verifyOnlyLog(runbookId: string): Promise<void> {
  const runs = join(stateDir, 'hatui', 'runs');
  const logs = readdirSync(runs).filter((f) => f.includes(runbookId));
  expect(logs).toHaveLength(1);
  const verify = await hatui(['audit', 'verify', join(runs, logs[0]!)], { XDG_STATE_HOME: stateDir });
  expect(verify.stdout).toContain('INTACT');
  expect(verify.code).toBe(0);
}

beforeAll(async () => {
  settings = testLab();
  stateDir = mkdtempSync(join(tmpdir(), 'hatui-ui-e2e-'));
  await waitPartHealthy(settings, 'pg');
});
afterEach(async () => {
  await tmux(['kill-server']).catch(() => undefined);
});
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

describe('hatui in tmux on the lab', () => {
  it('uses the width at 200×50, redraws within 100 columns after a resize to 100×30, and asks for 80×24 at 70×20', async () => {
    await openApp({}, [200, 50]);
    // -J joins lines the terminal wrapped, so a line drawn wider than the window shows as one long line.
    const joined = () => tmux(['capture-pane', '-p', '-J', '-t', SESSION]);
    const widest = (p: string) => Math.max(...p.split('\n').map((l) => [...l.replace(/\s+$/, '')].length));
    await waitFor(async () => widest(await joined()) > 120, 10_000, 'a line wider than 120 columns');
    await tmux(['resize-window', '-t', SESSION, '-x', '100', '-y', '30']);
    // Ink first redraws the old (50-row) tree at the new width, which scrolls its top off the 30-row
    // window, and then the app's frame for 100×30 replaces it: wait for that one, whole from the header.
    const small = await waitFor(async () => {
      const p = await joined();
      return widest(p) <= 100 && p.includes('── runbooks') && p.split('\n')[0]!.includes(' LAB ') ? p : null;
    }, 10_000, 'a redraw within 100 columns, header on the first line');
    expect(small.split('\n')[0]).toContain(' LAB ');
    await tmux(['resize-window', '-t', SESSION, '-x', '70', '-y', '20']);
    await waitFor(async () => (await pane()).replace(/\s+/g, ' ').includes('needs a terminal of at least 80×24; this one is 70×20'), 10_000, 'the size message');
  });

  it('opens on the lab: environment, live panels of every cluster, the runbook list; q quits', async () => {
    const leader = await waitFor(() => pgLeader(settings), 30_000, 'a pg leader');
    await openApp();
    const frame = await waitFor(async () => {
      const p = await pane();
      // The runbook list is read after the first frame: wait for it as well as for the panels.
      return p.includes(`leader ${leader}`) && p.includes('etcd1 ok') && p.includes('agree') && !p.includes('reading runbooks') ? p : null;
    }, 15_000, 'live panels and the runbook list');
    const lines = frame.split('\n');
    expect(lines[0]).toContain(' LAB ');
    expect(frame).toMatch(/haproxy haproxy\s+rw .*UP/);
    expect(frame).toMatch(/redis sentinel\s+master 127\.0\.0\.1:\d+\s+sentinels 3\/3 agree/);
    expect(frame).toContain('pg-switchover');
    expect(frame).toMatch(/#switchover/);
    await keys('?');
    await waitFor(async () => (await pane()).includes('keys: home'), 5_000, 'the help screen');
    await keys('q');
    await waitFor(async () => (await pane()).includes('── runbooks'), 5_000, 'back home');
    await keys('q');
    await waitFor(async () => (await pane()).includes('EXIT=0'), 5_000, 'hatui exits 0');
  });

  it('honours NO_COLOR in a real terminal: no colour escapes on screen', async () => {
    await openApp({ NO_COLOR: '1' });
    await waitFor(async () => {
      const p = await pane();
      return p.includes('leader ') && p.includes('pg-switchover');
    }, 15_000, 'live panels and the runbook list');
    const escapes = await tmux(['capture-pane', '-p', '-e', '-t', SESSION]);
    // SGR colour codes: 30–37/90–97 foreground, 40–47/100–107 background, 38;…/48;… extended.
    expect(escapes).not.toMatch(/\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m/);
    expect(escapes).toContain('pg-switchover');
  });

  it('walks pg-switchover without being asked for the password (the inventory has it): typed confirmation, the panel shows the new leader, the audit log verifies', async () => {
    const before = (await waitFor(() => pgLeader(settings), 30_000, 'a pg leader')) as PgNode;
    const password = readFileSync(labPaths(settings).pgSuperuserPassword, 'utf8').trim();
    // No password given: pg_password comes from the inventory's pg superuser credential, so the form does not ask.
    await openApp();
    const { end, typed, form } = await walk('pg-switchover', 'pg');
    // The variables form showed the defaults and that the password is set, never the password itself.
    expect(form).toMatch(/candidate\s+auto▏?\s+default/);
    expect(form).not.toContain('pg_password');
    expect(form).not.toContain(password);
    expect(await pane()).not.toContain(password);
    expect(typed).toBe(1);
    expect(end).toContain('run ended: run finished: ok');
    const after = await waitFor(async () => {
      const l = await pgLeader(settings);
      return l && l !== before ? l : null;
    }, 10_000, 'a new leader');
    await waitFor(async () => (await pane()).includes(`leader ${after}`), 5_000, `the panel to show leader ${after}`);
    await verifyOnlyLog('pg-switchover');
  });

  it('walks redis-sentinel-failover under a canary writer: 0 acknowledged writes lost, the panel shows the new master', async () => {
    await waitPartHealthy(settings, 'redis');
    const before = await waitFor(() => sentinelMaster(settings), 30_000, 'Sentinels agreeing on a master');
    await clearRedisRunbookLock(settings);
    const key = `hatui:ui-canary:${Date.now()}`;
    const writer = redisCanary(settings, key);
    let result: { end: string; typed: number };
    try {
      await waitFor(() => writer.acked.length >= 100, 30_000, 'canary writes before the failover');
      await openApp();
      result = await walk('redis-sentinel-failover', 'redis');
      const afterRun = writer.acked.length;
      await waitFor(() => writer.acked.length >= afterRun + 100, 30_000, 'canary writes after the failover');
    } finally {
      await writer.stop();
    }
    expect(result.end, result.end).toContain('run ended: run finished: ok');
    expect(result.typed).toBeGreaterThanOrEqual(1);
    const after = await waitFor(async () => {
      const m = await sentinelMaster(settings);
      return m && m !== before ? m : null;
    }, 30_000, 'the Sentinels to agree on a new master');
    await waitFor(async () => (await pane()).includes(`master 127.0.0.1:${settings.ports.redis[after]}`), 10_000, 'the panel to show the new master');
    const master = redisClient(settings, after);
    try {
      const stored = new Set((await master.lrange(key, 0, -1)).map(Number));
      expect(writer.acked.filter((seq) => !stored.has(seq))).toEqual([]);
      expect(writer.acked.length).toBeGreaterThanOrEqual(200);
      await master.del(key);
    } finally {
      master.disconnect();
    }
    await verifyOnlyLog('redis-sentinel-failover');
    await clearRedisRunbookLock(settings);
  });
});
