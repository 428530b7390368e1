// The one host:port parser for inventory endpoints, Sentinel addresses and HAProxy endpoints:
// `host:port`, `[v6]:port`, a bare IPv6 address is refused (its last group would be read as a port), and
// an optional scheme and path (`redis://h:1/0`, `http://h:1/x`) are dropped. Errors name the text.
import { ExitCode, HatuiError } from './exit-codes.js';

export interface HostPort {
  host: string;
  port: number;
}

export function parseHostPort(text: string): HostPort {
  const bare = text.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '');
  const m = /^\[([0-9a-f:.%a-z]+)\]:(\d+)$/i.exec(bare) ?? /^([^:[\]]+):(\d+)$/.exec(bare);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !m[1] || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new HatuiError(`'${text}': expected host:port (an IPv6 address in brackets: [::1]:6379)`, ExitCode.usage);
  }
  return { host: m[1], port };
}

/** `host:port` again, with brackets around an IPv6 host. */
export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
