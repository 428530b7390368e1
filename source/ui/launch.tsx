// Starts the terminal app (lazy-loaded by commands/tui.ts so `hatui --help` never imports Ink).
// First frame first: the poller's requests go out and the app renders at once; the runbook list fills in when
// parsed, and everything a run needs (runner, audit log, SSH) is imported when a runbook is opened.
import { render } from 'ink';
import type { AlertOrigin } from '../core/alerts.js';
import type { Inventory } from '../core/inventory/model.js';
import { ExitCode } from '../core/exit-codes.js';
import { Poller } from '../services/poller.js';
import { traceStartup } from '../services/startup-trace.js';
import { App } from './app.js';
import type { RunSession } from './session.js';
import type { RunbookEntry } from './state/home-state.js';

export interface LaunchOptions {
  inventory: Inventory;
  inventoryText: string;
  inventoryPath?: string;
  runbooksDir: string;
  /** The runbook list from front matter, when the caller started reading it already. */
  runbookHeaders?: Promise<RunbookEntry[]>;
  vars: string[];
  hatuiVersion: string;
  /** Audit state dir (default: hatui's). */
  stateDir?: string;
}

export async function launchTui(options: LaunchOptions): Promise<number> {
  const { inventory } = options;
  // Started before the first render: the requests are out while Ink draws, their answers handled right
  // after (the probes speak node:http; a slow client library starts later, ProbeTarget.startAfterMs).
  const poller = new Poller(inventory).start();
  let exitCode: number = ExitCode.ok;
  let starter: Promise<typeof import('./start-run.js')> | undefined;
  const sessions: RunSession[] = [];
  const openRunbook = async (entry: RunbookEntry, vars: string[] = [], alert?: AlertOrigin): Promise<RunSession> => {
    starter ??= import('./start-run.js');
    const { startRun } = await starter;
    // Assignments typed in the app come after --var ones, so they win.
    const session = await startRun(entry, { ...options, vars: [...options.vars, ...vars], ...(alert ? { alert } : {}), onExitCode: (code) => (exitCode = code) });
    sessions.push(session);
    return session;
  };
  const marker = process.env.HATUI_FIRST_FRAME_MARKER;
  let markerPrinted = false;
  const view = (runbooks: readonly RunbookEntry[] | null) => (
    <App
      environment={inventory.environment}
      {...(inventory.name ? { inventoryName: inventory.name } : {})}
      source={poller}
      runbooks={runbooks ?? []}
      runbooksLoading={runbooks === null}
      openRunbook={openRunbook}
      vars={options.vars}
      onFirstFrame={() => {
        traceStartup('first frame drawn');
        if (marker && !markerPrinted) {
          markerPrinted = true;
          process.stderr.write(`${marker}\n`);
        }
      }}
    />
  );
  traceStartup('ui modules loaded, inventory read');
  // Reading the runbook files starts before the first render, so the list is not queued behind the poller.
  const headers = options.runbookHeaders ?? import('./runbook-headers.js').then(({ listRunbookHeaders }) => listRunbookHeaders(options.runbooksDir));
  const untrace = poller.subscribe((snapshot) => {
    traceStartup('first cluster answer');
    if (Object.values(snapshot.clusters).some((c) => typeof (c as { leader?: unknown }).leader === 'string')) {
      traceStartup('patroni leader known');
      untrace();
    }
  });
  // 60 fps: a panel change or a key reaches the screen within ~17 ms of the state change (Ink's default 30).
  let instance: ReturnType<typeof render>;
  try {
    instance = render(view(null), { exitOnCtrlC: false, maxFps: 60 });
  } catch (error) {
    poller.stop(); // started above: it must not keep the process alive after a failed render
    throw error;
  }
  // The list from front matter at once; the markdown parser loads after that and replaces it with the
  // fully validated list (problems located), never replaced back by the quick one.
  let validated = false;
  const quit = new AbortController();
  headers
    .then((runbooks) => {
      if (validated) return;
      traceStartup('runbook list on screen (front matter)');
      instance.rerender(view(runbooks));
    })
    .catch(() => undefined) // the validated list below still comes
    .then(() => import('./runbook-list.js'))
    .then(({ listRunbooks }) => listRunbooks(options.runbooksDir, inventory, quit.signal))
    .then((runbooks) => {
      if (!runbooks) return;
      validated = true;
      traceStartup('runbook list validated');
      instance.rerender(view(runbooks));
    });
  try {
    await instance.waitUntilExit();
  } finally {
    quit.abort();
    poller.stop();
  }
  // After the screen is gone: where each run's evidence is, and its head for the incident ticket.
  for (const session of sessions) {
    if (session.auditLog) process.stdout.write(`audit log (${session.runbook.id}): ${session.auditLog.path} · head ${session.auditLog.head()}\n`);
    if (session.auditLog?.anchorSummary) process.stdout.write(`audit anchor: ${session.auditLog.anchorSummary()}\n`);
  }
  return exitCode;
}
