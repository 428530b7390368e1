// Reads a log file for verify, replay and resume: the lines, the verified records, the anchors.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RunEvent, EventOf } from '../../core/engine/events.js';
import { type AuditRecord, type Head, hashRecord, parseRecordLine } from '../../core/audit/record.js';
import { splitLog, verifyLog, type VerifyReport } from '../../core/audit/verify.js';
import { ExitCode, HatuiError } from '../../core/exit-codes.js';
import { readAnchors } from './anchors.js';
import { anchorsPath } from './paths.js';

export interface LoadedLog {
  path: string;
  lines: string[];
  endsWithNewline: boolean;
  /** Records whose own hash is valid, in file order (torn and foreign lines left out). */
  records: AuditRecord[];
  runStarted: EventOf<'run-started'> | null;
  runId: string | null;
}

export function loadLog(path: string): LoadedLog {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new HatuiError(`${path}: cannot read the audit log (${code ?? (error as Error).message})`, ExitCode.failed);
  }
  const { lines, endsWithNewline } = splitLog(text);
  const records: AuditRecord[] = [];
  for (const line of lines) {
    const parsed = parseRecordLine(line);
    if ('record' in parsed && hashRecord(parsed.record) === parsed.record.hash) records.push(parsed.record);
  }
  const first = records.find((r) => r.event.type === 'run-started')?.event as EventOf<'run-started'> | undefined;
  return { path: resolve(path), lines, endsWithNewline, records, runStarted: first ?? null, runId: first?.runId ?? null };
}

export function events(log: LoadedLog): RunEvent[] {
  return log.records.map((r) => r.event);
}

export function verifyLoaded(log: LoadedLog, options: { stateDir: string; anchorsFile?: string; expectedHead?: Head; offBoxHeads?: Head[] }): VerifyReport {
  // Heads from an off-box anchor (etcd) count like the local anchors file's: the log must match and reach them.
  const anchors = [...(log.runId ? readAnchors(options.anchorsFile ?? anchorsPath(options.stateDir), log.runId, log.path) : []), ...(options.offBoxHeads ?? [])].sort((a, b) => a.seq - b.seq);
  return verifyLog(log.lines, {
    endsWithNewline: log.endsWithNewline,
    ...(anchors.length ? { anchors } : {}),
    ...(options.expectedHead ? { expectedHead: options.expectedHead } : {}),
  });
}
