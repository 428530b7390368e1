// MongoDB canary: one `mongodb` driver client on the replica set (every member as seed, `replicaSet`
// given, so the driver follows the primary), inserting one document per seq into hatui_canary with
// `w: 'majority'`, one at a time. Retryable writes are off (`retryWrites: false`): a write that fails on a
// stepping-down or dead primary is an error here (its seq in doubt), not silently sent again, so counts
// are honest. A write the server answers with a writeConcernError is not acknowledged. The driver's
// monitors re-check every 500 ms, so it finds a new primary about as soon as any client could.
// Read-back: `find {run}` on the primary (read preference primary, read concern majority).
import { randomUUID } from 'node:crypto';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import type { MongoAuthOptions } from '../adapters/probes/client-auth.js';
import { canaryHandle, canaryRecorder, errorMessage as message, retryFor, writeLoop, writePacer, type Canary } from './canary.js';
import { drillClock, type DrillClock } from './clock.js';

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
  // The driver turns a writeConcernError into a thrown MongoWriteConcernError: not acknowledged.
  const writes = writeLoop(record, (seq) => docs().insertOne({ run, seq, at: new Date() }, { writeConcern: { w: 'majority', wtimeoutMS: timeout } }), {
    pace: writePacer(clock, options.maxRate ?? 500),
    retryMs: options.reconnectMs ?? 20,
  });
  const stopAll = () => writes.stop();
  return canaryHandle(target, record, {
    stop: stopAll,
    verify: () =>
      retryFor(
        async () => (await docs().find({ run }, { readPreference: 'primary', readConcern: { level: 'majority' }, projection: { seq: 1 } }).toArray()).map((d) => Number(d.seq)),
        (error) => new HatuiError(`canary: cannot read back ${database}.${collection} from MongoDB ${options.hosts.join(',')}: ${message(error)}`, ExitCode.failed),
      ),
    async close() {
      await stopAll();
      await client.close().catch(() => undefined);
    },
  });
}
