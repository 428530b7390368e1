// Builders for runbooks and events in engine/runner tests (no parser needed).
import type { RunEvent } from '../../source/core/engine/events.js';
import type { CommandBlock, Runbook, Step } from '../../source/core/runbook/model.js';

const pos = { line: 1, column: 1 };

export type StepInput = Partial<Omit<Step, 'commands' | 'checks' | 'preflight' | 'checklist' | 'when'>> & {
  id: string;
  commands?: (string | Partial<CommandBlock>)[];
  checks?: string[];
  preflight?: string[];
  checklist?: string[];
  when?: string;
};

export function makeRunbook(steps: StepInput[], extra: Partial<Runbook> = {}): Runbook {
  let inRollback = false;
  const built: Step[] = steps.map((input, index) => {
    if (input.id === 'rollback') inRollback = true;
    const commands: CommandBlock[] = (input.commands ?? []).map((c, i) => ({
      index: i,
      host: 'local',
      expectExit: 0,
      position: pos,
      template: typeof c === 'string' ? c : (c.template ?? 'true'),
      ...(typeof c === 'string' ? {} : c),
    }));
    return {
      title: input.id,
      confirm: 'none',
      onFail: { kind: 'abort' },
      retries: 0,
      prose: [],
      callouts: [],
      position: pos,
      ...input,
      index,
      rollback: input.rollback ?? inRollback,
      commands,
      checks: (input.checks ?? []).map((source) => ({ source, position: pos })),
      preflight: (input.preflight ?? []).map((source) => ({ source, position: pos })),
      checklist: (input.checklist ?? []).map((text) => ({ text, position: pos })),
      when: input.when === undefined ? undefined : { source: input.when, position: pos },
    } as Step;
  });
  return { id: 'rb', title: 'Test runbook', tags: [], clusters: [], vars: {}, targets: {}, path: 'rb.md', steps: built, ...extra };
}

export const AT = '2026-01-01T00:00:00.000Z';

export function runStarted(runbook: Runbook, environment = 'lab'): RunEvent {
  return {
    type: 'run-started',
    at: AT,
    runId: 'r1',
    runbookId: runbook.id,
    runbookPath: runbook.path,
    runbookSha256: 'x',
    environment,
    operator: 'op@host',
    hatuiVersion: 'test',
    dryRun: false,
    vars: {},
    stepIds: runbook.steps.map((s) => s.id),
  };
}

export const local = { selector: 'local', host: 'local' };

/** The events of one command that ended with `outcome`. */
export function commandEvents(stepId: string, commandIndex: number, outcome: 'ok' | 'failed' | 'timed-out' | 'cancelled' | 'unknown', capture?: { name: string; stdout: string }): RunEvent[] {
  return [
    { type: 'command-started', at: AT, stepId, commandIndex, target: local, command: 'true' },
    { type: 'command-output', at: AT, stepId, commandIndex, stream: 'stdout', data: capture?.stdout ?? 'out\n' },
    {
      type: 'command-finished',
      at: AT,
      stepId,
      commandIndex,
      outcome,
      exitCode: outcome === 'ok' ? 0 : outcome === 'failed' ? 1 : null,
      signal: null,
      durationMs: 5,
      ...(capture ? { capture: { name: capture.name, stdout: capture.stdout, exitCode: 0 } } : {}),
    },
  ];
}

export function expr(source: string, result: boolean, error?: string) {
  return { source, result, values: {}, ...(error ? { error } : {}) };
}
