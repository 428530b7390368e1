// Wiring for the runner: one transport per kind, picked per resolved target, with redaction of the
// request's secrets (and any static ones, e.g. inventory credentials) applied to streamed chunks and results.
import type { ResolvedTarget } from '../../core/engine/events.js';
import type { Inventory } from '../../core/inventory/model.js';
import { createChunkRedactor, redactResult } from '../../core/secrets/chunks.js';
import type { CommandRequest, CommandResult, Transport } from '../../core/transport.js';
import { LocalTransport } from '../local/local-transport.js';
import { SshTransport, type SshTransportOptions } from './ssh-transport.js';

export { SshTransport, type SshTransportOptions, type HostKeyInfo } from './ssh-transport.js';
export { SshConnection } from './connection.js';
export { HostKeyError, SshConnectError } from './errors.js';
export { sshEndpoint, endpointLabel, type SshEndpoint } from './endpoint.js';

/** Wraps a transport so no secret (static ones + the request's secretEnv values) leaves it in clear. */
export function redactingTransport(inner: Transport, staticSecrets: readonly string[] = []): Transport {
  return {
    async run(request: CommandRequest): Promise<CommandResult> {
      const secrets = [...staticSecrets, ...Object.values(request.secretEnv ?? {})].filter((s) => s.length > 0);
      if (secrets.length === 0) return inner.run(request);
      const redactor = createChunkRedactor(secrets);
      const onChunk = request.onChunk;
      const result = await inner.run({
        ...request,
        ...(onChunk
          ? {
              onChunk: (chunk) => {
                const safe = redactor.push(chunk);
                if (safe) onChunk(safe);
              },
            }
          : {}),
      });
      if (onChunk) for (const chunk of redactor.flush()) onChunk(chunk);
      return redactResult(result, secrets);
    },
    close: () => inner.close(),
  };
}

export interface Transports {
  transportFor(target: ResolvedTarget | string): Transport;
  /** The pooled SSH transport (host keys, stats). */
  readonly ssh: SshTransport;
  closeAll(): Promise<void>;
}

export interface CreateTransportsOptions extends SshTransportOptions {
  /** Secrets to mask in every result besides each request's own secretEnv (inventory credentials). */
  secrets?: readonly string[];
}

/** `local` and hosts with `transport: local` run through execa; every other inventory host over pooled SSH. */
export function createTransports(inventory: Inventory, opts: CreateTransportsOptions = {}): Transports {
  const ssh = new SshTransport(inventory, opts);
  const local = new LocalTransport();
  const secrets = opts.secrets ?? [];
  const wrappedSsh = redactingTransport(ssh, secrets);
  const wrappedLocal = redactingTransport(local, secrets);
  return {
    ssh,
    transportFor(target) {
      const name = typeof target === 'string' ? target : target.host;
      if (name === 'local') return wrappedLocal;
      const host = Object.hasOwn(inventory.hosts, name) ? inventory.hosts[name] : undefined;
      if (!host) throw new Error(`no host '${name}' in the inventory`);
      return host.transport === 'local' ? wrappedLocal : wrappedSsh;
    },
    async closeAll() {
      await Promise.allSettled([ssh.close(), local.close()]);
    },
  };
}
