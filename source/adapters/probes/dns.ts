// DNS probe: asks each authoritative server of a `dns` cluster (members, `host:port`) for the names the
// panel shows: the SRV record (target and port: the lab's regions share 127.0.0.1, so the port says
// which region a name points at) and the A records with their TTL, as that server answers them now, never
// through the system resolver or /etc/hosts. A server that does not answer marks its target stale.
import { Resolver } from 'node:dns/promises';
import type { DnsName, DnsState } from '../../core/cluster-state.js';
import { parseHostPort } from '../../core/host-port.js';
import { targetStatuses } from './common.js';
import type { ClusterProbe, TargetResult } from './types.js';

/** One server's answers for every name. */
export type DnsAnswers = DnsName[];

function reason(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code ?? e.message ?? String(error);
}

/** Resolves `names` at `server` (`host:port`), each name's failure kept on the name. */
export async function askServer(server: string, names: readonly string[], signal: AbortSignal): Promise<DnsAnswers> {
  const { host, port } = parseHostPort(server);
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([`${host.includes(':') ? `[${host}]` : host}:${port}`]);
  const cancel = () => resolver.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    const answers = await Promise.all(
      names.map(async (name): Promise<DnsName> => {
        const [srv, a] = await Promise.allSettled([resolver.resolveSrv(name), resolver.resolve4(name, { ttl: true })]);
        const first = srv.status === 'fulfilled' ? srv.value[0] : undefined;
        const addresses = a.status === 'fulfilled' ? a.value : [];
        const failed = srv.status === 'rejected' && a.status === 'rejected' ? reason(a.reason) : null;
        return {
          name,
          srv: first ? { target: first.name, port: first.port } : null,
          addresses: addresses.map((r) => r.address),
          ttlSeconds: addresses[0]?.ttl ?? null,
          error: failed,
        };
      }),
    );
    // Every name timing out is the server not answering: the target is stale, not the names unknown.
    if (answers.length > 0 && answers.every((n) => n.error !== null && /ETIMEOUT|ECONNREFUSED|ECANCELLED/.test(n.error))) {
      throw new Error(`${server}: ${answers[0]!.error}`);
    }
    return answers;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

export function combineDns(name: string, results: readonly TargetResult<DnsAnswers>[], now: number): DnsState {
  // The first server with a fresh answer, else the first with any (its target is marked stale).
  const shown = results.find((r) => r.last && r.error === null) ?? results.find((r) => r.last);
  return {
    kind: 'dns',
    name,
    fetchedAt: new Date(now).toISOString(),
    targets: targetStatuses(results, now),
    server: shown?.address ?? null,
    names: shown?.last ?? [],
  };
}

export const dnsProbe: ClusterProbe<DnsAnswers> = {
  kinds: ['dns'],
  targets(_name, cluster) {
    const names = cluster.names ?? [];
    return cluster.members
      .filter((m) => m.endpoint)
      .map((m) => ({ id: m.name, address: m.endpoint!, fetch: (signal: AbortSignal) => askServer(m.endpoint!, names, signal) }));
  },
  combine: (name, _cluster, results, _prev, now) => combineDns(name, results, now),
};

/**
 * Where a name points now, asked at `server` (not the system resolver): its SRV record's target and port
 * (the target's A record as the host when the server has one), else its A record with `defaultPort`.
 */
export async function resolveEndpoint(server: string, name: string, defaultPort: number): Promise<{ host: string; port: number }> {
  const { host, port } = parseHostPort(server);
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([`${host.includes(':') ? `[${host}]` : host}:${port}`]);
  const srv = await resolver.resolveSrv(name).catch(() => []);
  const first = srv[0];
  if (first) {
    const address = await resolver.resolve4(first.name).catch(() => []);
    return { host: address[0] ?? first.name, port: first.port };
  }
  const address = await resolver.resolve4(name).catch((error: unknown) => {
    throw new Error(`${name} does not resolve at ${server}: ${reason(error)}`);
  });
  return { host: address[0]!, port: defaultPort };
}
