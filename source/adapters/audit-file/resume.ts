// Reopens a run's log to continue it after a crash: verifies it first (a tampered log is refused),
// keeps a torn last line byte for byte, ends it with a newline, and appends a `run-resumed` record
// that marks the torn line (its line number, length and SHA-256), so the chain continues over it.
import { resolve } from 'node:path';
import type { EventOf } from '../../core/engine/events.js';
import { ExitCode, HatuiError } from '../../core/exit-codes.js';
import { sha256Hex, type TornLineMark } from '../../core/audit/record.js';
import { type Redact, noRedaction } from '../../core/audit/redact.js';
import type { VerifyReport } from '../../core/audit/verify.js';
import { resolveAnchorCommand } from './anchor-command.js';
import { type EtcdAnchorTarget, checkEtcdAnchor, resolveEtcdAnchor } from './anchor-etcd.js';
import { hatuiStateDir } from './paths.js';
import { type LoadedLog, loadLog, verifyLoaded } from './read.js';
import { type AuditWriter, continueAuditLog } from './writer.js';

export interface ReopenOptions {
  operator: string;
  hatuiVersion: string;
  stateDir?: string;
  redact?: Redact;
  anchorCommand?: string | null;
  etcdAnchor?: EtcdAnchorTarget | null;
  now?: () => string;
}

export interface Reopened {
  writer: AuditWriter;
  /** The log as it was before reopening. */
  log: LoadedLog;
  report: VerifyReport;
  torn: TornLineMark | null;
  resumed: EventOf<'run-resumed'>;
}

export async function reopenForResume(path: string, options: ReopenOptions): Promise<Reopened> {
  const stateDir = resolve(options.stateDir ?? hatuiStateDir());
  const log = loadLog(path);
  if (!log.runStarted || !log.runId) throw new HatuiError(`${path}: no run-started record: not a hatui run log, nothing to resume`, ExitCode.failed);
  // The off-box anchor is checked too: a log and local anchors file cut back together must not be resumed.
  const etcdAnchor = options.etcdAnchor !== undefined ? options.etcdAnchor : await resolveEtcdAnchor();
  const offBox = await checkEtcdAnchor(etcdAnchor, log.runId);
  const report = verifyLoaded(log, { stateDir, offBoxHeads: offBox.heads });
  if (report.status === 'tampered') throw new HatuiError(`${path}: ${report.message}. Refusing to resume a tampered log.`, ExitCode.failed);
  const anchorCommand = options.anchorCommand !== undefined ? options.anchorCommand : await resolveAnchorCommand();
  const writer = continueAuditLog(resolve(path), log.runId, stateDir, report.head, options.redact ?? noRedaction, anchorCommand, etcdAnchor);
  let torn: TornLineMark | null = null;
  if (!log.endsWithNewline) {
    const last = log.lines.at(-1) ?? '';
    if (report.status === 'torn') torn = { line: log.lines.length, bytes: Buffer.byteLength(last), sha256: sha256Hex(last) };
    writer.terminateTornLine();
  }
  const resumed: EventOf<'run-resumed'> = {
    type: 'run-resumed',
    at: options.now?.() ?? new Date().toISOString(),
    operator: options.operator,
    hatuiVersion: options.hatuiVersion,
    tornTail: torn !== null,
  };
  await writer.appendMarked(resumed, torn ?? undefined);
  return { writer, log, report, torn, resumed };
}
