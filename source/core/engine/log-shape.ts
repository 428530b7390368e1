// The runbook shape a log alone gives, for folding a log with the one reducer when the runbook file is not at
// hand (replay exports of a log copied off the machine, a runbook edited since). The steps are the ones
// `run-started` lists (the runbook's own order); counts are the highest index the log uses, so an event the
// reducer would reject against the real runbook is rejected here only when it names a step the run never had.
import type { RunEvent } from './events.js';
import type { RunbookShape } from './state.js';

export function runbookShapeFromLog(events: readonly RunEvent[]): RunbookShape {
  const started = events.find((e): e is Extract<RunEvent, { type: 'run-started' }> => e.type === 'run-started');
  const ids = started && Array.isArray(started.stepIds) ? started.stepIds.filter((id): id is string => typeof id === 'string') : [];
  const counts = new Map<string, { commands: number; checklist: number; attempts: number }>(ids.map((id) => [id, { commands: 0, checklist: 0, attempts: 1 }]));
  for (const event of events) {
    const count = 'stepId' in event && typeof event.stepId === 'string' ? counts.get(event.stepId) : undefined;
    if (!count) continue;
    if (event.type === 'command-started' && Number.isInteger(event.commandIndex)) count.commands = Math.max(count.commands, event.commandIndex + 1);
    if (event.type === 'checklist-ticked' && Number.isInteger(event.item)) count.checklist = Math.max(count.checklist, event.item + 1);
    if (event.type === 'step-started' && Number.isInteger(event.attempt)) count.attempts = Math.max(count.attempts, event.attempt);
  }
  const rollbackAt = ids.indexOf('rollback');
  return {
    id: started?.runbookId ?? '',
    steps: ids.map((id, index) => {
      const count = counts.get(id)!;
      return {
        id,
        index,
        // What the runbook said on failure is not in the log; the log's own events say what happened next.
        onFail: { kind: 'abort' },
        retries: count.attempts - 1,
        rollback: rollbackAt >= 0 && index >= rollbackAt,
        commands: { length: count.commands },
        checklist: { length: count.checklist },
      };
    }),
  };
}
