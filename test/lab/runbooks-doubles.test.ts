// Shipped runbooks for systems the lab cannot run, end to end against wire-level doubles (source/lab/doubles:
// they are NOT the real servers, only what hatui and the runbooks' tools ask of them changes state).
// They sit in the lab project because a `changes=` step takes its operator lock on the lab's etcd.
import { mkdtempSync, writeFileSync } from 'node:fs';

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Inventory } from '../../source/core/inventory/model.js';
import { WeaviateClusterDouble } from '../../source/lab/doubles/weaviate-http.js';
import { MongoReplicaSetDouble } from '../../source/lab/doubles/mongo-wire.js';
import { KafkaClusterDouble } from '../../source/lab/doubles/kafka-wire.js';
import { labDown, labPaths, labUp } from '../../source/lab/index.js';
import { snapshotCluster } from '../../source/services/snapshot.js';
import { listRunbooks } from '../../source/ui/runbook-list.js';
import { hatui, labEnv, testLab } from './helpers.js';

const settings = testLab();
const hatuiBin = new URL('../../bin/hatui.js', import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  outcomes: string[];
}

/** `hatui run runbooks/<file> --headless` on an inventory of the doubles plus the lab's etcd (for locks). */
async function runOnDoubles(file: string, clusters: Record<string, unknown>, answers: Record<string, unknown>, vars: Record<string, string>, env: Record<string, string> = {}): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'hatui-doubles-'));
  const inventory = join(dir, 'inventory.yaml');
  writeFileSync(
    inventory,
    stringify({
      environment: 'lab',
      name: 'wire-level doubles + lab etcd',
      hosts: { doubles: { address: '127.0.0.1', transport: 'local' } },
      // Kinds without a store of their own (weaviate, mongodb, kafka) lock on the lab's etcd.
      locks: { store: 'etcd' },
      clusters: {
        ...clusters,
        etcd: { kind: 'etcd', members: [{ name: 'etcd1', host: 'doubles', endpoint: `127.0.0.1:${settings.ports.etcdClient}` }], endpoints: { client: `http://127.0.0.1:${settings.ports.etcdClient}` } },
      },
    }),
  );
  const answersFile = join(dir, 'answers.yaml');
  writeFileSync(answersFile, stringify(answers));
  const args = ['run', `runbooks/${file}`, '--headless', '--answers', answersFile, '--inventory', inventory];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}=${v}`);
  const r = await hatui(args, { ...labEnv(settings), XDG_STATE_HOME: dir, NO_COLOR: '1', HATUI_BIN: hatuiBin, ...env }, 240_000);
  const outcomes = r.stdout.split('\n').filter((l) => /^\[(ok|failed|skipped|unknown|timed-out|cancelled)\] /.test(l)).map((l) => l.replace(/:.*$/, ''));
  return { ...r, outcomes };
}
const tail = (r: Run) => [...r.stdout.split('\n').slice(-40), ...r.stderr.split('\n').slice(-10)].join('\n');

describe('runbooks/weaviate-backup-restore.md on the Weaviate double', () => {
  let weaviate: WeaviateClusterDouble;
  beforeAll(async () => {
    weaviate = await WeaviateClusterDouble.start({ nodes: [{ name: 'w1' }, { name: 'w2' }, { name: 'w3' }], apiKey: 'double-key', classes: { Embeddings: 1200, Documents: 345, Scratch: 7 } });
  });
  afterAll(() => weaviate?.close());

  it('backs up the guide’s classes, and after a class is lost restores it with its object count', async () => {
    const clusters = { weaviate: { kind: 'weaviate', members: weaviate.urls.map((url, i) => ({ name: `w${i + 1}`, host: 'doubles', endpoint: url })), credentials: { apiKey: { env: 'HATUI_VAR_API_KEY' } } } };
    const vars = { weaviate_url: weaviate.urls[0]!, poll_seconds: '0.1', wait_seconds: '30' };
    const env = { HATUI_VAR_API_KEY: 'double-key' };

    const backup = await runOnDoubles('weaviate-backup-restore.md', clusters, {}, { ...vars, mode: 'backup' }, env);
    expect(backup.code, tail(backup)).toBe(0);
    expect(backup.outcomes).toEqual(['[ok] ready', '[ok] backup', '[skipped] check-backup', '[skipped] restore', '[ok] verify']);
    const [id] = [...weaviate.data.backups.keys()];
    expect(id).toMatch(/^aiplatform-backup-\d{14}$/);
    expect(weaviate.data.backups.get(id!)).toMatchObject({ backend: 'filesystem', classes: { Embeddings: 1200, Documents: 345 }, status: 'SUCCESS' });

    // The loss: Documents is dropped (with its data), and new writes land in Embeddings after the backup.
    weaviate.data.classes.delete('Documents');
    weaviate.data.classes.set('Embeddings', 1300);
    const refused = await runOnDoubles('weaviate-backup-restore.md', clusters, { restore: { confirm: 'weaviate', checklist: 'all' } }, { ...vars, mode: 'restore', backup_id: id!, classes: 'Embeddings,Documents' }, env);
    // Weaviate refuses to restore over an existing class: the run stops there, nothing changes.
    expect(refused.code).not.toBe(0);
    expect(refused.outcomes).toContain('[failed] restore');
    expect(weaviate.data.classes.has('Documents')).toBe(false);

    const restore = await runOnDoubles('weaviate-backup-restore.md', clusters, { restore: { confirm: 'weaviate', checklist: 'all' } }, { ...vars, mode: 'restore', backup_id: id!, classes: 'Documents' }, env);
    expect(restore.code, tail(restore)).toBe(0);
    expect(restore.outcomes).toEqual(['[ok] ready', '[skipped] backup', '[ok] check-backup', '[ok] restore', '[ok] verify']);
    expect(restore.stdout).toContain('{"class":"Documents","count":345}');
    // The double's state afterwards: Documents is back with the backup's count; the rest untouched.
    expect(Object.fromEntries(weaviate.data.classes)).toEqual({ Embeddings: 1300, Documents: 345, Scratch: 7 });
    expect(restore.stdout + restore.stderr).not.toContain('double-key');
  });
});

describe('runbooks/mongodb-stepdown.md on the MongoDB double (hatui admin mongodb, the real driver)', () => {
  let mongo: MongoReplicaSetDouble;
  beforeAll(async () => {
    // With a SCRAM-SHA-256 login required: the runbook's commands log in through the URI from the host's env.
    mongo = await MongoReplicaSetDouble.start('rs0', [{ state: 'PRIMARY' }, { state: 'SECONDARY', syncSource: 0 }, { state: 'SECONDARY', syncSource: 0 }], { auth: { username: 'ops', password: 's3cret-mongo' } });
  });
  afterAll(() => mongo?.close());

  it('steps the primary down, a secondary is elected and takes a majority write', async () => {
    const clusters = { mongo: { kind: 'mongodb', members: mongo.hosts.map((h, i) => ({ name: `mongo${i + 1}`, host: 'doubles', endpoint: h })) } };
    const env = { MONGODB_URI: `mongodb://ops:s3cret-mongo@${mongo.hosts.join(',')}/?replicaSet=rs0&authSource=admin&authMechanism=SCRAM-SHA-256` };
    expect(mongo.primaryIndex).toBe(0);
    const r = await runOnDoubles('mongodb-stepdown.md', clusters, { stepdown: { confirm: 'mongo', checklist: 'all' } }, { stepdown_seconds: '60', wait_seconds: '60' }, env);
    expect(r.code, tail(r)).toBe(0);
    expect(r.outcomes).toEqual(['[ok] inspect', '[ok] stepdown', '[ok] verify']);
    expect(r.stdout).toContain('"steppedDown":true');
    // The double's state afterwards: a new primary (not the old one, which is frozen for 60 s), one step-down
    // in its history, and the check document on a majority of members.
    expect(mongo.primaryIndex).not.toBeNull();
    expect(mongo.primaryIndex).not.toBe(0);
    expect(mongo.replMembers[0]!.state).toBe('SECONDARY');
    const withDoc = mongo.replMembers.filter((m) => (m.data?.get('stepdown_check') ?? []).length === 1);
    expect(withDoc.length).toBeGreaterThanOrEqual(2);
    expect(r.stdout + r.stderr).not.toContain('s3cret-mongo');
  });
});

