// The remote wrapper, run by a local `bash -c` exactly as sshd runs it through the login shell.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildRemoteCommand, KILL_LINE, shQuote } from '../../source/adapters/ssh/remote-command.js';

/** Waits (bounded) until no process has the marker on its command line. */
async function waitGone(marker: string): Promise<void> {
  const left = () => execFileSync('sh', ['-c', `pgrep -f 'sleep 3[01][.]${marker}' || true`]).toString().trim();
  for (let i = 0; i < 50 && left() !== ''; i++) await new Promise((r) => setTimeout(r, 100));
  expect(left()).toBe('');
}

interface WrapperRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  exec: string;
}

/**
 * Runs the exec string with `bash -c`. `sessionLeader` starts it the way sshd does (setsid: the wrapper
 * leads its own process group → fast path); without it the wrapper is not a group leader (fallback path).
 */
function runWrapper(spec: Parameters<typeof buildRemoteCommand>[0], opts: { killAfterMs?: number; closeStdinAfterMs?: number; sessionLeader?: boolean } = {}): Promise<WrapperRun> {
  const remote = buildRemoteCommand(spec);
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', remote.exec], { stdio: ['pipe', 'pipe', 'pipe'], detached: opts.sessionLeader === true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.write(remote.stdinPrelude);
    if (opts.killAfterMs !== undefined) setTimeout(() => child.stdin.write(KILL_LINE), opts.killAfterMs);
    if (opts.closeStdinAfterMs !== undefined) setTimeout(() => child.stdin.end(), opts.closeStdinAfterMs);
    child.on('exit', (code, signal) => {
      child.stdin.end();
      resolve({ code, signal, stdout, stderr, exec: remote.exec });
    });
  });
}

describe('remote wrapper', () => {
  it('single-quotes any string exactly', () => {
    expect(shQuote("it's")).toBe(`'it'\\''s'`);
  });

  for (const [path, opts] of [
    ['fast path (session leader, as under sshd)', { sessionLeader: true }],
    ['fallback path (setsid + timeout)', { sessionLeader: false }],
  ] as const) {
    describe(path, () => {
      it('exports env and stdin-delivered secrets byte for byte, keeping secrets off the command line', async () => {
        const secret = "p@ss 'w\"$(touch x)`\n\nend\n";
        const r = await runWrapper({ command: 'printf "%s|%s|%s" "$A" "$S" "$E"', env: { A: "a'b $HOME", E: '' }, secretEnv: { S: secret }, remoteTimeoutMs: 10_000 }, opts);
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(`a'b $HOME|${secret}|`);
        expect(r.exec).not.toContain('p@ss');
      });

      it('passes the exit code through', async () => {
        expect((await runWrapper({ command: 'exit 42', remoteTimeoutMs: 10_000 }, opts)).code).toBe(42);
      });

      it('kills the whole process group on a KILL line, leaving no process behind', async () => {
        const marker = `${process.pid}${Math.floor(Math.random() * 1e6)}`;
        const r = await runWrapper({ command: `sh -c 'sleep 30.${marker} & sleep 31.${marker}; wait'`, remoteTimeoutMs: 60_000 }, { ...opts, killAfterMs: 200 });
        expect(r.code === 0).toBe(false);
        await waitGone(marker);
      });

      it('bounds the command on the remote side when the channel goes away without a kill', async () => {
        const marker = `${process.pid}${Math.floor(Math.random() * 1e6)}`;
        const r = await runWrapper({ command: `sleep 30.${marker}`, remoteTimeoutMs: 1000 }, { ...opts, closeStdinAfterMs: 100 });
        expect(r.code === 0).toBe(false);
        await waitGone(marker);
      });
    });
  }

  it('rejects invalid environment variable names', () => {
    expect(() => buildRemoteCommand({ command: 'true', env: { 'A;rm': 'x' }, remoteTimeoutMs: 1000 })).toThrow(/invalid environment variable name/);
    expect(() => buildRemoteCommand({ command: 'true', secretEnv: { '1X': 'x' }, remoteTimeoutMs: 1000 })).toThrow(/invalid environment variable name/);
  });
});
