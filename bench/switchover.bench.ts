// Raw `patronictl switchover` vs `runbooks/pg-switchover.md` headless (issue 7, acceptance 4):
// start → first write acknowledged by the NEW leader through HAProxy's read-write port.
// Goal (issue 17): runbook median ≤ 1.05 × raw median, the switchover command printed ≤ 300 ms after launch;
// the runbook runs trace their start-up phases (HATUI_TRACE_STARTUP) and the output says where the time goes. Raw and runbook runs alternate (≥ 5 each, HATUI_BENCH_SW_RUNS).
//
// Fairness: both paths reach the leader the same way, over the lab's SSH as postgres (the runbook runs
// `patronictl switchover` on `pg.leader` through hatui's SSH transport; the raw run is what an operator
// types: `ssh postgres@<leader> patronictl switchover --leader X --candidate Y --force` with OpenSSH and the
// lab's key and known_hosts). Both switch to the same candidate (the runbook gets `--var candidate=Y`).
// "Start" is just before the child process is spawned; "first acknowledged write" is the first INSERT
// acknowledged by the candidate's port (RETURNING inet_server_port()) seen by a separate `pg` writer loop
// through HAProxy's rw port, in this process (one monotonic clock). Between runs the bench waits until
// the cluster is healthy again: one leader, both others streaming from it (including the old leader),
// and HAProxy's pg_rw pointing at the leader, plus a steady writer on it.
//
// Own lab: HATUI_LAB_PORT_BASE=53000, HATUI_LAB_DIR=/tmp/hatui-bench-switchover (override with
// HATUI_BENCH_SW_PORT_BASE / HATUI_BENCH_SW_DIR); brought up (etcd, pg, haproxy, sshd) if not up, and
// taken down at the end when this run started it (HATUI_BENCH_SW_KEEP=1 keeps it).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parseStartupTrace } from '../source/services/startup-trace.js';
import { checkPg, checkHaproxy, labDown, labPaths, labSettings, labUp, pgNodes, type LabSettings, type PgNode } from '../source/lab/index.js';

const root = new URL('..', import.meta.url).pathname;
const RUNS = Math.max(5, Number(process.env.HATUI_BENCH_SW_RUNS ?? 5));
const baseDir = process.env.HATUI_BENCH_SW_DIR ?? '/tmp/hatui-bench-switchover';
const firstBase = Number(process.env.HATUI_BENCH_SW_PORT_BASE ?? 53000);
const settingsAt = (base: number, dir: string): LabSettings => labSettings({ HATUI_LAB_PORT_BASE: String(base), HATUI_LAB_DIR: dir });
// Reassigned only by labUpSomewhere (before anything uses them).
let settings: LabSettings = settingsAt(firstBase, baseDir);
let paths = labPaths(settings);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const stats = (v: number[]) => `${median(v).toFixed(0)} ms [${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)}]`;

/** Writes sequence rows through HAProxy's rw port, reconnecting 20 ms after any error; one ack at a time. */
class Writer {
  private stopped = false;
  private waiter: { since: number; port: number; resolve: (t: number) => void } | null = null;
  private lastAck = { t: 0, port: 0 };
  acks = 0;
  errors = 0;
  private loop: Promise<void> | null = null;

  constructor(private readonly password: string) {}

  start(): this {
    this.loop = this.run();
    return this;
  }

