// UI benchmarks, each side by side in one run (issue 7):
//  1. time to first frame of the bundled app (`node bin/hatui.js` under a pty, first render prints a
//     marker) vs `node -e ''` under the same pty wrapper: goal ≤ 150 ms more than the floor (issue 17);
//     then (lab up) the first MEANINGFUL frame: the screen shows the Patroni leader's name and the runbook
//     list, seen from outside in the pty's output: goal ≤ 400 ms from process start (issue 13), with the
//     app's own HATUI_TRACE_STARTUP marks saying where the time goes;
//  2. key latency while 100k lines stream into the walkthrough output buffer: goal ≤ 100 ms;
//  3. leader change → panel (a Patroni switchover on a running lab; skipped with a note when no lab
//     is up): goal ≤ 1.5 s from the moment Patroni's REST first names the new leader;
//  4. hung node → marked stale (`lab freeze` of a replica): goal ≤ 2 s.
// Needs `npm run build` (npm run bench does it). Lab: its own (switchovers and freezes are disruptive):
// HATUI_BENCH_UI_PORT_BASE (default 52000) and /tmp/hatui-bench-ui, brought up if needed and taken down
// afterwards when this bench started it; a demo lab on the default ports is never touched.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { parse } from 'yaml';
import type { PatroniState } from '../source/core/cluster-state.js';
import { fold } from '../source/core/engine/reducer.js';
import { inventorySchema, type Inventory } from '../source/core/inventory/model.js';
import { parseRunbook } from '../source/core/runbook/parse.js';
import { labDown, labFreeze, labThaw, labUp, pgNodes, type PgNode } from '../source/lab/index.js';
import { labPaths, labSettings } from '../source/lab/settings.js';
import { Poller } from '../source/services/poller.js';
import { parseStartupTrace } from '../source/services/startup-trace.js';
import { App } from '../source/ui/app.js';
import { OutputBuffer } from '../source/ui/output-buffer.js';
import { Walkthrough } from '../source/ui/screens/walkthrough.js';

// Every lab call below (and the hatui children) reads these: set before anything else runs.
process.env.HATUI_LAB_PORT_BASE = process.env.HATUI_BENCH_UI_PORT_BASE ?? '52000';
process.env.HATUI_LAB_DIR = process.env.HATUI_BENCH_UI_LAB_DIR ?? '/tmp/hatui-bench-ui';

const root = new URL('..', import.meta.url).pathname;
const RUNS = Number(process.env.HATUI_BENCH_UI_RUNS ?? 7);
const MARKER = 'HATUI_FIRST_FRAME';

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const stats = (v: number[]) => `${median(v).toFixed(0)} ms [${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)}]`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `command` under `script` (a pty) and resolves when `marker` appears (or the process exits). */
function timeUnderPty(command: string, marker: string | null, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const ms = performance.now() - t0;
      child.kill('SIGKILL');
      resolve(ms);
    };
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (marker && out.includes(marker)) finish();
    });
    child.on('exit', () => (marker && !done ? reject(new Error(`no first-frame marker; output: ${out.slice(-300)}`)) : finish()));
  });
}

function benchInventory(): { path: string; lab: boolean } {
  const lab = labPaths(labSettings(process.env)).inventory;
  if (existsSync(lab)) return { path: lab, lab: true };
  const dir = mkdtempSync(join(tmpdir(), 'hatui-bench-ui-'));
  const path = join(dir, 'inventory.yaml');
  writeFileSync(path, 'environment: lab\nclusters:\n  pg:\n    kind: patroni\n    members: [{name: pg1, host: pg1, endpoint: "http://127.0.0.1:9"}]\n');
  return { path, lab: false };
}

async function firstFrame(inventory: string): Promise<void> {
  if (!existsSync(join(root, 'dist/cli.js'))) throw new Error('dist/cli.js missing: npm run build');
  const env: NodeJS.ProcessEnv = { ...process.env, HATUI_FIRST_FRAME_MARKER: MARKER, TERM: 'xterm-256color' };
  delete env.CI;
  const floor: number[] = [];
  const app: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Alternate so drifting load hits both alike.
    floor.push(await timeUnderPty(`${process.execPath} -e ''`, null, env));
    app.push(await timeUnderPty(`${process.execPath} ${join(root, 'bin/hatui.js')} --inventory ${inventory} --runbooks ${join(root, 'runbooks')}`, MARKER, env));
  }
  const extra = median(app) - median(floor);
  console.log(`first frame (n=${RUNS}, under a pty)`);
  console.log(`  node -e ''          ${stats(floor)}`);
  console.log(`  hatui (bundled)     ${stats(app)}`);
  console.log(`  hatui − floor       ${extra.toFixed(0)} ms   goal ≤ 150 ms: ${extra <= 150 ? 'met' : 'MISSED'}`);
}

