// `hatui validate <file|dir>… [--inventory f] [--json]`: every problem in every runbook, as file:line:col.
// Exit 0 when all are valid, 1 otherwise, 2 on a usage error. Never a stack trace for bad input.
import { parseArgs } from 'node:util';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import type { Inventory } from '../core/inventory/model.js';
import type { Runbook } from '../core/runbook/model.js';
import { lintRunbook } from '../core/runbook/lint.js';
import { formatProblem, problem, type Problem } from '../core/runbook/problem.js';
import { collectRunbookPaths, readInventoryFile, readRunbookFile } from '../services/load-files.js';

const HELP = `Usage: hatui validate <file|dir>… [--inventory <file>] [--strict] [--json]

Checks runbooks (directories: every *.md inside) and prints every problem as file:line:col: message.
Warnings (file:line:col: warning: …, e.g. a changes= step without a pre-flight) do not fail the check.
  --inventory <file>  also check host selectors and clusters against this inventory
  --strict            warnings fail too
  --json              machine-readable output
Exit: 0 all valid · 1 problems found (or warnings with --strict) · 2 usage error`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { inventory: { type: 'string' }, json: { type: 'boolean' }, strict: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return ExitCode.ok;
  }
  if (positionals.length === 0) throw new HatuiError('validate needs at least one runbook file or directory (see hatui validate --help)', ExitCode.usage);

  const results: { path: string; problems: Problem[] }[] = [];
  let inventory: Inventory | undefined;
  if (values.inventory !== undefined) {
    const loaded = await readInventoryFile(values.inventory);
    results.push({ path: values.inventory, problems: loaded.problems });
    inventory = loaded.inventory;
  }
  const { files, problems: missing } = await collectRunbookPaths(positionals);
  for (const p of missing) results.push({ path: p.path, problems: [p] });
  const ids = new Map<string, string>();
  for (const file of files) {
    const problems = await validateFile(file, inventory);
    if (problems.runbook) problems.problems.push(...lintRunbook(problems.runbook));
    results.push({ path: file, problems: problems.problems });
    // Runbooks are picked by id (the TUI list, audit records): two files with one id are a problem.
    const id = problems.runbook?.id;
    if (id === undefined) continue;
    const other = ids.get(id);
    if (other !== undefined) problems.problems.push(problem(file, { line: 1, column: 1 }, `runbook id '${id}' is also used by ${other}`));
    else ids.set(id, file);
  }
  const fails = (p: Problem) => p.severity === 'error' || values.strict === true;
  const total = results.reduce((n, r) => n + r.problems.filter(fails).length, 0);
  const warnings = results.reduce((n, r) => n + r.problems.filter((p) => p.severity === 'warning').length, 0);
  const invalid = results.filter((r) => r.problems.some(fails)).length;
  if (values.json) {
    process.stdout.write(JSON.stringify({ valid: total === 0, files: results.map((r) => ({ ...r, valid: !r.problems.some(fails) })) }, null, 2) + '\n');
  } else {
    for (const r of results) for (const p of r.problems) process.stdout.write(formatProblem(p) + '\n');
    const warned = warnings && !values.strict ? ` (${warnings} warning(s); --strict fails on them)` : '';
    const summary = total === 0 ? `${files.length} runbook(s) valid${warned}` : `${total} problem(s) in ${invalid} of ${results.length} file(s)${warned}`;
    process.stderr.write(`hatui validate: ${summary}\n`);
  }
  return total === 0 ? ExitCode.ok : ExitCode.failed;
}

/** A bug in the validator must still come out as a located problem, never a stack trace. */
async function validateFile(file: string, inventory: Inventory | undefined): Promise<{ runbook?: Runbook; problems: Problem[] }> {
  try {
    return await readRunbookFile(file, inventory ? { inventory } : {});
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { problems: [problem(file, { line: 1, column: 1 }, `internal error while validating (please report): ${message}`)] };
  }
}
