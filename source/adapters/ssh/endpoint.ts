// Effective SSH settings of an inventory host: inventory defaults, then the host's own settings, with
// paths resolved against the inventory's directory and `~` against $HOME.
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { parseDuration } from '../../core/duration.js';
import type { CredentialSource, Inventory, SshSettings } from '../../core/inventory/model.js';

export interface SshEndpoint {
  /** Inventory host name. */
  host: string;
  address: string;
  port: number;
  user: string;
  identityFile?: string;
  /** ssh-agent socket path when agent auth is on. */
  agent?: string;
  knownHostsFile: string;
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  /** Inventory host name of the jump host. */
  jump?: string;
  /** Host env exported before every command. */
  env: Record<string, string>;
  /** Host secret env (where each value comes from), read when a command starts. */
  secretEnv: Record<string, CredentialSource>;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_KEEPALIVE_INTERVAL_MS = 5_000;

export interface EndpointOptions {
  /** Directory relative paths in the inventory are resolved against (the inventory file's directory). */
  baseDir?: string;
  env?: NodeJS.ProcessEnv;
}

function expandPath(path: string, baseDir: string): string {
  if (path === '~' || path.startsWith('~/')) return resolve(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

function ms(value: string | number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const d = parseDuration(value);
  return d.ok && d.ms > 0 ? d.ms : fallback;
}

export function sshEndpoint(inventory: Inventory, hostName: string, opts: EndpointOptions = {}): SshEndpoint {
  const host = Object.prototype.hasOwnProperty.call(inventory.hosts, hostName) ? inventory.hosts[hostName] : undefined;
  if (!host) throw new Error(`no host '${hostName}' in the inventory`);
  const env = opts.env ?? process.env;
  const baseDir = opts.baseDir ?? process.cwd();
  const s: SshSettings = { ...inventory.defaults?.ssh, ...host.ssh };
  const agentSock = s.agent ? env.SSH_AUTH_SOCK : undefined;
  return {
    host: hostName,
    address: host.address,
    port: s.port ?? 22,
    user: s.user ?? env.USER ?? 'root',
    ...(s.identityFile ? { identityFile: expandPath(s.identityFile, baseDir) } : {}),
    ...(agentSock ? { agent: agentSock } : {}),
    knownHostsFile: expandPath(s.knownHosts ?? '~/.ssh/known_hosts', baseDir),
    connectTimeoutMs: ms(s.connectTimeout, DEFAULT_CONNECT_TIMEOUT_MS),
    keepaliveIntervalMs: ms(s.keepaliveInterval, DEFAULT_KEEPALIVE_INTERVAL_MS),
    // A host never jumps through itself (defaults.ssh.jump names the jump host, which connects directly).
    ...(s.jump && s.jump !== hostName ? { jump: s.jump } : {}),
    env: host.env ?? {},
    secretEnv: host.secretEnv ?? {},
  };
}

export function endpointLabel(e: Pick<SshEndpoint, 'address' | 'port'>): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}