const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\x1b[()][0-9A-Za-z]/g, '');

/**
 * Under a pty: ms from spawn until the screen shows `leader <name>` and the runbook list (its header
 * counting the runbooks read), plus the app's trace marks (its stderr goes to a file, not the screen).
 */
function meaningfulUnderPty(command: string, env: NodeJS.ProcessEnv, traceFile: string): Promise<{ ms: number; trace: Map<string, number> }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('script', ['-qfec', `${command} 2>${traceFile}`, '/dev/null'], { env: { ...env, HATUI_TRACE_STARTUP: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let done = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (done) return;
      const screen = stripAnsi(out);
      // The list is on screen once its header counts runbooks (whichever rows the terminal leaves for it).
      if (/leader pg\d/.test(screen) && /── runbooks \([1-9]\d*\/[1-9]\d*\)/.test(screen)) {
        done = true;
        const ms = performance.now() - t0;
        // Let the app write the marks that follow (validated list) for the breakdown, then stop it.
        setTimeout(() => {
          child.kill('SIGKILL');
          clearTimeout(timer);
          resolve({ ms, trace: parseStartupTrace(readFileSync(traceFile, 'utf8')) });
        }, 2500);
      }
    });
    child.on('exit', () => {
      if (!done) {
        clearTimeout(timer);
        reject(new Error(`no meaningful frame; screen: ${stripAnsi(out).slice(-400)}`));
      }
    });
  });
}

const APP_PHASES: [string, string][] = [
  ['bundle loaded (cli main)', 'node start + bin/hatui.js + dist/cli.js'],
  ['command module loaded', 'the tui command chunk'],
  ['ui modules loaded, inventory read', 'Ink + React + the app (loaded while the inventory is read and validated)'],
  ['first frame drawn', 'first render (panels pending, list loading)'],
  ['runbook list on screen (front matter)', 'runbook list from front matter (YAML only)'],
  ['first cluster answer', 'first probe answer (requests sent before the first render)'],
  ['patroni leader known', 'Patroni leader in the snapshot'],
  ['runbook list validated', 'full markdown parse + validation of every runbook (background)'],
];

async function meaningfulFrame(inventory: string): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', COLUMNS: '120', LINES: '40' };
  delete env.CI;
  const runs: { ms: number; trace: Map<string, number> }[] = [];
  const traceFile = join(mkdtempSync(join(tmpdir(), 'hatui-bench-mf-')), 'trace.txt');
  for (let i = 0; i < RUNS; i++) runs.push(await meaningfulUnderPty(`${process.execPath} ${join(root, 'bin/hatui.js')} --inventory ${inventory} --runbooks ${join(root, 'runbooks')}`, env, traceFile));
  const ms = runs.map((r) => r.ms);
  console.log(`first meaningful frame (n=${RUNS}, under a pty, lab): Patroni leader's name and the runbook list on screen`);
  console.log(`  from spawn          ${stats(ms)}   goal ≤ 400 ms: ${median(ms) <= 400 ? 'met' : 'MISSED'}`);
  console.log('  where the time goes (app marks, ms since its process start: median at → median step)');
  // The list and the probes arrive concurrently after the first frame: marks in order of their median time.
  const phases = APP_PHASES.map(([mark, label]) => ({ mark, label, at: runs.map((r) => r.trace.get(mark)).filter((v): v is number => v !== undefined) }))
    .filter((p) => p.at.length > 0)
    .sort((a, b) => median(a.at) - median(b.at));
  let prev = 0;
  for (const p of phases) {
    console.log(`  ${median(p.at).toFixed(0).padStart(6)} ms  (+${(median(p.at) - prev).toFixed(0).padStart(4)})  ${p.label}${p.at.length < runs.length ? ` (in ${p.at.length}/${runs.length} runs within 2.5 s of the meaningful frame)` : ''}`);
    prev = median(p.at);
  }
}

