// The file-backed audit log: one JSON Lines file per run, each record hash-chained to the one
// before. Write-ahead: every record except output chunks is fsynced before append() resolves, so
// `command-started` and `confirmation-given` are durable before their side effect. Output chunks
// are written without fsync and become durable with the next record (the command's finish).
// Between durable records the file is closed, so a read-only remount or a removed file shows on
// the next append. Any write error fails the writer for good: hatui never continues un-audited.
import { closeSync, constants, fsyncSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunEvent } from '../../core/engine/events.js';
import { ExitCode, HatuiError } from '../../core/exit-codes.js';
import { type Head, type TornLineMark, formatHead, nextRecord, serializeRecord } from '../../core/audit/record.js';
import { type Redact, noRedaction, redactEvent } from '../../core/audit/redact.js';
import { anchorLine, type AnchorLine } from './anchors.js';
import { resolveAnchorCommand, runAnchorCommand } from './anchor-command.js';
import { type EtcdAnchorTarget, putEtcdAnchor, resolveEtcdAnchor } from './anchor-etcd.js';
import { anchorsPath, hatuiStateDir, logFileName, runsDir } from './paths.js';
import { writeAll } from './write-all.js';

/** What the runner needs: append must be durable before it resolves (see EventSink in the runner). */
export interface EventSink {
  append(event: RunEvent): Promise<void>;
}

export interface AuditWriter extends EventSink {
  readonly path: string;
  readonly runId: string;
  readonly anchorsPath: string;
  /** The last record written (seq + hash), null before the first. */
  head(): Head | null;
  /** The error that failed the writer, if any. */
  failure(): AuditWriteError | null;
  /** fsyncs and closes; later appends reject. */
  close(): Promise<void>;
  /**
   * Where the heads went, for the run output: says plainly when a run was anchored only in the local
   * anchors file (no off-box anchor configured, or the off-box anchor failed from some record on).
   */
  anchorSummary?(): string;
}

export class AuditWriteError extends HatuiError {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message, ExitCode.failed);
    this.name = 'AuditWriteError';
  }
}

export interface OpenAuditLogOptions {
  runId: string;
  runbookId: string;
  /** hatui's state directory (default $XDG_STATE_HOME/hatui or ~/.local/state/hatui). */
  stateDir?: string;
  now?: Date;
  redact?: Redact;
  /** Overrides HATUI_ANCHOR_COMMAND / the `audit.anchorCommand` setting; null for none. */
  anchorCommand?: string | null;
  /** Overrides HATUI_ANCHOR_ETCD / the `audit.anchorEtcd` setting; null for none. */
  etcdAnchor?: EtcdAnchorTarget | null;
}

/** A file opened on demand and kept open only while a batch of non-durable writes goes on. */
class BatchFile {
  private fd: number | null = null;
  constructor(
    readonly path: string,
    private readonly flags: number,
  ) {}

  write(text: string, durable: boolean): void {
    if (this.fd === null) this.fd = openSync(this.path, this.flags, 0o600);
    if (fstatSync(this.fd).nlink === 0) {
      throw Object.assign(new Error(`${this.path} was removed`), { code: 'ENOENT' });
    }
    writeAll(this.fd, text);
    if (durable) this.flushAndClose();
  }

  flushAndClose(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  abandon(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // already failing
    }
    this.fd = null;
  }
}

