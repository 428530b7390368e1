// `hatui admin mongodb …` (and `hatui admin kafka …`, admin-kafka.ts): the few replica-set operations the shipped MongoDB runbook needs, through the
// real `mongodb` driver, for hosts without mongosh. The connection string comes from MONGODB_URI (or
// --uri-env <VAR>), never from the command line (it may hold a password); it is never printed.
// Every subcommand prints one JSON line on stdout, so a runbook can capture it.
import { parseArgs } from 'node:util';
import { ExitCode, HatuiError } from '../core/exit-codes.js';

const USAGE = `Usage: hatui admin mongodb <command> [--uri-env VAR]
  status                          {set, primary, healthy, secondaries, maxLagSeconds} from replSetGetStatus
  step-down --expect-primary <m> [--step-down-secs 60] [--catch-up-secs 10]
                                  replSetStepDown on the primary, only while <m> is still the primary
                                  (run again after the election it does nothing: {"steppedDown":false})
  wait-primary --not <m> [--timeout-secs 60] [--write <db.collection>]
                                  waits until a member other than <m> is primary, then (with --write)
                                  inserts one document with writeConcern majority; prints {primary, wrote}
  command '<json>'                runs one admin command (e.g. '{"replSetGetStatus":1}') and prints its reply
       hatui admin kafka <command>     (hatui admin kafka --help)
The connection string is read from $MONGODB_URI (or the variable --uri-env names): use a replica-set
string (replicaSet=…) so commands reach the primary.`;

type Doc = Record<string, unknown>;

interface Member {
  name: string;
  stateStr: string;
  health: number;
  optimeDate?: Date;
}

