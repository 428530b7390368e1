// `hatui alerts [--json] [--inventory f] [--runbooks dir]`: the firing alerts Alertmanager reports, each
// with the runbook its `runbook` annotation names (known, unknown or none) and the variables its labels
// prefill. Exit 0 when Alertmanager answered (with or without alerts), 1 when it did not (an alert
// source that did not answer is not "no alerts").
import { parseArgs } from 'node:util';
import { alertRunbook, sinceText, type Alert, type AlertRunbook, type AlertsState } from '../core/alerts.js';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import { fetchAlertsOnce } from '../adapters/probes/alertmanager.js';
import { defaultLabInventoryPath } from '../services/live-deps.js';
import { readInventoryOrFail } from './shared.js';
import { defaultRunbooksDir } from './tui.js';

const HELP = `Usage: hatui alerts [--json] [--inventory <file>] [--runbooks <dir>] [--timeout <ms>]

The firing alerts of the inventory's Alertmanager (monitoring.alertmanagerUrl), with their runbooks.
  --json              one JSON object: source, status, error, alerts[] (each with runbook {kind, id, path, prefill})
  --inventory <file>  inventory YAML (default: the lab's inventory when the lab is up)
  --runbooks <dir>    where runbook ids are looked up (default: the shipped runbooks/)
  --timeout <ms>      how long to wait for Alertmanager (default 3000)
Exit codes: 0 Alertmanager answered · 1 it did not, or the inventory has no monitoring section · 2 usage`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      inventory: { type: 'string' },
      runbooks: { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return ExitCode.ok;
  }
  if (positionals.length) throw new HatuiError(`hatui alerts takes no arguments (got '${positionals[0]}')`, ExitCode.usage);
  const timeoutMs = values.timeout === undefined ? 3000 : Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new HatuiError(`--timeout ${values.timeout}: expected a number of ms above 0`, ExitCode.usage);
  const path = values.inventory ?? (await defaultLabInventoryPath());
  if (path === undefined) throw new HatuiError('no inventory: pass --inventory <file>, or start the lab (hatui lab up)', ExitCode.usage);
  const { inventory } = await readInventoryOrFail(path);
  if (!inventory.monitoring) {
    throw new HatuiError(`${path}: no monitoring section (monitoring.alertmanagerUrl names the Alertmanager; docs/inventory.md)`, ExitCode.failed);
  }
  const [state, runbooks] = await Promise.all([
    fetchAlertsOnce(inventory.monitoring, timeoutMs),
    import('../ui/runbook-list.js').then(({ listRunbooks }) => listRunbooks(values.runbooks ?? defaultRunbooksDir(), inventory)),
  ]);
  const linked = state.alerts.map((alert) => ({ ...alert, runbook: alertRunbook(alert, runbooks) }));
  if (values.json) {
    process.stdout.write(JSON.stringify({ ...state, alerts: linked }, null, 2) + '\n');
  } else {
    for (const line of alertsText(state, linked, Date.now())) process.stdout.write(line + '\n');
  }
  return state.status === 'ok' ? ExitCode.ok : ExitCode.failed;
}

export function runbookText(r: AlertRunbook): string {
  switch (r.kind) {
    case 'none':
      return '(no runbook)';
    case 'unknown':
      return `${r.id} (unknown runbook)`;
    case 'known':
      return r.id;
  }
}

function alertsText(state: AlertsState, alerts: (Omit<Alert, 'runbook'> & { runbook: AlertRunbook })[], now: number): string[] {
  if (state.status !== 'ok') return [`Alertmanager ${state.source}: unreachable (${state.error ?? 'no answer'}): alerts unknown`];
  if (alerts.length === 0) return [`Alertmanager ${state.source}: no firing alerts`];
  const rows = alerts.map((a) => [a.severity ?? '-', a.name, a.instance ?? '-', sinceText(a.startsAt, now), runbookText(a.runbook)]);
  const header = ['SEVERITY', 'ALERT', 'INSTANCE', 'SINCE', 'RUNBOOK'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [`Alertmanager ${state.source}: ${alerts.length} firing`, line(header), ...rows.map(line)];
}