describe('runbooks/kafka-under-replicated.md on the Kafka double (hatui admin kafka: kafkajs + ElectLeaders)', () => {
  let kafka: KafkaClusterDouble;
  // Six partitions of `orders`, replication factor 3, preferred leaders spread over brokers 1, 2, 3.
  const partitions = Array.from({ length: 6 }, (_, i) => {
    const replicas = [1, 2, 3].map((_, k) => ((i + k) % 3) + 1);
    return { partition: i, leader: replicas[0]!, replicas, isr: [...replicas] };
  });
  beforeAll(async () => {
    kafka = await KafkaClusterDouble.start({ controller: 1, brokers: [{ nodeId: 1 }, { nodeId: 2 }, { nodeId: 3 }], topics: [{ name: 'orders', partitions }], sasl: { username: 'ops', password: 's3cret-kafka' } });
  });
  afterAll(() => kafka?.close());

  it('finds the partitions a stopped broker left under-replicated and stops at the ISR wait; once it is back, hands leadership back to the preferred replicas', async () => {
    // The probe behind the pre-flight logs in with the inventory's SASL credential, as the runbook's commands do with theirs.
    const clusters = { kafka: { kind: 'kafka', username: 'ops', credentials: { admin: { env: 'KAFKA_SASL_PASSWORD' } }, members: kafka.addresses.map((a, i) => ({ name: `kafka${i + 1}`, host: 'doubles', endpoint: a })) } };
    const env = { KAFKA_BOOTSTRAP: kafka.addresses.join(','), KAFKA_SASL_USERNAME: 'ops', KAFKA_SASL_PASSWORD: 's3cret-kafka' };
    const answers = { brokers: { checklist: 'all' }, elect: { confirm: 'kafka', checklist: 'all' } };
    await kafka.stopBroker(1); // broker 2: its partitions' leaders move, every ISR loses it
    const leaderOf = () => kafka.topics[0]!.partitions.map((p) => p.leader);
    expect(leaderOf()).not.toContain(2);

    const down = await runOnDoubles('kafka-under-replicated.md', clusters, answers, { isr_wait: '1', isr_poll_seconds: '0.2' }, env);
    expect(down.code).not.toBe(0);
    expect(down.stdout).toContain('"under_replicated":6');
    expect(down.outcomes).toContain('[ok] find');
    expect(down.outcomes).not.toContain('[ok] wait-isr');
    expect(down.outcomes).not.toContain('[ok] elect');

    await kafka.startBroker(1); // back in every ISR, but it leads nothing
    expect(leaderOf()).not.toContain(2);
    const up = await runOnDoubles('kafka-under-replicated.md', clusters, answers, { isr_wait: '30', isr_poll_seconds: '0.2' }, env);
    expect(up.code, tail(up)).toBe(0);
    expect(up.outcomes).toEqual(['[ok] find', '[ok] brokers', '[ok] wait-isr', '[ok] elect', '[ok] verify']);
    // The double's state afterwards: every partition led by its preferred (first) replica, ISRs full.
    for (const p of kafka.topics[0]!.partitions) {
      expect(p.leader, `orders-${p.partition}`).toBe(p.replicas[0]);
      expect([...p.isr].sort()).toEqual([...p.replicas].sort());
    }
    expect(kafka.received.flat()).toContain('ElectLeaders v1');
    expect(down.stdout + down.stderr + up.stdout + up.stderr).not.toContain('s3cret-kafka');
  });
});

