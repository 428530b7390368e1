// `hatui [tui] [--inventory f] [--runbooks dir] [--var k=v]… [--headless]`: the terminal app.
// Ink is imported lazily (only when a TTY shows the app). Without a TTY, or with --headless, it
// prints the cluster status and the runbook list as plain text and says how to run headless.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import type { Inventory } from '../core/inventory/model.js';
import { formatProblem } from '../core/runbook/problem.js';
// Not services/load-files: that pulls the markdown parser onto the first-frame path.
import { loadInventory as parseInventory } from '../core/inventory/load.js';

const HELP = `Usage: hatui [tui] [--inventory <file>] [--runbooks <dir>] [--var name=value]… [--headless]

Opens the terminal app: live cluster panels, the runbook list, guided walkthroughs.
  --inventory <file>  inventory YAML (default: the lab's inventory when the lab is up)
  --runbooks <dir>    where runbooks are listed from (default: the shipped runbooks/)
  --var name=value    variable values for the runbooks that declare them (repeatable)
  --headless          no terminal app: print cluster status and runbooks as plain text
Without a TTY the plain text status is printed; run a runbook headless with \`hatui run <file> --headless\`.`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      inventory: { type: 'string' },
      runbooks: { type: 'string' },
      var: { type: 'string', multiple: true },
      headless: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return ExitCode.ok;
  }
  const interactive = !values.headless && process.stdin.isTTY === true && process.stdout.isTTY === true && typeof process.stdin.setRawMode === 'function';
  // Start loading the UI chunk (Ink, React) while the inventory is read and validated. The bundle has
  // NODE_ENV="production" built in (scripts/build.mjs), so React loads its production build.
  const ui = interactive ? import('../ui/launch.js') : undefined;
  ui?.catch(() => undefined);
  const runbooksDir = values.runbooks ?? defaultRunbooksDir();
  // The runbook files' front matter is read meanwhile too (the list is half of the first useful screen).
  const runbookHeaders = interactive ? import('../ui/runbook-headers.js').then(({ listRunbookHeaders }) => listRunbookHeaders(runbooksDir)) : undefined;
  runbookHeaders?.catch(() => undefined);
  const { inventory, text, path } = await loadInventory(values.inventory);
  if (!ui) {
    const { printStatus } = await import('../ui/plain-status.js');
    const why = values.headless ? '--headless' : 'no TTY';
    return printStatus(inventory, runbooksDir, (line) => process.stdout.write(line + '\n'), `${why}: plain status of ${path}; run a runbook with \`hatui run <runbook> --headless --inventory ${path}\``);
  }
  const { launchTui } = await ui;
  return launchTui({ inventory, inventoryText: text, inventoryPath: path, runbooksDir, runbookHeaders, vars: values.var ?? [], hatuiVersion: process.env.HATUI_VERSION ?? '0.0.0-dev' });
}

async function loadInventory(given: string | undefined): Promise<{ inventory: Inventory; text: string; path: string }> {
  // The lab settings (and node:crypto, ~4 ms) load only when no inventory is given.
  const path = given ?? (await labInventoryPath());
  if (!given && !existsSync(path)) {
    throw new HatuiError(`no inventory: pass --inventory <file>, or start the lab (hatui lab up) so ${path} exists`, ExitCode.usage);
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new HatuiError(`${path}: cannot read the inventory: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, ExitCode.usage);
  }
  const loaded = parseInventory(text, path);
  if (!loaded.inventory) throw new HatuiError(loaded.problems.map(formatProblem).join('\n') || `${path}: invalid inventory`, ExitCode.failed);
  return { inventory: loaded.inventory, text, path };
}

async function labInventoryPath(): Promise<string> {
  const { labPaths, labSettings } = await import('../lab/settings.js');
  return labPaths(labSettings(process.env)).inventory;
}

export function defaultRunbooksDir(): string {
  // Bundled: dist/cli.js → ../runbooks; from source: source/commands → ../../runbooks.
  for (const rel of ['../runbooks', '../../runbooks']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(dir)) return dir;
  }
  return 'runbooks';
}