  private async run(): Promise<void> {
    let seq = 0;
    while (!this.stopped) {
      const client = new pg.Client({
        host: '127.0.0.1',
        port: settings.ports.haproxyRw,
        user: 'postgres',
        password: this.password,
        database: 'postgres',
        connectionTimeoutMillis: 2000,
        query_timeout: 2000,
        application_name: 'hatui-bench-switchover',
      });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query('CREATE TABLE IF NOT EXISTS hatui_bench_switchover (seq bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())');
        while (!this.stopped) {
          const r = await client.query<{ port: number }>('INSERT INTO hatui_bench_switchover (seq) VALUES ($1) RETURNING inet_server_port() AS port', [`${Date.now()}${String(++seq).padStart(6, '0')}`]);
          const t = performance.now();
          const port = Number(r.rows[0]!.port);
          this.acks++;
          this.lastAck = { t, port };
          const w = this.waiter;
          if (w && t >= w.since && port === w.port) {
            this.waiter = null;
            w.resolve(t);
          }
          await sleep(5); // ~150–200 acks/s: 5 ms resolution without loading the shared 2 cores
        }
      } catch {
        this.errors++;
      }
      await client.end().catch(() => {});
      if (!this.stopped) await sleep(20);
    }
  }

  /** Resolves with the monotonic time of the first ack from `port` at or after `since`. */
  firstAckFrom(port: number, since: number, deadlineMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`no write acknowledged by port ${port} within ${deadlineMs} ms`));
      }, deadlineMs);
      this.waiter = {
        since,
        port,
        resolve: (t) => {
          clearTimeout(timer);
          resolve(t);
        },
      };
    });
  }

  /** True when the last ack came from `port` within the last `ms`. */
  steadyOn(port: number, ms = 500): boolean {
    return this.lastAck.port === port && performance.now() - this.lastAck.t < ms;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

/**
 * Waits until one leader with both others streaming, HAProxy rw → leader, and the writer steady on it,
 * seen on consecutive checks for STABLE_MS: right after a switchover Patroni may restart the demoted
 * node once more (it streams, then shows `stopped` for a moment), and a run started then fails its
 * pre-checks instead of measuring anything.
 */
const STABLE_MS = 1500;
async function waitHealthy(writer: Writer, deadlineMs = 90_000): Promise<PgNode> {
  const deadline = Date.now() + deadlineMs;
  let last = '';
  let since = 0;
  let stableLeader: PgNode | null = null;
  for (;;) {
    const pgCheck = await checkPg(settings);
    let healthy: PgNode | null = null;
    if (pgCheck.ok && pgCheck.leader) {
      const hap = await checkHaproxy(settings);
      if (hap.ok && writer.steadyOn(settings.ports.pg[pgCheck.leader])) healthy = pgCheck.leader;
      else last = hap.ok ? 'writer not steady on the leader yet' : hap.detail;
    } else last = pgCheck.detail;
    if (healthy !== stableLeader) {
      stableLeader = healthy;
      since = Date.now();
    }
    if (stableLeader !== null && Date.now() - since >= STABLE_MS) return stableLeader;
    if (Date.now() > deadline) throw new Error(`cluster not healthy after ${deadlineMs} ms: ${last}`);
    await sleep(200);
  }
}

interface Child {
  code: Promise<number>;
  /** monotonic time the first stdout line matching `mark` appeared (0 if never) */
  markAt: () => number;
  output: () => string;
  stderr: () => string;
}

function spawnTimed(cmd: string, args: string[], env: NodeJS.ProcessEnv, mark: RegExp | null): Child {
  const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let at = 0;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (mark && !at && mark.test(out)) at = performance.now();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
    err += d.toString();
  });
  const code = new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  return { code, markAt: () => at, output: () => out, stderr: () => err };
}

