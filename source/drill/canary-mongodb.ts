// MongoDB canary: one `mongodb` driver client on the replica set (every member as seed, `replicaSet`
// given, so the driver follows the primary), inserting one document per seq into hatui_canary with
// `w: 'majority'`, one at a time. Retryable writes are off (`retryWrites: false`): a write that fails on a
// stepping-down or dead primary is an error here (its seq in doubt), not silently sent again, so counts
// are honest. A write the server answers with a writeConcernError is not acknowledged. The driver's
// monitors re-check every 500 ms, so it finds a new primary about as soon as any client could.
// Read-back: `find {run}` on the primary (read preference primary, read concern majority).
import { randomUUID } from 'node:crypto';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import type { CanaryLog } from '../core/drill/model.js';
import type { MongoAuthOptions } from '../adapters/probes/client-auth.js';
import { canaryRecorder, errorMessage as message, writePacer, type Canary } from './canary.js';
import { drillClock, sleep, type DrillClock } from './clock.js';

export interface MongoCanaryOptions {
  /** Members, `host:port`. */
  hosts: string[];
  /** Replica set name (default: the driver discovers it; give it to refuse a wrong set). */
  replicaSet?: string;
  auth?: MongoAuthOptions;
  database?: string;
  collection?: string;
  /** Server selection and socket timeout for one write (default 2 000 ms). */
  timeoutMs?: number;
  reconnectMs?: number;
  /** Upper bound on writes per second (default 500). */
  maxRate?: number;
  clock?: DrillClock;
}

export const CANARY_COLLECTION = 'hatui_canary';

export async function startMongoCanary(options: MongoCanaryOptions): Promise<Canary> {
  if (options.hosts.length === 0) throw new HatuiError('canary: no MongoDB members given', ExitCode.usage);
  const clock = options.clock ?? drillClock();
  const database = options.database ?? 'hatui';
  const collection = options.collection ?? CANARY_COLLECTION;
  const timeout = options.timeoutMs ?? 2000;
  const run = randomUUID();
  const target = `MongoDB ${options.replicaSet ? `${options.replicaSet}/` : ''}${options.hosts.join(',')} ${database}.${collection} (w: majority)`;
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(`mongodb://${options.hosts.join(',')}/`, {
    ...(options.auth ?? {}),
    ...(options.replicaSet ? { replicaSet: options.replicaSet } : {}),
    retryWrites: false,
    retryReads: false,
    writeConcern: { w: 'majority', wtimeoutMS: timeout },
    serverSelectionTimeoutMS: timeout,
    socketTimeoutMS: timeout,
    connectTimeoutMS: 1000,
    heartbeatFrequencyMS: 500,
    serverMonitoringMode: 'poll',
    maxPoolSize: 2,
    appName: 'hatui-canary',
  });
  const docs = () => client.db(database).collection<{ run: string; seq: number; at: Date }>(collection);
  try {
    await client.connect();
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new HatuiError(`canary: cannot reach MongoDB ${options.hosts.join(',')}: ${message(error)}`, ExitCode.failed);
  }

  const record = canaryRecorder('mongodb', 1, clock);
  let stopping = false;
  const pace = writePacer(clock, options.maxRate ?? 500);
  const loop = (async () => {
    while (!stopping) {
      await pace();
      const seq = record.attempt();
      try {
        // The driver turns a writeConcernError into a thrown MongoWriteConcernError: not acknowledged.
        await docs().insertOne({ run, seq, at: new Date() }, { writeConcern: { w: 'majority', wtimeoutMS: timeout } });
        record.ack(seq);
      } catch (error) {
        record.error(error, seq);
        await sleep(options.reconnectMs ?? 20);
      }
    }
  })();

  let log: CanaryLog | undefined;
  const stopAll = async () => {
    stopping = true;
    await loop;
  };
  return {
    target,
    acked: record.acked,
    snapshot: () => log ?? record.log(target),
    async stop() {
      if (!log) {
        await stopAll();
        log = record.log(target);
      }
      return log;
    },
    async verify() {
      const deadline = Date.now() + 60_000;
      for (;;) {
        try {
          const found = await docs().find({ run }, { readPreference: 'primary', readConcern: { level: 'majority' }, projection: { seq: 1 } }).toArray();
          return found.map((d) => Number(d.seq));
        } catch (error) {
          if (Date.now() > deadline) throw new HatuiError(`canary: cannot read back ${database}.${collection} from MongoDB ${options.hosts.join(',')}: ${message(error)}`, ExitCode.failed);
          await sleep(250);
        }
      }
    },
    async close() {
      await stopAll();
      await client.close().catch(() => undefined);
    },
  };
}
