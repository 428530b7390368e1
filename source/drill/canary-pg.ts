// PostgreSQL canary: one connection through the application path (HAProxy's read-write port),
// inserting sequence numbers into hatui_canary as fast as the server acknowledges them; after an
// error it drops the connection and reconnects every ~20 ms. Every ack and error is recorded.
import pg from 'pg';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import type { CanaryLog } from '../core/drill/model.js';
import { canaryRecorder, errorMessage as message, type Canary } from './canary.js';
import { drillClock, sleep, type DrillClock } from './clock.js';

export interface PgCanaryOptions {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /** Table name (created when missing): `(seq bigint primary key, at timestamptz default now())`. */
  table?: string;
  reconnectMs?: number;
  connectTimeoutMs?: number;
  /** A write not acknowledged within this is abandoned (counted as an error, in doubt). */
  queryTimeoutMs?: number;
  clock?: DrillClock;
  /**
   * Where to connect, asked before every connection (the drill's `via`: a DNS name resolved at its own
   * server), so the canary follows the name as applications do; host/port are then only the first answer.
   */
  resolve?: () => Promise<{ host: string; port: number }>;
  /** How the target reads in the report (default `host:port`). */
  label?: string;
}

export const CANARY_TABLE = 'hatui_canary';

function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new HatuiError(`canary table '${name}': use lower-case letters, digits and _`, ExitCode.usage);
  return name;
}

export function pgClientConfig(o: PgCanaryOptions): pg.ClientConfig {
  return {
    host: o.host,
    port: o.port,
    user: o.user,
    password: o.password,
    database: o.database,
    connectionTimeoutMillis: o.connectTimeoutMs ?? 1000,
    query_timeout: o.queryTimeoutMs ?? 5000,
    application_name: 'hatui-canary',
    keepAlive: true,
  };
}

/** Connects, ends quietly on failure; `error` events on idle clients never crash the process. */
async function connect(base: pg.ClientConfig, resolve?: PgCanaryOptions['resolve']): Promise<pg.Client> {
  const config = resolve ? { ...base, ...(await resolve()) } : base;
  const client = new pg.Client(config);
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    drop(client);
    throw error;
  }
}

function drop(client: pg.Client): void {
  client.end().catch(() => {});
  // end() waits for the server; a dead peer must not keep the socket (or the process) alive.
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  setTimeout(() => stream?.destroy(), 200).unref();
}

export async function startPgCanary(options: PgCanaryOptions): Promise<Canary> {
  const clock = options.clock ?? drillClock();
  const table = ident(options.table ?? CANARY_TABLE);
  const config = pgClientConfig(options);
  const where = options.label ?? `${options.host}:${options.port}`;
  const resolve = options.resolve;
  let client: pg.Client;
  try {
    client = await connect(config, resolve);
    await client.query(`CREATE TABLE IF NOT EXISTS ${table} (seq bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())`);
  } catch (error) {
    throw new HatuiError(`canary: cannot write to PostgreSQL at ${where} as ${options.user}: ${message(error)}`, ExitCode.failed);
  }
  // A per-run base (epoch µs) so seqs of different drills never collide in the shared table.
  const firstSeq = Date.now() * 1000 + Math.floor(Math.random() * 1000);
  const record = canaryRecorder('postgresql', firstSeq, clock);
  let stopping = false;
  let current: pg.Client | null = client;
  const insert = `INSERT INTO ${table} (seq) VALUES ($1)`;
  const reconnectMs = options.reconnectMs ?? 20;
  const loop = (async () => {
    while (!stopping) {
      if (!current) {
        try {
          current = await connect(config, resolve);
        } catch (error) {
          record.error(error);
          await sleep(reconnectMs);
          continue;
        }
      }
      const seq = record.attempt();
      try {
        await current.query(insert, [seq]);
        record.ack(seq);
      } catch (error) {
        record.error(error, seq);
        drop(current);
        current = null;
        await sleep(reconnectMs);
      }
    }
  })();

  let log: CanaryLog | undefined;
  return {
    target: `PostgreSQL ${where} table ${table}`,
    acked: record.acked,
    snapshot: () => log ?? record.log(`PostgreSQL ${where} table ${table}`),
    async stop() {
      if (!log) {
        stopping = true;
        await loop;
        log = record.log(`PostgreSQL ${where} table ${table}`);
      }
      return log;
    },
    async verify() {
      const deadline = Date.now() + 60_000;
      for (;;) {
        let reader: pg.Client | undefined;
        try {
          reader = await connect(config, resolve);
          // Read from the member that is read-write now, never from a replica a stale proxy reached.
          const ro = await reader.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
          if (ro.rows[0]?.r) throw new Error('reached a replica');
          const result = await reader.query<{ seq: string }>(`SELECT seq FROM ${table} WHERE seq >= $1 AND seq < $2`, [firstSeq, record.nextSeq()]);
          return result.rows.map((r) => Number(r.seq));
        } catch (error) {
          if (Date.now() > deadline) throw new HatuiError(`canary: cannot read back ${table} from ${where}: ${message(error)}`, ExitCode.failed);
          await sleep(250);
        } finally {
          if (reader) drop(reader);
        }
      }
    },
    async close() {
      stopping = true;
      await loop;
      if (current) drop(current);
      current = null;
    },
  };
}
