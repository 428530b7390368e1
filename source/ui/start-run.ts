// Opening a runbook from the terminal app: parse it, resolve its variables, wire the run exactly as
// `hatui run` does (runner-wiring: SSH + local transports, live role resolution, operator locks, the
// file audit log) with a RunSession as the decider. Imported lazily (keeps the first frame fast).
import { randomUUID } from 'node:crypto';
import { sha256Hex } from '../core/audit/record.js';
import { durationMs } from '../core/duration.js';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import type { AlertOrigin } from '../core/alerts.js';
import type { Inventory } from '../core/inventory/model.js';
import { formatProblem } from '../core/runbook/problem.js';
import { readRunbookFile } from '../services/load-files.js';
import { DEFAULT_COMMAND_TIMEOUT_MS } from '../services/runner.js';
import { resolveVars } from '../services/runner-vars.js';
import { operatorName } from '../services/operator.js';
import { firstCommandHost, wireRun } from '../services/runner-wiring.js';
import { RunSession } from './session.js';
import type { RunbookEntry } from './state/home-state.js';

export interface StartContext {
  inventory: Inventory;
  inventoryText: string;
  /** The inventory file (relative key paths in it are read from its directory). */
  inventoryPath?: string;
  vars: string[];
  hatuiVersion: string;
  stateDir?: string;
  /** The alert the run is opened from (recorded in its run-started event). */
  alert?: AlertOrigin;
  onExitCode(code: number): void;
}

export async function startRun(entry: RunbookEntry, ctx: StartContext): Promise<RunSession> {
  const { inventory } = ctx;
  const loaded = await readRunbookFile(entry.path, { inventory });
  if (!loaded.runbook || loaded.text === undefined) throw new HatuiError(loaded.problems.map(formatProblem).join('; '), ExitCode.failed);
  const runbook = loaded.runbook;
  // A drill runs as `hatui drill` runs it: canary, fault observation, report (ui/start-drill.ts).
  if (runbook.drill) return (await import('./start-drill.js')).startDrill(runbook, loaded.text, ctx);
  const assignments = ctx.vars.filter((a) => Object.hasOwn(runbook.vars, a.slice(0, a.indexOf('='))));
  const { values, secretNames } = resolveVars(runbook, assignments, process.env, inventory);
  const runId = randomUUID();
  const session = new RunSession(runbook, operatorName());
  const wired = await wireRun({
    runId,
    runbookId: runbook.id,
    inventory,
    secrets: secretNames.map((n) => values[n]!).filter((v) => v.length > 0),
    decider: session,
    ...firstCommandHost(runbook),
    ...(ctx.stateDir ? { stateDir: ctx.stateDir } : {}),
  });
  session.auditLog = { path: wired.audit.path, head: () => wired.head(), ...(wired.audit.anchorSummary ? { anchorSummary: () => wired.audit.anchorSummary!() } : {}) };
  void session
    .start(
      {
        runId,
        vars: values,
        secretNames,
        environment: inventory.environment,
        runbookSha256: sha256Hex(loaded.text),
        inventorySha256: sha256Hex(ctx.inventoryText),
        hatuiVersion: ctx.hatuiVersion,
        ...(ctx.alert ? { alert: ctx.alert } : {}),
        defaultTimeoutMs: inventory.defaults?.commandTimeout !== undefined ? durationMs(inventory.defaults.commandTimeout) : DEFAULT_COMMAND_TIMEOUT_MS,
      },
      wired.deps,
    )
    .then(async (result) => {
      await wired.close();
      if (result) ctx.onExitCode(result.exitCode);
    });
  return session;
}
