// The alerts panel in a real terminal (tmux, CI unset so Ink renders) on the lab with real Prometheus and
// Alertmanager: both Redis replicas stop → the panel shows RedisReplicationBroken; Tab + Enter opens
// redis-replication-broken with `instance` prefilled from the alert; the run restarts the replicas, the
// alert resolves, and the run's audit log (replay --to-markdown) records the alert it was opened from.
// Then Alertmanager dies: the panel says so within one poll while the rest of the app stays live.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { labCrash, labPaths, labRestart, labUp, redisNodes, type LabSettings, type RedisNode } from '../../source/lab/index.js';
import { tmuxSession } from './tmux.js';
import { hatui, pgLeader, sentinelMaster, testLab, waitFor, waitPartHealthy } from './helpers.js';

const SOCKET = `hatui-alerts-test-${process.pid}`;
const SESSION = 'alerts';
let settings: LabSettings;
let stateDir: string;

const { tmux, pane, keys } = tmuxSession(SOCKET, SESSION);

async function openApp(args: string[]): Promise<void> {
  const inventory = labPaths(settings).inventory;
  const env = { XDG_STATE_HOME: stateDir, HATUI_LAB_DIR: settings.dir, HATUI_LAB_PORT_BASE: String(settings.portBase) };
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  await tmux(['kill-server']).catch(() => undefined);
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  await tmux(['new-session', '-d', '-s', SESSION, '-x', '120', '-y', '32', ...envArgs, `node bin/hatui.js --inventory ${inventory} --runbooks runbooks ${quoted}; echo EXIT=$?; sleep 30`]);
  await waitFor(async () => (await pane()).includes('── runbooks'), 20_000, 'the home screen');
}

async function screenWith(what: string, pred: (p: string) => boolean, ms: number): Promise<string> {
  let last = '';
  return waitFor(async () => {
    last = await pane();
    return pred(last) ? last : null;
  }, ms, what, 200).catch((error: Error) => {
    throw new Error(`${error.message}\nlast screen:\n${last}`);
  });
}

beforeAll(async () => {
  settings = testLab();
  stateDir = mkdtempSync(join(tmpdir(), 'hatui-alerts-e2e-'));
  await labUp(settings, ['monitoring']);
  await waitPartHealthy(settings, 'monitoring');
});
afterEach(async () => {
  await tmux(['kill-server']).catch(() => undefined);
});
afterAll(async () => {
  rmSync(stateDir, { recursive: true, force: true });
  await waitPartHealthy(settings, 'redis');
  await waitPartHealthy(settings, 'monitoring');
});

describe('the alerts panel in tmux', () => {
  it('shows RedisReplicationBroken firing; Tab + Enter opens its runbook prefilled from the alert; the run records the alert', async () => {
    // The suite's earlier tests (DR activation, drills) may leave PostgreSQL alerts still resolving.
    await Promise.all([waitPartHealthy(settings, 'redis'), waitPartHealthy(settings, 'pg')]);
    const master = await waitFor(() => sentinelMaster(settings), 30_000, 'a Redis master');
    const replicas = redisNodes.filter((n): n is RedisNode => n !== master);
    const restart = replicas.map((r) => `node bin/hatui.js lab restart ${r}`).join(' && ');
    for (const r of replicas) await labCrash(settings, r);
    try {
      await openApp(['--var', `restart_command=${restart}`]);
      // The alert's row, not the runbook list (its redis-replication-broken entry names the alert too).
      const home = await screenWith('the alert in the panel', (p) => /critical\s+RedisReplicationBroken/.test(p) && !p.includes('reading runbooks'), 90_000);
      // At least this one; an alert of an earlier test may still be resolving in Alertmanager.
      expect(home).toMatch(/alerts: [1-9]\d* firing \(Alertmanager 127\.0\.0\.1:\d+\)/);
      expect(home).toMatch(new RegExp(`critical\\s+RedisReplicationBroken\\s+127\\.0\\.0\\.1:${settings.ports.redis[master]}\\s+since \\S+\\s+→`));
      await keys('Tab');
      await screenWith('the alert selected', (p) => /›critical\s+RedisReplicationBroken/.test(p), 5_000);
      await keys('Enter');
      const form = await screenWith('the variables form', (p) => p.includes('variables: redis-replication-broken'), 10_000);
      expect(form).toContain(`127.0.0.1:${settings.ports.redis[master]}`);
      await keys('Enter');
      const end = await waitFor(async () => {
        const p = await pane();
        if (p.includes('run ended') || p.includes('run stopped')) return p;
        if (p.includes('[y/N]')) await keys('y');
        else if (p.includes('space ticks')) await keys('Space');
        return null;
      }, 150_000, 'the run to end', 300);
      expect(end).toContain('run ended: run finished: ok');
    } finally {
      for (const r of replicas) if (!(await waitPartHealthy(settings, 'redis', 1).catch(() => null))) await labRestart(settings, r).catch(() => undefined);
    }
    await keys('q');
    await screenWith('the alert to resolve in the panel', (p) => p.includes('── runbooks') && p.includes('alerts: none firing'), 90_000);
    const runs = join(stateDir, 'hatui', 'runs');
    const log = readdirSync(runs).find((f) => f.includes('redis-replication-broken'));
    expect(log).toBeDefined();
    const first = JSON.parse(readFileSync(join(runs, log!), 'utf8').split('\n')[0]!) as { event: { type: string; alert?: { name: string; fingerprint: string; startsAt: string; labels: Record<string, string> } } };
    expect(first.event.type).toBe('run-started');
    expect(first.event.alert).toMatchObject({ name: 'RedisReplicationBroken', labels: { alertname: 'RedisReplicationBroken', member: master } });
    expect(first.event.alert!.fingerprint).toMatch(/^[0-9a-f]+$/);
    const md = join(stateDir, 'postmortem.md');
    const replay = await hatui(['replay', join(runs, log!), '--to-markdown', md]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(readFileSync(md, 'utf8')).toMatch(new RegExp(`\\| Opened from alert \\| \`RedisReplicationBroken\` firing since ${first.event.alert!.startsAt.replace(/\./g, '\\.')} \\(fingerprint \`${first.event.alert!.fingerprint}\`\\)`));
  });

  it('says Alertmanager is unreachable within one poll of it dying, while panels and keys stay live', async () => {
    const leader = await waitFor(() => pgLeader(settings), 30_000, 'a pg leader');
    await openApp([]);
    await screenWith('the alerts panel answering', (p) => p.includes('alerts: none firing') && p.includes(`leader ${leader}`), 30_000);
    await labCrash(settings, 'alertmanager');
    try {
      // One poll: the alerts poll runs every second; a refused connection fails at once.
      const down = await screenWith('the panel to say unreachable', (p) => p.includes('UNREACHABLE'), 5_000);
      expect(down).toMatch(/alerts UNREACHABLE: Alertmanager 127\.0\.0\.1:\d+ ECONN(REFUSED|RESET) for \S+/);
      expect(down).toContain(`leader ${leader}`);
      await keys('/');
      await tmux(['send-keys', '-t', SESSION, '-l', 'redis-repl']);
      await screenWith('the filter to work', (p) => p.includes('filter: redis-repl') && p.includes('redis-replication-broken') && !p.includes('pg-switchover'), 5_000);
      await keys('Escape');
      await keys('?');
      await screenWith('the help screen', (p) => p.includes('keys: home'), 5_000);
      await keys('q');
    } finally {
      await labRestart(settings, 'alertmanager');
    }
    await screenWith('the panel to recover', (p) => p.includes('alerts: none firing'), 30_000);
  });
});