export async function run(args: string[]): Promise<number> {
  const [system, sub, ...rest] = args;
  if (system === 'kafka' && (sub === undefined || sub === '--help' || sub === '-h')) {
    process.stdout.write((await import('./admin-kafka.js')).KAFKA_USAGE + '\n');
    return ExitCode.ok;
  }
  if (system === undefined || system === '--help' || system === '-h') {
    process.stdout.write(USAGE + '\n');
    return ExitCode.ok;
  }
  if (system === 'kafka') {
    const { values } = parseArgs({
      args: [sub ?? '', ...rest].slice(1),
      options: {
        'timeout-secs': { type: 'string' },
        'interval-secs': { type: 'string' },
        preferred: { type: 'boolean' },
        'all-topic-partitions': { type: 'boolean' },
        topic: { type: 'string' },
        partition: { type: 'string' },
        not: { type: 'string' },
        write: { type: 'boolean' },
      },
      strict: true,
    });
    const { runKafka } = await import('./admin-kafka.js');
    return runKafka(sub, values);
  }
  if (system !== 'mongodb') throw new HatuiError(`admin: unknown system '${system}' (expected mongodb or kafka)\n${USAGE}`, ExitCode.usage);
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      'uri-env': { type: 'string' },
      'expect-primary': { type: 'string' },
      'step-down-secs': { type: 'string' },
      'catch-up-secs': { type: 'string' },
      not: { type: 'string' },
      'timeout-secs': { type: 'string' },
      write: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const uriVar = values['uri-env'] ?? 'MONGODB_URI';
  const uri = process.env[uriVar];
  if (!uri) throw new HatuiError(`admin mongodb: $${uriVar} is not set (the connection string is read from the environment, never the command line)`, ExitCode.usage);
  const print = (doc: unknown) => process.stdout.write(JSON.stringify(doc) + '\n');
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, connectTimeoutMS: 10_000, appName: 'hatui-admin' });
  try {
    const admin = client.db('admin');
    switch (sub) {
      case 'status':
        print(summary((await admin.command({ replSetGetStatus: 1 })) as Doc));
        return ExitCode.ok;
      case 'step-down': {
        const expected = required(values['expect-primary'], '--expect-primary');
        const now = summary((await admin.command({ replSetGetStatus: 1 })) as Doc).primary;
        if (now !== expected) {
          print({ steppedDown: false, primary: now, reason: `the primary is ${now || 'none'}, not ${expected}: nothing to do` });
          return ExitCode.ok;
        }
        const cmd = { replSetStepDown: seconds(values['step-down-secs'], 60), secondaryCatchUpPeriodSecs: seconds(values['catch-up-secs'], 10) };
        try {
          await admin.command(cmd);
        } catch (error) {
          // A primary closes its client connections as it steps down: a network error means it did.
          if (!/network|connection|closed|not primary|NotWritablePrimary/i.test(String(error))) throw new HatuiError(`admin mongodb: step-down refused: ${messageOf(error)}`, ExitCode.failed);
        }
        print({ steppedDown: true, from: expected });
        return ExitCode.ok;
      }
      case 'wait-primary': {
        const old = required(values.not, '--not');
        const deadline = Date.now() + seconds(values['timeout-secs'], 60) * 1000;
        for (;;) {
          const primary = await admin
            .command({ replSetGetStatus: 1 })
            .then((s) => summary(s as Doc).primary)
            .catch(() => '');
          if (primary && primary !== old) {
            let wrote = false;
            if (values.write) {
              const [db, ...coll] = values.write.split('.');
              if (!db || coll.length === 0) throw new HatuiError(`admin mongodb: --write wants <db>.<collection>, got '${values.write}'`, ExitCode.usage);
              await client.db(db).collection(coll.join('.')).insertOne({ at: new Date(), by: 'hatui admin mongodb wait-primary' }, { writeConcern: { w: 'majority', wtimeoutMS: 10_000 } });
              wrote = true;
            }
            print({ primary, wrote });
            return ExitCode.ok;
          }
          if (Date.now() >= deadline) throw new HatuiError(`admin mongodb: the primary is still '${primary || 'none'}' (not: ${old})`, ExitCode.failed);
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      case 'command': {
        const [text, ...extra] = positionals;
        if (!text || extra.length > 0) throw new HatuiError(`admin mongodb command: expected one JSON document\n${USAGE}`, ExitCode.usage);
        let doc: Doc;
        try {
          doc = JSON.parse(text) as Doc;
        } catch (error) {
          throw new HatuiError(`admin mongodb command: not JSON: ${messageOf(error)}`, ExitCode.usage);
        }
        print(await admin.command(doc));
        return ExitCode.ok;
      }
      default:
        throw new HatuiError(`admin mongodb: unknown command '${sub ?? ''}'\n${USAGE}`, ExitCode.usage);
    }
  } finally {
    await client.close();
  }
}

/** The runbook's view of replSetGetStatus: primary, healthy members, secondaries and their largest lag. */
export function summary(status: Doc): { set: string; primary: string; healthy: number; secondaries: number; maxLagSeconds: number } {
  const members = (Array.isArray(status.members) ? status.members : []) as Member[];
  const primary = members.find((m) => m.stateStr === 'PRIMARY');
  const secondaries = members.filter((m) => m.stateStr === 'SECONDARY');
  const at = (m: Member) => (m.optimeDate instanceof Date ? m.optimeDate.getTime() : Number.NaN);
  const lags = primary ? secondaries.map((m) => Math.max(0, (at(primary) - at(m)) / 1000)).filter((x) => Number.isFinite(x)) : [];
  return {
    set: String(status.set ?? ''),
    primary: primary?.name ?? '',
    healthy: members.filter((m) => m.health === 1).length,
    secondaries: secondaries.length,
    maxLagSeconds: primary ? Math.max(0, ...lags) : -1,
  };
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new HatuiError(`admin mongodb: ${flag} is required\n${USAGE}`, ExitCode.usage);
  return value;
}

function seconds(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new HatuiError(`admin mongodb: '${raw}' is not a number of seconds`, ExitCode.usage);
  return n;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
