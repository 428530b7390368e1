// `hatui lab up --doubles`: the wire-level doubles (NOT MongoDB, Kafka or Weaviate, see README) served
// by one background hatui process on fixed lab ports, so the lab inventory can list mongo, kafka and
// weaviate clusters for the demo and the runbooks that act on them. The process is started detached,
// its pid kept in <dir>/run/doubles.pid (checked against its command line before it is signalled),
// its output in <dir>/logs/doubles.log.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { findBin } from '../../drill/hatui-path.js';
import { ExitCode, HatuiError } from '../../core/exit-codes.js';
import { busyPorts, tcpOpen } from '../ports.js';
import { labPaths, type LabSettings } from '../settings.js';
import { sleep } from '../supervise.js';
import { KafkaClusterDouble, type KafkaTopicSpec } from './kafka-wire.js';
import { CONTROL_OFFSET, DoublesControl } from './control.js';
import { MongoReplicaSetDouble } from './mongo-wire.js';
import { WeaviateClusterDouble } from './weaviate-http.js';

/** Port offsets inside the lab's 100–159 range (after the Redis Cluster's 100–115); control: the doubles' fault endpoint (control.ts). */
export const DOUBLE_OFFSETS = { mongo: 120, mongos: 123, kafka: 125, weaviate: 130, control: CONTROL_OFFSET } as const;

export function doublePorts(settings: LabSettings) {
  const b = settings.portBase;
  const three = (o: number) => [b + o, b + o + 1, b + o + 2];
  return { mongo: three(DOUBLE_OFFSETS.mongo), mongos: [b + DOUBLE_OFFSETS.mongos], kafka: three(DOUBLE_OFFSETS.kafka), weaviate: three(DOUBLE_OFFSETS.weaviate), control: [b + DOUBLE_OFFSETS.control] };
}

const allPorts = (settings: LabSettings) => Object.values(doublePorts(settings)).flat();
const pidFile = (settings: LabSettings) => `${labPaths(settings).run}/doubles.pid`;
const logFile = (settings: LabSettings) => `${labPaths(settings).logs}/doubles.log`;

/** The serving process's pid when it runs (its command line names `serve-doubles`), else null. */
export function doublesPid(settings: LabSettings): number | null {
  try {
    const pid = Number(readFileSync(pidFile(settings), 'utf8').trim());
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('serve-doubles') ? pid : null;
  } catch {
    return null;
  }
}

/** Starts the serving process unless it runs; waits until every double's port answers. */
export async function startDoubles(settings: LabSettings, log: (line: string) => void = () => {}): Promise<boolean> {
  if (doublesPid(settings) !== null) return false;
  const busy = busyPorts(allPorts(settings)).filter((p) => p.listening);
  if (busy.length) throw new HatuiError(`port already in use for the doubles: ${busy.map((b) => `127.0.0.1:${b.port}${b.owner ? ` (${b.owner})` : ''}`).join(', ')}`, ExitCode.refused);
  const bin = findBin();
  if (!bin) throw new HatuiError('cannot find bin/hatui.js to serve the doubles from', ExitCode.failed);
  mkdirSync(labPaths(settings).run, { recursive: true });
  mkdirSync(labPaths(settings).logs, { recursive: true });
  const out = openSync(logFile(settings), 'a');
  const child = spawn(process.execPath, [bin, 'lab', 'serve-doubles'], {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, HATUI_LAB_DIR: settings.dir, HATUI_LAB_PORT_BASE: String(settings.portBase) },
  });
  closeSync(out);
  child.unref();
  writeFileSync(pidFile(settings), `${child.pid}\n`);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const open = await Promise.all(allPorts(settings).map((p) => tcpOpen(p)));
    if (open.every(Boolean)) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new HatuiError(`the doubles did not start (see ${logFile(settings)}): ${readFileSync(logFile(settings), 'utf8').trim().split('\n').slice(-5).join(' | ')}`, ExitCode.failed);
    }
    await sleep(100);
  }
  log(`started the wire-level doubles (pid ${child.pid}): mongo rs0, mongos, kafka, weaviate; log ${logFile(settings)}`);
  return true;
}

/** Stops the serving process (SIGTERM, then SIGKILL after 3 s); true when it ran. */
export async function stopDoubles(settings: LabSettings): Promise<boolean> {
  const pid = doublesPid(settings);
  rmSync(pidFile(settings), { force: true });
  if (pid === null) return false;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 30 && existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8')); i++) await sleep(100);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
  return true;
}

/** The serving process itself (`hatui lab serve-doubles`): starts every double and keeps them until SIGTERM. */
export async function serveDoubles(settings: LabSettings): Promise<void> {
  const p = doublePorts(settings);
  const mongo = await MongoReplicaSetDouble.start('rs0', [{ state: 'PRIMARY' }, { state: 'SECONDARY', syncSource: 0 }, { state: 'SECONDARY', syncSource: 0 }], { ports: p.mongo });
  const mongos = await MongoReplicaSetDouble.start('mongos', [{ state: 'PRIMARY' }], {
    ports: p.mongos,
    router: { shards: [{ id: 'rs0', host: `rs0/${mongo.hosts.join(',')}` }], balancer: { mode: 'full', inBalancerRound: false } },
  });
  const partitions = Array.from({ length: 6 }, (_, i) => {
    const replicas = [0, 1, 2].map((k) => ((i + k) % 3) + 1);
    return { partition: i, leader: replicas[0]!, replicas, isr: [...replicas] };
  });
  const kafka = await KafkaClusterDouble.start({ controller: 1, brokers: [{ nodeId: 1 }, { nodeId: 2 }, { nodeId: 3 }], topics: [{ name: 'orders', partitions }, canaryTopic()] }, p.kafka);
  const weaviate = await WeaviateClusterDouble.start({
    nodes: ['weaviate1', 'weaviate2', 'weaviate3'].map((name) => ({ name, shards: [{ class: 'Embeddings', objectCount: 400 }, { class: 'Documents', objectCount: 115 }] })),
    classes: { Embeddings: 1200, Documents: 345 },
    ports: p.weaviate,
  });
  const control = await DoublesControl.start({ mongo, kafka, port: p.control[0]! });
  process.stdout.write(`${new Date().toISOString()} doubles up: mongo ${mongo.hosts.join(',')} mongos ${mongos.hosts.join(',')} kafka ${kafka.addresses.join(',')} weaviate ${weaviate.urls.join(',')} control ${control.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await Promise.all([mongo.close(), mongos.close(), kafka.close(), weaviate.close(), control.close()]);
}

/** The drill canary's topic: 3 partitions, replication factor 3, min.insync.replicas 2 (acks=-1 needs 2 in sync). */
export function canaryTopic(name = 'hatui-canary'): KafkaTopicSpec {
  const partitions = Array.from({ length: 3 }, (_, i) => {
    const replicas = [0, 1, 2].map((k) => ((i + k) % 3) + 1);
    return { partition: i, leader: replicas[0]!, replicas, isr: [...replicas] };
  });
  return { name, minInsyncReplicas: 2, partitions };
}
