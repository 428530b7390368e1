// `hatui plan <runbook> [--var k=v]… [--inventory f] [--json]`: the graph as it would run. Runs nothing.
import { parseArgs } from 'node:util';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import type { Inventory } from '../core/inventory/model.js';
import { buildPlan, formatPlan } from '../core/runbook/plan.js';
import { formatProblem } from '../core/runbook/problem.js';
import { parseVarArgs, resolveVars } from '../core/runbook/vars.js';
import { readInventoryFile, readRunbookFile } from '../services/load-files.js';

const HELP = `Usage: hatui plan <runbook> [--var name=value]… [--inventory <file>] [--json]

Prints each step: its guard, confirmation level, every command with values substituted and quoted
(secret variables shown as their environment reference), checks, and where success and failure lead.
Runs nothing. Exit: 0 · 1 invalid runbook or inventory · 2 usage error`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      var: { type: 'string', multiple: true },
      inventory: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return ExitCode.ok;
  }
  if (positionals.length !== 1) throw new HatuiError('plan takes exactly one runbook file (see hatui plan --help)', ExitCode.usage);
  const { given, errors: argErrors } = parseVarArgs(values.var ?? []);
  if (argErrors.length) throw new HatuiError(argErrors.join('\n'), ExitCode.usage);

  let inventory: Inventory | undefined;
  if (values.inventory !== undefined) {
    const loaded = await readInventoryFile(values.inventory);
    if (!loaded.inventory) return printProblems(loaded.problems.map(formatProblem));
    inventory = loaded.inventory;
  }
  const path = positionals[0]!;
  const { runbook, problems } = await readRunbookFile(path, inventory ? { inventory } : {});
  if (!runbook) return printProblems(problems.map(formatProblem));
  const vars = resolveVars(runbook, given);
  if (vars.errors.length) throw new HatuiError(vars.errors.join('\n'), ExitCode.usage);
  const plan = buildPlan(runbook, { vars: vars.values, secretNames: vars.secretNames, ...(inventory ? { inventory } : {}) });
  process.stdout.write((values.json ? JSON.stringify(plan, null, 2) : formatPlan(plan)) + '\n');
  return ExitCode.ok;
}

function printProblems(lines: string[]): number {
  for (const line of lines) process.stdout.write(line + '\n');
  process.stderr.write(`hatui plan: ${lines.length} problem(s); nothing planned\n`);
  return ExitCode.failed;
}
