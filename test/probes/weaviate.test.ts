// The Weaviate probe (run-path HTTP client) against an HTTP double of a Weaviate cluster
// (test/doubles/weaviate-http.ts: /v1/.well-known/ready and /v1/nodes on 127.0.0.1). Not Weaviate.
import { afterEach, describe, expect, it } from 'vitest';
import { createWeaviateProbe } from '../../source/adapters/probes/weaviate.js';
import type { ClusterProbe } from '../../source/adapters/probes/types.js';
import { weaviateStateSchema, type WeaviateState } from '../../source/core/cluster-state.js';
import type { Inventory } from '../../source/core/inventory/model.js';
import { snapshotClusters } from '../../source/services/live-deps.js';
import { lineText, panelLines } from '../../source/ui/panel-lines.js';
import { WeaviateClusterDouble, type WeaviateNodeSpec } from '../doubles/weaviate-http.js';
import { doubleInventory } from './double-inventory.js';

let double: WeaviateClusterDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

const nodes = (): WeaviateNodeSpec[] => [
  { name: 'w1', shards: [{ class: 'Article', objectCount: 12_345 }, { class: 'Author', objectCount: 800 }] },
  { name: 'w2', shards: [{ class: 'Article', objectCount: 12_001 }] },
  { name: 'w3', shards: [] },
];

async function cluster(spec: { nodes?: WeaviateNodeSpec[]; members?: number; apiKey?: string } = {}, credentials?: Inventory['clusters'][string]['credentials']) {
  double = await WeaviateClusterDouble.start({ nodes: spec.nodes ?? nodes(), ...spec });
  return { double, inventory: doubleInventory({ vectors: { kind: 'weaviate', prefix: 'w', endpoints: double.urls, ...(credentials ? { credentials } : {}) } }) };
}

