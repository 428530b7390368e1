// The remote wrapper, run by a local `bash -c` exactly as sshd runs it through the login shell.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildRemoteCommand, KILL_LINE, shQuote } from '../../source/adapters/ssh/remote-command.js';

function runWrapper(spec: Parameters<typeof buildRemoteCommand>[0], opts: { killAfterMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string; exec: string }> {
  const remote = buildRemoteCommand(spec);
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', remote.exec], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.write(remote.stdinPrelude);
    if (opts.killAfterMs !== undefined) setTimeout(() => child.stdin.write(KILL_LINE), opts.killAfterMs);
    child.on('exit', (code) => {
      child.stdin.end();
      resolve({ code, stdout, stderr, exec: remote.exec });
    });
  });
}

describe('remote wrapper', () => {
  it('single-quotes any string exactly', () => {
    expect(shQuote("it's")).toBe(`'it'\\''s'`);
  });

  it('exports env and stdin-delivered secrets byte for byte, keeping secrets off the command line', async () => {
    const secret = "p@ss 'w\"$(touch x)`\n\nend\n";
    const r = await runWrapper({ command: 'printf "%s|%s|%s" "$A" "$S" "$E"', env: { A: "a'b $HOME", E: '' }, secretEnv: { S: secret }, remoteTimeoutMs: 10_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`a'b $HOME|${secret}|`);
    expect(r.exec).not.toContain('p@ss');
  });

  it('passes the exit code through', async () => {
    expect((await runWrapper({ command: 'exit 42', remoteTimeoutMs: 10_000 })).code).toBe(42);
  });

  it('kills the whole process group on a KILL line', async () => {
    const started = Date.now();
    const r = await runWrapper({ command: "sh -c 'sleep 30 & sleep 31; wait'", remoteTimeoutMs: 60_000 }, { killAfterMs: 200 });
    expect(r.code).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('bounds the command remotely even without a kill request', async () => {
    const r = await runWrapper({ command: 'sleep 30', remoteTimeoutMs: 1000 });
    expect(r.code).toBe(124);
  });

  it('rejects invalid environment variable names', () => {
    expect(() => buildRemoteCommand({ command: 'true', env: { 'A;rm': 'x' }, remoteTimeoutMs: 1000 })).toThrow(/invalid environment variable name/);
    expect(() => buildRemoteCommand({ command: 'true', secretEnv: { '1X': 'x' }, remoteTimeoutMs: 1000 })).toThrow(/invalid environment variable name/);
  });
});
