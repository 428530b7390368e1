// Issue 13 acceptance 1, in a real terminal (tmux, 160×45, CI unset so Ink renders) on the lab: the app
// opens drill-pg-primary-failure, the operator answers its variables form, checklists and confirmations
// with keys, the live drill panel shows the canary and the clock since the fault during the outage, and
// the report screen shows the measured RTO. The report.json the app wrote has the same fields as the
// one `hatui drill --headless` writes for the same runbook (both come from drill/perform.ts).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DrillReport } from '../../source/core/drill/report.js';
import { labPaths, type LabSettings } from '../../source/lab/index.js';
import { ANSWERS, restoreLab, runDrillCli } from './drill-helpers.js';
import { testLab, waitFor, waitPartHealthy } from './helpers.js';
import { tmuxSession } from './tmux.js';

const SOCKET = `hatui-drill-ui-${process.pid}`;
const SESSION = 'drill';
let settings: LabSettings;
let stateDir: string;
const { tmux, pane, keys, text } = tmuxSession(SOCKET, SESSION);

beforeAll(async () => {
  settings = testLab();
  stateDir = mkdtempSync(join(tmpdir(), 'hatui-drill-ui-'));
  await restoreLab(settings, 'pg');
  await waitPartHealthy(settings, 'haproxy', 60_000);
});
afterEach(async () => {
  await tmux(['kill-server']).catch(() => undefined);
});
afterAll(async () => {
  rmSync(stateDir, { recursive: true, force: true });
  await restoreLab(settings, 'pg');
});

/** Every key path of a JSON value's objects; arrays are not entered (how many alerts fired differs run to run). */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => [`${prefix}.${k}`, ...keyPaths(v, `${prefix}.${k}`)]);
}

describe('a drill in the app (tmux, 160×45)', () => {
  it('drill-pg-primary-failure: keys answer it, the drill panel is live during the outage, the report screen shows the RTO; report.json has the headless fields', async () => {
    const inventory = labPaths(settings).inventory;
    const env = { XDG_STATE_HOME: stateDir, HATUI_LAB_DIR: settings.dir, HATUI_LAB_PORT_BASE: String(settings.portBase) };
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    await tmux(['kill-server']).catch(() => undefined);
    await tmux(['new-session', '-d', '-s', SESSION, '-x', '160', '-y', '45', ...envArgs, `node bin/hatui.js --inventory ${inventory} --runbooks runbooks; echo EXIT=$?; sleep 30`]);
    await waitFor(async () => {
      const p = await pane();
      return p.includes('── runbooks') && !p.includes('reading runbooks');
    }, 20_000, 'the home screen');
    await text(':open drill-pg-primary-failure');
    await keys('Enter');

    let last = '';
    let livePanel: string | null = null;
    let confirmations = 0;
    const report = await waitFor(async () => {
      const p = await pane();
      last = p;
      if (p.includes('Drill report ·')) return p;
      // The live panel while the clock runs after the fault: kept once it marks the new leader.
      if (/T\+\d\d:\d\d\.\d since the fault/.test(p) && /◆ T\+\S+ new leader: pg\d/.test(p)) livePanel ??= p;
      if (p.includes('variables: drill-pg-primary-failure')) {
        await keys('Enter');
        await waitFor(async () => !(await pane()).includes('variables: drill-pg-primary-failure'), 10_000, 'the variables form to close');
      } else if (p.includes('Type pg to confirm')) {
        confirmations++;
        if (p.includes('more below')) for (let i = 0; i < 10; i++) await keys('PageDown');
        await text('pg');
        await keys('Enter');
        await waitFor(async () => !(await pane()).includes('Type pg to confirm'), 5_000, 'the confirmation to close');
      } else if (p.includes('[y/N]')) {
        confirmations++;
        await keys('y');
        await waitFor(async () => !(await pane()).includes('[y/N]'), 5_000, 'the confirmation to close');
      } else if (p.includes('space ticks')) await keys('Space');
      return null;
    }, 240_000, 'the drill report screen', 250).catch((error: Error) => {
      throw new Error(`${error.message}\nlast screen:\n${last}`);
    });

    expect(confirmations, report).toBeGreaterThanOrEqual(2); // the typed fault and the rejoin
    expect(livePanel, 'the drill panel during the outage').not.toBeNull();
    expect(livePanel!).toMatch(/drill · canary PostgreSQL 127\.0\.0\.1:\d+ table hatui_canary/);
    expect(livePanel!).toMatch(/acked .* \d+/);
    expect(livePanel!).toMatch(/failed .* [1-9]\d*/);
    expect(livePanel!).toMatch(/◆ T\+\S+ leader lost/);
    expect(report).toContain('Drill report · Drill: PostgreSQL primary failure');
    expect(report).toMatch(/RTO: fault → first acknowledged write\s+\d+(\.\d+)? (ms|s)\s+target/);
    expect(report).toMatch(/acknowledged writes lost\s+0\s/);
    expect(report).toContain('PASS');

    // The files the screen names: report.json, report.md and the chart in the state dir's drills/.
    const drills = join(stateDir, 'hatui', 'drills');
    const dirs = readdirSync(drills).filter((d) => d.startsWith('drill-pg-primary-failure-'));
    expect(dirs).toHaveLength(1);
    const dir = join(drills, dirs[0]!);
    expect(report).toContain(join(dir, 'report.md'));
    const fromApp = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as DrillReport;
    expect(existsSync(join(dir, fromApp.chart))).toBe(true);
    expect(fromApp.rto_ms).toBeGreaterThan(0);
    expect(fromApp.rpo_lost_writes).toBe(0);
    expect(fromApp.pass).toBe(true);
    expect(fromApp.audit.verified).toBe(true);

    // The same runbook headless: the same fields (values differ run to run; the shape may not).
    await keys('q');
    await waitFor(async () => (await pane()).includes('── runbooks'), 5_000, 'back home');
    await restoreLab(settings, 'pg');
    await waitPartHealthy(settings, 'haproxy', 60_000);
    const headless = await runDrillCli('runbooks/drill-pg-primary-failure.md', ANSWERS);
    expect(headless.code, headless.stdout.slice(-3000) + headless.stderr).toBe(0);
    const shape = (r: DrillReport) => keyPaths(r).sort();
    expect(shape(fromApp)).toEqual(shape(headless.report));
  }, 420_000);
});
