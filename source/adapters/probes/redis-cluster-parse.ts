// Parsers for Redis Cluster replies: `CLUSTER NODES` lines and `CLUSTER INFO` / `INFO` text. Pure.
export { parseInfo } from './redis-sentinel.js';

export interface ClusterNodeLine {
  id: string;
  /** `ip:port` (the client port; the bus port and hostname after `@` are dropped). */
  address: string;
  flags: string[];
  /** The master's node id for a replica, else null (`-`). */
  masterId: string | null;
  configEpoch: number;
  /** `connected` / `disconnected`: the cluster bus link as the answering node sees it. */
  linkState: string;
  /** Slot ranges served, inclusive (`[start, end]`); importing/migrating markers are left out. */
  slots: [number, number][];
}

/** Parses `CLUSTER NODES` (one node per line; see the Redis docs for the field order). */
export function parseClusterNodes(text: string): ClusterNodeLine[] {
  const out: ClusterNodeLine[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const f = raw.trim().split(/\s+/);
    if (f.length < 8) continue;
    const slots: [number, number][] = [];
    for (const s of f.slice(8)) {
      if (s.startsWith('[')) continue;
      const [a, b] = s.split('-');
      const start = Number(a);
      const end = b === undefined ? start : Number(b);
      if (Number.isInteger(start) && Number.isInteger(end)) slots.push([start, end]);
    }
    out.push({
      id: f[0]!,
      address: f[1]!.split('@')[0]!,
      flags: f[2]!.split(','),
      masterId: f[3] === '-' ? null : f[3]!,
      configEpoch: Number(f[6]),
      linkState: f[7]!,
      slots,
    });
  }
  return out;
}

/** Number of slots in the ranges. */
export function slotCount(ranges: readonly (readonly [number, number])[]): number {
  return ranges.reduce((n, [a, b]) => n + (b - a + 1), 0);
}
