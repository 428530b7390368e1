import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LocalTransport } from '../../source/adapters/local/local-transport.js';
import type { OutputChunk } from '../../source/core/transport.js';

/** Pids of live processes whose command line or environment contains `marker`. */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/\) Z /.test(stat)) continue; // zombies are already dead
      if (cmdline.includes(marker) || environ.includes(marker)) found.push(Number(entry));
    } catch {
      // gone while reading
    }
  }
  return found;
}

async function until(condition: () => boolean, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return condition();
}

describe('LocalTransport', () => {
  const transport = new LocalTransport();

  it('runs sh -c, streams timestamped chunks and reports ok', async () => {
    const chunks: OutputChunk[] = [];
    const r = await transport.run({ host: 'local', command: 'echo hello; echo oops >&2', timeoutMs: 10_000, onChunk: (c) => chunks.push(c) });
    expect(r.outcome).toBe('ok');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('hello\n');
    expect(r.stderr).toBe('oops\n');
    expect(chunks.map((c) => c.stream).sort()).toEqual(['stderr', 'stdout']);
    expect(chunks.every((c) => !Number.isNaN(Date.parse(c.at)) && c.at.endsWith('Z'))).toBe(true);
  });

  it('reports a non-zero exit as failed with its code', async () => {
    const r = await transport.run({ host: 'local', command: 'exit 7', timeoutMs: 10_000 });
    expect(r).toMatchObject({ outcome: 'failed', exitCode: 7 });
  });

  it('passes secrets through the environment, not the command line', async () => {
    const r = await transport.run({ host: 'local', command: 'printf %s "$HATUI_SECRET_PW"', secretEnv: { HATUI_SECRET_PW: 's3cr3t' }, timeoutMs: 10_000 });
    expect(r.stdout).toBe('s3cr3t');
    expect(r.command).not.toContain('s3cr3t');
  });

  it('a timeout kills the whole process group and leaves no process with the marker', async () => {
    const marker = `hatui-marker-${randomUUID()}`;
    const running = transport.run({
      host: 'local',
      command: `: ${marker}; sh -c 'sleep 300 & sleep 301; wait'`,
      env: { HATUI_TEST_MARKER: marker },
      timeoutMs: 3000,
    });
    // The background sleeps really started before the timeout hit.
    expect(await until(() => processesWith(marker).length >= 3, 2900)).toBe(true);
    const r = await running;
    expect(r.outcome).toBe('timed-out');
    expect(r.message).toBe('timed out after 3s');
    expect(await until(() => processesWith(marker).length === 0, 5000)).toBe(true);
    expect(processesWith(marker)).toEqual([]);
  });

  it('an abort signal cancels the command and its group', async () => {
    const marker = `hatui-marker-${randomUUID()}`;
    const controller = new AbortController();
    const running = transport.run({ host: 'local', command: 'sleep 300 & sleep 301; wait', env: { HATUI_TEST_MARKER: marker }, timeoutMs: 60_000, signal: controller.signal });
    expect(await until(() => processesWith(marker).length >= 2, 5000)).toBe(true);
    controller.abort();
    const r = await running;
    expect(r.outcome).toBe('cancelled');
    expect(await until(() => processesWith(marker).length === 0, 5000)).toBe(true);
  });

  it('a command killed by an outside signal is failed, not ok', async () => {
    const r = await transport.run({ host: 'local', command: 'kill -9 $$', timeoutMs: 10_000 });
    expect(r.outcome).toBe('failed');
    expect(r.signal).toBe('SIGKILL');
  });
});
