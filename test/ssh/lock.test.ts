// Operator lock pieces that need no server (the lab tests cover etcd and Redis for real).
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../source/core/inventory/model.js';
import { loadInventory } from '../../source/core/inventory/load.js';
import { formatProblem } from '../../source/core/runbook/problem.js';
import { FakeEtcd } from './fake-etcd.js';
import { createLockManager, createLockService, describeHolder, LockHeldError, lockStoreFor } from '../../source/services/lock.js';

const inventory: Inventory = {
  environment: 'lab',
  hosts: { h: { address: '127.0.0.1', transport: 'ssh' } },
  clusters: {
    pg: { kind: 'patroni', members: [], endpoints: { dcs: '127.0.0.1:2379' } },
    lonely: { kind: 'patroni', members: [] },
    mongo: { kind: 'mongodb', members: [] },
  },
};

describe('operator lock', () => {
  it('keeps a Patroni cluster lock on its etcd, and refuses when there is no etcd to keep it on', () => {
    expect(lockStoreFor(inventory, 'pg').where).toBe('etcd http://127.0.0.1:2379 /hatui/locks/pg');
    expect(() => lockStoreFor(inventory, 'lonely')).toThrow(/no etcd to keep the lock on/);
    expect(() => lockStoreFor(inventory, 'nope')).toThrow(/no cluster 'nope'/);
  });

  it('refuses a lock on a kind without a coordination store when the inventory names no shared one', async () => {
    const service = createLockService(createLockManager(inventory));
    const result = await service.acquire({ cluster: 'mongo', holder: 'ops@x', runbookId: 'rb', runId: 'r1' });
    expect(result.ok).toBe(false);
    const message = result.ok ? '' : result.message;
    expect(message).toContain("mongodb cluster 'mongo' has no coordination store");
    expect(message).toContain('locks: { store:');
    expect(message).toContain('changes=mongo');
  });

  it('keeps the lock of a kind without a store on the inventory\'s locks.store, keyed by the locked cluster', () => {
    const shared: Inventory = {
      ...inventory,
      locks: { store: 'etcd' },
      clusters: {
        ...inventory.clusters,
        etcd: { kind: 'etcd', members: [], endpoints: { client: 'http://10.0.0.21:2379, http://10.0.0.22:2379' } },
        sentinel: { kind: 'redis-sentinel', masterName: 'mymaster', sentinels: ['127.0.0.1:26379'], members: [] },
      },
    };
    expect(lockStoreFor(shared, 'mongo').where).toBe('etcd http://10.0.0.21:2379,http://10.0.0.22:2379 /hatui/locks/mongo');
    expect(lockStoreFor({ ...shared, locks: { store: 'sentinel' } }, 'mongo').where).toMatch(/^redis master 'mymaster' .* key hatui:lock:mongo$/);
    // A cluster with its own store keeps its lock there.
    expect(lockStoreFor(shared, 'pg').where).toBe('etcd http://127.0.0.1:2379 /hatui/locks/pg');
  });

  it('validates locks.store in the inventory with file:line', () => {
    const text = 'environment: lab\nclusters:\n  h: { kind: haproxy }\n  e: { kind: etcd }\nlocks:\n  store: h\n';
    expect(loadInventory(text, 'inv.yaml').problems.map(formatProblem)).toEqual(["inv.yaml:6:10: locks.store: cluster 'h' is haproxy; locks can be kept on an etcd or redis-sentinel cluster"]);
    expect(loadInventory(text.replace('store: h', 'store: nope'), 'inv.yaml').problems.map(formatProblem)[0]).toMatch(/^inv\.yaml:6:10: locks\.store: no cluster 'nope'/);
    expect(loadInventory(text.replace('store: h', 'store: e'), 'inv.yaml').problems).toEqual([]);
  });

  it('a resume takes over the stale lock of the run it resumes without a typed name, and only that one', async () => {
    const etcd = new FakeEtcd();
    const crashed = { user: 'ann', host: 'ops1', pid: 4242, runbook: 'rb', startedAt: '2026-01-01T00:00:00Z', runId: 'run-1', id: 'aaaa' };
    etcd.kv.set('/hatui/locks/pg/holder', { value: JSON.stringify(crashed) });
    const manager = createLockManager(inventory, { fetch: etcd.fetch, leaseMs: 60_000 });
    try {
      const other = await createLockService(manager).acquire({ cluster: 'pg', holder: 'ops@x', runbookId: 'rb', runId: 'run-2' });
      expect(other.ok).toBe(false);
      expect(other.ok ? '' : other.message).toMatch(/STALE.*pid 4242/);
      const service = createLockService(manager);
      const resumed = await service.acquire({ cluster: 'pg', holder: 'ops@x', runbookId: 'rb', runId: 'run-1' });
      expect(resumed).toMatchObject({ ok: true, takeover: { sameRun: true, previousHolder: expect.stringContaining('pid 4242') } });
      expect(JSON.parse(etcd.get('/hatui/locks/pg/lock')!)).toMatchObject({ runId: 'run-1', pid: process.pid });
      await service.release('pg');
    } finally {
      await manager.close();
    }
  });
  it('reports an unreachable store as a refusal naming it', async () => {
    const refusing = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    const service = createLockService(createLockManager(inventory, { fetch: refusing }));
    const result = await service.acquire({ cluster: 'pg', holder: 'ops@x', runbookId: 'rb', runId: 'r1' });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toContain('etcd http://127.0.0.1:2379');
  });

  it('words held and stale refusals with the holder (exit 4)', () => {
    const holder = { user: 'ann', host: 'ops1', pid: 4242, runbook: 'switchover', startedAt: '2026-01-01T00:00:00Z' };
    const held = new LockHeldError('pg', holder, false, 'etcd x');
    expect(held.exitCode).toBe(4);
    expect(held.message).toContain(describeHolder(holder));
    expect(new LockHeldError('pg', holder, true, 'etcd x').message).toMatch(/STALE.*pid 4242/);
  });
});
