// `hatui drill --headless` of the shipped MongoDB and Kafka drill runbooks against the wire-level doubles
// (source/lab/doubles: NOT MongoDB or Kafka), started in-process on free ports with their control endpoint,
// and the in-memory etcd JSON-gateway double (test/ssh/fake-etcd.ts) served over HTTP for the operator lock
// the fault step takes. Nothing here touches the shared lab (its port base or directory): the drill's lab
// directory is a temporary one. Runs the built CLI (bin/hatui.js → dist/: `npm run build` first).
// SHOW_DRILL=1 prints each drill's output.
import { spawn } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillReport } from '../../source/core/drill/report.js';
import { parseMarkdownFigures } from '../../source/core/drill/render-markdown.js';
import { figureRows } from '../../source/core/drill/report.js';
import { DoublesControl } from '../../source/lab/doubles/control.js';
import { KafkaClusterDouble } from '../../source/lab/doubles/kafka-wire.js';
import { canaryTopic } from '../../source/lab/doubles/lab-doubles.js';
import { MongoReplicaSetDouble } from '../../source/lab/doubles/mongo-wire.js';
import { FakeEtcd } from '../ssh/fake-etcd.js';

const bin = resolve('bin/hatui.js');
const work = mkdtempSync(join(tmpdir(), 'hatui-drill-doubles-'));
const etcd = new FakeEtcd();
let etcdServer: Server | undefined;
let etcdUrl = '';
let mongo: MongoReplicaSetDouble;
let kafka: KafkaClusterDouble;
let control: DoublesControl;

beforeAll(async () => {
  if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js is missing: run `npm run build` first');
  // The etcd double's /v3 JSON gateway over real HTTP (the drill is another process).
  etcdServer = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      etcd.fetch(`${etcdUrl}${req.url ?? '/'}`, { method: req.method ?? 'POST', body }).then(
        async (answer) => {
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(await answer.text());
        },
        (error: unknown) => {
          res.writeHead(404);
          res.end(String(error));
        },
      );
    });
  });
  await new Promise<void>((r) => etcdServer!.listen(0, '127.0.0.1', () => r()));
  etcdUrl = `http://127.0.0.1:${(etcdServer.address() as { port: number }).port}`;
  mongo = await MongoReplicaSetDouble.start('rs0', [{ state: 'PRIMARY' }, { state: 'SECONDARY', syncSource: 0 }, { state: 'SECONDARY', syncSource: 0 }]);
  const orders = Array.from({ length: 6 }, (_, i) => {
    const replicas = [0, 1, 2].map((k) => ((i + k) % 3) + 1);
    return { partition: i, leader: replicas[0]!, replicas, isr: [...replicas] };
  });
  kafka = await KafkaClusterDouble.start({ controller: 1, brokers: [{ nodeId: 1 }, { nodeId: 2 }, { nodeId: 3 }], topics: [{ name: 'orders', partitions: orders }, canaryTopic()] });
  control = await DoublesControl.start({ mongo, kafka });
}, 60_000);

afterAll(async () => {
  await control?.close();
  await mongo?.close();
  await kafka?.close();
  etcdServer?.closeAllConnections();
  await new Promise((r) => (etcdServer ? etcdServer.close(r) : r(undefined)));
  rmSync(work, { recursive: true, force: true });
});

function inventory(): string {
  const local = (env: Record<string, string>) => ({ address: '127.0.0.1', transport: 'local', env });
  const mongoUri = `mongodb://${mongo.hosts.join(',')}/?replicaSet=rs0`;
  const bootstrap = kafka.addresses.join(',');
  const hosts: Record<string, unknown> = { etcd1: local({}) };
  mongo.hosts.forEach((_, i) => (hosts[`mongo${i + 1}`] = local({ MONGODB_URI: mongoUri })));
  kafka.addresses.forEach((_, i) => (hosts[`kafka${i + 1}`] = local({ KAFKA_BOOTSTRAP: bootstrap })));
  const file = join(work, 'inventory.yaml');
  writeFileSync(
    file,
    stringify({
      environment: 'lab',
      name: 'wire-level doubles + a private etcd for locks',
      hosts,
      locks: { store: 'etcd' },
      clusters: {
        mongo: { kind: 'mongodb', description: 'rs0: a wire-level double (not MongoDB)', servedBy: 'wire-level-double', members: mongo.hosts.map((h, i) => ({ name: `mongo${i + 1}`, host: `mongo${i + 1}`, endpoint: h })) },
        kafka: { kind: 'kafka', description: '3 brokers: a wire-level double (not Kafka)', servedBy: 'wire-level-double', members: kafka.addresses.map((a, i) => ({ name: `kafka${i + 1}`, host: `kafka${i + 1}`, endpoint: a })) },
        etcd: { kind: 'etcd', members: [{ name: 'etcd1', host: 'etcd1', endpoint: etcdUrl.replace('http://', '') }], endpoints: { client: etcdUrl } },
      },
    }),
  );
  return file;
}

interface DrillRun {
  code: number;
  stdout: string;
  stderr: string;
  report: DrillReport;
  dir: string;
}