function rawSwitchover(leader: PgNode, candidate: PgNode): Child {
  const remote = `PATRONICTL_CONFIG_FILE=${paths.patronictlConfig} patronictl switchover --leader ${leader} --candidate ${candidate} --force`;
  const args = [
    '-F', '/dev/null',
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${paths.knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'IdentitiesOnly=yes',
    '-i', paths.clientKey,
    '-p', String(settings.ports.sshd),
    'postgres@127.0.0.1',
    remote,
  ];
  return spawnTimed('/usr/bin/ssh', args, process.env, null);
}

function runbookSwitchover(candidate: PgNode, answers: string, state: string, password: string): Child {
  const args = [join(root, 'bin/hatui.js'), 'run', 'runbooks/pg-switchover.md', '--headless', '--answers', answers, '--inventory', paths.inventory, '--var', `candidate=${candidate}`];
  const env = { ...process.env, HATUI_LAB_DIR: settings.dir, HATUI_LAB_PORT_BASE: String(settings.portBase), XDG_STATE_HOME: state, NO_COLOR: '1', HATUI_VAR_PG_PASSWORD: password, HATUI_TRACE_STARTUP: '1' };
  return spawnTimed(process.execPath, args, env, /\$ \[pg\d\] patronictl switchover/);
}

interface Sample {
  kind: 'raw' | 'runbook';
  from: PgNode;
  to: PgNode;
  firstWrite: number;
  exited: number;
  /** runbook: when `$ [pgN] patronictl switchover` was printed (hatui's work before the switch) */
  switchCmd: number;
  /** runbook: `hatui-trace` phase marks (ms since the child's process start) */
  trace?: Map<string, number>;
}

/**
 * Where hatui's time before the switchover command goes: each phase is the median of (its mark − the
 * previous mark) over the runbook runs, marks in ms since the child's own process start (HATUI_TRACE_STARTUP).
 */
const PHASES: [string, string][] = [
  ['bundle loaded (cli main)', 'node start + bin/hatui.js + dist/cli.js'],
  ['command module loaded', 'module loading: the run command chunk (zod, yaml, cel, remark, ssh2, probes)'],
  ['inventory loaded', 'inventory read + YAML parse + schema validation'],
  ['runbook parsed and validated', 'runbook parse (remark) + validation against the inventory'],
  ['credentials read, audit log created, transports wired', 'credential files, audit log created (fsyncs), SSH/probe wiring'],
  ['durable: run-started', 'run-started record written and fsynced'],
  ['resolve pg.leader answered', 'pg.leader resolved (Patroni REST + SSH host key, connection prewarmed)'],
  ['durable: command-finished inspect', 'the runbook\'s own inspect step (its command over SSH)'],
  ['durable: step-finished inspect', 'inspect checks (CEL) recorded'],
  ['cluster snapshot answered for switchover', 'first cluster snapshot (pg probes) for the pre-flight'],
  ['durable: preflight-evaluated switchover', 'pre-flight evaluation (CEL) recorded'],
  ['durable: lock-taken pg', 'lock acquisition (etcd lease + key) recorded'],
  ['durable: checklist-ticked switchover', 'confirmation + checklist records (answers file)'],
  ['durable: command-started switchover', 'target resolution + write-ahead command-started'],
];

function startupBreakdown(runs: Sample[]): string[] {
  const traced = runs.filter((s) => s.trace && s.trace.size > 0);
  if (traced.length === 0) return ['  (no hatui-trace marks: was HATUI_TRACE_STARTUP honoured?)'];
  const lines = [`hatui start-up before the switchover command (median per phase over ${traced.length} runs; ms since the child process started)`];
  let prev = 'process start';
  for (const [mark, label] of PHASES) {
    const at = traced.map((s) => s.trace!.get(mark)).filter((v): v is number => v !== undefined);
    if (at.length === 0) continue;
    const deltas = traced.map((s) => (s.trace!.get(mark) ?? NaN) - (prev === 'process start' ? 0 : (s.trace!.get(prev) ?? NaN))).filter((v) => !Number.isNaN(v));
    lines.push(`  ${median(deltas).toFixed(0).padStart(5)} ms  → ${median(at).toFixed(0).padStart(5)} ms  ${label}`);
    prev = mark;
  }
  return lines;
}

/**
 * labUp on 53000; when one of those ports is the local end of someone else's long-lived outgoing
 * connection (they all sit in the kernel's ephemeral range, 32768–60999), the next block of 100
 * (53100, … 53900, each with its own directory) instead of failing.
 */
async function labUpSomewhere(log: (line: string) => void): Promise<Awaited<ReturnType<typeof labUp>>> {
  for (let k = 0; ; k++) {
    try {
      return await labUp(settings, ['pg', 'haproxy', 'sshd'], { log: process.env.HATUI_BENCH_VERBOSE ? log : undefined });
    } catch (error) {
      if (k >= 9 || !/local port of a connection/.test((error as Error).message)) throw error;
      console.log(`  ports ${settings.portBase}+ taken (${(error as Error).message.replace(/\. Nothing.*$/s, '')}); trying ${settings.portBase + 100}+`);
      settings = settingsAt(firstBase + 100 * (k + 1), `${baseDir}-${firstBase + 100 * (k + 1)}`);
      paths = labPaths(settings);
    }
  }
}

async function main(): Promise<void> {
  const began = Date.now();
  const log = (line: string) => process.stderr.write(`  [lab] ${line}\n`);
  const up = await labUpSomewhere(log);
  const startedLab = up.started.length > 0;
  console.log(`lab ${settings.dir} (ports ${settings.portBase}+): ${startedLab ? `up in ${(up.durationMs / 1000).toFixed(1)} s` : 'already up'}`);
  const password = readFileSync(paths.pgSuperuserPassword, 'utf8').trim();
  const tmp = mkdtempSync(join(tmpdir(), 'hatui-bench-sw-'));
  const answers = join(tmp, 'answers.yaml');
  writeFileSync(answers, 'switchover:\n  confirm: pg\n  checklist: all\n');
  const writer = new Writer(password).start();
  const samples: Sample[] = [];
  let retries = 0;
  try {
    for (let i = 0; i < RUNS * 2; i++) {
      const kind = i % 2 === 0 ? 'raw' : 'runbook';
      const leader = await waitHealthy(writer);
      const replicas = pgNodes.filter((n) => n !== leader);
      const candidate = replicas[Math.floor(i / 2) % replicas.length]!;
      await sleep(500); // settle: let the writer run steadily on the leader
      const t0 = performance.now();
      const child = kind === 'raw' ? rawSwitchover(leader, candidate) : runbookSwitchover(candidate, answers, tmp, password);
      const exitedAt = child.code.then((c) => ({ c, t: performance.now() }));
      let firstWrite: number;
      try {
        // A child that fails before the switch (e.g. another engineer's build removed dist/ for a moment)
        // ends the wait at once instead of after the deadline.
        const failed = exitedAt.then(({ c }) => (c === 0 ? new Promise<never>(() => {}) : Promise.reject(new Error(`exited ${c} before any write on ${candidate}`))));
        firstWrite = await Promise.race([writer.firstAckFrom(settings.ports.pg[candidate], t0, 60_000), failed]);
      } catch (error) {
        const { c } = await exitedAt;
        if (kind === 'runbook' && child.output().includes('bundle dist/cli.js is missing') && retries++ < 10) {
          console.log('  (dist/ was being rebuilt: run repeated)');
          i--;
          await sleep(2000);
          continue;
        }
        throw new Error(`${kind} run ${leader} → ${candidate} (exit ${c}): ${(error as Error).message}\n${child.output().slice(-1500)}`);
      }
      const { c, t } = await exitedAt;
      if (c !== 0) throw new Error(`${kind} run ${leader} → ${candidate} exited ${c}:\n${child.output().slice(-1500)}`);
      const switchCmd = child.markAt() ? child.markAt() - t0 : 0;
      samples.push({ kind, from: leader, to: candidate, firstWrite: firstWrite - t0, exited: t - t0, switchCmd, ...(kind === 'runbook' ? { trace: parseStartupTrace(child.stderr()) } : {}) });
      console.log(`  ${String(i + 1).padStart(2)} ${kind.padEnd(7)} ${leader} → ${candidate}  first write ${(firstWrite - t0).toFixed(0).padStart(5)} ms · exit ${(t - t0).toFixed(0).padStart(5)} ms${switchCmd ? ` · switchover command at ${switchCmd.toFixed(0)} ms` : ''}`);
    }
    await waitHealthy(writer);
  } finally {
    await writer.stop();
    if (startedLab && !process.env.HATUI_BENCH_SW_KEEP) {
      await labDown(settings);
      console.log(`lab ${settings.dir} taken down`);
    }
  }
  const raw = samples.filter((s) => s.kind === 'raw');
  const rb = samples.filter((s) => s.kind === 'runbook');
  const ratio = median(rb.map((s) => s.firstWrite)) / median(raw.map((s) => s.firstWrite));
  console.log(`switchover start → first write acknowledged by the new leader via HAProxy rw (n=${raw.length}+${rb.length}, alternating; writer ${writer.acks} acks, ${writer.errors} errors)`);
  console.log(`  raw patronictl over ssh   ${stats(raw.map((s) => s.firstWrite))}   (process exit ${stats(raw.map((s) => s.exited))})`);
  console.log(`  pg-switchover.md headless ${stats(rb.map((s) => s.firstWrite))}   (switchover command starts ${stats(rb.map((s) => s.switchCmd))}; exit after verification ${stats(rb.map((s) => s.exited))})`);
  console.log(`    of which the switch   ${stats(rb.map((s) => s.firstWrite - s.switchCmd))}   (switchover command printed → first write; the rest is hatui's start-up, inspect and pre-flight)`);
  const switchStart = median(rb.map((s) => s.switchCmd));
  console.log(`  switchover command starts ${switchStart.toFixed(0)} ms after launch   goal ≤ 300 ms: ${switchStart <= 300 ? 'met' : 'MISSED'}`);
  console.log(`  ratio runbook / raw       ${ratio.toFixed(2)}×   goal ≤ 1.05×: ${ratio <= 1.05 ? 'met' : 'MISSED'}   (${((Date.now() - began) / 1000).toFixed(0)} s)`);
  for (const line of startupBreakdown(rb)) console.log(line);
}

await main();
process.exit(0);
