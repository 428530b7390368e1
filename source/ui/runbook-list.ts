// Finds and parses the runbooks the home screen lists (invalid ones are listed with their problem).
import type { Inventory } from '../core/inventory/model.js';
import { formatProblem } from '../core/runbook/problem.js';
import { readRunbookFile } from '../services/load-files.js';
import { runbookFiles } from './runbook-headers.js';
import type { RunbookEntry } from './state/home-state.js';

/**
 * The validated list. With `signal` (the app in the background) one file at a time, so the screen stays
 * responsive between files and quitting stops the work (undefined when aborted) instead of keeping the
 * process alive until every runbook is parsed.
 */
export async function listRunbooks(dir: string, inventory?: Inventory): Promise<RunbookEntry[]>;
export async function listRunbooks(dir: string, inventory: Inventory | undefined, signal: AbortSignal): Promise<RunbookEntry[] | undefined>;
export async function listRunbooks(dir: string, inventory?: Inventory, signal?: AbortSignal): Promise<RunbookEntry[] | undefined> {
  const files = await runbookFiles(dir);
  if (!signal) return Promise.all(files.map((f) => listEntry(f, inventory)));
  const entries: RunbookEntry[] = [];
  for (const file of files) {
    if (signal.aborted) return undefined;
    entries.push(await listEntry(file, inventory));
  }
  return entries;
}

async function listEntry({ name, path }: { name: string; path: string }, inventory?: Inventory): Promise<RunbookEntry> {
  const { runbook, problems } = await readRunbookFile(path, inventory ? { inventory } : {});
  const errors = problems.map(formatProblem);
  if (!runbook && inventory) {
    // Valid on its own but not against this inventory (e.g. a MongoDB runbook on the lab): say so,
    // rather than calling a sound runbook invalid. Opening it still shows the located problems.
    const alone = await readRunbookFile(path);
    if (alone.runbook) {
      const missing = alone.runbook.clusters.filter((c) => !Object.hasOwn(inventory.clusters, c));
      const why = missing.length ? `no cluster ${missing.join(', ')} here` : 'does not fit this inventory';
      return { id: alone.runbook.id, title: `(${why}) ${alone.runbook.title}`, tags: alone.runbook.tags, path, clusters: alone.runbook.clusters, problems: errors };
    }
  }
  if (!runbook) return { id: name.replace(/\.md$/, ''), title: '(invalid runbook)', tags: [], path, clusters: [], problems: errors.length ? errors : [`${path}: invalid runbook`] };
  return { id: runbook.id, title: runbook.title, tags: runbook.tags, path, clusters: runbook.clusters, problems: errors, vars: runbook.vars, ...(runbook.summary ? { summary: runbook.summary } : {}) };
}