async function keyLatency(): Promise<void> {
  const md = '---\nid: b\ntitle: B\n---\n## One {#one}\n\n```sh {host=local}\nyes\n```\n\n## Two {#two}\n\n```sh {host=local}\ntrue\n```\n\n## Three {#three}\n\n```sh {host=local}\ntrue\n```\n';
  const runbook = parseRunbook(md, 'bench.md').runbook!;
  const state = { ...fold(runbook, []), current: 'two' };
  const snapshot = { fetchedAt: new Date().toISOString(), clusters: {} };
  const buffer = new OutputBuffer(5000);
  const { lastFrame, stdin, unmount } = render(createElement(Walkthrough, { environment: 'lab', runbook, state, snapshot, output: buffer }));
  let produced = 0;
  let streaming = true;
  // 100k lines in 1000-line chunks every 2 ms (~0.2 s of wall time per 100k when idle).
  const producer = (async () => {
    while (produced < 100_000) {
      let chunk = '';
      for (let j = 0; j < 1000; j++) chunk += `output line ${++produced} ${'x'.repeat(40)}\n`;
      buffer.append(chunk);
      await sleep(2);
    }
    streaming = false;
  })();
  const latencies: number[] = [];
  const marked = (id: string) => (lastFrame() ?? '').split('\n').some((l) => l.startsWith('›') && l.includes(id));
  let up = true;
  while (streaming || latencies.length < 20) {
    const want = up ? 'One' : 'Two';
    const t0 = performance.now();
    stdin.write(up ? '\x1b[A' : '\x1b[B');
    while (!marked(want)) await new Promise((r) => setImmediate(r));
    latencies.push(performance.now() - t0);
    up = !up;
    await sleep(5);
    if (latencies.length > 400) break;
  }
  await producer;
  unmount();
  const p95 = [...latencies].sort((a, b) => a - b)[Math.floor(latencies.length * 0.95)]!;
  console.log(`key latency while streaming 100k lines (n=${latencies.length} keys, buffer holds ${buffer.length} of ${buffer.total})`);
  console.log(`  median ${median(latencies).toFixed(1)} ms · p95 ${p95.toFixed(1)} ms · max ${Math.max(...latencies).toFixed(1)} ms   goal ≤ 100 ms: ${p95 <= 100 ? 'met' : 'MISSED'}`);
}

async function patroniLeader(urls: string[]): Promise<string | null> {
  for (const url of urls) {
    try {
      const r = await fetch(`${url}/cluster`, { signal: AbortSignal.timeout(500) });
      const j = (await r.json()) as { members: { name: string; role: string }[] };
      return j.members.find((m) => m.role === 'leader')?.name ?? null;
    } catch {
      // try the next member
    }
  }
  return null;
}

