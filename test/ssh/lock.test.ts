// Operator lock pieces that need no server (the lab tests cover etcd and Redis for real).
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../source/core/inventory/model.js';
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

  it('records an unshared lock for kinds without a coordination store instead of blocking', async () => {
    const service = createLockService(createLockManager(inventory));
    const result = await service.acquire({ cluster: 'mongo', holder: 'ops@x', runbookId: 'rb', runId: 'r1' });
    expect(result.ok).toBe(true);
    expect(result.ok && result.holder).toContain('not shared');
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
