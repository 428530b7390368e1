// Issue 5 acceptance 2 on the lab sshd: unknown host refused with its fingerprint, `hatui hosts trust`
// (typed confirmation) then lets it in, a changed host key is refused with both fingerprints.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../source/core/inventory/model.js';
import { HostKeyError, SshTransport } from '../../source/adapters/ssh/index.js';
import { fingerprintOf, formatKnownHostsLine } from '../../source/adapters/ssh/known-hosts.js';
import { labCrash, labPaths, labRestart, type LabSettings } from '../../source/lab/index.js';
import { createTargetResolver } from '../../source/services/resolve-target.js';
import { testLab, waitPartHealthy } from './helpers.js';
import { labInventoryFile, withJumpHost } from '../ssh/lab-support.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** `node bin/hatui.js …` with stdin fed from `input` (the typed confirmation). */
function hatuiWithStdin(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/hatui.js', ...args], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

function ed25519Blob(): Buffer {
  const raw = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const type = Buffer.from('ssh-ed25519');
  const len = (n: number) => Buffer.from([0, 0, 0, n]);
  return Buffer.concat([len(type.length), type, len(raw.length), raw]);
}

let settings: LabSettings;
let base: Inventory;
let dir: string;
let realKey: Buffer;

beforeAll(async () => {
  settings = testLab();
  await waitPartHealthy(settings, 'sshd');
  base = labInventoryFile(settings).inventory;
  dir = mkdtempSync('/tmp/hatui-hostkeys-');
  // The lab's own known_hosts holds the real key of the lab sshd.
  const line = readFileSync(labPaths(settings).knownHosts, 'utf8').split('\n').find((l) => l.startsWith(`[127.0.0.1]:${settings.ports.sshd} `));
  realKey = Buffer.from(line!.split(' ')[2]!, 'base64');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The lab inventory with every host's known_hosts pointed at `file`, written next to it. */
function inventoryWith(file: string, name: string): { inventory: Inventory; path: string } {
  const inventory: Inventory = structuredClone(base);
  for (const h of Object.values(inventory.hosts)) if (h.ssh) h.ssh.knownHosts = file;
  if (inventory.defaults?.ssh) inventory.defaults.ssh.knownHosts = file;
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, stringify(inventory));
  return { inventory, path };
}

describe('host keys on the lab sshd', () => {
  it('refuses an unknown host with its SHA256 fingerprint; hosts trust with the typed name then lets it in', async () => {
    const file = join(dir, 'known_hosts_empty');
    writeFileSync(file, '');
    const { inventory, path } = inventoryWith(file, 'unknown');
    const expected = fingerprintOf(realKey);

    const t = new SshTransport(inventory);
    const error = await t.run({ host: 'pg1', command: 'echo never', timeoutMs: 10_000 }).catch((e: unknown) => e);
    await t.close();
    expect(error).toBeInstanceOf(HostKeyError);
    const refusal = error as HostKeyError;
    expect(refusal.exitCode).toBe(4);
    expect(refusal.message).toContain(expected);
    expect(refusal.message).toContain(`127.0.0.1:${settings.ports.sshd}`);
    expect(refusal.message).toContain('hatui hosts trust pg1');
    expect(expected).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);

    // A wrong or missing confirmation changes nothing (exit 4).
    const wrong = await hatuiWithStdin(['hosts', 'trust', 'pg1', '--inventory', path], 'pg2\n');
    expect(wrong.code, wrong.stderr).toBe(4);
    expect(wrong.stdout).toContain(expected);
    expect(readFileSync(file, 'utf8')).toBe('');
    const none = await hatuiWithStdin(['hosts', 'trust', 'pg1', '--inventory', path], '');
    expect(none.code).toBe(4);
    expect(readFileSync(file, 'utf8')).toBe('');

    const ok = await hatuiWithStdin(['hosts', 'trust', 'pg1', '--inventory', path], 'pg1\n');
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(expected);
    expect(readFileSync(file, 'utf8')).toBe(`${formatKnownHostsLine('127.0.0.1', settings.ports.sshd, realKey)}\n`);

    const t2 = new SshTransport(inventory);
    try {
      const r = await t2.run({ host: 'pg1', command: 'echo trusted', timeoutMs: 10_000 });
      expect(r.outcome, r.message).toBe('ok');
      expect(r.stdout).toBe('trusted\n');
      // The resolver reports the verified fingerprint with the target.
      const [target] = await createTargetResolver(inventory, { hostKey: (h) => t2.hostKey(h) }).resolve('pg1');
      expect(target).toEqual({ selector: 'pg1', host: 'pg1', address: `127.0.0.1:${settings.ports.sshd}`, fingerprint: expected });
    } finally {
      await t2.close();
    }
  });

  it('hosts trust fetches the key of a host behind a jump host through the jump host, and names the jump host when it is down', async () => {
    // known_hosts trusts only the jump host; `behind` (the lab sshd, reached through the jump sshd) is unknown.
    const jumpLine = readFileSync(labPaths(settings).knownHosts, 'utf8').split('\n').find((l) => l.startsWith(`[127.0.0.1]:${settings.ports.sshdJump} `))!;
    const file = join(dir, 'known_hosts_jump_only');
    writeFileSync(file, `${jumpLine}\n`);
    const { inventory } = inventoryWith(file, 'jump-only');
    const path = join(dir, 'jump-only-behind.yaml');
    writeFileSync(path, stringify(withJumpHost(inventory)));

    await labCrash(settings, 'sshd-jump');
    try {
      const down = await hatuiWithStdin(['hosts', 'trust', 'behind', '--inventory', path], 'behind\n');
      expect(down.code).not.toBe(0);
      expect(down.stderr).toContain(`127.0.0.1:${settings.ports.sshdJump}`);
      expect(readFileSync(file, 'utf8')).toBe(`${jumpLine}\n`);
    } finally {
      await labRestart(settings, 'sshd-jump');
      await waitPartHealthy(settings, 'sshd');
    }

    const ok = await hatuiWithStdin(['hosts', 'trust', 'behind', '--inventory', path], 'behind\n');
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(fingerprintOf(realKey));
    expect(readFileSync(file, 'utf8')).toBe(`${jumpLine}\n${formatKnownHostsLine('127.0.0.1', settings.ports.sshd, realKey)}\n`);
    const t = new SshTransport(withJumpHost(inventory));
    try {
      const r = await t.run({ host: 'behind', command: 'echo trusted-behind', timeoutMs: 10_000 });
      expect(r.outcome, r.message).toBe('ok');
      expect(r.stdout).toBe('trusted-behind\n');
    } finally {
      await t.close();
    }
  });

  it('accepts a hashed known_hosts entry', async () => {
    const file = join(dir, 'known_hosts_hashed');
    writeFileSync(file, `${formatKnownHostsLine('127.0.0.1', settings.ports.sshd, realKey, { hash: true })}\n`);
    const t = new SshTransport(inventoryWith(file, 'hashed').inventory);
    try {
      expect((await t.run({ host: 'pg2', command: 'true', timeoutMs: 10_000 })).outcome).toBe('ok');
    } finally {
      await t.close();
    }
  });

  it('refuses a changed host key with both fingerprints, and hosts trust will not overwrite it', async () => {
    const file = join(dir, 'known_hosts_changed');
    const old = ed25519Blob();
    writeFileSync(file, `${formatKnownHostsLine('127.0.0.1', settings.ports.sshd, old)}\n`);
    const { inventory, path } = inventoryWith(file, 'changed');

    const t = new SshTransport(inventory);
    const error = await t.run({ host: 'pg1', command: 'echo never', timeoutMs: 10_000 }).catch((e: unknown) => e);
    await t.close();
    expect(error).toBeInstanceOf(HostKeyError);
    const message = (error as HostKeyError).message;
    expect((error as HostKeyError).exitCode).toBe(4);
    expect(message).toContain('MISMATCH');
    expect(message).toContain(`presented: ${fingerprintOf(realKey)}`);
    expect(message).toContain(`expected:  ${fingerprintOf(old)}`);
    expect(message).toContain(`127.0.0.1:${settings.ports.sshd}`);

    const trust = await hatuiWithStdin(['hosts', 'trust', 'pg1', '--inventory', path], 'pg1\n');
    expect(trust.code, trust.stderr).toBe(4);
    expect(trust.stderr).toContain('MISMATCH');
    expect(readFileSync(file, 'utf8')).toBe(`${formatKnownHostsLine('127.0.0.1', settings.ports.sshd, old)}\n`);
  });
});
