// Plain line output for headless runs: one line per event worth seeing, command output as `| ` lines.
// Colour only when asked for (a TTY without NO_COLOR); the words carry the meaning either way.
import type { ExpressionResult, RunEvent } from '../core/engine/events.js';
import type { RunState } from '../core/engine/state.js';
import { formatDuration } from '../core/duration.js';
import type { Runbook } from '../core/runbook/model.js';

export interface PrintOptions {
  color: boolean;
}

type Tone = 'good' | 'bad' | 'warn' | 'dim';
const CODES: Record<Tone, string> = { good: '32', bad: '31', warn: '33', dim: '2' };

export function wantsColor(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

function values(r: ExpressionResult): string {
  const entries = Object.entries(r.values);
  return entries.length ? ` [${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}]` : '';
}

/** Makes an `observe` callback that writes lines through `write`. */
export function plainPrinter(runbook: Runbook, write: (line: string) => void, options: PrintOptions): (event: RunEvent, state: RunState) => void {
  const paint = (tone: Tone, text: string) => (options.color ? `\u001b[${CODES[tone]}m${text}\u001b[0m` : text);
  const partial = new Map<string, string>();
  const flush = (key: string) => {
    const rest = partial.get(key);
    if (rest) write(`  | ${rest}`);
    partial.delete(key);
  };
  const title = (stepId: string) => runbook.steps.find((s) => s.id === stepId)?.title ?? stepId;
  const position = (stepId: string) => runbook.steps.findIndex((s) => s.id === stepId) + 1;
  const expr = (label: string, r: ExpressionResult) =>
    write(`  ${label} ${r.result ? paint('good', 'true ') : paint('bad', 'false')} ${r.source}${r.error ? ` (${r.error})` : ''}${values(r)}`);

  return (event) => {
    switch (event.type) {
      case 'run-started':
        write(`hatui run ${event.runbookId} (${event.runbookPath}) · environment ${event.environment} · run ${event.runId}${event.ticket ? ` · ticket ${event.ticket}` : ''}`);
        return;
      case 'step-started':
        write(`[${position(event.stepId)}/${runbook.steps.length}] ${event.stepId}: ${title(event.stepId)}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`);
        return;
      case 'guard-evaluated':
        expr('when', event.guard);
        return;
      case 'preflight-evaluated':
        for (const r of event.results) expr('pre-flight', r);
        return;
      case 'preflight-overridden':
        write(paint('warn', `  pre-flight overridden by ${event.by} (typed '${event.typed}')`));
        return;
      case 'confirmation-requested':
        write(`  confirmation ${event.level}${event.expected ? ` (type '${event.expected}')` : ''} for ${event.targets.map((t) => t.host).join(', ') || 'no host'}`);
        return;
      case 'confirmation-given':
        write(`  confirmed by ${event.by}${event.typed ? ` (typed '${event.typed}')` : ''}`);
        return;
      case 'confirmation-refused':
        write(paint('bad', `  confirmation refused${event.reason ? `: ${event.reason}` : ''}`));
        return;
      case 'checklist-ticked':
        write(`  [x] ${runbook.steps.find((s) => s.id === event.stepId)?.checklist[event.item]?.text ?? `item ${event.item + 1}`} (${event.by})`);
        return;
      case 'command-started':
        write(`  $ [${event.target.host}] ${event.command}`);
        return;
      case 'command-output': {
        const key = `${event.stepId}/${event.commandIndex}/${event.hostIndex ?? 0}/${event.stream}`;
        const lines = ((partial.get(key) ?? '') + event.data).split('\n');
        partial.set(key, lines.pop()!);
        for (const line of lines) write(`  | ${line}`);
        return;
      }
      case 'command-finished': {
        for (const stream of ['stdout', 'stderr']) flush(`${event.stepId}/${event.commandIndex}/${event.hostIndex ?? 0}/${stream}`);
        const tone: Tone = event.outcome === 'ok' ? 'good' : 'bad';
        const exit = event.exitCode !== null ? `exit ${event.exitCode}` : event.signal ? `signal ${event.signal}` : 'no exit status';
        write(`  ${paint(tone, event.outcome)} · ${exit} · ${formatDuration(event.durationMs)}${event.message ? ` · ${event.message}` : ''}`);
        return;
      }
      case 'check-evaluated':
        expr('check', event.check);
        return;
      case 'step-finished': {
        const tone: Tone = event.outcome === 'ok' ? 'good' : event.outcome === 'skipped' ? 'dim' : 'bad';
        write(`${paint(tone, `[${event.outcome}]`)} ${event.stepId}${event.message ? `: ${event.message}` : ''}`);
        return;
      }
      case 'lock-taken':
        write(`  lock on cluster '${event.cluster}' taken by ${event.holder}`);
        return;
      case 'lock-released':
        write(`  lock on cluster '${event.cluster}' released`);
        return;
      case 'lock-lost':
        write(paint('bad', `  lock on cluster '${event.cluster}' LOST (${event.reason})${event.holder ? `; now held by ${event.holder}` : ''}`));
        return;
      case 'run-resumed':
        write(`resumed by ${event.operator}${event.tornTail ? ' (torn log tail kept)' : ''}`);
        return;
      case 'resume-decision':
        write(`  decision for ${event.stepId}: ${event.decision} (${event.by})`);
        return;
      case 'note':
        write(paint('warn', `  note: ${event.text}`));
        return;
      case 'run-aborted':
        write(paint('bad', `run aborted: ${event.reason}`));
        return;
      case 'run-finished':
        write(paint(event.outcome === 'ok' ? 'good' : 'bad', `run finished: ${event.outcome}`));
        return;
      default: {
        const never: never = event;
        write(`  (unrecognised event ${JSON.stringify(never)})`);
      }
    }
  };
}
