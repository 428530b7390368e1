// `hatui run <runbook> --headless [--var k=v]… [--answers f] [--dry-run] [--inventory f] [--ticket id]`
// Runs the step graph with plain line output. Exit: 0 ok · 1 failed · 2 usage · 3 needs a decision · 4 refused.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sha256Hex } from '../core/audit/record.js';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import { commandTimeoutMs } from '../core/inventory/load.js';
import { VERSION } from '../cli.js';
import { runRunbook } from '../services/runner.js';
import { answersDecider, parseAnswers, type StepAnswers } from '../services/runner-answers.js';
import { inventoryResolver } from '../services/runner-deps.js';
import { dryRun } from '../services/runner-dry-run.js';
import { createLiveDeps, defaultLabInventoryPath } from '../services/live-deps.js';
import { plainPrinter, wantsColor } from '../services/runner-print.js';
import { resolveVars } from '../services/runner-vars.js';
import { firstCommandHost, wireRun } from '../services/runner-wiring.js';
import { traceStartup } from '../services/startup-trace.js';
import { operatorName, readAnswersText, readInventoryOrFail, readRunbookOrFail } from './shared.js';

const HELP = `Usage: hatui run <runbook> [--headless] [--var name=value]… [--answers <file>] [--dry-run]
                 [--inventory <file>] [--ticket <id>]

Runs a runbook step by step with plain line output (the terminal app opens later for a TTY without --headless).
  --var name=value    a variable value (repeatable); secrets: HATUI_VAR_<NAME> in the environment
  --answers <file>    decisions in advance: step id → yes | typed text | {checklist: all} | {override: text}
                      | {resume: retry|skip|recheck|abort}; a question without an answer stops with exit 3
  --dry-run           print every step and command as it would run; run nothing
  --inventory <file>  inventory YAML (hosts, clusters, environment, default command timeout);
                      default: the lab's inventory when the lab has written one
  --ticket <id>       incident/change ticket recorded with the run
Exit: 0 ok · 1 failed · 2 usage error · 3 needs an operator decision · 4 refused (lock held)`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      headless: { type: 'boolean' },
      var: { type: 'string', multiple: true },
      answers: { type: 'string' },
      'dry-run': { type: 'boolean' },
      inventory: { type: 'string' },
      ticket: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return ExitCode.ok;
  }
  if (positionals.length !== 1) throw new HatuiError('run needs exactly one runbook file (see hatui run --help)', ExitCode.usage);
  const write = (line: string) => process.stdout.write(line + '\n');

  // No --inventory: the lab's inventory when the lab has written one (the embedded default).
  const inventoryPath = values.inventory ?? (await defaultLabInventoryPath());
  const loadedInventory = inventoryPath !== undefined ? await readInventoryOrFail(inventoryPath) : undefined;
  const inventory = loadedInventory?.inventory;
  traceStartup('inventory loaded');
  const loaded = await readRunbookOrFail(positionals[0]!, inventory);
  const runbook = loaded.runbook;
  traceStartup('runbook parsed and validated');
  const { values: vars, secretNames } = resolveVars(runbook, values.var ?? [], process.env, inventory);
  const environment = inventory?.environment ?? 'local';
  const defaultTimeoutMs = commandTimeoutMs(inventory);
  if (values['dry-run']) {
    // With an inventory, role selectors resolve from live state (reads only; nothing runs).
    const live = inventory ? createLiveDeps(inventory) : undefined;
    const resolveTarget = live?.resolveTarget ?? inventoryResolver(inventory);
    try {
      await dryRun(runbook, { vars, secretNames, environment, defaultTimeoutMs }, { resolveTarget }, write);
    } finally {
      await live?.close();
    }
    return ExitCode.ok;
  }

  let answers: Record<string, StepAnswers> = {};
  if (values.answers !== undefined) answers = parseAnswers(await readAnswersText(values.answers), values.answers);
  const operator = operatorName();
  const secrets = secretNames.map((n) => vars[n]!).filter((v) => v.length > 0);
  const runId = randomUUID();
  const wired = await wireRun({
    runId,
    runbookId: runbook.id,
    ...(inventory ? { inventory } : {}),
    secrets,
    decider: answersDecider(answers, operator),
    observe: plainPrinter(runbook, write, { color: wantsColor(process.stdout, process.env) }),
    ...firstCommandHost(runbook),
  });
  traceStartup('credentials read, audit log created, transports wired');
  write(`audit log: ${wired.audit.path}`);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const result = await runRunbook(
      runbook,
      {
        runId,
        vars,
        secretNames,
        environment,
        runbookSha256: sha256Hex(loaded.text),
        ...(loadedInventory ? { inventorySha256: sha256Hex(loadedInventory.text) } : {}),
        ...(values.ticket ? { ticket: values.ticket } : {}),
        hatuiVersion: VERSION,
        defaultTimeoutMs,
        signal: controller.signal,
      },
      wired.deps,
    );
    write(`audit log: ${wired.audit.path} · head ${wired.head()}`);
    if (wired.audit.anchorSummary) write(`audit anchor: ${wired.audit.anchorSummary()}`);
    if (result.exitCode !== ExitCode.ok) process.stderr.write(`hatui: ${result.message}\n`);
    return result.exitCode;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await wired.close();
  }
}
