// Local command transport: `sh -c <command>` through execa in its own process group, so a timeout or an
// operator cancel kills the whole group (background children included), not only the shell.
import { performance } from 'node:perf_hooks';
import { formatDuration } from '../../core/duration.js';
import type { CommandOutcome } from '../../core/outcome.js';
import type { CommandRequest, CommandResult, Transport } from '../../core/transport.js';

/** After SIGTERM to the group, SIGKILL follows this much later. */
const KILL_GRACE_MS = 1000;
/** After the group is killed, give pipes this long to close before giving up on them. */
const DRAIN_MS = 2000;
/** Each of stdout/stderr keeps at most this much in the result (the tail); chunks still stream in full. */
const RESULT_MAX_CHARS = 4 * 1024 * 1024;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

export class LocalTransport implements Transport {
  async run(request: CommandRequest): Promise<CommandResult> {
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    const out = { stdout: '', stderr: '' };
    let ended: 'timeout' | 'cancel' | undefined;

    // Loaded on first use: a run whose commands all go over SSH never pays for execa (~100 ms to load).
    const { execa } = await import('execa');
    const child = execa('sh', ['-c', request.command], {
      detached: true,
      cleanup: false,
      reject: false,
      buffer: false,
      stdin: 'ignore',
      extendEnv: true,
      env: { ...request.env, ...request.secretEnv },
    });
    const pid = child.pid;
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = child[stream];
      source?.setEncoding('utf8');
      source?.on('data', (data: string) => {
        const kept = out[stream] + data;
        out[stream] = kept.length > RESULT_MAX_CHARS ? kept.slice(kept.length - RESULT_MAX_CHARS) : kept;
        request.onChunk?.({ stream, data, at: new Date().toISOString() });
      });
    }

    let graceTimer: NodeJS.Timeout | undefined;
    let markStopped: () => void = () => {};
    const stopped = new Promise<void>((resolve) => (markStopped = resolve));
    const stop = (why: 'timeout' | 'cancel') => {
      if (ended) return;
      ended = why;
      markStopped();
      killGroup(pid, 'SIGTERM');
      graceTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(() => stop('timeout'), request.timeoutMs);
    const onAbort = () => stop('cancel');
    if (request.signal?.aborted) onAbort();
    request.signal?.addEventListener('abort', onAbort, { once: true });

    // The shell's own exit status arrives on 'exit'; the result promise also waits for the pipes,
    // which a process that escaped the group could hold open forever, so that wait is bounded once we killed.
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    let result: Awaited<typeof child> | undefined;
    let spawnError: unknown;
    const finished = child.then(
      (r) => (result = r),
      (e: unknown) => (spawnError = e),
    );
    const exit = await Promise.race([exited, finished.then(() => undefined)]);
    await Promise.race([finished, stopped]);
    if (ended) {
      let drainTimer: NodeJS.Timeout | undefined;
      await Promise.race([finished, new Promise((r) => (drainTimer = setTimeout(r, DRAIN_MS)))]);
      clearTimeout(drainTimer);
    }
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onAbort);
    // Anything the shell left behind in its group goes with it.
    killGroup(pid, 'SIGKILL');
    if (graceTimer) clearTimeout(graceTimer);
    child.stdout?.destroy();
    child.stderr?.destroy();

    const exitCode = typeof result?.exitCode === 'number' ? result.exitCode : (exit?.code ?? null);
    const signal = result?.signal ?? exit?.signal ?? null;
    const durationMs = Math.round(performance.now() - t0);
    const { outcome, message } = classify({ ended, exitCode, signal, spawnError, timeoutMs: request.timeoutMs, pid });
    return {
      host: request.host,
      command: request.command,
      exitCode: ended ? null : exitCode,
      signal: signal ?? null,
      startedAt,
      finishedAt: new Date().toISOString(),
      durationMs,
      outcome,
      message,
      stdout: out.stdout,
      stderr: out.stderr,
    };
  }

  async close(): Promise<void> {}
}

function classify(r: {
  ended: 'timeout' | 'cancel' | undefined;
  exitCode: number | null;
  signal: string | null | undefined;
  spawnError: unknown;
  timeoutMs: number;
  pid: number | undefined;
}): { outcome: CommandOutcome; message?: string } {
  if (r.ended === 'timeout') return { outcome: 'timed-out', message: `timed out after ${formatDuration(r.timeoutMs)}` };
  if (r.ended === 'cancel') return { outcome: 'cancelled', message: 'cancelled by the operator' };
  if (r.pid === undefined) {
    const why = r.spawnError instanceof Error ? r.spawnError.message : 'no process';
    return { outcome: 'failed', message: `could not start sh: ${why}` };
  }
  if (typeof r.exitCode === 'number') return r.exitCode === 0 ? { outcome: 'ok' } : { outcome: 'failed', message: `exit code ${r.exitCode}` };
  if (r.signal) return { outcome: 'failed', message: `killed by ${r.signal}` };
  return { outcome: 'unknown', message: 'the process vanished without an exit status' };
}
