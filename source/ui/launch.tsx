// Starts the terminal app (lazy-loaded by commands/tui.ts so `hatui --help` never imports Ink):
// the poller, the runbook list, and for each opened runbook a RunSession wired to the runner.
import { randomUUID, createHash } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { render } from 'ink';
import { openAuditLog } from '../adapters/audit-file/writer.js';
import { LocalTransport } from '../adapters/local/local-transport.js';
import { durationMs } from '../core/duration.js';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import type { Inventory } from '../core/inventory/model.js';
import { formatProblem } from '../core/runbook/problem.js';
import type { Transport } from '../core/transport.js';
import { readRunbookFile } from '../services/load-files.js';
import { Poller } from '../services/poller.js';
import { DEFAULT_COMMAND_TIMEOUT_MS } from '../services/runner.js';
import { localLocks, secretRedactor, systemClock } from '../services/runner-deps.js';
import { resolveVars } from '../services/runner-vars.js';
import { App } from './app.js';
import { resolveLive } from './live-resolver.js';
import { listRunbooks } from './runbook-list.js';
import { RunSession } from './session.js';
import type { RunbookEntry } from './state/home-state.js';

export interface LaunchOptions {
  inventory: Inventory;
  inventoryText: string;
  runbooksDir: string;
  vars: string[];
  hatuiVersion: string;
  /** Audit state dir (default: hatui's). */
  stateDir?: string;
}

export async function launchTui(options: LaunchOptions): Promise<number> {
  const { inventory } = options;
  const poller = new Poller(inventory).start();
  const runbooks = await listRunbooks(options.runbooksDir, inventory);
  const operator = `${userInfo().username}@${hostname()}`;
  const transports = await transportTable(inventory);
  let exitCode: number = ExitCode.ok;
  const openRunbook = async (entry: RunbookEntry): Promise<RunSession> => {
    const loaded = await readRunbookFile(entry.path, { inventory });
    if (!loaded.runbook || loaded.text === undefined) throw new HatuiError(loaded.problems.map(formatProblem).join('; '), ExitCode.failed);
    const runbook = loaded.runbook;
    const assignments = options.vars.filter((a) => Object.hasOwn(runbook.vars, a.slice(0, a.indexOf('='))));
    const { values, secretNames } = resolveVars(runbook, assignments, process.env);
    const runId = randomUUID();
    const secrets = secretNames.map((n) => values[n]!).filter((v) => v.length > 0);
    const redactor = secretRedactor(secrets);
    const sink = await openAuditLog({ runId, runbookId: runbook.id, ...(options.stateDir ? { stateDir: options.stateDir } : {}), redact: (t: string) => redactor.text(t) });
    const session = new RunSession(runbook, operator);
    void session
      .start(
        {
          runId,
          vars: values,
          secretNames,
          environment: inventory.environment,
          runbookSha256: sha256(loaded.text),
          inventorySha256: sha256(options.inventoryText),
          hatuiVersion: options.hatuiVersion,
          defaultTimeoutMs: inventory.defaults?.commandTimeout !== undefined ? durationMs(inventory.defaults.commandTimeout) : DEFAULT_COMMAND_TIMEOUT_MS,
        },
        {
          sink,
          transportFor: (target) => transports(target.host),
          resolveTarget: async (selector, { clusters }) => resolveLive(selector, inventory, clusters),
          clusterState: async () => poller.current().clusters as Record<string, unknown>,
          redactor,
          clock: systemClock,
          locks: localLocks,
        },
      )
      .then(async (result) => {
        await sink.close();
        if (result) exitCode = result.exitCode;
      });
    return session;
  };
  const marker = process.env.HATUI_FIRST_FRAME_MARKER;
  const instance = render(
    <App
      environment={inventory.environment}
      {...(inventory.name ? { inventoryName: inventory.name } : {})}
      source={poller}
      runbooks={runbooks}
      openRunbook={openRunbook}
      {...(marker ? { onFirstFrame: () => process.stderr.write(`${marker}\n`) } : {})}
    />,
    { exitOnCtrlC: false },
  );
  try {
    await instance.waitUntilExit();
  } finally {
    poller.stop();
  }
  return exitCode;
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