async function leaderChangeToPanel(inventoryPath: string): Promise<void> {
  const inventory: Inventory = inventorySchema.parse(parse(readFileSync(inventoryPath, 'utf8')));
  const pg = Object.values(inventory.clusters).find((c) => c.kind === 'patroni');
  if (!pg) return void console.log('leader change → panel: no patroni cluster in the inventory; skipped');
  const urls = pg.members.map((m) => m.endpoint!.replace(/\/$/, ''));
  const poller = new Poller(inventory).start();
  await poller.firstRoundDone(5000);
  const { lastFrame, unmount } = render(
    createElement(App, { environment: inventory.environment, source: poller, runbooks: [], openRunbook: () => Promise.reject(new Error('bench')), width: 100, height: 30 }),
  );
  const rounds = Number(process.env.HATUI_BENCH_UI_SWITCHOVERS ?? 3);
  if (rounds < 1) {
    unmount();
    poller.stop();
    return void console.log('leader change → panel: HATUI_BENCH_UI_SWITCHOVERS=0; skipped');
  }
  const toPanel: number[] = [];
  const toSnapshot: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const leader = await patroniLeader(urls);
      const state = poller.current().clusters.pg as PatroniState | undefined;
      const candidate = state?.members.find((m) => m.name !== leader && m.state === 'running' && m.role !== 'unknown')?.name;
      if (!leader || !candidate) throw new Error(`no leader/candidate (leader ${leader})`);
      const leaderUrl = urls[pg.members.findIndex((m) => m.name === leader)]!;
      // T0: the first moment any member's REST names the new leader (all members polled every 20 ms),
      // watched concurrently with the poller snapshot and the rendered frame; the switchover request
      // is sent after the watchers start (Patroni answers it only once the switch is done).
      let t0 = 0;
      let tSnap = 0;
      let tPanel = 0;
      const deadline = Date.now() + 30_000;
      const restWatch = (async () => {
        while (!t0 && Date.now() < deadline) {
          const seen = await Promise.all(urls.map((u) => patroniLeader([u])));
          if (seen.includes(candidate)) t0 = performance.now();
          else await sleep(20);
        }
      })();
      const uiWatch = (async () => {
        while (!(tPanel && tSnap) && Date.now() < deadline) {
          const now = performance.now();
          if (!tSnap && (poller.current().clusters.pg as PatroniState).leader === candidate) tSnap = now;
          if (!tPanel && new RegExp(`leader ${candidate}\\b`).test(lastFrame() ?? '')) tPanel = now;
          await sleep(5);
        }
      })();
      const res = await fetch(`${leaderUrl}/switchover`, { method: 'POST', body: JSON.stringify({ leader, candidate }), headers: { 'content-type': 'application/json' } });
      if (!res.ok) throw new Error(`switchover refused: ${res.status} ${await res.text()}`);
      await Promise.all([restWatch, uiWatch]);
      if (!t0 || !tPanel) throw new Error('the new leader never showed');
      // Negative: the poller saw it before the bench's own REST poll did (both poll; neither is exact).
      toPanel.push(tPanel - t0);
      toSnapshot.push(tSnap - t0);
      await sleep(8000); // let the old leader rejoin before the next switchover
    }
  } finally {
    unmount();
    poller.stop();
  }
  const m = median(toPanel);
  console.log(`leader change → panel (n=${rounds} Patroni switchovers; T0 = REST first names the new leader)`);
  console.log(`  → poller snapshot   ${stats(toSnapshot)}`);
  console.log(`  → rendered panel    ${stats(toPanel)}   goal ≤ 1500 ms: ${Math.max(...toPanel) <= 1500 ? 'met' : 'MISSED'} (median ${m.toFixed(0)} ms)`);
}

async function freezeToStale(inventoryPath: string): Promise<void> {
  const inventory: Inventory = inventorySchema.parse(parse(readFileSync(inventoryPath, 'utf8')));
  const settings = labSettings(process.env);
  const poller = new Poller(inventory).start();
  await poller.firstRoundDone(5000);
  const times: number[] = [];
  try {
    for (let i = 0; i < Number(process.env.HATUI_BENCH_UI_FREEZES ?? 3); i++) {
      const state = poller.current().clusters.pg as PatroniState;
      const node = state.members.find((m) => m.role !== 'leader' && m.apiReachable)?.name as PgNode | undefined;
      if (!node || !pgNodes.includes(node)) throw new Error('no reachable replica to freeze');
      const t0 = performance.now();
      await labFreeze(settings, node);
      try {
        for (;;) {
          const m = (poller.refresh().clusters.pg as PatroniState).members.find((x) => x.name === node);
          if (m?.stale && !m.apiReachable) break;
          if (performance.now() - t0 > 15_000) throw new Error(`${node} never marked stale`);
          await sleep(10);
        }
        times.push(performance.now() - t0);
      } finally {
        await labThaw(settings, node);
      }
      for (const end = Date.now() + 15_000; Date.now() < end; await sleep(100)) if ((poller.current().clusters.pg as PatroniState).members.every((m) => m.stale === null)) break;
    }
  } finally {
    poller.stop();
  }
  console.log(`hung node → stale (n=${times.length} lab freezes of a replica; poll 300 ms, timeout 1000 ms)`);
  console.log(`  ${stats(times)}   goal ≤ 2000 ms: ${Math.max(...times) <= 2000 ? 'met' : 'MISSED'}`);
}

let startedLab = false;
try {
  const up = await labUp(labSettings(process.env), ['etcd', 'pg']);
  startedLab = up.started.length > 0;
} catch (error) {
  console.log(`own lab could not start (${(error as Error).message.split('\n')[0]}): lab figures skipped`);
}
const inv = benchInventory();
await firstFrame(inv.path);
if (inv.lab) await meaningfulFrame(inv.path);
await keyLatency();
if (inv.lab) {
  await leaderChangeToPanel(inv.path);
  await freezeToStale(inv.path);
}
else console.log(`leader change → panel: no lab inventory at ${labPaths(labSettings(process.env)).inventory} (skipped)`);
if (startedLab) await labDown(labSettings(process.env));
process.exit(0);
