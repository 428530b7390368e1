// One command on one SSH channel: streamed output, exit status, the remote kill on timeout or cancel,
// and the loss of the connection — turned into one flat CommandResult with an honest outcome.
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import { formatDuration } from '../../core/duration.js';
import type { CommandOutcome } from '../../core/outcome.js';
import type { CommandRequest, CommandResult } from '../../core/transport.js';
import type { SshConnection } from './connection.js';
import { KILL_LINE, SECRET_READ_FAILED } from './remote-command.js';

export interface RemoteRunOptions {
  /** After a kill request, wait this long for the exit status before calling the outcome unknown. */
  killWaitMs?: number;
  /** After the exit status, wait this long for the channel to close (output held open by leftovers). */
  drainMs?: number;
}

/** Each of stdout/stderr keeps at most this much in the result (the tail); chunks still stream in full. */
const RESULT_MAX_CHARS = 4 * 1024 * 1024;

/** One command on one channel: output, exit status, kill on timeout or cancel, loss of the connection. */
export class RemoteRun {
  private readonly out = { stdout: '', stderr: '' };
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private readonly timers: NodeJS.Timeout[] = [];
  private channel: ClientChannel | undefined;
  private ended: 'timeout' | 'cancel' | undefined;
  private exit: { code: number | null; signal: string | null } | undefined;
  private lost: string | undefined;
  private done = false;
  private unsubscribe: () => void = () => {};
  private resolve: (r: CommandResult) => void = () => {};
  private readonly result = new Promise<CommandResult>((r) => (this.resolve = r));
  private readonly onAbort = () => this.stop('cancel');

  constructor(
    private readonly request: CommandRequest,
    private readonly conn: SshConnection,
    private readonly prelude: string,
    private readonly startedAt: string,
    private readonly t0: number,
    private readonly opts: RemoteRunOptions,
  ) {}

  /** Runs synchronously in the channel-open callback. */
  attach(channel: ClientChannel): void {
    this.channel = channel;
    channel.on('data', (d: Buffer) => this.emit('stdout', this.decoders.stdout.write(d)));
    channel.stderr.on('data', (d: Buffer) => this.emit('stderr', this.decoders.stderr.write(d)));
    channel.on('exit', (code: number | null, signal?: string) => {
      this.exit = { code: typeof code === 'number' ? code : null, signal: signal ?? null };
      // Output held open by leftovers (a backgrounded daemon) must not hold the result forever.
      this.timers.push(setTimeout(() => this.finish(), this.opts.drainMs ?? 2000));
    });
    channel.on('close', () => this.finish());
    this.unsubscribe = this.conn.onClose((why) => {
      this.lost = why;
      this.finish();
    });
  }

  start(): Promise<CommandResult> {
    const { request } = this;
    this.timers.push(setTimeout(() => this.stop('timeout'), request.timeoutMs));
    request.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (request.signal?.aborted) this.stop('cancel');
    if (this.prelude && !this.done) this.channel?.write(this.prelude);
    return this.result;
  }

  private emit(stream: 'stdout' | 'stderr', data: string): void {
    if (data === '') return;
    const kept = this.out[stream] + data;
    this.out[stream] = kept.length > RESULT_MAX_CHARS ? kept.slice(kept.length - RESULT_MAX_CHARS) : kept;
    this.request.onChunk?.({ stream, data, at: new Date().toISOString() });
  }

  private stop(why: 'timeout' | 'cancel'): void {
    if (this.ended || this.done) return;
    this.ended = why;
    this.channel?.write(KILL_LINE);
    this.timers.push(setTimeout(() => this.finish(), this.opts.killWaitMs ?? 5000));
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
    this.request.signal?.removeEventListener('abort', this.onAbort);
    this.emit('stdout', this.decoders.stdout.end());
    this.emit('stderr', this.decoders.stderr.end());
    try {
      this.channel?.close();
    } catch {
      // already closed
    }
    const { request, conn, exit, ended } = this;
    const { outcome, message } = classify({ ended, exit, lost: this.lost, timeoutMs: request.timeoutMs, label: conn.label, host: request.host, hadSecrets: this.prelude !== '' });
    this.resolve({
      host: request.host,
      address: conn.label,
      command: request.command,
      exitCode: ended ? null : (exit?.code ?? null),
      signal: exit?.signal ?? null,
      startedAt: this.startedAt,
      finishedAt: new Date().toISOString(),
      durationMs: Math.round(performance.now() - this.t0),
      outcome,
      ...(message ? { message } : {}),
      stdout: this.out.stdout,
      stderr: this.out.stderr,
    });
  }
}

function classify(r: {
  ended: 'timeout' | 'cancel' | undefined;
  exit: { code: number | null; signal: string | null } | undefined;
  lost: string | undefined;
  timeoutMs: number;
  label: string;
  host: string;
  hadSecrets: boolean;
}): { outcome: CommandOutcome; message?: string } {
  const where = `${r.label} (${r.host})`;
  if (!r.exit) {
    if (r.ended === 'timeout') return { outcome: 'unknown', message: `timed out after ${formatDuration(r.timeoutMs)}; the kill was not confirmed by ${where}: the command may still be running` };
    if (r.ended === 'cancel') return { outcome: 'unknown', message: `cancelled; the kill was not confirmed by ${where}: the command may still be running` };
    return { outcome: 'unknown', message: `${where}: ${r.lost ?? 'channel closed'} before the exit status arrived; the command may still be running or may have finished` };
  }
  if (r.ended === 'timeout') return { outcome: 'timed-out', message: `timed out after ${formatDuration(r.timeoutMs)} (process group killed on ${where})` };
  if (r.ended === 'cancel') return { outcome: 'cancelled', message: `cancelled by the operator (process group killed on ${where})` };
  if (r.exit.code === 0) return { outcome: 'ok' };
  if (r.exit.code === SECRET_READ_FAILED && r.hadSecrets) return { outcome: 'failed', message: `exit code ${SECRET_READ_FAILED}: the secrets could not be read on ${where} (needs base64 there)` };
  if (r.exit.code !== null) return { outcome: 'failed', message: `exit code ${r.exit.code}` };
  return { outcome: 'failed', message: `killed by ${r.exit.signal ?? 'a signal'}` };
}