async function drill(runbook: string, answers: Record<string, unknown>): Promise<DrillRun> {
  const run = mkdtempSync(join(work, 'run-'));
  const answersFile = join(run, 'answers.yaml');
  writeFileSync(answersFile, stringify(answers));
  const labDir = join(run, 'lab');
  mkdirSync(labDir);
  // `hatui` for the runbook's commands: this checkout's bin (a shim first on PATH).
  const shims = join(run, 'bin');
  mkdirSync(shims);
  writeFileSync(join(shims, 'hatui'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} "$@"\n`);
  chmodSync(join(shims, 'hatui'), 0o755);
  const dir = join(run, 'report');
  const env = {
    ...process.env,
    PATH: `${shims}:${process.env.PATH ?? ''}`,
    XDG_STATE_HOME: join(run, 'state'),
    HATUI_LAB_DIR: labDir,
    HATUI_LAB_PORT_BASE: '58000',
    HATUI_DOUBLES_CONTROL: control.url,
    // The runbooks' `hatui admin` commands read these; local-transport hosts run with the drill's own environment.
    MONGODB_URI: `mongodb://${mongo.hosts.join(',')}/?replicaSet=rs0`,
    KAFKA_BOOTSTRAP: kafka.addresses.join(','),
    NO_COLOR: '1',
  };
  const child = spawn(process.execPath, [bin, 'drill', runbook, '--headless', '--answers', answersFile, '--inventory', inventory(), '--report', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
  let report: DrillReport;
  try {
    report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as DrillReport;
  } catch {
    throw new Error(`no report.json (exit ${code}):\n${stdout.slice(-4000)}\n${stderr.slice(-2000)}`);
  }
  if (process.env.SHOW_DRILL) console.log(stdout);
  return { code, stdout, stderr, report, dir };
}

function expectMeasuredOnDouble(r: DrillRun): void {
  const md = readFileSync(join(r.dir, 'report.md'), 'utf8');
  expect(r.report.served_by).toBe('wire-level-double');
  expect(md.split('\n').slice(0, 6).join('\n')).toContain('measured on a wire-level double');
  expect(r.stdout).toMatch(/Drill [a-z-]+: PASS\n {2}Measured on a wire-level double/);
  const figures = parseMarkdownFigures(md);
  for (const row of figureRows(r.report)) expect(figures[row.field as string]).toEqual(r.report[row.field]);
}

const tail = (r: DrillRun) => `${r.stdout.slice(-5000)}\n${r.stderr.slice(-2000)}`;

describe('hatui drill --headless on the wire-level doubles', () => {
  it('drill-mongodb-primary-failure: the primary stops, a secondary is elected, the w:majority canary loses nothing', async () => {
    const r = await drill('runbooks/drill-mongodb-primary-failure.md', { prepare: { checklist: 'all' }, fault: 'mongo', rejoin: 'yes', evaluate: { checklist: 'all' }, record: { checklist: 'all' } });
    expect(r.code, tail(r)).toBe(0);
    expect(r.report.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['prepare ok', 'inspect ok', 'fault ok', 'wait-primary ok', 'rejoin ok', 'evaluate ok', 'record ok']);
    expect(r.report).toMatchObject({ system: 'mongodb', cluster: 'mongo', pass: true, rpo_lost_writes: 0, run_outcome: 'ok' });
    expect(r.report.rto_ms).toBeGreaterThan(0);
    expect(r.report.rto_ms!).toBeLessThan(r.report.targets.rto_ms!);
    expect(r.report.canary.acknowledged).toBeGreaterThan(50);
    expect(r.report.canary.errors).toBeGreaterThan(0);
    // T0 from the fault record `hatui lab double stop` wrote, and the panels (the MongoDB probe) saw the primary go and a new one.
    expect(r.report.t0).not.toBeNull();
    expect(r.report.leader_lost_ms).not.toBeNull();
    expect(r.report.new_leader_ms).not.toBeNull();
    expect(r.report.observations.map((o) => o.kind)).toEqual(expect.arrayContaining(['leader-seen', 'leader-lost', 'new-leader', 'healthy']));
    expect(mongo.primaryIndex).not.toBe(0);
    expect(mongo.replMembers.every((m) => !m.stopped)).toBe(true);
    expectMeasuredOnDouble(r);
    // The fault step held the operator lock on the etcd double and released it.
    const lockKey = Buffer.from('/hatui/locks/mongo/lock').toString('base64');
    expect(etcd.requests.some((q) => q.path === 'kv/txn' && JSON.stringify(q.body).includes(lockKey))).toBe(true);
    expect(etcd.requests.map((q) => q.path)).toContain('lease/revoke');
    expect(etcd.get('/hatui/locks/mongo/lock')).toBeUndefined();
  });

  it('drill-kafka-broker-failure: the canary partition’s leader broker stops, leadership moves, acks=-1 produces resume, nothing acknowledged is lost; the broker returns and leads again', async () => {
    const r = await drill('runbooks/drill-kafka-broker-failure.md', { prepare: { checklist: 'all' }, fault: 'kafka', rejoin: 'yes', elect: 'kafka', evaluate: { checklist: 'all' }, record: { checklist: 'all' } });
    expect(r.code, tail(r)).toBe(0);
    expect(r.report.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['prepare ok', 'inspect ok', 'fault ok', 'wait-leader ok', 'rejoin ok', 'elect ok', 'verify ok', 'evaluate ok', 'record ok']);
    expect(r.report).toMatchObject({ system: 'kafka', cluster: 'kafka', pass: true, rpo_lost_writes: 0, run_outcome: 'ok' });
    expect(r.report.rto_ms).toBeGreaterThan(0);
    expect(r.report.canary.acknowledged).toBeGreaterThan(50);
    expect(r.report.canary.errors).toBeGreaterThan(0);
    expect(r.report.t0).not.toBeNull();
    expect(r.report.leader_lost_ms).not.toBeNull();
    expect(r.report.new_leader_ms).not.toBeNull();
    // Afterwards: broker 1 back and, after the preferred election, leading hatui-canary-0 again with a full ISR.
    expect(kafka.topics[1]!.partitions[0]).toMatchObject({ leader: 1, isr: [1, 2, 3] });
    expect(kafka.produced[1]!.some((l) => l.startsWith('hatui-canary-0 acks=-1 ok'))).toBe(true);
    expectMeasuredOnDouble(r);
  });
});
