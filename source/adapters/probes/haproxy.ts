// HAProxy probe: one target (the stats page as CSV); shows which servers of the read-write and
// read-only backends are UP or DOWN.
import type { HaproxyBackend, HaproxyServer, HaproxyState } from '../../core/cluster-state.js';
import type { Cluster } from '../../core/inventory/model.js';
import { httpText, targetStatuses } from './common.js';
import type { ClusterProbe, TargetResult } from './types.js';

export interface HaproxyRow {
  proxy: string;
  server: string;
  status: string;
  checkStatus: string | null;
}

/** Parses HAProxy's stats CSV (`# pxname,svname,…,status,…,check_status,…`). */
export function parseHaproxyCsv(text: string): HaproxyRow[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const headerLine = lines.find((l) => l.startsWith('#'));
  if (!headerLine) throw new Error('stats CSV: no "# pxname,svname,…" header');
  const header = headerLine.replace(/^#\s*/, '').split(',');
  const col = (name: string) => header.indexOf(name);
  const [px, sv, st, ck] = [col('pxname'), col('svname'), col('status'), col('check_status')];
  if (px < 0 || sv < 0 || st < 0) throw new Error('stats CSV: header lacks pxname/svname/status');
  return lines
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.split(','))
    .map((cells) => ({ proxy: cells[px] ?? '', server: cells[sv] ?? '', status: cells[st] ?? '', checkStatus: ck >= 0 ? cells[ck] || null : null }));
}

export function normaliseStatus(raw: string): HaproxyServer['status'] {
  const word = raw.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
  switch (word) {
    case 'UP':
    case 'DOWN':
    case 'MAINT':
    case 'DRAIN':
    case 'NOLB':
      return word;
    default:
      return 'OTHER';
  }
}

export function backendOf(rows: readonly HaproxyRow[], name: string | undefined): HaproxyBackend | null {
  if (!name) return null;
  const servers = rows.filter((r) => r.proxy === name && r.server !== 'FRONTEND' && r.server !== 'BACKEND');
  if (servers.length === 0 && !rows.some((r) => r.proxy === name)) return null;
  return { name, servers: servers.map((r) => ({ name: r.server, status: normaliseStatus(r.status), raw: r.status, checkStatus: r.checkStatus })) };
}

export function combineHaproxy(name: string, cluster: Cluster, results: readonly TargetResult<HaproxyRow[]>[], now: number): HaproxyState {
  const rows = results[0]?.last ?? null;
  // A stale stats page keeps the last rows (marked stale by its target), never invents servers.
  return {
    kind: 'haproxy',
    name,
    fetchedAt: new Date(now).toISOString(),
    targets: targetStatuses(results, now),
    rw: rows ? backendOf(rows, cluster.backends?.readWrite) : null,
    ro: rows ? backendOf(rows, cluster.backends?.readOnly) : null,
  };
}

function csvUrl(url: string): string {
  return /csv/.test(url) ? url : `${url.replace(/\/$/, '')}/;csv`;
}

export const haproxyProbe: ClusterProbe<HaproxyRow[]> = {
  kinds: ['haproxy'],
  targets(_name, cluster) {
    if (!cluster.statsUrl) return [];
    const url = csvUrl(cluster.statsUrl);
    return [{ id: 'stats', address: url, fetch: async (signal) => parseHaproxyCsv(await httpText(url, signal)) }];
  },
  combine: (name, cluster, results, _prev, now) => combineHaproxy(name, cluster, results, now),
};
