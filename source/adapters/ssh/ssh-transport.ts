// Pooled SSH transport: one ssh2 connection per inventory host, reused by every command (channels
// multiplexed, at most maxSessions at once, like sshd's MaxSessions), reopened on the next command after
// a drop. Jump hosts are ProxyJump-style: the target's SSH session runs over a channel forwarded by the
// jump host's own pooled connection. Outcomes: ok | failed | timed-out | cancelled | unknown — unknown
// whenever the exit status was not observed (connection lost), never ok.
import { performance } from 'node:perf_hooks';
import type { ClientChannel } from 'ssh2';
import type { Inventory } from '../../core/inventory/model.js';
import { readCredential, type CredentialReader } from '../../core/secrets/credentials.js';
import type { CommandRequest, CommandResult, Transport } from '../../core/transport.js';
import { systemCredentialReader } from '../credential-reader.js';
import { SshConnection } from './connection.js';
import { endpointLabel, sshEndpoint, type EndpointOptions, type SshEndpoint } from './endpoint.js';
import { HostKeyError, SshConnectError } from './errors.js';
import { buildRemoteCommand } from './remote-command.js';
import { RemoteRun, type RemoteRunOptions } from './remote-run.js';

export interface SshTransportOptions extends EndpointOptions, RemoteRunOptions {
  /** Concurrent channels per connection (sshd's MaxSessions default is 10). */
  maxSessions?: number;
  /** The remote hard bound is the local timeout plus this. */
  remoteGraceMs?: number;
  /** Reads the hosts' `secretEnv` credentials (default: hatui's environment and files). */
  credentials?: CredentialReader;
}

export interface HostKeyInfo {
  host: string;
  /** `address:port` as connected. */
  address: string;
  fingerprint: string;
}

class Slots {
  private used = 0;
  private waiting: Array<() => void> = [];
  constructor(private readonly max: number) {}
  async take(): Promise<() => void> {
    if (this.used >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    else this.used++;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.used--;
    };
  }
}

export class SshTransport implements Transport {
  /** Handshakes performed (tests and the benchmark use it to show pooling). */
  readonly stats = { connects: 0 };
  private readonly pool = new Map<string, Promise<SshConnection>>();
  private readonly slots = new Map<string, Slots>();
  private readonly endpoints = new Map<string, SshEndpoint>();

  constructor(
    private readonly inventory: Inventory,
    private readonly opts: SshTransportOptions = {},
  ) {}

  endpoint(host: string): SshEndpoint {
    let e = this.endpoints.get(host);
    if (!e) {
      e = sshEndpoint(this.inventory, host, this.opts);
      this.endpoints.set(host, e);
    }
    return e;
  }

  /** The pooled, authenticated connection to a host (opened on first use or after a drop). */
  connection(host: string): Promise<SshConnection> {
    const existing = this.pool.get(host);
    if (existing) return existing;
    const opening = this.open(host);
    this.pool.set(host, opening);
    opening.then(
      (conn) => void conn.onClose(() => this.pool.get(host) === opening && this.pool.delete(host)),
      () => this.pool.get(host) === opening && this.pool.delete(host),
    );
    return opening;
  }

  private async open(host: string, seen: string[] = []): Promise<SshConnection> {
    const endpoint = this.endpoint(host);
    const jumpName = endpoint.jump;
    let via: (() => Promise<ClientChannel>) | undefined;
    if (jumpName) {
      if (seen.includes(jumpName)) throw new SshConnectError(`${host}: jump host loop (${[...seen, host, jumpName].join(' → ')})`, host, endpointLabel(endpoint));
      via = async () => {
        let jump: SshConnection;
        try {
          jump = await this.connection(jumpName);
        } catch (e) {
          if (e instanceof HostKeyError) throw e;
          const jumpLabel = endpointLabel(this.endpoint(jumpName));
          throw new SshConnectError(`${endpointLabel(endpoint)} (${host}): via jump host '${jumpName}' (${jumpLabel}): ${(e as Error).message}`, host, endpointLabel(endpoint));
        }
        try {
          return await jump.forwardOut(endpoint.address, endpoint.port);
        } catch (e) {
          throw new SshConnectError(
            `${endpointLabel(endpoint)} (${host}): jump host '${jumpName}' (${jump.label}) could not open a tunnel: ${(e as Error).message}`,
            host,
            endpointLabel(endpoint),
          );
        }
      };
    }
    const conn = await SshConnection.open(endpoint, via ? { via } : {});
    this.stats.connects++;
    return conn;
  }

