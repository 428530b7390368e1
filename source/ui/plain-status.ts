// The no-TTY / --headless view: one poll round of every cluster and the runbook list, as plain text.
import type { Inventory } from '../core/inventory/model.js';
import { ExitCode } from '../core/exit-codes.js';
import { Poller } from '../services/poller.js';
import { lineText, panelLines } from './panel-lines.js';
import { listRunbooks } from './runbook-list.js';

export async function printStatus(inventory: Inventory, runbooksDir: string, write: (line: string) => void, message: string): Promise<number> {
  write(`hatui · environment: ${inventory.environment.toUpperCase()}${inventory.name ? ` · ${inventory.name}` : ''}`);
  write(message);
  const poller = new Poller(inventory, { delayedStarts: false }).start();
  const snapshot = await poller.firstRoundDone(3000);
  poller.stop();
  write('');
  for (const state of Object.values(snapshot.clusters)) for (const line of panelLines(state)) write(lineText(line));
  const runbooks = await listRunbooks(runbooksDir, inventory);
  write('');
  write(`runbooks (${runbooksDir}):`);
  if (runbooks.length === 0) write('  none found');
  for (const r of runbooks) write(`  ${r.problems.length ? '✗' : ' '} ${r.id.padEnd(28)} ${r.title}${r.tags.length ? `  ${r.tags.map((t) => `#${t}`).join(' ')}` : ''}${r.problems.length ? `  (${r.problems[0]})` : ''}`);
  return ExitCode.ok;
}
