// A Patroni cluster view from the REST API: the leader is the member /cluster names leader whose
// own /patroni answers role master; healthy = that leader streams to every other member and every
// member is running (Patroni 3.0.2 shows replicas `running`, never `streaming`: LAB-FACTS gotcha 6).
import { httpFetch } from '../adapters/http-client.js';
import type { ClusterView } from '../core/drill/observe.js';

export interface PatroniMemberRef {
  name: string;
  /** REST base URL, e.g. http://127.0.0.1:55020 */
  url: string;
}

const TIMEOUT_MS = 600;

async function getJson(url: string): Promise<unknown> {
  const res = await httpFetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  return res.json();
}

interface ClusterMemberJson {
  name?: unknown;
  role?: unknown;
  state?: unknown;
}

export function patroniViewSource(members: PatroniMemberRef[]) {
  return async (now: () => number): Promise<ClusterView> => {
    const clusters = await Promise.all(members.map((m) => getJson(`${m.url}/cluster`).catch(() => null)));
    const atMs = now();
    const reachable = members.filter((_, i) => clusters[i] !== null).map((m) => m.name);
    const listing = (clusters.find((c) => c !== null) as { members?: ClusterMemberJson[] } | undefined)?.members ?? [];
    const named = listing.find((m) => m.role === 'leader' || m.role === 'master');
    let leader: string | null = null;
    let streaming: string[] = [];
    if (typeof named?.name === 'string') {
      const ref = members.find((m) => m.name === named.name);
      const status = ref ? ((await getJson(`${ref.url}/patroni`).catch(() => null)) as { role?: unknown; state?: unknown; replication?: { application_name?: unknown; state?: unknown }[] } | null) : null;
      if (status && status.role === 'master' && status.state === 'running') {
        leader = named.name;
        streaming = (status.replication ?? []).filter((r) => r.state === 'streaming').map((r) => String(r.application_name));
      }
    }
    const states = members.map((m) => {
      const entry = listing.find((x) => x.name === m.name);
      const role = entry?.role === 'sync_standby' ? 'sync' : String(entry?.role ?? '?');
      const up = reachable.includes(m.name);
      return `${m.name} ${up ? String(entry?.state ?? '?') : 'unreachable'}${entry ? ` ${role}` : ''}${streaming.includes(m.name) ? ' streaming' : ''}`;
    });
    const healthy =
      leader !== null &&
      members.every((m) => reachable.includes(m.name) && listing.find((x) => x.name === m.name)?.state === 'running') &&
      members.filter((m) => m.name !== leader).every((m) => streaming.includes(m.name));
    return { atMs, leader, healthy, detail: states.join(', '), reachable };
  };
}
