// The WAL archiver target of a Patroni cluster with `walArchive: true`: pg_stat_archiver on the member
// that is not in recovery (the leader), read over SQL with the cluster's monitor or superuser credential.
// Asked at most every ARCHIVER_EVERY_MS (one short connection each time), the last answer kept between:
// the archive moves once per WAL segment, not once per panel poll.
import type { PatroniState } from '../../core/cluster-state.js';
import type { Cluster, Inventory } from '../../core/inventory/model.js';
import { clusterCredential, type CredentialReader } from '../../core/secrets/credentials.js';
import { systemCredentialReader } from '../credential-reader.js';
import type { ProbeTarget, TargetResult } from './types.js';

export const ARCHIVER_TARGET = 'wal archiver';
const ARCHIVER_EVERY_MS = 5000;

export interface ArchiverObservation {
  archiver: {
    member: string;
    lastArchivedWal: string | null;
    lastArchivedAt: string | null;
    failedCount: number;
    lastFailedWal: string | null;
    lastFailedAt: string | null;
  };
}

export function isArchiver(o: unknown): o is ArchiverObservation {
  return o !== null && typeof o === 'object' && 'archiver' in o;
}

const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? new Date(v).toISOString() : null);

export function archiverTarget(name: string, cluster: Cluster, inventory: Inventory, reader: CredentialReader = systemCredentialReader()): ProbeTarget<ArchiverObservation> {
  const members = cluster.members.map((m) => ({ name: m.name, host: inventory.hosts[m.host]?.address ?? m.host, port: m.port ?? 5432 }));
  let cached: { at: number; value: ArchiverObservation } | undefined;
  let leaderFirst: string | undefined;
  return {
    id: ARCHIVER_TARGET,
    address: members.map((m) => `${m.host}:${m.port}`).join(' '),
    // loading pg (~50 ms of module evaluation) waits until the members' first answers are on screen
    startAfterMs: 1000,
    async fetch(signal) {
      if (cached && Date.now() - cached.at < ARCHIVER_EVERY_MS) return cached.value;
      const credential = cluster.credentials?.monitor ? 'monitor' : 'superuser';
      const password = clusterCredential(name, cluster, credential, reader);
      const { default: pg } = await import('pg');
      const order = [...members].sort((a, b) => Number(b.name === leaderFirst) - Number(a.name === leaderFirst));
      const why: string[] = [];
      for (const m of order) {
        if (signal.aborted) break;
        const client = new pg.Client({ host: m.host, port: m.port, user: cluster.username ?? 'postgres', database: 'postgres', ...(password ? { password } : {}), connectionTimeoutMillis: 1000, statement_timeout: 1000 });
        const abort = () => void client.end().catch(() => undefined);
        signal.addEventListener('abort', abort, { once: true });
        try {
          await client.connect();
          const r = await client.query<Record<string, unknown>>('SELECT pg_is_in_recovery() AS recovery, last_archived_wal, last_archived_time, failed_count, last_failed_wal, last_failed_time FROM pg_stat_archiver');
          const row = r.rows[0]!;
          if (row.recovery === true) {
            why.push(`${m.host}:${m.port}: in recovery`);
            continue;
          }
          leaderFirst = m.name;
          const value: ArchiverObservation = {
            archiver: {
              member: m.name,
              lastArchivedWal: (row.last_archived_wal as string | null) ?? null,
              lastArchivedAt: iso(row.last_archived_time),
              failedCount: Number(row.failed_count ?? 0),
              lastFailedWal: (row.last_failed_wal as string | null) ?? null,
              lastFailedAt: iso(row.last_failed_time),
            },
          };
          cached = { at: Date.now(), value };
          return value;
        } catch (error) {
          why.push(`${m.host}:${m.port}: ${(error as Error).message}`);
        } finally {
          signal.removeEventListener('abort', abort);
          await client.end().catch(() => undefined);
        }
      }
      throw new Error(`no member answers as primary over SQL (${why.join('; ')})`);
    },
  };
}

/** The archive field of the Patroni state from the archiver target's result. */
export function archiveOf(result: TargetResult | undefined): NonNullable<PatroniState['archive']> {
  const a = result && isArchiver(result.last) ? result.last.archiver : null;
  const base = { member: a?.member ?? null, lastArchivedWal: a?.lastArchivedWal ?? null, lastArchivedAt: a?.lastArchivedAt ?? null, failedCount: a?.failedCount ?? null, lastFailedWal: a?.lastFailedWal ?? null, lastFailedAt: a?.lastFailedAt ?? null };
  return { ...base, error: result?.error ?? (a ? null : 'no answer yet') };
}