class FileAuditWriter implements AuditWriter {
  private current: Head | null;
  private failed: AuditWriteError | null = null;
  private closed = false;
  private readonly log: BatchFile;
  private readonly anchors: BatchFile;
  private anchorQueue: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    readonly runId: string,
    readonly anchorsPath: string,
    head: Head | null,
    private readonly redact: Redact,
    private readonly anchorCommand: string | null,
    private readonly etcdAnchor: EtcdAnchorTarget | null = null,
  ) {
    this.current = head;
    // No O_CREAT for the log: a log removed mid-run is an error, not a fresh file.
    this.log = new BatchFile(path, constants.O_WRONLY | constants.O_APPEND);
    this.anchors = new BatchFile(anchorsPath, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT);
    this.pendingAnchorNewline = endsTorn(anchorsPath);
  }

  /** A crash mid-write can leave the shared anchors file without its last newline: start on a new line. */
  private pendingAnchorNewline: boolean;

  head(): Head | null {
    return this.current;
  }

  failure(): AuditWriteError | null {
    return this.failed;
  }

  append(event: RunEvent): Promise<void> {
    return this.appendMarked(event);
  }

  /** append() for the record after a kept torn line, which carries the torn-line mark. */
  appendMarked(event: RunEvent, torn?: TornLineMark): Promise<void> {
    let anchor: AnchorLine;
    try {
      anchor = this.appendSync(event, torn);
    } catch (error) {
      return Promise.reject(error);
    }
    this.putEtcdAnchor(anchor);
    return this.runAnchorCommand(anchor);
  }

  private etcdQueue: Promise<void> = Promise.resolve();
  private etcdHead: Head | null = null;
  private etcdError: { seq: number; message: string } | null = null;

  /**
   * Queues the PUT of this head to etcd. Not awaited by append: a slow or lost etcd must not hold up a
   * failover; a failure is kept and said in anchorSummary(). Only the newest head is sent when several
   * wait (each PUT overwrites the run's one key).
   */
  private putEtcdAnchor(anchor: AnchorLine): void {
    const target = this.etcdAnchor;
    if (target === null) return;
    this.latestAnchor = anchor;
    this.etcdQueue = this.etcdQueue.then(async () => {
      // After a failure the run is anchored only locally from there on; a newer head queued behind this one replaces it.
      if (this.etcdError !== null || this.latestAnchor !== anchor) return;
      try {
        await putEtcdAnchor(target, anchor);
        this.etcdHead = { seq: anchor.seq, hash: anchor.hash };
      } catch (error) {
        this.etcdError = { seq: anchor.seq, message: (error as Error).message };
      }
    });
  }

  private latestAnchor: AnchorLine | null = null;

  anchorSummary(): string {
    const local = `local anchors file ${this.anchorsPath}`;
    const command = this.anchorCommand !== null ? ' + anchor command' : '';
    if (this.etcdAnchor === null) return `anchored only locally (${local}${command}; no off-box anchor: set HATUI_ANCHOR_ETCD)`;
    const where = `etcd ${this.etcdAnchor.endpoints.join(',')} key hatui/anchors/${this.runId}`;
    if (this.etcdError !== null)
      return `anchored only locally from seq ${this.etcdError.seq} on (${local}${command}): the etcd anchor failed: ${this.etcdError.message}` + (this.etcdHead ? `; etcd holds head ${formatHead(this.etcdHead)}` : '');
    if (this.etcdHead === null) return `anchored only locally (${local}${command}): nothing reached ${where}`;
    return `anchored off the box: ${where} at head ${formatHead(this.etcdHead)} (and ${local}${command})`;
  }

  /** Writes one record (with a torn-line mark when given) and its anchor; throws AuditWriteError. */
  appendSync(event: RunEvent, torn?: TornLineMark): AnchorLine {
    if (this.failed) throw this.failed;
    if (this.closed) throw new AuditWriteError(`audit log ${this.path} is closed`, undefined);
    const durable = event.type !== 'command-output';
    const record = nextRecord(this.current, redactEvent(event, this.redact), new Date().toISOString(), torn);
    try {
      this.log.write(serializeRecord(record) + '\n', durable);
    } catch (error) {
      throw this.fail(error, `cannot write record seq ${record.seq} (${event.type}) to ${this.path}`);
    }
    this.current = { seq: record.seq, hash: record.hash };
    const anchor: AnchorLine = { runId: this.runId, log: this.path, seq: record.seq, hash: record.hash, at: record.at };
    try {
      this.anchors.write((this.pendingAnchorNewline ? '\n' : '') + anchorLine(anchor), durable);
      this.pendingAnchorNewline = false;
    } catch (error) {
      throw this.fail(error, `cannot write the head ${formatHead(this.current)} to the anchors file ${this.anchorsPath}`);
    }
    return anchor;
  }

  /** Adds a newline after a torn last line so the chain continues on a line of its own. */
  terminateTornLine(): void {
    try {
      this.log.write('\n', true);
    } catch (error) {
      throw this.fail(error, `cannot append to ${this.path}`);
    }
  }

  private runAnchorCommand(anchor: AnchorLine): Promise<void> {
    const command = this.anchorCommand;
    if (command === null) return Promise.resolve();
    const run = this.anchorQueue.then(() => {
      if (this.failed) throw this.failed;
      return runAnchorCommand(command, anchor).catch((error: unknown) => {
        throw this.fail(error, `the anchor command failed for head ${anchor.seq}:${anchor.hash}`);
      });
    });
    this.anchorQueue = run.catch(() => undefined);
    return run;
  }

  private fail(error: unknown, what: string): AuditWriteError {
    if (this.failed) return this.failed;
    const code = (error as { code?: string } | null)?.code;
    const reason = error instanceof Error ? error.message : String(error);
    this.failed = new AuditWriteError(
      `audit log write failed: ${what}: ${reason}. hatui stops here: nothing more runs un-audited` +
        (this.current ? ` (last durable head ${formatHead(this.current)})` : ''),
      code,
    );
    this.log.abandon();
    this.anchors.abandon();
    return this.failed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.anchorQueue;
    await this.etcdQueue;
    if (this.failed) {
      this.log.abandon();
      this.anchors.abandon();
      return;
    }
    try {
      this.log.flushAndClose();
      this.anchors.flushAndClose();
    } catch (error) {
      throw this.fail(error, `cannot flush ${this.path}`);
    }
  }
}

export type { FileAuditWriter };

function endsTorn(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY);
  } catch {
    return false;
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    closeSync(fd);
  }
}

export async function openAuditLog(options: OpenAuditLogOptions): Promise<AuditWriter> {
  const stateDir = resolve(options.stateDir ?? hatuiStateDir());
  const dir = runsDir(stateDir);
  const path = join(dir, logFileName(options.now ?? new Date(), options.runbookId, options.runId));
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
  } catch (error) {
    throw new AuditWriteError(`cannot create the audit log ${path}: ${(error as Error).message}. Nothing was run.`, (error as { code?: string }).code);
  }
  const anchorCommand = options.anchorCommand !== undefined ? options.anchorCommand : await resolveAnchorCommand();
  const etcdAnchor = options.etcdAnchor !== undefined ? options.etcdAnchor : await resolveEtcdAnchor();
  return new FileAuditWriter(path, options.runId, anchorsPath(stateDir), null, options.redact ?? noRedaction, anchorCommand, etcdAnchor);
}

/** The name run.ts uses: the file-backed EventSink for a run. */
export const createFileSink = openAuditLog;

/** Internal: a writer continuing an existing log at `head` (used by reopenForResume). */
export function continueAuditLog(path: string, runId: string, stateDir: string, head: Head | null, redact: Redact, anchorCommand: string | null, etcdAnchor: EtcdAnchorTarget | null = null): FileAuditWriter {
  return new FileAuditWriter(path, runId, anchorsPath(stateDir), head, redact, anchorCommand, etcdAnchor);
}
