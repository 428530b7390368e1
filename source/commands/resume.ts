// `hatui resume <log> [--answers file] [--headless] [--runbook file] [--inventory file] [--allow-changed-runbook]`
// Folds the run's log with the engine's reducer; a step that was in flight when the log ends becomes
// `unknown`; the operator decides retry | skip | recheck | abort (answers file `<step>: {resume: …}`,
// or a prompt on a terminal); the run then continues, appending to the same hash chain (a torn last
// line is kept and marked, never rewritten). Exit codes as for `hatui run`; 3 when a decision is missing.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import { formatHead, sha256Hex } from '../core/audit/record.js';
import type { EventOf, RunEvent } from '../core/engine/events.js';
import { fold, markInFlightUnknown } from '../core/engine/reducer.js';
import type { RunState } from '../core/engine/state.js';
import type { Runbook } from '../core/runbook/model.js';
import { formatProblem } from '../core/runbook/problem.js';
import { hatuiStateDir } from '../adapters/audit-file/paths.js';
import { events as logEvents, loadLog, verifyLoaded } from '../adapters/audit-file/read.js';
import { reopenForResume } from '../adapters/audit-file/resume.js';
import type { Inventory } from '../core/inventory/model.js';
import { commandTimeoutMs } from '../core/inventory/load.js';
import type { Reopened, ReopenOptions } from '../adapters/audit-file/resume.js';
import { runRunbook } from '../services/runner.js';
import { answersDecider, parseAnswers } from '../services/runner-answers.js';
import { resolveVars } from '../services/runner-vars.js';
import type { Decider } from '../services/runner-deps.js';
import { defaultLabInventoryPath } from '../services/live-deps.js';
import { plainPrinter, wantsColor } from '../services/runner-print.js';
import { wireRun } from '../services/runner-wiring.js';
import { operatorName, readInventoryOrFail } from './shared.js';

const USAGE =
  'Usage: hatui resume <log> [--answers <file>] [--headless] [--runbook <file>] [--inventory <file>] [--allow-changed-runbook]';

function readRunbookBytes(path: string, logPath: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    throw new HatuiError(`${path}: cannot read the runbook this run used (${code}); ${logPath} records it there. Give its location with --runbook <file>.`, ExitCode.failed);
  }
}