describe('hatui lab up --doubles (the demo inventory)', () => {
  const inventory = () => parse(readFileSync(labPaths(settings).inventory, 'utf8')) as Inventory;
  beforeAll(async () => {
    const up = await hatui(['lab', 'up', '--doubles'], labEnv(settings));
    expect(up.code, up.stderr).toBe(0);
    await labUp(settings, ['rediscluster']);
  });
  afterAll(async () => {
    await labDown(settings, { parts: ['doubles', 'rediscluster'] });
    expect(Object.keys(inventory().clusters)).not.toContain('mongo');
  });

  it('lists mongo, mongos, kafka and weaviate clusters, each described as a wire-level double, and their probes answer', async () => {
    const inv = inventory();
    for (const name of ['mongo', 'mongos', 'kafka', 'weaviate']) {
      expect(inv.clusters[name]?.description, name).toMatch(/a wire-level double \(not /);
      expect(inv.clusters[name]?.servedBy, name).toBe('wire-level-double');
    }
    const state = (name: string) => snapshotCluster(name, inv.clusters[name]!, inv, { timeoutMs: 3000 });
    expect(await state('mongo')).toMatchObject({ kind: 'mongodb', setName: 'rs0', primary: 'mongo1' });
    expect(await state('mongos')).toMatchObject({ kind: 'mongodb', sharding: { routersAnswering: 1, balancerMode: 'full', shards: [{ id: 'rs0' }] } });
    // orders (6 partitions) and the drill canary's hatui-canary (3).
    expect(await state('kafka')).toMatchObject({ kind: 'kafka', controller: 1, underReplicated: 0, partitions: 9 });
    expect(await state('weaviate')).toMatchObject({ kind: 'weaviate', healthyCount: 3 });
  });

  // This lab runs without region B (`--regions 2`), so the two runbooks of the DR site do not fit it.
  it('marks no shipped runbook as not fitting, but dr-activate and drill-region-failure (they need the DR site)', async () => {
    const entries = await listRunbooks('runbooks', inventory());
    const unfit = entries.filter((e) => e.title.startsWith('(')).map((e) => e.id);
    expect(unfit.filter((id) => id !== 'dr-activate' && id !== 'drill-region-failure')).toEqual([]);
    expect(entries.map((e) => e.id)).toEqual(expect.arrayContaining(['mongodb-stepdown', 'kafka-under-replicated', 'weaviate-backup-restore', 'redis-cluster-failover', 'redis-persistence-check', 'drill-redis-cluster-master-failure']));
  });
});
