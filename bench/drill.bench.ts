// Drill-measured RTO vs an independent measurement in the same run (issue 8, acceptance 5).
// Each trial crashes the Patroni leader while two writers run through HAProxy's read-write port:
//   - the drill's canary (one pg connection, reconnect every 20 ms) analysed by runDrill, and
//   - a separate shell loop of `psql -c 'INSERT …'` (a new connection per write), timestamps per ack.
// Both RTOs are measured from the same T0: the lab's crash record. Goal: agreement within 10 %.
// Lab: HATUI_LAB_DIR / HATUI_LAB_PORT_BASE when set (started if needed), else its own lab on base
// 57300 in /tmp/hatui-bench-drill (stopped afterwards). Trials: HATUI_BENCH_DRILL_RUNS (default 3).
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { runDrill } from '../source/drill/orchestrate.js';
import { drillTargets } from '../source/drill/targets.js';
import { labFaultTime } from '../source/drill/lab-fault.js';
import { sleep } from '../source/drill/clock.js';
import { checkPart, labCrash, labDown, labInventory, labPaths, labRestart, labSettings, labUp, patroniLeader, readEvents, type LabSettings, type PgNode } from '../source/lab/index.js';

const own = !(process.env.HATUI_LAB_DIR || process.env.HATUI_LAB_PORT_BASE);
const settings: LabSettings = labSettings(own ? { ...process.env, HATUI_LAB_DIR: '/tmp/hatui-bench-drill', HATUI_LAB_PORT_BASE: '57300' } : process.env);
const runs = Number(process.env.HATUI_BENCH_DRILL_RUNS ?? 3);

interface PsqlAck {
  startMs: number;
  endMs: number;
}

/** The independent probe: a plain shell loop of psql inserts, one new connection each. */
function startPsqlLoop(password: string): { stop(): Promise<PsqlAck[]> } {
  const script = `
i=0
while [ ! -e "$STOP" ]; do
  i=$((i + 1))
  s=$(date +%s%3N)
  if psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qAtX -c "INSERT INTO hatui_probe (seq) VALUES ($i)" >/dev/null 2>&1; then
    echo "$s $(date +%s%3N)"
  fi
done`;
  const stopFile = `/tmp/hatui-bench-drill-stop-${process.pid}-${Date.now()}`;
  const child = spawn('sh', ['-c', script], {
    env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '1', PORT: String(settings.ports.haproxyRw), STOP: stopFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop() {
      writeFileSync(stopFile, '');
      await exited;
      rmSync(stopFile, { force: true });
      return out
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [s, e] = line.split(' ').map(Number);
          return { startMs: s!, endMs: e! };
        });
    },
  };
}

async function healthy(): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const pg = await checkPart(settings, 'pg');
    const ha = await checkPart(settings, 'haproxy');
    if (pg.ok && ha.ok) return;
    if (Date.now() > deadline) throw new Error(`lab not healthy: ${pg.detail}; ${ha.detail}`);
    await sleep(500);
  }
}

async function trial(password: string): Promise<{ drill: number | null; psql: number | null; lost: number | null }> {
  const targets = drillTargets(labInventory(settings), 'postgresql');
  const probe = startPsqlLoop(password);
  let crashed: PgNode | null = null;
  try {
    const out = await runDrill({
      runbook: { id: 'bench-drill', title: 'bench: crash the leader', path: 'bench/drill.bench.ts', targets: { rtoMs: 300_000 } },
      system: 'postgresql',
      startCanary: targets.startCanary,
      viewSource: targets.viewSource,
      faultTime: labFaultTime(settings),
      warmupMs: 2000,
      async runSteps({ observations }) {
        crashed = await patroniLeader(settings);
        if (!crashed) throw new Error('no leader');
        await labCrash(settings, crashed);
        const deadline = Date.now() + 120_000;
        while (Date.now() < deadline && !observations().some((o) => o.kind === 'new-leader')) await sleep(100);
        await sleep(2000); // both writers keep writing on the new leader for a while
        return { outcome: 'ok', steps: [], marks: [] };
      },
      healthyTimeoutMs: 0,
    });
    const acks = await probe.stop();
    const t0 = readEvents(settings).filter((e) => e.action === 'crash' && e.node === crashed).at(-1)?.t ?? null;
    const first = t0 === null ? undefined : acks.filter((a) => a.startMs >= t0).sort((a, b) => a.endMs - b.endMs)[0];
    return { drill: out.report.rto_ms, psql: first && t0 !== null ? first.endMs - t0 : null, lost: out.report.rpo_lost_writes };
  } finally {
    await probe.stop().catch(() => []);
    targets.close();
    if (crashed) await labRestart(settings, crashed).catch(() => {});
  }
}

async function main(): Promise<void> {
  if (own) {
    process.stdout.write(`starting bench lab ${settings.dir} (ports ${settings.portBase}+)…\n`);
    await labUp(settings, ['etcd', 'pg', 'haproxy']);
  }
  try {
    await healthy();
    const password = readFileSync(labPaths(settings).pgSuperuserPassword, 'utf8').trim();
    const setup = spawn('psql', ['-h', '127.0.0.1', '-p', String(settings.ports.haproxyRw), '-U', 'postgres', '-d', 'postgres', '-qc', 'CREATE TABLE IF NOT EXISTS hatui_probe (seq bigint, at timestamptz NOT NULL DEFAULT now())'], {
      env: { ...process.env, PGPASSWORD: password },
      stdio: 'inherit',
    });
    await new Promise((r) => setup.once('exit', r));
    const rows: { drill: number | null; psql: number | null; lost: number | null }[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await trial(password);
      rows.push(r);
      process.stdout.write(`trial ${i + 1}: drill RTO ${r.drill ?? '—'} ms, psql-loop RTO ${r.psql ?? '—'} ms\n`);
      await healthy();
    }
    const pct = (r: { drill: number | null; psql: number | null }) => (r.drill !== null && r.psql !== null && r.psql > 0 ? (Math.abs(r.drill - r.psql) / r.psql) * 100 : null);
    process.stdout.write('\n| trial | drill canary RTO (ms) | independent psql loop RTO (ms) | difference | lost acked (canary) |\n|---|---|---|---|---|\n');
    rows.forEach((r, i) => process.stdout.write(`| ${i + 1} | ${r.drill ?? '—'} | ${r.psql ?? '—'} | ${pct(r)?.toFixed(1) ?? '—'} % | ${r.lost} |\n`));
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const drills = rows.map((r) => r.drill).filter((x): x is number => x !== null);
    const psqls = rows.map((r) => r.psql).filter((x): x is number => x !== null);
    const diffs = rows.map(pct).filter((x): x is number => x !== null);
    process.stdout.write(
      `\nmedian: drill ${med(drills) ?? '—'} ms · psql loop ${med(psqls) ?? '—'} ms · worst difference ${diffs.length ? Math.max(...diffs).toFixed(1) : '—'} % ` +
        `(goal: within 10 %: ${diffs.length === rows.length && diffs.every((d) => d <= 10) ? 'met' : 'NOT met'})\n`,
    );
  } finally {
    if (own) await labDown(settings);
  }
}

await main();
