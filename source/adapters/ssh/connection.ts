// One authenticated ssh2 connection to one host: our own TCP socket with TCP_NODELAY (ssh2 + Nagle costs
// ~40 ms per exec, LAB-FACTS gotcha 16), or a channel forwarded through a jump host's connection; host key
// verified against known_hosts before authentication; keepalive; a connect deadline.
import ssh2 from 'ssh2';
import type { Client, ClientChannel, ConnectConfig } from 'ssh2';
import { readFile } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { endpointLabel, type SshEndpoint } from './endpoint.js';
import { HostKeyError, SshConnectError, type HostKeyRefusal } from './errors.js';
import { fingerprintOf, knownKeyTypes, parseKnownHosts, verifyHostKey, type KnownHostEntry } from './known-hosts.js';

const HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

/** Host key algorithms with the ones already known for the host first, as OpenSSH orders them. */
function hostKeyOrder(knownTypes: string[]): string[] {
  const preferred = knownTypes.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  return [...new Set([...preferred.filter((a) => HOST_KEY_ALGORITHMS.includes(a)), ...HOST_KEY_ALGORITHMS])];
}

export async function readKnownHosts(file: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Key a server presents, captured during the handshake. */
export interface PresentedKey {
  blob: Buffer;
  fingerprint: string;
}

export interface OpenOptions {
  /** Transport the SSH session runs over (a jump host's forwarded channel); default: a new TCP socket. */
  via?: () => Promise<Duplex>;
  /** Only capture the host key and disconnect (for `hosts trust`). */
  scanOnly?: boolean;
}

export class SshConnection {
  readonly label: string;
  closed = false;
  private closeListeners: Array<(why: string) => void> = [];

  private constructor(
    readonly endpoint: SshEndpoint,
    readonly client: Client,
    readonly hostKey: PresentedKey,
  ) {
    this.label = endpointLabel(endpoint);
    const onGone = (why: string) => {
      if (this.closed) return;
      this.closed = true;
      for (const l of this.closeListeners.splice(0)) l(why);
    };
    client.on('close', () => onGone('connection closed'));
    client.on('end', () => onGone('connection ended'));
    client.on('error', (e: Error) => onGone(e.message));
  }

  /** Calls listener once when the connection is gone; returns an unsubscribe function. */
  onClose(listener: (why: string) => void): () => void {
    if (this.closed) {
      listener('connection closed');
      return () => {};
    }
    this.closeListeners.push(listener);
    return () => {
      const i = this.closeListeners.indexOf(listener);
      if (i >= 0) this.closeListeners.splice(i, 1);
    };
  }

  /**
   * Opens an exec channel. `attach` runs synchronously when the channel opens: ssh2 may parse the
   * command's exit status in the same read as the open confirmation, and an `exit` listener attached after
   * an await would miss it.
   */
  exec(command: string, attach: (channel: ClientChannel) => void): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error(`${this.label}: connection closed`));
      this.client.exec(command, (err, channel) => {
        if (err) return reject(err);
        attach(channel);
        resolve(channel);
      });
    });
  }

  /** A TCP channel from this host to address:port (what a jump host provides). */
  forwardOut(address: string, port: number): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error(`${this.label}: connection closed`));
      this.client.forwardOut('127.0.0.1', 0, address, port, (err, channel) => (err ? reject(err) : resolve(channel)));
    });
  }

  close(): void {
    this.client.end();
  }

  /** Connects, verifies the host key, authenticates. Throws HostKeyError (refusal) or SshConnectError. */
  static async open(endpoint: SshEndpoint, opts: OpenOptions = {}): Promise<SshConnection> {
    const label = endpointLabel(endpoint);
    const fail = (message: string) => new SshConnectError(`${label} (${endpoint.host}): ${message}`, endpoint.host, label);
    const entries = await readKnownHosts(endpoint.knownHostsFile).catch((e: Error) => {
      throw fail(`cannot read known_hosts ${endpoint.knownHostsFile}: ${e.message}`);
    });
    let privateKey: Buffer | undefined;
    if (endpoint.identityFile) {
      const file = endpoint.identityFile;
      privateKey = await readFile(file).catch((e: Error) => {
        throw fail(`cannot read identity file ${file}: ${e.message}`);
      });
      // hatui never asks for a key's passphrase (nothing may wait on a prompt mid-run): an encrypted key
      // is for ssh-agent. With the agent on, the agent authenticates; without it, say how to fix it.
      const parsed = ssh2.utils.parseKey(privateKey);
      if (parsed instanceof Error) {
        if (!/passphrase|encrypted/i.test(parsed.message)) throw fail(`identity file ${file} is not a private key hatui can read: ${parsed.message}`);
        if (!endpoint.agent) throw fail(`identity file ${file} is passphrase-protected; hatui does not ask for passphrases: load it into ssh-agent (ssh-add ${file}) and set ssh.agent: true`);
        privateKey = undefined;
      }
    }
    if (!privateKey && !endpoint.agent && !opts.scanOnly) throw fail('no identityFile and no ssh-agent (set ssh.identityFile or ssh.agent: true with SSH_AUTH_SOCK)');

    const deadline = Date.now() + endpoint.connectTimeoutMs;
    const sock: Duplex = opts.via ? await opts.via() : await tcpConnect(endpoint, endpoint.connectTimeoutMs).catch((e: Error) => {
      throw fail(e.message);
    });

    const client = new ssh2.Client();
    let presented: PresentedKey | undefined;
    let refusal: HostKeyRefusal | undefined;
    const config: ConnectConfig = {
      sock: sock as unknown as Socket,
      username: endpoint.user,
      ...(privateKey ? { privateKey } : {}),
      ...(endpoint.agent ? { agent: endpoint.agent } : {}),
      readyTimeout: Math.max(1000, deadline - Date.now()),
      keepaliveInterval: endpoint.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      algorithms: { serverHostKey: hostKeyOrder(knownKeyTypes(entries, endpoint.address, endpoint.port)) as never },
      hostVerifier: (key: Buffer) => {
        presented = { blob: Buffer.from(key), fingerprint: fingerprintOf(key) };
        if (opts.scanOnly) return false;
        const verdict = verifyHostKey(entries, endpoint.address, endpoint.port, key);
        if (verdict.status === 'trusted') return true;
        refusal = verdict;
        return false;
      },
    };
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => {
        cleanup();
        reject(e);
      };
      const onReady = () => {
        cleanup();
        resolve();
      };
      const onClose = () => {
        cleanup();
        reject(new Error('connection closed during the handshake'));
      };
      const cleanup = () => {
        client.off('error', onError);
        client.off('ready', onReady);
        client.off('close', onClose);
      };
      client.on('error', onError);
      client.on('ready', onReady);
      client.on('close', onClose);
      try {
        client.connect(config);
      } catch (e) {
        onError(e as Error);
      }
    }).catch((e: Error) => {
      client.end();
      sock.destroy();
      if (opts.scanOnly && presented) return;
      if (refusal) throw new HostKeyError(endpoint.host, label, refusal, endpoint.knownHostsFile);
      const level = (e as { level?: string }).level;
      if (level === 'client-authentication') throw fail(`authentication as ${endpoint.user} failed (${e.message})`);
      if (/timed out/i.test(e.message)) throw fail(`SSH handshake timed out after ${endpoint.connectTimeoutMs} ms`);
      throw fail(e.message);
    });
    if (!presented) throw fail('server presented no host key');
    // Swallow late errors after a scan; the normal path listens in the constructor.
    client.on('error', () => {});
    return new SshConnection(endpoint, client, presented);
  }

  /** Only fetch the key a server presents (no authentication). */
  static async scanHostKey(endpoint: SshEndpoint, opts: Omit<OpenOptions, 'scanOnly'> = {}): Promise<PresentedKey> {
    const conn = await SshConnection.open(endpoint, { ...opts, scanOnly: true });
    return conn.hostKey;
  }
}

function tcpConnect(endpoint: SshEndpoint, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = netConnect({ host: endpoint.address, port: endpoint.port });
    sock.setNoDelay(true);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`TCP connect timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.setKeepAlive(true, 10_000);
      resolve(sock);
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(`cannot connect: ${e.code ?? e.message}`));
    });
  });
}
