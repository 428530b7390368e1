// Runner test support: parse a fixture, run it in-process with doubles where asked.
import { readFileSync } from 'node:fs';
import type { ResolvedTarget } from '../../source/core/engine/events.js';
import { parseRunbook } from '../../source/core/runbook/parse.js';
import type { Runbook } from '../../source/core/runbook/model.js';
import type { CommandRequest, CommandResult, Transport } from '../../source/core/transport.js';
import { runRunbook, type RunOptions, type RunResult } from '../../source/services/runner.js';
import { answersDecider, type StepAnswers } from '../../source/services/runner-answers.js';
import { inventoryResolver, localLocks, localTransports, MemorySink, secretRedactor, systemClock, type RunnerDeps } from '../../source/services/runner-deps.js';

export function fixture(name: string): Runbook {
  const path = `test/runner/fixtures/${name}`;
  const { runbook, problems } = parseRunbook(readFileSync(path, 'utf8'), path);
  if (!runbook) throw new Error(problems.map((p) => `${p.line}:${p.column} ${p.message}`).join('\n'));
  return runbook;
}

export function parse(text: string): Runbook {
  const { runbook, problems } = parseRunbook(text, 'inline.md');
  if (!runbook) throw new Error(problems.map((p) => `${p.line}:${p.column} ${p.message}`).join('\n'));
  return runbook;
}

export interface TestRun extends RunResult {
  sink: MemorySink;
}

export async function runTest(
  runbook: Runbook,
  opts: { vars?: Record<string, string>; secretNames?: string[]; answers?: Record<string, StepAnswers>; sink?: MemorySink; environment?: string; priorEvents?: RunOptions['priorEvents']; signal?: AbortSignal } & Partial<RunnerDeps> = {},
): Promise<TestRun> {
  const sink = opts.sink ?? new MemorySink();
  const vars = opts.vars ?? {};
  const secretNames = opts.secretNames ?? [];
  const result = await runRunbook(
    runbook,
    { runId: 'test-run', vars, secretNames, environment: opts.environment ?? 'lab', runbookSha256: 'sha', hatuiVersion: 'test', defaultTimeoutMs: 30_000, ...(opts.priorEvents ? { priorEvents: opts.priorEvents } : {}), ...(opts.signal ? { signal: opts.signal } : {}) },
    {
      sink,
      transportFor: opts.transportFor ?? localTransports(),
      resolveTarget: opts.resolveTarget ?? inventoryResolver(),
      decider: opts.decider ?? answersDecider(opts.answers ?? {}, 'tester@host'),
      clusterState: opts.clusterState ?? (async () => ({})),
      redactor: opts.redactor ?? secretRedactor(secretNames.map((n) => vars[n]!)),
      clock: systemClock,
      locks: opts.locks ?? localLocks,
      ...(opts.observe ? { observe: opts.observe } : {}),
    },
  );
  return { ...result, sink };
}

/** A transport double: records requests, answers from a script, fails on unmet expectations by test asserts. */
export class FakeTransport implements Transport {
  readonly requests: CommandRequest[] = [];
  constructor(private readonly answer: (request: CommandRequest, n: number) => Partial<CommandResult> = () => ({})) {}
  async run(request: CommandRequest): Promise<CommandResult> {
    this.requests.push(request);
    const r = this.answer(request, this.requests.length - 1);
    const now = new Date().toISOString();
    return { host: request.host, command: request.command, exitCode: 0, signal: null, startedAt: now, finishedAt: now, durationMs: 1, outcome: 'ok', stdout: '', stderr: '', ...r };
  }
  async close(): Promise<void> {}
}

export const hosts = (...names: string[]): ResolvedTarget[] => names.map((host) => ({ selector: 'pg.members', host, address: `${host}:22` }));
