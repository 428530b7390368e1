// SSH authentication paths against the lab's real sshd: ssh-agent (no identity file), an agent whose
// keys the server refuses, and passphrase-protected identity files (hatui never prompts for one).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../source/core/inventory/model.js';
import { SshTransport } from '../../source/adapters/ssh/index.js';
import { labPaths, type LabSettings } from '../../source/lab/index.js';
import { testLab, waitFor, waitPartHealthy } from './helpers.js';
import { labInventoryFile, logCount } from '../ssh/lab-support.js';

let settings: LabSettings;
let lab: Inventory;
let dir: string;
const agents: ChildProcess[] = [];

/** An ssh-agent on its own socket (foreground, killed after the tests), holding `keys`. */
async function startAgent(name: string, keys: string[]): Promise<string> {
  const sock = join(dir, `${name}.sock`);
  const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  agents.push(agent);
  await waitFor(() => existsSync(sock), 5000, `ssh-agent socket ${sock}`);
  for (const key of keys) {
    const added = spawnSync('ssh-add', [key], { env: { ...process.env, SSH_AUTH_SOCK: sock }, encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`ssh-add ${key}: ${added.stderr}`);
  }
  return sock;
}

/** The lab inventory with pg1 authenticating by `ssh` settings instead of the lab's identity file. */
function pg1With(ssh: { identityFile?: string; agent?: boolean }): Inventory {
  const { identityFile: _drop, ...defaults } = lab.defaults?.ssh ?? {};
  const pg1 = lab.hosts.pg1!;
  const { identityFile: _drop2, ...pg1Ssh } = pg1.ssh ?? {};
  return { ...lab, defaults: { ...lab.defaults, ssh: defaults }, hosts: { ...lab.hosts, pg1: { ...pg1, ssh: { ...pg1Ssh, ...ssh } } } };
}

function keygen(name: string, passphrase: string): string {
  const file = join(dir, name);
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen: ${r.stderr}`);
  return file;
}

beforeAll(async () => {
  settings = testLab();
  await waitPartHealthy(settings, 'sshd');
  lab = labInventoryFile(settings).inventory;
  dir = mkdtempSync(join(tmpdir(), 'hatui-ssh-auth-'));
});
afterAll(() => {
  for (const a of agents) a.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('SSH authentication on the lab sshd', () => {
  it('authenticates through ssh-agent with no identity file, and sshd logs the agent\'s key', async () => {
    const sock = await startAgent('lab-key', [labPaths(settings).clientKey]);
    const t = new SshTransport(pg1With({ agent: true }), { env: { ...process.env, SSH_AUTH_SOCK: sock } });
    const before = logCount(settings, 'sshd', 'Accepted publickey');
    try {
      const r = await t.run({ host: 'pg1', command: 'echo via-agent', timeoutMs: 10_000 });
      expect(r.outcome, r.message).toBe('ok');
      expect(r.stdout).toBe('via-agent\n');
      await waitFor(() => logCount(settings, 'sshd', 'Accepted publickey') > before, 5000, 'sshd to log the login');
    } finally {
      await t.close();
    }
  });

  it('an agent whose keys the server refuses: the command fails, not started, naming host:port and the user', async () => {
    const stranger = keygen('stranger', '');
    const sock = await startAgent('stranger', [stranger]);
    const t = new SshTransport(pg1With({ agent: true }), { env: { ...process.env, SSH_AUTH_SOCK: sock } });
    try {
      const r = await t.run({ host: 'pg1', command: 'touch /tmp/hatui-must-not-exist', timeoutMs: 10_000 });
      expect(r.outcome).toBe('failed');
      expect(r.exitCode).toBeNull();
      expect(r.message).toContain(`127.0.0.1:${settings.ports.sshd} (pg1): authentication as postgres failed`);
      expect(existsSync('/tmp/hatui-must-not-exist')).toBe(false);
    } finally {
      await t.close();
    }
  });

  it('a passphrase-protected identity file without an agent: a clear message, no prompt, nothing runs', async () => {
    const locked = keygen('locked', 'correct horse battery');
    const t = new SshTransport(pg1With({ identityFile: locked }), { env: { ...process.env, SSH_AUTH_SOCK: '' } });
    try {
      const r = await t.run({ host: 'pg1', command: 'echo never', timeoutMs: 10_000 });
      expect(r.outcome).toBe('failed');
      expect(r.message).toContain(`identity file ${locked} is passphrase-protected`);
      expect(r.message).toContain(`ssh-add ${locked}`);
      expect(r.stdout).toBe('');
    } finally {
      await t.close();
    }
  });

  it('a passphrase-protected identity file with the agent on: the agent authenticates', async () => {
    const locked = keygen('locked-too', 'another passphrase');
    const sock = await startAgent('lab-key-2', [labPaths(settings).clientKey]);
    const t = new SshTransport(pg1With({ identityFile: locked, agent: true }), { env: { ...process.env, SSH_AUTH_SOCK: sock } });
    try {
      const r = await t.run({ host: 'pg1', command: 'echo agent-won', timeoutMs: 10_000 });
      expect(r.outcome, r.message).toBe('ok');
      expect(r.stdout).toBe('agent-won\n');
    } finally {
      await t.close();
    }
  });
});
