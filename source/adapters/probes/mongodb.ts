// MongoDB replica set probe: one target per member, asked directly (`directConnection`) with the real
// `mongodb` driver, loaded on first use so start-up does not parse it. Each poll asks `hello` (the
// member's own view and its name in the set, `me`) and `replSetGetStatus` (the set as its heartbeats
// see it); when status is refused (no clusterMonitor role), the members' own `hello` answers make the
// view. The freshest status answer names states, health, optime lag and sync sources.
import type { LeaderChange, MongoMember, MongodbState } from '../../core/cluster-state.js';
import type { Cluster, ClusterMember, Inventory } from '../../core/inventory/model.js';
import type { CredentialReader } from '../../core/secrets/credentials.js';
import { systemCredentialReader } from '../credential-reader.js';
import { loginLabel, mongoAuthOptions, type MongoAuthOptions } from './client-auth.js';
import { fresh, memberEndpoint, num, staleOf, str, targetStatuses, pollClosing, trackChanges } from './common.js';
import type { ClusterProbe, TargetResult } from './types.js';

export interface MongoStatusMember {
  host: string;
  stateStr: string | null;
  health: number | null;
  /** Epoch ms of the member's last applied optime (`optimeDate`); null for arbiters and unreachable members. */
  optimeAt: number | null;
  syncSourceHost: string | null;
}

export interface MongoObservation {
  /** This member's `host:port` in the replica set config (hello `me`). */
  me: string | null;
  setName: string | null;
  isWritablePrimary: boolean;
  secondary: boolean;
  arbiterOnly: boolean;
  /** The primary this member knows of (hello `primary`). */
  primary: string | null;
  /** Epoch ms of this member's last write (hello `lastWrite.lastWriteDate`). */
  lastWriteAt: number | null;
  /** replSetGetStatus, or null when it was refused (`statusError` says why). */
  status: { set: string | null; members: MongoStatusMember[] } | null;
  statusError: string | null;
  /** Epoch ms the answer arrived. */
  at: number;
}

/** Driver timeouts: a dead member fails fast; the poller's abort signal bounds every poll anyway. */
export const MONGO_TIMEOUT_MS = 1000;

function epochMs(value: unknown): number | null {
  if (value instanceof Date) return Number.isFinite(value.getTime()) && value.getTime() > 0 ? value.getTime() : null;
  return null;
}

/** Parses a `hello` (or legacy `isMaster`) answer. */
export function parseHello(doc: Record<string, unknown>): Omit<MongoObservation, 'status' | 'statusError' | 'at'> {
  const lastWrite = (doc.lastWrite ?? {}) as Record<string, unknown>;
  return {
    me: str(doc.me),
    setName: str(doc.setName),
    isWritablePrimary: doc.isWritablePrimary === true || doc.ismaster === true,
    secondary: doc.secondary === true,
    arbiterOnly: doc.arbiterOnly === true,
    primary: str(doc.primary),
    lastWriteAt: epochMs(lastWrite.lastWriteDate),
  };
}

/** Parses a `replSetGetStatus` answer. */
export function parseReplSetStatus(doc: Record<string, unknown>): NonNullable<MongoObservation['status']> {
  if (!Array.isArray(doc.members)) throw new Error('replSetGetStatus: no members array');
  return {
    set: str(doc.set),
    members: (doc.members as Record<string, unknown>[]).map((m) => ({
      host: String(m.name),
      stateStr: str(m.stateStr),
      health: num(m.health),
      optimeAt: epochMs(m.optimeDate),
      syncSourceHost: str(m.syncSourceHost) || null,
    })),
  };
}

/** `host:port` of a member (port 27017 when the inventory gives none). */
function mongoAddress(member: ClusterMember, inventory: Inventory): string {
  const endpoint = memberEndpoint(member, inventory).replace(/^mongodb:\/\//, '').replace(/\/.*$/, '');
  return /:\d+$/.test(endpoint) ? endpoint : `${endpoint}:27017`;
}

/** A short-lived client for one member: a dead member fails fast, the poller's abort signal bounds the rest. */
async function openClient(address: string, auth: MongoAuthOptions) {
  const { MongoClient } = await import('mongodb');
  return new MongoClient(`mongodb://${address}/`, {
    ...auth,
    directConnection: true,
    serverSelectionTimeoutMS: MONGO_TIMEOUT_MS,
    connectTimeoutMS: MONGO_TIMEOUT_MS,
    socketTimeoutMS: MONGO_TIMEOUT_MS,
    // Polling, not the streaming hello that would hold a connection open for the server's push.
    serverMonitoringMode: 'poll',
    maxPoolSize: 1,
    appName: 'hatui-probe',
  });
}

/** A refused login, as the driver reports it (AuthenticationFailed, code 18), possibly wrapped. */
function authFailure(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; codeName?: string; message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (e.code === 18 || e.codeName === 'AuthenticationFailed' || (e.message && /authentication failed|auth.*mechanism/i.test(e.message))) return e.message ?? 'Authentication failed';
  }
  return undefined;
}

