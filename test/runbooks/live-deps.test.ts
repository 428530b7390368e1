// live-deps: the one-shot cluster snapshot CEL reads. A hung target (one that ignores its abort signal
// and never answers) is bounded by the per-target timeout and shows as an error, the others answer,
// change history carries over from the previous snapshot, kinds without a probe say so.
import { describe, expect, it } from 'vitest';
import type { ClusterState } from '../../source/core/cluster-state.js';
import { inventorySchema } from '../../source/core/inventory/model.js';
import type { ClusterProbe, TargetResult } from '../../source/adapters/probes/types.js';
import { createLiveDeps, snapshotClusters, sshHostsFor } from '../../source/services/live-deps.js';

const inventory = inventorySchema.parse({
  environment: 'lab',
  hosts: { a: { address: '127.0.0.1' }, b: { address: '127.0.0.1' } },
  clusters: {
    pg: { kind: 'patroni', members: [{ name: 'a', host: 'a' }, { name: 'b', host: 'b' }] },
    mongo: { kind: 'mongodb', members: [{ name: 'a', host: 'a' }] },
  },
});

/** A probe double: target `a` answers, target `b` hangs forever and ignores the abort signal. */
function fakeProbe(seen: { prev: unknown[] }): ClusterProbe<string> {
  return {
    kinds: ['patroni'],
    targets: () => [
      { id: 'a', address: 'a:1', fetch: async () => 'answer from a' },
      { id: 'b', address: 'b:1', fetch: () => new Promise<string>(() => {}) },
    ],
    combine: (name, _cluster, results: readonly TargetResult<string>[], prev: ClusterState | undefined, now) => {
      seen.prev.push(prev);
      return { kind: 'no-probe', name, fetchedAt: new Date(now).toISOString(), targets: results.map((r) => ({ target: r.address, lastOkAt: r.last, stale: r.error ? { sinceMs: 0, error: r.error } : null })), clusterKind: 'patroni', members: [], message: 'no probe yet' } as ClusterState;
    },
  };
}

describe('snapshotClusters', () => {
  it('bounds a hung target by the per-target timeout and keeps the answering one', async () => {
    const seen = { prev: [] as unknown[] };
    const probe = fakeProbe(seen);
    const snapshot = await snapshotClusters(inventory, { timeoutMs: 100, probeFor: (kind) => (kind === 'patroni' ? (probe as ClusterProbe<unknown>) : undefined) });
    const pg = snapshot.pg!;
    expect(pg.targets).toEqual([
      { target: 'a:1', lastOkAt: 'answer from a', stale: null },
      { target: 'b:1', lastOkAt: null, stale: { sinceMs: 0, error: 'b:1: timed out after 100 ms' } },
    ]);
    expect(snapshot.mongo).toMatchObject({ kind: 'no-probe', clusterKind: 'mongodb', message: 'no probe yet', members: ['a'] });
    // The previous snapshot is handed to combine (leader-change history carries over).
    await snapshotClusters(inventory, { timeoutMs: 50, prev: snapshot, probeFor: (kind) => (kind === 'patroni' ? (probe as ClusterProbe<unknown>) : undefined) });
    expect(seen.prev).toEqual([undefined, pg]);
    // `only`: just the named clusters are asked (a name the inventory lacks is left out)
    const calls = seen.prev.length;
    const onlyMongo = await snapshotClusters(inventory, { timeoutMs: 50, only: ['mongo', 'nope'], probeFor: (kind) => (kind === 'patroni' ? (probe as ClusterProbe<unknown>) : undefined) });
    expect(Object.keys(onlyMongo)).toEqual(['mongo']);
    expect(seen.prev.length).toBe(calls);
  });

  it('createLiveDeps: each clusterState() call is a fresh snapshot; inventory credentials and host secretEnv become redaction secrets', async () => {
    const withCreds = inventorySchema.parse({
      environment: 'lab',
      hosts: { a: { address: '127.0.0.1', secretEnv: { REDISCLI_AUTH: { env: 'HATUI_TEST_REDIS_PW' } } } },
      clusters: { pg: { kind: 'patroni', members: [{ name: 'a', host: 'a' }], credentials: { superuser: { env: 'HATUI_TEST_PG_PW' }, other: { file: '/nonexistent/hatui' } } } },
    });
    let calls = 0;
    const probe: ClusterProbe<number> = {
      kinds: ['patroni'],
      targets: () => [{ id: 'a', address: 'a:1', fetch: async () => ++calls }],
      combine: (name, _c, results, _prev, now) => ({ kind: 'no-probe', name, fetchedAt: new Date(now).toISOString(), targets: [], clusterKind: String(results[0]!.last), members: [], message: 'no probe yet' }) as ClusterState,
    };
    const live = createLiveDeps(withCreds, { env: { HATUI_TEST_PG_PW: 's3cret-value', HATUI_TEST_REDIS_PW: 'redis-s3cret' }, probeFor: () => probe as ClusterProbe<unknown> });
    try {
      expect(live.secrets).toEqual(['s3cret-value', 'redis-s3cret']);
      const first = (await live.clusterState()) as Record<string, { clusterKind: string }>;
      const second = (await live.clusterState()) as Record<string, { clusterKind: string }>;
      expect([first.pg!.clusterKind, second.pg!.clusterKind]).toEqual(['1', '2']);
      expect(await live.clusterState([])).toEqual({});
      expect(calls).toBe(2);
      expect(await live.resolveTarget('local')).toEqual([{ selector: 'local', host: 'local' }]);
    } finally {
      await live.close();
    }
  });
});

describe('sshHostsFor (which connections a run pre-opens)', () => {
  const inventory = inventorySchema.parse({
    environment: 'lab',
    hosts: { pg1: { address: '127.0.0.1' }, pg2: { address: '127.0.0.1' }, ops: { address: '127.0.0.1', transport: 'local' }, r1: { address: '127.0.0.1' } },
    clusters: {
      pg: { kind: 'patroni', members: [{ name: 'pg1', host: 'pg1' }, { name: 'pg2', host: 'pg2' }] },
      redis: { kind: 'redis-sentinel', members: [{ name: 'r1', host: 'r1' }] },
    },
  });
  it('maps role selectors to every member host of their cluster, plain hosts to themselves, and skips local ones', () => {
    expect(sshHostsFor(inventory, ['local', 'pg.leader', 'pg.replicas', 'ops']).sort()).toEqual(['pg1', 'pg2']);
    expect(sshHostsFor(inventory, ['r1'])).toEqual(['r1']);
    expect(sshHostsFor(inventory, ['nope.leader', 'local'])).toEqual([]);
  });
});
