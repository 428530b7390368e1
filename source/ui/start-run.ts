// Opening a runbook from the terminal app: parse it, resolve its variables, open its audit log and
// start the runner with a RunSession as the decider. Imported lazily (keeps the first frame fast).
import { createHash, randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { openAuditLog } from '../adapters/audit-file/writer.js';
import { LocalTransport } from '../adapters/local/local-transport.js';
import { durationMs } from '../core/duration.js';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import type { Inventory } from '../core/inventory/model.js';
import { formatProblem } from '../core/runbook/problem.js';
import type { Transport } from '../core/transport.js';
import { readRunbookFile } from '../services/load-files.js';
import type { ClusterStateSource } from '../services/poller.js';
import { DEFAULT_COMMAND_TIMEOUT_MS } from '../services/runner.js';
import { localLocks, secretRedactor, systemClock } from '../services/runner-deps.js';
import { resolveVars } from '../services/runner-vars.js';
import { resolveLive } from './live-resolver.js';
import { RunSession } from './session.js';
import type { RunbookEntry } from './state/home-state.js';

export interface StartContext {
  inventory: Inventory;
  inventoryText: string;
  vars: string[];
  hatuiVersion: string;
  stateDir?: string;
  poller: ClusterStateSource;
  onExitCode(code: number): void;
}

let transports: ((host: string) => Transport) | undefined;

export async function startRun(entry: RunbookEntry, ctx: StartContext): Promise<RunSession> {
  const { inventory } = ctx;
  const loaded = await readRunbookFile(entry.path, { inventory });
  if (!loaded.runbook || loaded.text === undefined) throw new HatuiError(loaded.problems.map(formatProblem).join('; '), ExitCode.failed);
  const runbook = loaded.runbook;
  const assignments = ctx.vars.filter((a) => Object.hasOwn(runbook.vars, a.slice(0, a.indexOf('='))));
  const { values, secretNames } = resolveVars(runbook, assignments, process.env);
  transports ??= await transportTable(inventory);
  const table = transports;
  const runId = randomUUID();
  const secrets = secretNames.map((n) => values[n]!).filter((v) => v.length > 0);
  const redactor = secretRedactor(secrets);
  const sink = await openAuditLog({ runId, runbookId: runbook.id, ...(ctx.stateDir ? { stateDir: ctx.stateDir } : {}), redact: (t: string) => redactor.text(t) });
  const session = new RunSession(runbook, `${userInfo().username}@${hostname()}`);
  void session
    .start(
      {
        runId,
        vars: values,
        secretNames,
        environment: inventory.environment,
        runbookSha256: sha256(loaded.text),
        inventorySha256: sha256(ctx.inventoryText),
        hatuiVersion: ctx.hatuiVersion,
        defaultTimeoutMs: inventory.defaults?.commandTimeout !== undefined ? durationMs(inventory.defaults.commandTimeout) : DEFAULT_COMMAND_TIMEOUT_MS,
      },
      {
        sink,
        transportFor: (target) => table(target.host),
        resolveTarget: async (selector, { clusters }) => resolveLive(selector, inventory, clusters),
        clusterState: async () => ctx.poller.current().clusters as Record<string, unknown>,
        redactor,
        clock: systemClock,
        locks: localLocks,
      },
    )
    .then(async (result) => {
      await sink.close();
      if (result) ctx.onExitCode(result.exitCode);
    });
  return session;
}

async function transportTable(inventory: Inventory): Promise<(host: string) => Transport> {
  const local = new LocalTransport();
  const needsSsh = Object.values(inventory.hosts).some((h) => h.transport === 'ssh');
  const ssh = needsSsh ? new (await import('../adapters/ssh/index.js')).SshTransport(inventory) : undefined;
  return (host) => {
    const h = Object.hasOwn(inventory.hosts, host) ? inventory.hosts[host] : undefined;
    if (host === 'local' || h?.transport === 'local') return local;
    if (h && ssh) return ssh;
    throw new Error(`no transport for host '${host}'`);
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