/** One line per step that is not plainly pending, for the operator before they decide. */
export function describeSteps(state: RunState): string[] {
  return state.stepOrder
    .map((id) => state.steps[id]!)
    .filter((s) => s.status !== 'pending')
    .map((s) => `  ${s.id}: ${s.status}${s.message ? ` (${s.message})` : ''}`);
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      answers: { type: 'string' },
      headless: { type: 'boolean' },
      runbook: { type: 'string' },
      inventory: { type: 'string' },
      'allow-changed-runbook': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return ExitCode.ok;
  }
  if (positionals.length !== 1) throw new HatuiError(`resume takes one log file. ${USAGE}`, ExitCode.usage);
  const logPath = resolve(positionals[0]!);
  const stateDir = hatuiStateDir();

  // 1. The log must verify (a torn last line from the crash is fine) before anything is appended.
  const log = loadLog(logPath);
  const report = verifyLoaded(log, { stateDir });
  if (report.status === 'tampered') throw new HatuiError(`${logPath}: ${report.message}. Refusing to resume a tampered log.`, ExitCode.failed);
  const started = log.runStarted;
  if (!started) throw new HatuiError(`${logPath}: no run-started record: not a hatui run log`, ExitCode.failed);

  // 2. The runbook must be the one the run used (its SHA-256 is in the first record).
  const runbookPath = resolve(values.runbook ?? started.runbookPath);
  const bytes = readRunbookBytes(runbookPath, logPath);
  const sha = sha256Hex(bytes);
  const changed = sha !== started.runbookSha256;
  if (changed && !values['allow-changed-runbook']) {
    throw new HatuiError(
      `${runbookPath}: the runbook changed since the run started (sha256 ${sha}, the log records ${started.runbookSha256}). ` +
        'Resuming with different steps could repeat or skip side effects. Restore the original, or pass --allow-changed-runbook to continue anyway (recorded in the log).',
      ExitCode.failed,
    );
  }
  const { parseRunbook } = await import('../core/runbook/parse.js');
  const parsed = parseRunbook(bytes.toString('utf8'), runbookPath);
  if (!parsed.runbook) throw new HatuiError(parsed.problems.map(formatProblem).join('\n'), ExitCode.failed);
  const runbook: Runbook = parsed.runbook;

  // 3. Fold what happened; show the step left in flight as unknown.
  const recorded: RunEvent[] = logEvents(log);
  const before = markInFlightUnknown(fold(runbook, recorded));
  process.stdout.write(`resuming run ${started.runId} of ${runbook.id} from ${logPath}\n`);
  process.stdout.write(`log: ${report.status}${report.head ? `, head ${formatHead(report.head)}` : ''}${report.status === 'torn' ? ' (torn last line kept and marked)' : ''}\n`);
  process.stdout.write([...describeSteps(before), ''].join('\n'));
  if (before.status === 'finished' || before.status === 'aborted') {
    process.stdout.write(`the run already ${before.status === 'finished' ? `finished: ${before.outcome ?? 'unknown'}` : `aborted: ${before.abortReason ?? ''}`}; nothing to resume\n`);
    return before.outcome === 'ok' ? ExitCode.ok : ExitCode.failed;
  }
  if (before.status === 'not-started') throw new HatuiError(`${logPath}: the run never started; start a new run instead`, ExitCode.failed);

  // 4. Reopen the same chain and continue the run.
  return resumeSession({
    runbook,
    started: started as EventOf<'run-started'>,
    recorded,
    logPath,
    stateDir,
    answersPath: values.answers,
    inventoryPath: values.inventory,
    headless: values.headless === true || !process.stdin.isTTY,
    changedRunbook: changed ? { sha256: sha } : undefined,
    reopen: reopenForResume,
  });
}

interface SessionInput {
  runbook: Runbook;
  started: EventOf<'run-started'>;
  recorded: RunEvent[];
  logPath: string;
  stateDir: string;
  answersPath: string | undefined;
  inventoryPath: string | undefined;
  headless: boolean;
  changedRunbook: { sha256: string } | undefined;
  reopen: (path: string, options: ReopenOptions) => Promise<Reopened>;
}

function readAnswers(path: string | undefined, operator: string): Decider {
  if (path === undefined) return answersDecider({}, operator);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new HatuiError(`${path}: cannot read the answers file (${(error as { code?: string }).code ?? (error as Error).message})`, ExitCode.usage);
  }
  return answersDecider(parseAnswers(text, path), operator);
}

/** On a terminal, a resume decision the answers file lacks is asked for on stdin. */
function promptingDecider(inner: Decider): Decider {
  return {
    ...inner,
    operator: inner.operator,
    confirm: (r) => inner.confirm(r),
    checklist: (r) => inner.checklist(r),
    preflightOverride: (r) => inner.preflightOverride(r),
    async resume(request) {
      const given = await inner.resume(request);
      if (given.kind !== 'missing') return given;
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        for (;;) {
          const options = request.options.filter((o) => o !== 'override');
          const text = (await rl.question(`step ${request.step.id} is ${request.reason}${request.message ? ` (${request.message})` : ''}. Decide ${options.join('|')}: `)).trim();
          if ((options as string[]).includes(text)) return { kind: 'answer', value: text as 'retry' | 'skip' | 'recheck' | 'abort' };
        }
      } finally {
        rl.close();
      }
    },
  };
}