async function askMember(client: Awaited<ReturnType<typeof openClient>>, address: string, login: string): Promise<MongoObservation> {
  // Server selection would wait out its timeout on a refused connection; the monitor's failed check says why at once.
  const refused = new Promise<never>((_, reject) => client.once('serverHeartbeatFailed', (event) => reject(event.failure)));
  refused.catch(() => undefined);
  const admin = client.db('admin');
  let helloDoc: Record<string, unknown>;
  try {
    // The command's connection logs in first (monitoring connections do not), so a wrong password fails here.
    helloDoc = await Promise.race([admin.command({ hello: 1 }), refused]);
  } catch (error) {
    const failed = authFailure(error);
    if (failed) throw new Error(`${address}: login as ${login} refused: ${failed}`);
    throw error;
  }
  const hello = parseHello(helloDoc);
  try {
    return { ...hello, status: parseReplSetStatus(await admin.command({ replSetGetStatus: 1 })), statusError: null, at: Date.now() };
  } catch (error) {
    // The server answered with an error (Unauthorized without clusterMonitor, NotYetInitialized…): use hello.
    const e = error as { name?: string; codeName?: string; message?: string };
    if (e.name !== 'MongoServerError') throw error;
    return { ...hello, status: null, statusError: `${e.codeName ?? 'error'}: ${e.message ?? ''}`.trim(), at: Date.now() };
  }
}

export function combineMongo(
  name: string,
  cluster: Cluster,
  results: readonly TargetResult<MongoObservation>[],
  prev: MongodbState | undefined,
  now: number,
): MongodbState {
  const at = new Date(now).toISOString();
  const live = fresh(results);
  const byId = new Map(results.map((r) => [r.id, r]));
  // Inventory member ↔ replica set host: the member's own `me` once it answered, else its endpoint.
  const hostOf = new Map(cluster.members.map((m) => [m.name, byId.get(m.name)?.last?.me ?? byId.get(m.name)?.address ?? null]));
  const nameOf = (host: string | null): string | null => (host === null ? null : ([...hostOf].find(([, h]) => h === host)?.[0] ?? host));
  // The primary's view of the set when it answers (an isolated secondary may see everyone down), else the freshest.
  const views = live.filter((f) => f.value.status !== null).map((f) => f.value);
  const newest = views.find((v) => v.isWritablePrimary) ?? views.reduce<MongoObservation | null>((best, v) => (!best || v.at > best.at ? v : best), null);
  const staleFor = (memberName: string) => {
    const target = byId.get(memberName);
    return target ? staleOf(target, now) : null;
  };
  let members: MongoMember[];
  let primary: string | null;
  let view: MongodbState['view'] = null;
  if (newest?.status) {
    view = 'replSetGetStatus';
    const rows = newest.status.members;
    const primaryRow = rows.find((r) => r.stateStr === 'PRIMARY');
    primary = nameOf(primaryRow?.host ?? null);
    members = rows.map((r) => ({
      name: nameOf(r.host)!,
      host: r.host,
      stateStr: r.stateStr,
      health: r.health,
      lagSeconds: primaryRow?.optimeAt != null && r.optimeAt !== null ? Math.max(0, (primaryRow.optimeAt - r.optimeAt) / 1000) : null,
      syncSourceHost: r.syncSourceHost,
      stale: staleFor(nameOf(r.host)!),
    }));
  } else {
    // No status answer: each member's own hello (or nothing for a member that does not answer).
    if (live.length > 0) view = 'hello';
    const own = new Map(live.map((f) => [f.result.id, f.value]));
    const writer = live.find((f) => f.value.isWritablePrimary);
    primary = writer ? writer.result.id : nameOf(live.find((f) => f.value.primary)?.value.primary ?? null);
    const primaryWrite = writer?.value.lastWriteAt ?? null;
    members = cluster.members.map((m) => {
      const o = own.get(m.name);
      return {
        name: m.name,
        host: hostOf.get(m.name) ?? null,
        stateStr: !o ? null : o.isWritablePrimary ? 'PRIMARY' : o.secondary ? 'SECONDARY' : o.arbiterOnly ? 'ARBITER' : null,
        health: o ? 1 : null,
        lagSeconds: o && !o.arbiterOnly && primaryWrite !== null && o.lastWriteAt !== null ? Math.max(0, (primaryWrite - o.lastWriteAt) / 1000) : null,
        syncSourceHost: null,
        stale: staleFor(m.name),
      };
    });
  }
  // Inventory members the status view does not list still get a line.
  for (const m of cluster.members) if (!members.some((x) => x.name === m.name)) members.push({ name: m.name, host: hostOf.get(m.name) ?? null, stateStr: null, health: null, lagSeconds: null, syncSourceHost: null, stale: staleFor(m.name) });
  const setName = newest?.status?.set ?? live.find((f) => f.value.setName)?.value.setName ?? null;
  const primaryChanges = trackChanges<LeaderChange>(prev?.primaryChanges, prev?.primary, prev !== undefined && prev.view !== null, primary, view !== null, at);
  return { kind: 'mongodb', name, fetchedAt: at, targets: targetStatuses(results, now), setName, primary, view, members, primaryChanges };
}

/**
 * The probe. The cluster's `admin` credential (password of `username`, SCRAM-SHA-256 unless
 * `authMechanism` says otherwise, `authSource` default admin) and `tls` files are read through `reader`
 * at each poll and handed to the driver.
 */
export function createMongodbProbe(reader: CredentialReader = systemCredentialReader()): ClusterProbe<MongoObservation> {
  return {
    kinds: ['mongodb'],
    targets(name, cluster, inventory) {
      const login = loginLabel(cluster);
      return cluster.members.map((member) => {
        const address = mongoAddress(member, inventory);
        return {
          id: member.name,
          address,
          fetch: (signal) =>
            pollClosing(address, signal, async (opened) => {
              const client = await openClient(address, mongoAuthOptions(name, cluster, reader));
              signal.throwIfAborted(); // given up while the driver loaded: a closed client would reconnect on use
              opened(() => client.close());
              return askMember(client, address, login);
            }),
        };
      });
    },
    combine: (name, cluster, results, prev, now) => combineMongo(name, cluster, results, prev?.kind === 'mongodb' ? prev : undefined, now),
  };
}

export const mongodbProbe = createMongodbProbe();
