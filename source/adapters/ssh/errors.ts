// Errors of the SSH adapter. Every message names `host:port`; refusals (host keys) exit 4.
import { ExitCode, HatuiError } from '../../core/exit-codes.js';
import type { HostKeyVerdict } from './known-hosts.js';

export type HostKeyRefusal = Exclude<HostKeyVerdict, { status: 'trusted' }>;

export class HostKeyError extends HatuiError {
  constructor(
    readonly host: string,
    readonly endpoint: string,
    readonly verdict: HostKeyRefusal,
    readonly knownHostsFile: string,
  ) {
    super(hostKeyMessage(host, endpoint, verdict, knownHostsFile), ExitCode.refused);
    this.name = 'HostKeyError';
  }
}

export function hostKeyMessage(host: string, endpoint: string, verdict: HostKeyRefusal, file: string): string {
  switch (verdict.status) {
    case 'unknown':
      return `${endpoint} (${host}): unknown host key ${verdict.fingerprint}; not in ${file}. Check it out of band, then run \`hatui hosts trust ${host}\``;
    case 'mismatch':
      return [
        `${endpoint} (${host}): HOST KEY MISMATCH, refusing to connect (possible man-in-the-middle)`,
        `  presented: ${verdict.fingerprint}`,
        ...verdict.known.map((k) => `  expected:  ${k.fingerprint} (${k.keyType}, ${file}:${k.line})`),
        `If the host was really re-keyed, remove the old entry (ssh-keygen -R) and trust the new key with \`hatui hosts trust ${host}\``,
      ].join('\n');
    case 'revoked':
      return `${endpoint} (${host}): host key ${verdict.fingerprint} is marked @revoked in ${file}:${verdict.line}; refusing to connect`;
    default: {
      const never: never = verdict;
      return String(never);
    }
  }
}

/** Could not reach or log in to a host (the command never started). */
export class SshConnectError extends Error {
  constructor(
    message: string,
    readonly host: string,
    readonly endpoint: string,
  ) {
    super(message);
    this.name = 'SshConnectError';
  }
}
