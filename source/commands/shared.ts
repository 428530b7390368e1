// What several commands do alike: load an inventory or runbook file and turn its problems (file:line:col)
// into one HatuiError, read an answers file, and name the operator. Messages and exit codes are
// the ones `run`, `drill` and `resume` gave before they shared them (tests pin them).
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import type { Inventory } from '../core/inventory/model.js';
import type { Runbook } from '../core/runbook/model.js';
import { formatProblem } from '../core/runbook/problem.js';
import { readInventoryFile, readRunbookFile, readTextFile } from '../services/load-files.js';

export interface LoadedInventory {
  inventory: Inventory;
  /** The file's text (its SHA-256 goes into the audit log). */
  text: string;
  path: string;
}

/** Reads and checks an inventory file; its problems are a HatuiError (exit 1). */
export async function readInventoryOrFail(path: string): Promise<LoadedInventory> {
  const loaded = await readInventoryFile(path);
  if (!loaded.inventory || loaded.text === undefined) {
    throw new HatuiError(loaded.problems.map(formatProblem).join('\n') || `${path}: invalid inventory`, ExitCode.failed);
  }
  return { inventory: loaded.inventory, text: loaded.text, path };
}

/** Reads and parses a runbook (host selectors checked against the inventory when given); problems are exit 1. */
export async function readRunbookOrFail(path: string, inventory: Inventory | undefined): Promise<{ runbook: Runbook; text: string }> {
  const loaded = await readRunbookFile(path, inventory ? { inventory } : {});
  if (!loaded.runbook || loaded.text === undefined) {
    throw new HatuiError(`${path} is not a valid runbook:\n${loaded.problems.map(formatProblem).join('\n')}`, ExitCode.failed);
  }
  return { runbook: loaded.runbook, text: loaded.text };
}

/** The text of an --answers file; an unreadable or non-UTF-8 file is a usage error (exit 2). */
export async function readAnswersText(path: string): Promise<string> {
  const file = await readTextFile(path);
  if (file.text === undefined) throw new HatuiError(file.problems.map(formatProblem).join('\n'), ExitCode.usage);
  return file.text;
}

export { operatorName } from '../services/operator.js';
