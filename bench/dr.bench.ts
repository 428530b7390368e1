// Region-failure RTO through hatui vs the same steps as raw shell (issue 12): drill-region-failure runs
// twice per trial on the lab's two regions, side by side in one run, the same fault (region A frozen at
// once), the same canary writing through db.<zone> and the same analysis:
//   - hatui: the shipped drill, whose activate step runs runbooks/dr-activate.md (over SSH, audit log,
//     confirmations answered from a file);
//   - raw:   a copy of the drill whose activate step runs bench/dr-activate-raw.sh instead (dr-activate's
//     commands by hand in one script, locally, same timeouts).
// The ratio hatui/raw is what the runbook engine costs an operator activating DR. Region B is rebuilt
// between runs. Lab: HATUI_LAB_DIR / HATUI_LAB_PORT_BASE when set, else its own on base 31000 (below the ephemeral port range) in
// /tmp/hatui-bench-dr (stopped afterwards). Trials: HATUI_BENCH_DR_RUNS (default 1; each ~3 min).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labDown, labInventory, labPaths, labResetRegions, labSettings, labUp, tsigSecret, type LabSettings } from '../source/lab/index.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const own = !(process.env.HATUI_LAB_DIR || process.env.HATUI_LAB_PORT_BASE);
const settings: LabSettings = labSettings(own ? { ...process.env, HATUI_LAB_DIR: '/tmp/hatui-bench-dr', HATUI_LAB_PORT_BASE: '31000' } : process.env);
const runs = Number(process.env.HATUI_BENCH_DR_RUNS ?? 1);

const ANSWERS = `prepare: { checklist: all }
fault: pg-b
activate: activate-region-b
evaluate: { checklist: all }
record: { checklist: all }
`;

/** The shipped drill with its activate step's command replaced by the raw script. */
function rawDrill(dir: string): string {
  const text = readFileSync(join(repo, 'runbooks/drill-region-failure.md'), 'utf8');
  const start = text.indexOf('```sh {host=local timeout=15m}');
  const end = text.indexOf('```', start + 3);
  if (start < 0 || end < 0) throw new Error('runbooks/drill-region-failure.md: no activate command block to replace');
  const file = join(dir, 'drill-region-failure.md');
  writeFileSync(file, `${text.slice(0, start)}\`\`\`sh {host=local timeout=15m}\nsh ${join(repo, 'bench/dr-activate-raw.sh')}\n${text.slice(end)}`);
  return file;
}

function rawEnv(): Record<string, string> {
  const hosts = labInventory(settings, { regionB: true }).hosts;
  const pgb1 = hosts.pgb1!.env ?? {};
  return {
    ...(hosts.dns!.env ?? {}),
    PGB_PATRONICTL_CONFIG_FILE: pgb1.PATRONICTL_CONFIG_FILE!,
    PGB_PATRONI_URLS: pgb1.PATRONI_URLS!,
    REDISCLI_AUTH: readFileSync(labPaths(settings).redisPassword, 'utf8').trim(),
  };
}

interface Measured {
  rtoMs: number | null;
  lost: number | null;
  outcome: string;
}

function drill(runbook: string, env: Record<string, string>): Promise<Measured> {
  const work = mkdtempSync(join(tmpdir(), 'hatui-bench-dr-'));
  writeFileSync(join(work, 'answers.yaml'), ANSWERS);
  const args = ['bin/hatui.js', 'drill', runbook, '--headless', '--answers', join(work, 'answers.yaml'), '--report', join(work, 'report')];
  const childEnv = {
    ...process.env,
    HATUI_LAB_DIR: settings.dir,
    HATUI_LAB_PORT_BASE: String(settings.portBase),
    HATUI_VAR_PG_PASSWORD: readFileSync(labPaths(settings).pgSuperuserPassword, 'utf8').trim(),
    HATUI_VAR_TSIG_SECRET: tsigSecret(settings),
    XDG_STATE_HOME: join(work, 'state'),
    NO_COLOR: '1',
    ...env,
  };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: repo, env: childEnv, timeout: 600_000, maxBuffer: 32 << 20 }, (error, stdout, stderr) => {
      try {
        const r = JSON.parse(readFileSync(join(work, 'report', 'report.json'), 'utf8')) as { rto_ms: number | null; rpo_lost_writes: number | null; run_outcome: string };
        resolve({ rtoMs: r.rto_ms, lost: r.rpo_lost_writes, outcome: r.run_outcome });
      } catch {
        reject(new Error(`${runbook}: no report.json (${error?.message ?? 'exit 0'})\n${String(stdout).slice(-2000)}\n${String(stderr).slice(-1000)}`));
      }
    });
  });
}

/** lab up waits until every part it was given is healthy (and throws with the logs when one is not). */
async function regionBReady(): Promise<void> {
  // sshd too: dr-activate reaches the lab hosts over SSH (region-b's own dependencies do not include it)
  await labUp(settings, ['sshd', 'region-b']);
}

const rows: { trial: number; hatui: Measured; raw: Measured }[] = [];
const raw = rawDrill(mkdtempSync(join(tmpdir(), 'hatui-bench-dr-raw-')));
try {
  for (let i = 0; i < runs; i++) {
    await regionBReady();
    const viaHatui = await drill('runbooks/drill-region-failure.md', {});
    await labResetRegions(settings);
    await regionBReady();
    const viaRaw = await drill(raw, rawEnv());
    await labResetRegions(settings);
    rows.push({ trial: i + 1, hatui: viaHatui, raw: viaRaw });
    process.stdout.write(`trial ${i + 1}: hatui RTO ${viaHatui.rtoMs ?? '—'} ms (${viaHatui.outcome}), raw shell RTO ${viaRaw.rtoMs ?? '—'} ms (${viaRaw.outcome})\n`);
  }
} finally {
  if (own) await labDown(settings).catch(() => undefined);
}

const fmt = (v: number | null) => (v === null ? '—' : String(v));
process.stdout.write('\n| trial | RTO via hatui + dr-activate (ms) | RTO via raw shell (ms) | ratio hatui/raw | lost acked (hatui / raw) |\n|---|---|---|---|---|\n');
for (const r of rows) {
  const ratio = r.hatui.rtoMs !== null && r.raw.rtoMs ? (r.hatui.rtoMs / r.raw.rtoMs).toFixed(2) : '—';
  process.stdout.write(`| ${r.trial} | ${fmt(r.hatui.rtoMs)} | ${fmt(r.raw.rtoMs)} | ${ratio} | ${fmt(r.hatui.lost)} / ${fmt(r.raw.lost)} |\n`);
}
const measured = rows.filter((r) => r.hatui.rtoMs !== null && r.raw.rtoMs);
if (measured.length) {
  const mean = measured.reduce((a, r) => a + r.hatui.rtoMs! / r.raw.rtoMs!, 0) / measured.length;
  process.stdout.write(`\nmean ratio hatui/raw: ${mean.toFixed(2)} (the same steps; hatui adds SSH per step, confirmations, the audit log, captures and checks)\n`);
}
process.exitCode = rows.every((r) => r.hatui.outcome === 'ok' && r.raw.outcome === 'ok') ? 0 : 1;