async function resumeSession(input: SessionInput): Promise<number> {
  const { runbook, started } = input;
  const operator = operatorName();
  const version = process.env.HATUI_VERSION ?? '0.0.0-dev';

  // The inventory: --inventory, else (when the run used one) the lab's, as `hatui run` does.
  let inventory: Inventory | undefined;
  let inventoryNote: string | undefined;
  const inventoryPath = input.inventoryPath ?? (started.inventorySha256 ? await defaultLabInventoryPath() : undefined);
  if (started.inventorySha256 && inventoryPath === undefined) {
    throw new HatuiError(`the run used an inventory (sha256 ${started.inventorySha256}); give it with --inventory <file>`, ExitCode.usage);
  }
  if (inventoryPath !== undefined) {
    const loaded = await readInventoryOrFail(inventoryPath);
    inventory = loaded.inventory;
    const sha = sha256Hex(loaded.text);
    if (sha !== started.inventorySha256) {
      inventoryNote = `inventory ${inventoryPath} (sha256 ${sha}) is not the one the run started with (${started.inventorySha256 ?? 'none'})`;
      process.stderr.write(`hatui: warning: ${inventoryNote}\n`);
    }
  }

  // Variables: the logged (non-secret) values; secrets again from HATUI_VAR_<NAME>, never from the log.
  const assignments = Object.entries(started.vars)
    .filter(([name]) => Object.hasOwn(runbook.vars, name) && !runbook.vars[name]!.secret)
    .map(([name, value]) => `${name}=${value}`);
  const vars = resolveVars(runbook, assignments, process.env, inventory);
  const varSecrets = vars.secretNames.map((n) => vars.values[n] ?? '').filter(Boolean);
  const decider = input.headless ? readAnswers(input.answersPath, operator) : promptingDecider(readAnswers(input.answersPath, operator));

  // Wired as `hatui run` wires a run (live transports and roles, operator locks on the cluster's own
  // store, redaction), but appending to the run's own log, reopened on the same hash chain.
  let resumed: EventOf<'run-resumed'> | undefined;
  const wired = await wireRun({
    runId: started.runId,
    runbookId: runbook.id,
    ...(inventory ? { inventory } : {}),
    secrets: varSecrets,
    decider,
    observe: plainPrinter(runbook, (line) => process.stdout.write(line + '\n'), { color: wantsColor(process.stdout, process.env) }),
    openAudit: async (redact) => {
      const reopened = await input.reopen(input.logPath, { operator, hatuiVersion: version, stateDir: input.stateDir, redact });
      resumed = reopened.resumed;
      return reopened.writer;
    },
  });
  const writer = wired.audit;
  process.stdout.write(`audit log: ${writer.path}\n`);
  try {
    if (input.changedRunbook) {
      await writer.append({ type: 'note', at: new Date().toISOString(), text: `resumed with a changed runbook (sha256 ${input.changedRunbook.sha256}, the run started with ${started.runbookSha256}): allowed by ${operator} with --allow-changed-runbook` });
    }
    if (inventoryNote) await writer.append({ type: 'note', at: new Date().toISOString(), text: inventoryNote });
  } catch (error) {
    await wired.close();
    throw error;
  }
  const priorEvents = [...input.recorded, resumed!]; // set by openAudit before wireRun returns

  const result = await runRunbook(
    runbook,
    {
      runId: started.runId,
      vars: vars.values,
      secretNames: vars.secretNames,
      environment: started.environment,
      runbookSha256: started.runbookSha256,
      ...(started.inventorySha256 ? { inventorySha256: started.inventorySha256 } : {}),
      ...(started.ticket ? { ticket: started.ticket } : {}),
      hatuiVersion: version,
      defaultTimeoutMs: commandTimeoutMs(inventory),
      priorEvents,
    },
    wired.deps,
  ).finally(wired.closeConnections);
  await writer.close().catch((error: unknown) => process.stderr.write(`hatui: ${(error as Error).message}\n`));
  const failure = writer.failure();
  if (result.exitCode !== ExitCode.ok) process.stderr.write(`hatui: ${result.message}\n`);
  else process.stdout.write(`${result.message}\n`);
  process.stdout.write(`audit log: ${writer.path}\nfinal head: ${writer.head() ? formatHead(writer.head()!) : '(none)'}${failure ? ' (log write FAILED: see above)' : ''}\n`);
  if (writer.anchorSummary) process.stdout.write(`audit anchor: ${writer.anchorSummary()}\n`);
  return result.exitCode;
}
