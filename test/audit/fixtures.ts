// A small recorded run (two steps, output, a confirmation) for audit tests.
import type { RunEvent } from '../../source/core/engine/events.js';
import { type AuditRecord, type Head, nextRecord, serializeRecord } from '../../source/core/audit/record.js';

export function sampleEvents(runId = 'r-test'): RunEvent[] {
  const t = (s: number) => new Date(Date.UTC(2026, 10, 25, 20, 0, s)).toISOString();
  return [
    {
      type: 'run-started', at: t(0), runId, runbookId: 'demo', runbookPath: '/rb/demo.md', runbookSha256: 'a'.repeat(64),
      inventorySha256: 'b'.repeat(64), environment: 'lab', operator: 'root@lab', hatuiVersion: '0.1.0', dryRun: false,
      vars: { mode: 'planned' }, stepIds: ['check', 'switch'],
    },
    { type: 'step-started', at: t(1), stepId: 'check', attempt: 1 },
    { type: 'command-started', at: t(1), stepId: 'check', commandIndex: 0, target: { selector: 'local', host: 'local' }, command: "echo 'hello'" },
    { type: 'command-output', at: t(2), stepId: 'check', commandIndex: 0, stream: 'stdout', data: 'hello\n' },
    { type: 'command-finished', at: t(2), stepId: 'check', commandIndex: 0, outcome: 'ok', exitCode: 0, signal: null, durationMs: 812 },
    { type: 'step-finished', at: t(2), stepId: 'check', outcome: 'ok' },
    { type: 'step-started', at: t(3), stepId: 'switch', attempt: 1 },
    { type: 'confirmation-requested', at: t(3), stepId: 'switch', level: 'typed', expected: 'pg', targets: [{ selector: 'pg.leader', host: 'pg1', address: '127.0.0.1:2201' }] },
    { type: 'confirmation-given', at: t(5), stepId: 'switch', level: 'typed', by: 'root@lab', typed: 'pg' },
    { type: 'command-started', at: t(5), stepId: 'switch', commandIndex: 0, target: { selector: 'pg.leader', host: 'pg1', address: '127.0.0.1:2201' }, command: 'patronictl switchover' },
    { type: 'command-output', at: t(6), stepId: 'switch', commandIndex: 0, stream: 'stdout', data: 'Switching over…\n' },
    { type: 'command-output', at: t(7), stepId: 'switch', commandIndex: 0, stream: 'stderr', data: 'done\n' },
    { type: 'command-finished', at: t(8), stepId: 'switch', commandIndex: 0, outcome: 'ok', exitCode: 0, signal: null, durationMs: 3010 },
    { type: 'step-finished', at: t(8), stepId: 'switch', outcome: 'ok' },
    { type: 'run-finished', at: t(8), outcome: 'ok' },
  ];
}

/** The same run where the operator refuses the switch's typed confirmation (the runner then aborts the run). */
export function refusedEvents(runId = 'r-refused'): RunEvent[] {
  const events = sampleEvents(runId).slice(0, 8);
  const at = new Date(Date.UTC(2026, 10, 25, 20, 0, 5)).toISOString();
  return [
    ...events,
    { type: 'confirmation-refused', at, stepId: 'switch', by: 'root@lab', reason: 'typed text did not match' },
    { type: 'run-aborted', at, reason: "confirmation refused for step 'switch' by root@lab: typed text did not match" },
  ];
}

export function chain(events: RunEvent[], start: Head | null = null): AuditRecord[] {
  const records: AuditRecord[] = [];
  let head = start;
  for (const event of events) {
    const record = nextRecord(head, event, event.at);
    records.push(record);
    head = { seq: record.seq, hash: record.hash };
  }
  return records;
}

export function lines(records: AuditRecord[]): string[] {
  return records.map(serializeRecord);
}

export function headOf(records: AuditRecord[]): Head {
  const last = records.at(-1)!;
  return { seq: last.seq, hash: last.hash };
}
