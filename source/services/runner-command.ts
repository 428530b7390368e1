// One command block on one resolved host: write-ahead `command-started`, stream redacted output,
// then `command-finished` with the outcome judged against `expect-exit`.
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import type { ResolvedTarget } from '../core/engine/events.js';
import type { CommandOutcome } from '../core/outcome.js';
import type { CommandBlock } from '../core/runbook/model.js';
import type { CommandResult } from '../core/transport.js';
import type { Redactor } from './runner-deps.js';
import type { RunContext } from './runner.js';

/** Captured stdout kept for later steps and checks (the tail beyond this is dropped). */
export const CAPTURE_MAX_CHARS = 1024 * 1024;

export interface CommandJob {
  stepId: string;
  block: CommandBlock;
  target: ResolvedTarget;
  hostIndex: number;
  hostCount: number;
  command: string;
  secretEnv: Record<string, string>;
  timeoutMs: number;
}

export async function runCommandBlock(run: RunContext, job: CommandJob): Promise<CommandOutcome> {
  const { stepId, block, target, hostIndex } = job;
  const commandIndex = block.index;
  const multi = job.hostCount > 1 ? { hostIndex } : {};
  // A lost operator lock stops the run before this command: nothing is recorded, the run loop aborts.
  if (await run.lockLost()) return 'cancelled';
  // Write-ahead: durable before the side effect. A failed append throws here and nothing runs.
  await run.emit({
    type: 'command-started',
    at: run.at(),
    stepId,
    commandIndex,
    target,
    command: run.deps.redactor.text(job.command),
    ...(job.hostCount > 1 ? { hostIndex, hostCount: job.hostCount } : {}),
  });
  const redactor = run.deps.redactor.chunks();
  const t0 = run.deps.clock.monotonicMs();
  let result: CommandResult;
  let refused = false;
  const lostMeanwhile = run.lostNow();
  if (lostMeanwhile) {
    // Lost while the write-ahead record was being written: the command is not sent, and that is what is recorded.
    await run.emit({ type: 'command-finished', at: run.at(), stepId, commandIndex, ...multi, outcome: 'cancelled', exitCode: null, signal: null, durationMs: 0, message: `not sent: ${lostMeanwhile}` });
    return 'cancelled';
  }
  try {
    const transport = run.deps.transportFor(target);
    result = await transport.run({
      host: target.host,
      command: job.command,
      secretEnv: job.secretEnv,
      timeoutMs: job.timeoutMs,
      ...(run.options.signal ? { signal: run.options.signal } : {}),
      onChunk: (chunk) => {
        const safe = redactor.push(chunk);
        if (safe) run.queue({ type: 'command-output', at: safe.at, stepId, commandIndex, ...multi, stream: safe.stream, data: safe.data });
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // A refusal (host key) happens before the command is sent: it did not run, and the run stops (exit 4).
    refused = error instanceof HatuiError && error.exitCode === ExitCode.refused;
    // Otherwise the transport could not tell us how the command ended: never call that ok.
    result = { host: target.host, command: job.command, exitCode: null, signal: null, startedAt: run.at(), finishedAt: run.at(), durationMs: Math.round(run.deps.clock.monotonicMs() - t0), outcome: refused ? 'failed' : 'unknown', message, stdout: '', stderr: '' };
  }
  for (const chunk of redactor.flush(run.at())) run.queue({ type: 'command-output', at: chunk.at, stepId, commandIndex, ...multi, stream: chunk.stream, data: chunk.data });
  await run.settled();
  const { outcome, message } = judge(result, block.expectExit);
  const stdout = run.deps.redactor.text(result.stdout);
  await run.emit({
    type: 'command-finished',
    at: run.at(),
    stepId,
    commandIndex,
    ...multi,
    outcome,
    exitCode: result.exitCode,
    signal: result.signal,
    durationMs: result.durationMs,
    ...(message ? { message: run.deps.redactor.text(message) } : {}),
    ...(block.capture ? { capture: { name: block.capture, stdout: stdout.length > CAPTURE_MAX_CHARS ? stdout.slice(stdout.length - CAPTURE_MAX_CHARS) : stdout, exitCode: result.exitCode } } : {}),
  });
  if (refused) await run.abortRefused(stepId, run.deps.redactor.text(message ?? 'refused'));
  return outcome;
}

/** A command is ok when its exit code is the expected one; timeouts, cancels and unknowns pass through. */
export function judge(result: CommandResult, expectExit: number): { outcome: CommandOutcome; message?: string } {
  switch (result.outcome) {
    case 'ok':
    case 'failed':
      if (result.exitCode === null) return { outcome: 'failed', message: result.message ?? 'no exit code' };
      if (result.exitCode === expectExit) return { outcome: 'ok' };
      return { outcome: 'failed', message: `exit code ${result.exitCode}, expected ${expectExit}` };
    case 'timed-out':
    case 'cancelled':
    case 'unknown':
      return { outcome: result.outcome, ...(result.message ? { message: result.message } : {}) };
    default: {
      const never: never = result.outcome;
      return { outcome: 'unknown', message: `unrecognised transport outcome ${JSON.stringify(never)}` };
    }
  }
}

/** Masks secrets in every string inside a JSON-like value (CEL results and the values they read). */
export function redactDeep<T>(value: T, redactor: Redactor): T {
  if (typeof value === 'string') return redactor.text(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redactor)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redactor.text(k), redactDeep(v, redactor)])) as T;
  }
  return value;
}
