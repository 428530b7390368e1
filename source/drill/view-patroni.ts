// A Patroni cluster view from the REST API: the leader is the member /cluster names leader whose
// own /patroni answers role primary (Patroni 3.x+) or master (before); healthy = that leader streams to every other member and every
// member is running (Patroni 3.0.2 shows replicas `running`, never `streaming`: LAB-FACTS gotcha 6).
import { httpFetch } from '../adapters/http-client.js';
import { parsePatroniCluster, parsePatroniStatus } from '../adapters/probes/patroni.js';
import type { ClusterView } from '../core/drill/observe.js';

export interface PatroniMemberRef {
  name: string;
  /** REST base URL, e.g. http://127.0.0.1:55020 */
  url: string;
}

const TIMEOUT_MS = 600;

async function fetchJson(url: string): Promise<unknown> {
  const res = await httpFetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  return res.json();
}

/** A member's own /patroni role for the primary: `master` before Patroni 3.x's rename, `primary` after. */
export function isPrimaryRole(role: string | null): boolean {
  return role === 'primary' || role === 'master';
}

/**
 * Reads /cluster and /patroni with the Patroni probe's parsers (the one reading of Patroni's answers), then
 * applies the drill's stricter acceptance: the leader /cluster names must itself answer as primary, running.
 */
export function patroniViewSource(members: PatroniMemberRef[], getJson: (url: string) => Promise<unknown> = fetchJson) {
  return async (now: () => number): Promise<ClusterView> => {
    const clusters = await Promise.all(members.map((m) => getJson(`${m.url}/cluster`).then(parsePatroniCluster).catch(() => null)));
    const atMs = now();
    const reachable = members.filter((_, i) => clusters[i] !== null).map((m) => m.name);
    const listing = clusters.find((c) => c !== null) ?? [];
    const named = listing.find((m) => m.role === 'leader');
    let leader: string | null = null;
    let streaming: string[] = [];
    if (named) {
      const ref = members.find((m) => m.name === named.name);
      const status = ref ? await getJson(`${ref.url}/patroni`).then(parsePatroniStatus).catch(() => null) : null;
      if (status && isPrimaryRole(status.role) && status.state === 'running') {
        leader = named.name;
        streaming = status.replication.filter((r) => r.state === 'streaming').map((r) => r.name);
      }
    }
    const states = members.map((m) => {
      const entry = listing.find((x) => x.name === m.name);
      const role = entry?.role === 'sync_standby' ? 'sync' : (entry?.role ?? '?');
      const up = reachable.includes(m.name);
      return `${m.name} ${up ? (entry?.state ?? '?') : 'unreachable'}${entry ? ` ${role}` : ''}${streaming.includes(m.name) ? ' streaming' : ''}`;
    });
    const healthy =
      leader !== null &&
      members.every((m) => reachable.includes(m.name) && listing.find((x) => x.name === m.name)?.state === 'running') &&
      members.filter((m) => m.name !== leader).every((m) => streaming.includes(m.name));
    return { atMs, leader, healthy, detail: states.join(', '), reachable };
  };
}
