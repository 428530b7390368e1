// The etcd operator lock against an in-memory etcd double: bounded acquire retries that keep a takeover,
// every member's URL, and a lock whose key was deleted or taken counting as lost (naming the new holder).
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../source/core/inventory/model.js';
import { ACQUIRE_ATTEMPTS, EtcdLockStore } from '../../source/services/lock-etcd.js';
import { createLockManager, createLockService, currentHolder, type LostLock } from '../../source/services/lock.js';
import { FakeEtcd } from './fake-etcd.js';

const emptyFailure = () => ({ succeeded: false, responses: [{ response_range: {} }, { response_range: {} }] });

describe('etcd lock store', () => {
  it('gives up after a bounded number of attempts when the lock keeps vanishing between compare and read', async () => {
    const etcd = new FakeEtcd();
    etcd.override.set('kv/txn', emptyFailure);
    const store = new EtcdLockStore('http://e1:2379', '/hatui/locks/pg', { fetch: etcd.fetch });
    await expect(store.acquire('me', 3000)).rejects.toThrow(/kept changing/);
    expect(etcd.requests.filter((r) => r.path === 'kv/txn')).toHaveLength(ACQUIRE_ATTEMPTS);
    // Every lease granted for a failed attempt is revoked again.
    expect(etcd.requests.filter((r) => r.path === 'lease/revoke')).toHaveLength(ACQUIRE_ATTEMPTS);
  });

  it('keeps the takeover condition on every retry instead of turning it into a plain claim', async () => {
    const etcd = new FakeEtcd();
    etcd.override.set('kv/txn', emptyFailure);
    const store = new EtcdLockStore('http://e1:2379', '/hatui/locks/pg', { fetch: etcd.fetch });
    await expect(store.acquire('me', 3000, 'the-stale-holder')).rejects.toThrow(/stale record to take over is gone/);
    const txns = etcd.requests.filter((r) => r.path === 'kv/txn');
    expect(txns).toHaveLength(ACQUIRE_ATTEMPTS);
    for (const txn of txns) {
      expect((txn.body.compare as { target: string; value?: string }[])[1]).toMatchObject({ target: 'VALUE', value: Buffer.from('the-stale-holder').toString('base64') });
    }
  });

  it('asks the next member when one is unreachable, and names them all', async () => {
    const etcd = new FakeEtcd();
    etcd.down.add('http://e1:2379');
    const store = new EtcdLockStore(['http://e1:2379', 'http://e2:2379'], '/hatui/locks/pg', { fetch: etcd.fetch });
    expect(store.where).toBe('etcd http://e1:2379,http://e2:2379 /hatui/locks/pg');
    expect(await store.acquire('me', 3000)).toMatchObject({ status: 'acquired' });
    expect(etcd.get('/hatui/locks/pg/lock')).toBe('me');
    expect(new Set(etcd.requests.map((r) => r.url))).toEqual(new Set(['http://e2:2379']));
    etcd.down.add('http://e2:2379');
    const error = (await store.inspect().catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/no member reachable/);
    expect(error.message).toContain('http://e1:2379: fetch failed');
    expect(error.message).toContain('http://e2:2379: fetch failed');
  });

  it('a refresh fails once the lock key is deleted, although its lease still lives', async () => {
    const etcd = new FakeEtcd();
    const store = new EtcdLockStore('http://e1:2379', '/hatui/locks/pg', { fetch: etcd.fetch });
    const got = await store.acquire('me', 3000);
    if (got.status !== 'acquired') throw new Error('not acquired');
    expect(await store.refresh(got.token, 'me')).toBe(true);
    etcd.kv.delete('/hatui/locks/pg/lock');
    expect(etcd.leases.has(got.token)).toBe(true);
    expect(await store.refresh(got.token, 'me')).toBe(false);
  });
});

describe('lock handle: losing a held lock', () => {
  const inventory: Inventory = { environment: 'lab', hosts: {}, clusters: { pg: { kind: 'patroni', members: [], endpoints: { dcs: 'http://e1:2379' } } } };

  it('reports a lock taken by someone else once, naming the new holder', async () => {
    const etcd = new FakeEtcd();
    const manager = createLockManager(inventory, { fetch: etcd.fetch, leaseMs: 60_000 });
    try {
      const handle = await manager.acquireLock('pg', currentHolder('rb', 'run-1'));
      const losses: LostLock[] = [];
      handle.onLost((l) => losses.push(l));
      expect(await handle.check()).toBe(true);
      // Deleted, then claimed by another operator.
      etcd.kv.delete('/hatui/locks/pg/lock');
      etcd.kv.set('/hatui/locks/pg/lock', { value: JSON.stringify({ user: 'bob', host: 'ops2', pid: 77, runbook: 'other', startedAt: 'now' }) });
      expect(await handle.check()).toBe(false);
      expect(await handle.check()).toBe(false);
      expect(losses).toHaveLength(1);
      expect(losses[0]!.holder).toContain('bob@ops2 pid 77');
      expect(losses[0]!.reason).toMatch(/deleted or taken/);
      // Releasing a lost lock deletes nothing of the new holder's.
      await handle.release();
      expect(etcd.get('/hatui/locks/pg/lock')).toContain('bob');
    } finally {
      await manager.close();
    }
  });

  it('the background refresh notices an expired lease without being asked', async () => {
    const etcd = new FakeEtcd();
    const manager = createLockManager(inventory, { fetch: etcd.fetch, leaseMs: 600 });
    try {
      const handle = await manager.acquireLock('pg', currentHolder('rb', 'run-1'));
      const lost = new Promise<LostLock>((resolve) => handle.onLost(resolve));
      for (const lease of [...etcd.leases]) etcd.expire(lease);
      const loss = await lost;
      expect(loss.reason).toMatch(/expired/);
      expect(loss.holder).toBeUndefined();
    } finally {
      await manager.close();
    }
  });

  it('the service forwards a loss to the run with the cluster name', async () => {
    const etcd = new FakeEtcd();
    const manager = createLockManager(inventory, { fetch: etcd.fetch, leaseMs: 60_000 });
    try {
      const service = createLockService(manager);
      const losses: { cluster: string; reason: string }[] = [];
      const got = await service.acquire({ cluster: 'pg', holder: 'ops@x', runbookId: 'rb', runId: 'r1', onLost: (l) => losses.push(l) });
      expect(got.ok).toBe(true);
      etcd.kv.delete('/hatui/locks/pg/lock');
      await service.verify!(['pg']);
      expect(losses).toMatchObject([{ cluster: 'pg' }]);
    } finally {
      await manager.close();
    }
  });

  it('closing the manager releases a lock a run left open', async () => {
    const etcd = new FakeEtcd();
    const manager = createLockManager(inventory, { fetch: etcd.fetch, leaseMs: 60_000 });
    await manager.acquireLock('pg', currentHolder('rb', 'run-1'));
    expect(etcd.get('/hatui/locks/pg/holder')).toBeDefined();
    await manager.close();
    expect(etcd.get('/hatui/locks/pg/holder')).toBeUndefined();
    expect(etcd.get('/hatui/locks/pg/lock')).toBeUndefined();
  });
});