  /** Address and verified host-key fingerprint of a host (connects if needed). */
  async hostKey(host: string): Promise<HostKeyInfo> {
    const conn = await this.connection(host);
    return { host, address: conn.label, fingerprint: conn.hostKey.fingerprint };
  }

  private slotsFor(host: string): Slots {
    let s = this.slots.get(host);
    if (!s) {
      s = new Slots(this.opts.maxSessions ?? 10);
      this.slots.set(host, s);
    }
    return s;
  }

  async run(request: CommandRequest): Promise<CommandResult> {
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    const notStarted = (message: string, address?: string): CommandResult => ({
      host: request.host,
      ...(address ? { address } : {}),
      command: request.command,
      exitCode: null,
      signal: null,
      startedAt,
      finishedAt: new Date().toISOString(),
      durationMs: Math.round(performance.now() - t0),
      outcome: request.signal?.aborted ? 'cancelled' : 'failed',
      message,
      stdout: '',
      stderr: '',
    });
    if (request.signal?.aborted) return notStarted('cancelled by the operator before it started');

    let endpoint: SshEndpoint;
    const hostSecrets: Record<string, string> = {};
    try {
      endpoint = this.endpoint(request.host);
      const reader = this.opts.credentials ?? systemCredentialReader(this.opts.env);
      for (const [name, source] of Object.entries(endpoint.secretEnv)) hostSecrets[name] = readCredential(source, reader, `hosts.${request.host}.secretEnv.${name}`);
    } catch (e) {
      return notStarted((e as Error).message);
    }
    const release = await this.slotsFor(request.host).take();
    try {
      const remote = buildRemoteCommand({
        command: request.command,
        env: { ...endpoint.env, ...request.env },
        secretEnv: { ...hostSecrets, ...request.secretEnv },
        remoteTimeoutMs: request.timeoutMs + (this.opts.remoteGraceMs ?? 5000),
      });
      // A command that never got a channel never ran: retry when sshd's session limit was hit for a
      // moment (it frees a session slightly after the close) and reconnect once on a stale connection.
      let reconnected = false;
      for (let attempt = 0; ; attempt++) {
        let conn: SshConnection | undefined;
        try {
          conn = await this.connection(request.host);
          const run = new RemoteRun(request, conn, remote.stdinPrelude, startedAt, t0, this.opts);
          await conn.exec(remote.exec, (channel) => run.attach(channel));
          return await run.start();
        } catch (e) {
          if (e instanceof HostKeyError) throw e;
          const message = (e as Error).message;
          if (/open failed/i.test(message) && attempt < 40) {
            await new Promise((r) => setTimeout(r, 25));
            continue;
          }
          const stale = conn?.closed || /not connected|No response|ECONNRESET/i.test(message);
          if (!reconnected && conn && stale) {
            reconnected = true;
            this.drop(request.host, conn);
            continue;
          }
          const msg = e instanceof SshConnectError ? message : `${endpointLabel(endpoint)} (${request.host}): ${message}`;
          return notStarted(msg, endpointLabel(endpoint));
        }
      }
    } finally {
      release();
    }
  }

  private drop(host: string, conn: SshConnection): void {
    conn.close();
    const p = this.pool.get(host);
    if (p) void p.then((c) => c === conn && this.pool.get(host) === p && this.pool.delete(host)).catch(() => {});
  }

  async close(): Promise<void> {
    const conns = await Promise.allSettled([...this.pool.values()]);
    this.pool.clear();
    // Close targets before the jump hosts they tunnel through.
    const open = conns.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
    open.sort((a, b) => Number(Boolean(b.endpoint.jump)) - Number(Boolean(a.endpoint.jump)));
    for (const c of open) c.close();
  }
}
