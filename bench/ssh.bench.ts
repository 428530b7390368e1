// SSH execution cost, side by side in one run (issue 5 acceptance 8): per command over hatui's pooled
// ssh2 connection (with its remote wrapper: secrets prelude, setsid + timeout, kill watcher), the same
// connection with a bare exec (what the wrapper costs), a new OpenSSH `ssh` process per command, and
// local execa. Goal: pooled at least 20× faster than ssh-per-command.
//
// Lab: uses the lab named by HATUI_LAB_DIR / HATUI_LAB_PORT_BASE when its sshd is up; otherwise starts
// only the sshd part of a lab on base 57000 in /tmp/hatui-bench-ssh (and stops it afterwards).
// Logs in as postgres (root's shell rc costs ~90 ms per command here and would measure the rc file).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { LocalTransport } from '../source/adapters/local/local-transport.js';
import { SshTransport } from '../source/adapters/ssh/ssh-transport.js';
import { loadInventory } from '../source/core/inventory/load.js';
import { labDown, labPaths, labSettings, labUp, tcpOpen, type LabSettings } from '../source/lab/index.js';

async function pickLab(): Promise<{ settings: LabSettings; started: boolean }> {
  const env = process.env.HATUI_LAB_DIR || process.env.HATUI_LAB_PORT_BASE ? process.env : { ...process.env, HATUI_LAB_DIR: '/tmp/hatui-bench-ssh', HATUI_LAB_PORT_BASE: '57000' };
  const settings = labSettings(env);
  if (existsSync(labPaths(settings).inventory) && (await tcpOpen(settings.ports.sshd))) return { settings, started: false };
  const result = await labUp(settings, ['sshd']);
  return { settings, started: result.started.length > 0 };
}

function stats(samples: number[]): { median: number; mean: number; p90: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, mean: s.reduce((a, b) => a + b, 0) / s.length, p90: s[Math.floor(s.length * 0.9)]! };
}

async function time(n: number, fn: () => Promise<void> | void): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

const { settings, started } = await pickLab();
try {
  const paths = labPaths(settings);
  const { inventory } = loadInventory(readFileSync(paths.inventory, 'utf8'), paths.inventory);
  if (!inventory) throw new Error(`cannot load ${paths.inventory}`);
  const ssh = new SshTransport(inventory);
  const local = new LocalTransport();
  const host = 'pg1';
  const pooled = async () => {
    const r = await ssh.run({ host, command: 'true', timeoutMs: 10_000 });
    if (r.outcome !== 'ok') throw new Error(`pooled: ${r.message}`);
  };
  const conn = await ssh.connection(host);
  const bare = () =>
    new Promise<void>((resolve, reject) => {
      conn.client.exec('true', (err, ch) => {
        if (err) return reject(err);
        ch.on('close', () => resolve());
        ch.resume();
      });
    });
  const sshArgs = ['-i', paths.clientKey, '-o', `UserKnownHostsFile=${paths.knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-p', String(settings.ports.sshd), 'postgres@127.0.0.1', 'true'];
  const perProcess = () => {
    const r = spawnSync('ssh', sshArgs, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`ssh exited ${r.status}`);
  };
  const localRun = async () => {
    const r = await local.run({ host: 'local', command: 'true', timeoutMs: 10_000 });
    if (r.outcome !== 'ok') throw new Error(`local: ${r.message}`);
  };

  // Warm up, then interleave rounds so background load hits every method alike.
  await pooled();
  await bare();
  perProcess();
  await localRun();
  const samples = { pooled: [] as number[], bare: [] as number[], ssh: [] as number[], local: [] as number[] };
  for (let round = 0; round < 5; round++) {
    samples.pooled.push(...(await time(40, pooled)));
    samples.bare.push(...(await time(40, bare)));
    samples.ssh.push(...(await time(4, perProcess)));
    samples.local.push(...(await time(20, localRun)));
  }
  const connects = ssh.stats.connects;
  await ssh.close();

  const rows = [
    ['hatui pooled ssh2 (wrapper)', samples.pooled],
    ['pooled ssh2, bare exec', samples.bare],
    ['new OpenSSH ssh per command', samples.ssh],
    ['local execa (sh -c)', samples.local],
  ] as const;
  const fmt = (ms: number) => `${ms.toFixed(1)} ms`.padStart(10);
  process.stdout.write(`SSH per-command cost, ${settings.dir} (sshd 127.0.0.1:${settings.ports.sshd}, user postgres); pooled handshakes: ${connects}\n`);
  process.stdout.write(`${'method'.padEnd(30)} ${'n'.padStart(4)} ${'median'.padStart(10)} ${'mean'.padStart(10)} ${'p90'.padStart(10)}\n`);
  for (const [name, s] of rows) {
    const st = stats(s);
    process.stdout.write(`${name.padEnd(30)} ${String(s.length).padStart(4)} ${fmt(st.median)} ${fmt(st.mean)} ${fmt(st.p90)}\n`);
  }
  const ratio = stats(samples.ssh).median / stats(samples.pooled).median;
  process.stdout.write(`ssh-per-command / pooled (medians): ${ratio.toFixed(1)}× — goal ≥ 20×: ${ratio >= 20 ? 'met' : 'MISSED'}\n`);
} finally {
  if (started) await labDown(settings);
}
