// The pre-flights of the shipped MongoDB, Kafka and Weaviate runbooks, evaluated the way the runner does
// (CEL over `clusters.<name>` from the probes) against the wire-level doubles in test/doubles/: a healthy
// double passes every line, each degradation an operator must not act on blocks the change step.
// (Patroni, Sentinel and HAProxy pre-flights run against the real lab: test/lab/preflight-quorum.test.ts.)
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWeaviateProbe } from '../../source/adapters/probes/weaviate.js';
import type { ClusterProbe } from '../../source/adapters/probes/types.js';
import { celContext, evaluateExpression } from '../../source/core/cel.js';
import type { Inventory } from '../../source/core/inventory/model.js';
import type { Runbook } from '../../source/core/runbook/model.js';
import { readRunbookFile } from '../../source/services/load-files.js';
import { snapshotClusters } from '../../source/services/live-deps.js';
import { KafkaClusterDouble } from '../../source/lab/doubles/kafka-wire.js';
import { MongoReplicaSetDouble, type MongoMemberSpec } from '../../source/lab/doubles/mongo-wire.js';
import { WeaviateClusterDouble } from '../../source/lab/doubles/weaviate-http.js';
import { doubleInventory } from '../probes/double-inventory.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function runbook(file: string): Promise<Runbook> {
  const { runbook, problems } = await readRunbookFile(join('runbooks', file));
  if (!runbook) throw new Error(problems.map((p) => p.message).join('\n'));
  return runbook;
}

/** Each pre-flight line of the step with its result, as `true <source>` / `false <source>`. */
async function preflight(file: string, stepId: string, inventory: Inventory, captures: Record<string, unknown> = {}, probe?: ClusterProbe<unknown>): Promise<string[]> {
  const rb = await runbook(file);
  const step = rb.steps.find((s) => s.id === stepId)!;
  expect(step.changes, `${file} ${stepId} changes a cluster`).toBeDefined();
  expect(step.preflight.length).toBeGreaterThan(0);
  const clusters = await snapshotClusters(inventory, { timeoutMs: 2000, ...(probe ? { probeFor: (kind: string) => (kind === 'weaviate' ? probe : undefined) } : {}) });
  const vars = Object.fromEntries(Object.entries(rb.vars).flatMap(([k, v]) => (v.default !== undefined ? [[k, v.default]] : [])));
  const context = celContext({ vars, clusters, captures: Object.fromEntries(Object.entries(captures).map(([k, v]) => [k, { stdout: JSON.stringify(v), exitCode: 0 }])) });
  return step.preflight.map((e) => `${evaluateExpression(e.source, context).result} ${e.source}`);
}

const failing = (lines: string[]) => lines.filter((l) => l.startsWith('false ')).map((l) => l.slice(6));

describe('mongodb-stepdown pre-flight (replica set double)', () => {
  const NOW = Math.floor(Date.now() / 1000);
  async function set(specs: MongoMemberSpec[]): Promise<Inventory> {
    const rs = await MongoReplicaSetDouble.start('rs0', specs);
    closers.push(() => rs.close());
    return doubleInventory({ mongo: { kind: 'mongodb', prefix: 'm', endpoints: rs.hosts } });
  }
  const rs = { primary: 'm1', secondaries: 2, maxLagSeconds: 1 };

  it('passes with a primary and caught-up, healthy secondaries', async () => {
    const inv = await set([{ state: 'PRIMARY', optimeSeconds: NOW }, { state: 'SECONDARY', optimeSeconds: NOW - 1, syncSource: 0 }, { state: 'SECONDARY', optimeSeconds: NOW, syncSource: 0 }]);
    expect(failing(await preflight('mongodb-stepdown.md', 'stepdown', inv, { rs }))).toEqual([]);
  });

  it('blocks when no secondary is electable and caught up (one lags, one is not a SECONDARY)', async () => {
    const inv = await set([{ state: 'PRIMARY', optimeSeconds: NOW }, { state: 'SECONDARY', optimeSeconds: NOW - 120, syncSource: 0 }, { state: 'STARTUP2', optimeSeconds: NOW - 300 }]);
    expect(failing(await preflight('mongodb-stepdown.md', 'stepdown', inv, { rs }))).toEqual([
      "clusters.mongo.members.exists(m, m.stateStr == 'SECONDARY' && m.health == 1 && m.stale == null && m.lagSeconds != null && m.lagSeconds <= double(vars.max_lag_seconds))",
    ]);
  });

  it('blocks when a majority of the members is unhealthy (no election could succeed)', async () => {
    const inv = await set([{ state: 'PRIMARY', optimeSeconds: NOW }, { state: 'SECONDARY', optimeSeconds: NOW, health: 0 }, { state: 'SECONDARY', optimeSeconds: NOW, health: 0 }]);
    expect(failing(await preflight('mongodb-stepdown.md', 'stepdown', inv, { rs }))).toContain('clusters.mongo.members.filter(m, m.health == 1).size() * 2 > clusters.mongo.members.size()');
  });
});

describe('kafka-under-replicated pre-flight (cluster double)', () => {
  const topics = (isr: number[][]) => [{ name: 'orders', partitions: isr.map((i, p) => ({ partition: p, leader: i[0] ?? 1, replicas: [1, 2, 3], isr: i })) }];
  async function cluster(isr: number[][]): Promise<Inventory> {
    const k = await KafkaClusterDouble.start({ controller: 1, brokers: [{ nodeId: 1 }, { nodeId: 2 }, { nodeId: 3 }], topics: topics(isr) });
    closers.push(() => k.close());
    return doubleInventory({ kafka: { kind: 'kafka', prefix: 'k', endpoints: k.addresses } });
  }

  it('passes when every partition has at least min.insync.replicas in sync', async () => {
    expect(failing(await preflight('kafka-under-replicated.md', 'elect', await cluster([[1, 2, 3], [2, 3]])))).toEqual([]);
  });

  it('blocks a leader election while a partition is below min.insync.replicas', async () => {
    expect(failing(await preflight('kafka-under-replicated.md', 'elect', await cluster([[1, 2, 3], [2]])))).toEqual([
      'clusters.kafka.minIsr != null && clusters.kafka.minIsr >= int(vars.min_insync_replicas)',
    ]);
  });
});

describe('weaviate-backup-restore pre-flight (HTTP double)', () => {
  async function cluster(unhealthy = false): Promise<Inventory> {
    const w = await WeaviateClusterDouble.start({ nodes: [{ name: 'w1', shards: [] }, { name: 'w2', shards: [], ...(unhealthy ? { status: 'UNHEALTHY' } : {}) }] });
    closers.push(() => w.close());
    return doubleInventory({ weaviate: { kind: 'weaviate', prefix: 'w', endpoints: w.urls } });
  }
  const probe = () => createWeaviateProbe({ env: {}, readFile: () => '' }) as ClusterProbe<unknown>;

  it('passes a restore of a SUCCESS backup onto healthy, ready nodes', async () => {
    expect(failing(await preflight('weaviate-backup-restore.md', 'restore', await cluster(), { backup_status: { id: 'b1', status: 'SUCCESS' } }, probe()))).toEqual([]);
  });

  it('blocks a restore of a backup that did not succeed, and onto an unhealthy node', async () => {
    expect(failing(await preflight('weaviate-backup-restore.md', 'restore', await cluster(true), { backup_status: { id: 'b1', status: 'FAILED' } }, probe()))).toEqual([
      "captures.backup_status.json.status == 'SUCCESS'",
      "clusters.weaviate.nodes.size() > 0 && clusters.weaviate.nodes.all(n, n.status == 'HEALTHY')",
    ]);
  });
});
