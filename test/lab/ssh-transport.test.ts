// Issue 5 acceptance 1, 3, 4, 5, 6 against the lab's real sshd (OpenSSH, key-only, user postgres).
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../source/core/inventory/model.js';
import { renderCommand } from '../../source/core/runbook/template.js';
import type { OutputChunk } from '../../source/core/transport.js';
import { createTransports, SshTransport } from '../../source/adapters/ssh/index.js';
import { labCrash, labRestart, type LabSettings } from '../../source/lab/index.js';
import { testLab, waitFor, waitPartHealthy } from './helpers.js';
import { HOSTILE_LONG_VALUES } from '../support/hostile-values.js';
import { labInventoryFile, listenerPid, logCount, processesMatching, sessionProcessesOf, uniqueMarker, withJumpHost } from '../ssh/lab-support.js';

let settings: LabSettings;
let inventory: Inventory;

beforeAll(async () => {
  settings = testLab();
  await waitPartHealthy(settings, 'sshd');
  inventory = labInventoryFile(settings).inventory;
});

describe('pooled SSH transport on the lab sshd', () => {
  it('runs 200 commands in a row over one connection (one handshake in sshd\'s log)', async () => {
    const t = new SshTransport(inventory);
    const before = logCount(settings, 'sshd', 'Accepted publickey');
    try {
      for (let i = 0; i < 200; i++) {
        const r = await t.run({ host: 'pg1', command: `echo $((${i} * 2))`, timeoutMs: 10_000 });
        expect(r.outcome, r.message).toBe('ok');
        expect(r.stdout).toBe(`${i * 2}\n`);
      }
      expect(t.stats.connects).toBe(1);
      await waitFor(() => logCount(settings, 'sshd', 'Accepted publickey') > before, 5000, 'sshd log line');
      expect(logCount(settings, 'sshd', 'Accepted publickey') - before).toBe(1);
    } finally {
      await t.close();
    }
  });

  it('runs 10 commands in parallel on one host over the same connection', async () => {
    const t = new SshTransport(inventory);
    try {
      // Each command reports when it started and ended on the remote host (nanoseconds).
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => t.run({ host: 'pg2', command: `s=$(date +%s%N); sleep 0.5; echo job-${i} $s $(date +%s%N); echo e${i} >&2`, timeoutMs: 20_000 })),
      );
      const spans = results.map((r, i) => {
        expect(r.outcome, r.message).toBe('ok');
        expect(r.stderr).toBe(`e${i}\n`);
        expect(r.address).toBe(`127.0.0.1:${settings.ports.sshd}`);
        const [name, start, end] = r.stdout.trim().split(' ');
        expect(name).toBe(`job-${i}`);
        return { start: BigInt(start!), end: BigInt(end!) };
      });
      expect(t.stats.connects).toBe(1);
      // All ten ran at the same time: every one started before the first one ended.
      const firstEnd = spans.reduce((m, s) => (s.end < m ? s.end : m), spans[0]!.end);
      for (const s of spans) expect(s.start < firstEnd).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('exports the host env from the inventory and streams timestamped chunks', async () => {
    const t = new SshTransport(inventory);
    const chunks: OutputChunk[] = [];
    try {
      const r = await t.run({ host: 'pg1', command: 'echo "$PGPORT"; echo oops >&2; exit 7', timeoutMs: 10_000, onChunk: (c) => chunks.push(c) });
      expect(r).toMatchObject({ outcome: 'failed', exitCode: 7, stdout: `${settings.ports.pg.pg1}\n`, stderr: 'oops\n', host: 'pg1' });
      expect(chunks.map((c) => c.stream).sort()).toEqual(['stderr', 'stdout']);
      for (const c of chunks) expect(Number.isNaN(Date.parse(c.at))).toBe(false);
    } finally {
      await t.close();
    }
  });

  it('runs a command through the jump host, and names the jump host when it is down', async () => {
    const inv = withJumpHost(inventory);
    const t = new SshTransport(inv);
    const jumpBefore = logCount(settings, 'sshd-jump', 'Accepted publickey');
    try {
      const r = await t.run({ host: 'behind', command: 'echo through-the-jump', timeoutMs: 10_000 });
      expect(r.outcome, r.message).toBe('ok');
      expect(r.stdout).toBe('through-the-jump\n');
      expect(t.stats.connects).toBe(2); // the jump host and the target behind it
      await waitFor(() => logCount(settings, 'sshd-jump', 'Accepted publickey') > jumpBefore, 5000, 'jump sshd log line');
    } finally {
      await t.close();
    }

    await labCrash(settings, 'sshd-jump');
    const t2 = new SshTransport(inv);
    try {
      const r = await t2.run({ host: 'behind', command: 'echo never', timeoutMs: 10_000 });
      expect(r.outcome).toBe('failed');
      expect(r.stdout).toBe('');
      expect(r.message).toContain("jump host 'jump'");
      expect(r.message).toContain(`127.0.0.1:${settings.ports.sshdJump}`);
    } finally {
      await t2.close();
      await labRestart(settings, 'sshd-jump');
      await waitPartHealthy(settings, 'sshd');
    }
  });

  it('calls a command unknown when its sshd session is killed mid-command, then reconnects', async () => {
    const t = new SshTransport(inventory);
    const marker = uniqueMarker();
    try {
      expect((await t.run({ host: 'pg3', command: 'true', timeoutMs: 10_000 })).outcome).toBe('ok');
      let started!: () => void;
      const running = new Promise<void>((r) => (started = r));
      const pending = t.run({
        host: 'pg3',
        command: `echo started; sleep 30.${marker}; echo finished`,
        timeoutMs: 60_000,
        onChunk: (c) => c.data.includes('started') && started(),
      });
      await running;
      const sleeper = await waitFor(() => processesMatching(`sleep 30.${marker}`)[0], 5000, 'the remote sleep');
      const session = sessionProcessesOf(sleeper.pid, listenerPid(settings, 'sshd'));
      expect(session.length, 'sshd processes serving the command').toBeGreaterThan(0);
      for (const pid of session) process.kill(pid, 'SIGKILL');
      const r = await pending;
      expect(r.outcome).toBe('unknown');
      expect(r.exitCode).toBeNull();
      expect(r.stdout).toBe('started\n');
      expect(r.message).toContain(`127.0.0.1:${settings.ports.sshd}`);

      const next = await t.run({ host: 'pg3', command: 'echo again', timeoutMs: 10_000 });
      expect(next.outcome, next.message).toBe('ok');
      expect(next.stdout).toBe('again\n');
      expect(t.stats.connects).toBe(2);
    } finally {
      await t.close();
      // The orphaned remote sleep (an `unknown` command may still run): end the one this test started.
      for (const p of processesMatching(`sleep 30.${marker}`)) process.kill(p.pid, 'SIGKILL');
    }
  });

  it('kills a timed-out command\'s whole process group on the remote side', async () => {
    const t = new SshTransport(inventory);
    const marker = uniqueMarker();
    try {
      const r = await t.run({ host: 'pg1', command: `sh -c 'sleep 300.${marker} & sleep 301.${marker}; wait'`, timeoutMs: 1000 });
      expect(r.outcome).toBe('timed-out');
      expect(r.message).toMatch(/timed out after 1s/);
      await waitFor(() => processesMatching(marker).length === 0, 5000, `no process with marker ${marker}`);
      expect(processesMatching(marker)).toEqual([]);
      // The connection survives a timeout.
      expect((await t.run({ host: 'pg1', command: 'true', timeoutMs: 10_000 })).outcome).toBe('ok');
      expect(t.stats.connects).toBe(1);
    } finally {
      await t.close();
    }
  });

  it('cancels on the operator\'s abort and kills the remote group too', async () => {
    const t = new SshTransport(inventory);
    const marker = uniqueMarker();
    const abort = new AbortController();
    try {
      const pending = t.run({ host: 'pg1', command: `sleep 200.${marker}`, timeoutMs: 60_000, signal: abort.signal });
      await waitFor(() => processesMatching(marker).length > 0, 5000, 'the remote sleep');
      abort.abort();
      const r = await pending;
      expect(r.outcome).toBe('cancelled');
      await waitFor(() => processesMatching(marker).length === 0, 5000, `no process with marker ${marker}`);
    } finally {
      await t.close();
    }
  });
});

describe('hostile values over SSH', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync('/tmp/hatui-ssh-hostile-');
    chmodSync(dir, 0o777); // the remote user is postgres
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reach the remote command byte for byte, as plain and as secret values, with no side effect', async () => {
    const t = new SshTransport(inventory);
    try {
      for (const value of HOSTILE_LONG_VALUES) {
        const plain = renderCommand(`cd ${dir} && printf '%s\\0' {{ v }}`, { vars: { v: value } });
        const r = await t.run({ host: 'pg1', command: plain.command, timeoutMs: 10_000 });
        expect(r.outcome, `${JSON.stringify(value.slice(0, 60))}: ${r.stderr}`).toBe('ok');
        expect(r.stdout).toBe(`${value}\0`);

        const secret = renderCommand(`cd ${dir} && printf '%s\\0' {{ s }}`, { vars: { s: value }, secretNames: ['s'] });
        expect(secret.command).not.toContain(value.length > 2 ? value : '\u0000');
        const rs = await t.run({ host: 'pg1', command: secret.command, secretEnv: secret.secretEnv, timeoutMs: 10_000 });
        expect(rs.outcome, rs.stderr).toBe('ok');
        expect(rs.stdout).toBe(`${value}\0`);
      }
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe('secrets over SSH', () => {
  it('never hands a secret printed in 1-byte chunks to the consumer, while other output keeps streaming', async () => {
    const secret = `s3cr3t-${uniqueMarker()}`;
    // Byte by byte, each in its own write (and SSH packet), with other output before and after.
    const command = `echo before; printf '%s\\n' "$HATUI_SECRET_PW" | fold -w1 | while IFS= read -r c; do printf '%s' "$c"; sleep 0.02; done; echo; echo after`;

    // Without redaction the secret really arrives in many small chunks (the test would catch a leak).
    const raw = new SshTransport(inventory);
    const rawChunks: OutputChunk[] = [];
    try {
      const r = await raw.run({ host: 'pg1', command, secretEnv: { HATUI_SECRET_PW: secret }, timeoutMs: 20_000, onChunk: (c) => rawChunks.push(c) });
      expect(r.outcome).toBe('ok');
      expect(rawChunks.map((c) => c.data).join('')).toContain(secret);
      expect(rawChunks.length).toBeGreaterThan(secret.length / 2);
    } finally {
      await raw.close();
    }

    const transports = createTransports(inventory);
    const seen: OutputChunk[] = [];
    let psLeak = false;
    try {
      const pending = transports.transportFor('pg1').run({
        host: 'pg1',
        command,
        secretEnv: { HATUI_SECRET_PW: secret },
        timeoutMs: 20_000,
        onChunk: (c) => {
          seen.push(c);
          // While it runs, the secret is on no command line (ps).
          if (processesMatching(secret).length > 0) psLeak = true;
        },
      });
      const result = await pending;
      expect(result.outcome).toBe('ok');
      const shown = seen.map((c) => c.data).join('');
      expect(shown).toBe('before\n••••\nafter\n');
      for (const c of seen) expect(c.data).not.toContain(secret);
      expect(JSON.stringify(result)).not.toContain(secret);
      expect(result.stdout).toBe('before\n••••\nafter\n');
      // "before" was handed on before the secret's first byte was even printed.
      expect(seen[0]!.data).toBe('before\n');
      expect(psLeak).toBe(false);
    } finally {
      await transports.closeAll();
    }
  });
});
