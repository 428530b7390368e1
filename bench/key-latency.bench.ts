// Key latency in the app (issue 13): time from a key press written to a real pty to the first frame
// that shows its effect (the home screen's selection moved to the next/previous runbook), measured
// side by side: the app on the lab inventory while every cluster panel polls, the same while a drill runs
// in the app (canary writing, drill panel redrawing), and the app on an inventory with no clusters
// (nothing polls) as the baseline. Goal: ≤ 100 ms while the panels poll and while a drill runs.
// Uses the lab named by HATUI_LAB_PORT_BASE / HATUI_LAB_DIR (its inventory must exist: `hatui lab up`);
// without one only the baseline is measured, and it says so. Needs `npm run build`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labPaths, labSettings } from '../source/lab/settings.js';

const root = new URL('..', import.meta.url).pathname;
const PRESSES = Number(process.env.HATUI_BENCH_KEYS ?? 30);
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const p95 = (v: number[]) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(v.length * 0.95))]!;
const stats = (v: number[]) => `median ${median(v).toFixed(1)} ms · p95 ${p95(v).toFixed(1)} ms · max ${Math.max(...v).toFixed(1)} ms`;

/** The app under `script` (a pty of 120×40), NO_COLOR so the selected row reads as text. */
function startApp(inventory: string): { child: ChildProcess; output: () => string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TERM: 'xterm-256color', COLUMNS: '120', LINES: '40', XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'hatui-bench-keys-')) };
  delete env.CI;
  const command = `stty cols 120 rows 40; exec node ${join(root, 'bin/hatui.js')} --inventory ${inventory} --runbooks ${join(root, 'runbooks')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

async function measure(label: string, inventory: string): Promise<number[]> {
  const { child, output } = startApp(inventory);
  try {
    const t0 = performance.now();
    while (!/pg-failover/.test(output().replace(ANSI, ''))) {
      if (performance.now() - t0 > 20_000) throw new Error(`${label}: no runbook list after 20 s: ${output().slice(-300)}`);
      await sleep(50);
    }
    await sleep(1500); // the poller is running (first polls done) before the first press
    const screen = output().replace(ANSI, '');
    const list = screen.slice(screen.lastIndexOf('── runbooks'));
    const ids = [...new Set([...list.matchAll(/^[ ›](?:✗ | )([a-z0-9-]+)\s/gm)].map((m) => m[1]!))];
    const latencies: number[] = [];
    for (let i = 0; i < PRESSES; i++) {
      const down = i % 2 === 0;
      const expected = ids[down ? 1 : 0]!;
      const from = output().length;
      const start = performance.now();
      child.stdin!.write(down ? 'j' : 'k');
      for (;;) {
        const frame = output().slice(from).replace(ANSI, '');
        const since = frame.slice(frame.indexOf('── runbooks'));
        if (new RegExp(`›(?:✗ | )${expected}\\s`).test(since)) break;
        if (performance.now() - start > 5000) throw new Error(`${label}: the selection never moved to ${expected}`);
        await new Promise((r) => setImmediate(r));
      }
      latencies.push(performance.now() - start);
      await sleep(80 + Math.random() * 60); // presses at a human pace, out of step with the 300 ms polls
    }
    return latencies;
  } finally {
    child.kill('SIGKILL');
  }
}

/**
 * The same presses while a drill runs in the app: drill-pg-primary-failure opened (its canary writes and
 * the drill panel redraws 4×/s from the first step), waiting at its preparation checklist; j/k move the
 * step list's selection between steps 1 and 2. Then Ctrl-C twice aborts the run before any change, and
 * the drill finishes its report (no lock or fault is left behind).
 */
async function measureDuringDrill(inventory: string): Promise<number[]> {
  const { child, output } = startApp(inventory);
  const plain = () => output().replace(ANSI, '');
  const waitFor = async (what: string, test: (screen: string) => boolean, ms = 30_000) => {
    const t0 = performance.now();
    while (!test(plain())) {
      if (performance.now() - t0 > ms) throw new Error(`drill: no ${what} after ${ms} ms: ${plain().slice(-400)}`);
      await sleep(50);
    }
  };
  try {
    await waitFor('runbook list', (s) => /pg-failover/.test(s));
    child.stdin!.write(':open drill-pg-primary-failure\r');
    await waitFor('variables form', (s) => s.includes('variables: drill-pg-primary-failure'));
    child.stdin!.write('\r');
    await waitFor('checklist and live drill panel', (s) => s.slice(-4000).includes('space ticks') && /drill · canary/.test(s.slice(-6000)));
    await sleep(1500);
    const latencies: number[] = [];
    for (let i = 0; i < PRESSES; i++) {
      const down = i % 2 === 0;
      const expected = down ? '2. ' : '1. ';
      const from = output().length;
      const start = performance.now();
      child.stdin!.write(down ? 'j' : 'k');
      for (;;) {
        const frame = output().slice(from).replace(ANSI, '');
        if (new RegExp(`›. ${expected.replace('.', '\\.')}`).test(frame)) break;
        if (performance.now() - start > 5000) throw new Error(`drill: the step selection never moved to step ${expected}`);
        await new Promise((r) => setImmediate(r));
      }
      latencies.push(performance.now() - start);
      await sleep(80 + Math.random() * 60);
    }
    child.stdin!.write('\x03');
    await sleep(200);
    child.stdin!.write('\x03');
    await waitFor('drill report after the abort', (s) => s.includes('Drill report ·') || s.includes('run stopped'), 60_000).catch(() => undefined);
    return latencies;
  } finally {
    child.kill('SIGKILL');
  }
}

if (!existsSync(join(root, 'dist/cli.js'))) throw new Error('dist/cli.js missing: npm run build');
const dir = mkdtempSync(join(tmpdir(), 'hatui-bench-keys-'));
const quiet = join(dir, 'no-clusters.yaml');
writeFileSync(quiet, 'environment: lab\nclusters: {}\n');
const lab = labPaths(labSettings(process.env)).inventory;

const baseline = await measure('baseline', quiet);
process.stdout.write(`key → frame, no cluster polling (baseline): ${stats(baseline)}  (${PRESSES} presses)\n`);
if (existsSync(lab)) {
  const polling = await measure('polling', lab);
  process.stdout.write(`key → frame, every lab panel polling:     ${stats(polling)}  (${PRESSES} presses)\n`);
  process.stdout.write(`ratio polling / baseline (medians): ${(median(polling) / median(baseline)).toFixed(2)} · goal ≤ 100 ms while polling: ${median(polling) <= 100 ? 'met' : 'MISSED'}\n`);
  const drilling = await measureDuringDrill(lab);
  process.stdout.write(`key → frame, a drill running (canary + drill panel): ${stats(drilling)}  (${PRESSES} presses)\n`);
  process.stdout.write(`ratio drill / baseline (medians): ${(median(drilling) / median(baseline)).toFixed(2)} · goal ≤ 100 ms while a drill runs: ${median(drilling) <= 100 ? 'met' : 'MISSED'}\n`);
} else {
  process.stdout.write(`no lab inventory at ${lab} (hatui lab up, or set HATUI_LAB_PORT_BASE/HATUI_LAB_DIR): polling side not measured\n`);
}