async function snapshot(inventory: Inventory, opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<WeaviateState> {
  const probe = createWeaviateProbe({ env: opts.env ?? {}, readFile: () => 'file-key\n' }) as ClusterProbe<unknown>;
  const states = await snapshotClusters(inventory, { timeoutMs: opts.timeoutMs ?? 1500, probeFor: (kind) => (kind === 'weaviate' ? probe : undefined) });
  return weaviateStateSchema.parse(states.vectors);
}

describe('weaviate probe (HTTP double of /v1/.well-known/ready and /v1/nodes)', () => {
  it('reads every node’s status, version, shards and objects, and each member’s readiness', async () => {
    const { double: w, inventory } = await cluster({ nodes: [...nodes().slice(0, 2), { name: 'w3', status: 'UNHEALTHY', version: '1.25.5', shards: [] }] });
    w.update(1, { ready: false });
    const state = await snapshot(inventory);
    expect(state.nodes).toEqual([
      { name: 'w1', status: 'HEALTHY', version: '1.25.6', shardCount: 2, objectCount: 13_145 },
      { name: 'w2', status: 'HEALTHY', version: '1.25.6', shardCount: 1, objectCount: 12_001 },
      { name: 'w3', status: 'UNHEALTHY', version: '1.25.5', shardCount: 0, objectCount: 0 },
    ]);
    expect(state.healthyCount).toBe(2);
    expect(state.members.map((m) => [m.name, m.endpoint, m.ready, m.stale])).toEqual([
      ['w1', w.urls[0], true, null],
      ['w2', w.urls[1], false, null],
      ['w3', w.urls[2], true, null],
    ]);
    expect(state.nodesError).toBeNull();
    // The counts need the verbose output; without a credential no Authorization header goes out.
    expect(new Set(w.requests.map((r) => r.path))).toEqual(new Set(['/v1/.well-known/ready', '/v1/nodes?output=verbose']));
    expect(w.requests.every((r) => r.authorization === undefined)).toBe(true);
  });

  it('shows a node that turns UNHEALTHY, and a member that stops being ready, on the next poll', async () => {
    const { double: w, inventory } = await cluster();
    expect((await snapshot(inventory)).healthyCount).toBe(3);
    w.nodes[1]!.status = 'UNHEALTHY';
    w.update(1, { ready: false });
    const after = await snapshot(inventory);
    expect([after.healthyCount, after.nodes[1]!.status, after.members[1]!.ready]).toEqual([2, 'UNHEALTHY', false]);
    expect(lineText(panelLines(after)[2]!)).toMatch(/^ {2}w2 +UNHEALTHY .* NOT READY$/);
  });

  it('sends the apiKey credential as a Bearer token and never shows it; a refused key is named by its HTTP status', async () => {
    const { double: w, inventory } = await cluster({ apiKey: 'wv-s3cret-key' }, { apiKey: { env: 'HATUI_TEST_WEAVIATE_KEY' } });
    const state = await snapshot(inventory, { env: { HATUI_TEST_WEAVIATE_KEY: 'wv-s3cret-key' } });
    expect(state.healthyCount).toBe(3);
    expect(w.requests.filter((r) => r.path.startsWith('/v1/nodes')).map((r) => r.authorization)).toEqual(Array(3).fill('Bearer wv-s3cret-key'));
    const wrong = await snapshot(inventory, { env: { HATUI_TEST_WEAVIATE_KEY: 'wv-wrong-key' } });
    expect(wrong.nodes).toEqual([]);
    expect(wrong.nodesError).toMatch(/^HTTP 401 .*invalid api key/);
    expect(lineText(panelLines(wrong)[0]!)).toContain('/v1/nodes: HTTP 401');
    const unset = await snapshot(inventory, { env: {} });
    expect(unset.members[0]!.stale?.error).toBe('clusters.vectors.credentials.apiKey: environment variable HATUI_TEST_WEAVIATE_KEY is not set');
    for (const s of [state, wrong, unset]) {
      expect(JSON.stringify(s)).not.toMatch(/wv-s3cret-key|wv-wrong-key/);
      expect(panelLines(s).map(lineText).join('\n')).not.toMatch(/wv-s3cret-key|wv-wrong-key/);
    }
  });

  it('marks a hung member and a closed one stale within the probe timeout while the other answers', async () => {
    const { double: w, inventory } = await cluster();
    await w.setMode(1, 'hang');
    await w.setMode(2, 'closed');
    const deadline = Date.now() + 3000;
    const state = await snapshot(inventory, { timeoutMs: 400 });
    expect(Date.now()).toBeLessThan(deadline);
    expect(state.members.map((m) => [m.ready, m.stale?.error ?? null])).toEqual([
      [true, null],
      [null, `${w.urls[1]}: timed out after 400 ms`],
      [null, expect.stringMatching(/ECONNREFUSED/)],
    ]);
    // The answering member's /v1/nodes still lists all three nodes.
    expect(state.nodes.map((n) => n.name)).toEqual(['w1', 'w2', 'w3']);
    const lines = panelLines(state).map(lineText);
    expect(lines[2]).toMatch(/^ {2}w2 +HEALTHY .* STALE \d/);
  });

  it('panel: a head line (unhealthy and not-ready counts in red) and one line per member, within 80 columns', async () => {
    const { double: w, inventory } = await cluster({ members: 2, nodes: [...nodes().slice(0, 2), { name: 'w3', status: 'UNAVAILABLE' }] });
    w.update(0, { ready: false });
    const state = await snapshot(inventory);
    const lines = panelLines(state);
    expect(lines.map(lineText)).toEqual([
      'vectors weaviate  healthy 2/3  ready 1/2',
      '  w1     HEALTHY    1.25.6 shards 2 objects 13.1k  NOT READY',
      '  w2     HEALTHY    1.25.6 shards 1 objects 12.0k  ready',
      '  w3     UNAVAILABLE 1.25.6 shards 0 objects 0  (no inventory member)',
    ]);
    expect(lines[0]!.find((s) => s.text === '  healthy 2/3')).toMatchObject({ tone: 'red', bold: true });
    expect(lines[1]!.find((s) => s.text === '  NOT READY')).toMatchObject({ tone: 'red', bold: true });
    expect(lines[3]!.find((s) => s.text.startsWith('UNAVAILABLE'))).toMatchObject({ tone: 'red' });
    for (const line of lines) expect(lineText(line).length).toBeLessThanOrEqual(80);
  });
});
