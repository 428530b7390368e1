import { afterEach, describe, expect, it } from 'vitest';
import { combineEtcd, type EtcdObservation } from '../../source/adapters/probes/etcd.js';
import type { ClusterProbe } from '../../source/adapters/probes/types.js';
import type { ClusterSnapshot, EtcdState } from '../../source/core/cluster-state.js';
import type { Inventory } from '../../source/core/inventory/model.js';
import { Poller } from '../../source/services/poller.js';

// A double probe: member `hung` never answers until aborted; `ok` answers at once, counting calls.
const calls = { ok: 0, hung: 0, concurrentHung: 0, maxConcurrentHung: 0 };
const fakeProbe: ClusterProbe<EtcdObservation> = {
  kinds: ['etcd'],
  targets: (_n, cluster) =>
    cluster.members.map((m) => ({
      id: m.name,
      address: `fake://${m.name}`,
      fetch: (signal: AbortSignal) =>
        new Promise<EtcdObservation>((resolve, reject) => {
          if (m.name === 'ok') {
            calls.ok++;
            return resolve({ healthy: true, version: String(calls.ok), isLeader: true, raftTerm: 1, dbSize: 1 });
          }
          calls.hung++;
          calls.concurrentHung++;
          calls.maxConcurrentHung = Math.max(calls.maxConcurrentHung, calls.concurrentHung);
          signal.addEventListener('abort', () => {
            calls.concurrentHung--;
            reject(new Error('aborted'));
          });
        }),
    })),
  combine: (name, cluster, results, _prev, now) => combineEtcd(name, cluster, results, now),
};

const inventory: Inventory = {
  environment: 'lab',
  hosts: {},
  clusters: {
    etcd: { kind: 'etcd', members: [{ name: 'ok', host: 'x' }, { name: 'hung', host: 'y' }] },
    cache: { kind: 'redis-cluster', members: [{ name: 'r1', host: 'z' }] },
  },
};

let poller: Poller | undefined;
afterEach(() => poller?.stop());

async function until<T>(get: () => T | undefined, deadlineMs: number): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('deadline passed');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Poller', () => {
  it('marks a hung target stale while the other keeps updating, never overlapping the hung poll', async () => {
    poller = new Poller(inventory, { intervalMs: 20, timeoutMs: 100, maxBackoffMs: 200, probeFor: (k) => (k === 'etcd' ? (fakeProbe as ClusterProbe<unknown>) : undefined) });
    const seen: ClusterSnapshot[] = [];
    poller.subscribe((s) => seen.push(s));
    poller.start();
    const stale = await until(() => {
      const e = poller!.current().clusters.etcd as EtcdState;
      const hung = e.members.find((m) => m.name === 'hung');
      return hung?.stale && hung.stale.error.includes('timed out') && calls.hung >= 2 ? e : undefined;
    }, 5000);
    expect(stale.members.find((m) => m.name === 'ok')?.stale).toBeNull();
    expect(stale.healthyCount).toBe(1);
    const okBefore = calls.ok;
    await until(() => (calls.ok > okBefore + 5 ? true : undefined), 5000);
    expect(calls.maxConcurrentHung).toBe(1);
    // Snapshots are immutable and the versions seen keep changing for the healthy member.
    const last = seen.at(-1)!;
    expect(Object.isFrozen(last) && Object.isFrozen(last.clusters.etcd)).toBe(true);
    expect(new Set(seen.map((s) => (s.clusters.etcd as EtcdState).members[0]?.version)).size).toBeGreaterThan(3);
  });

  it('lists a kind without a probe as "no probe yet"', () => {
    poller = new Poller(inventory, { probeFor: (k) => (k === 'etcd' ? (fakeProbe as ClusterProbe<unknown>) : undefined) });
    expect(poller.current().clusters.cache).toMatchObject({ kind: 'no-probe', clusterKind: 'redis-cluster', members: ['r1'], message: 'no probe yet' });
  });

  it('waits for a first round of answers (or failures) of every target', async () => {
    poller = new Poller(inventory, { intervalMs: 20, timeoutMs: 100, probeFor: (k) => (k === 'etcd' ? (fakeProbe as ClusterProbe<unknown>) : undefined) }).start();
    const snap = await poller.firstRoundDone(3000);
    const e = snap.clusters.etcd as EtcdState;
    expect(e.members.map((m) => m.healthy)).toEqual([true, null]);
    expect(e.members[1]?.stale?.error).toMatch(/timed out after 100 ms/);
  });

  it('asks a target with startAfterMs only after that delay, unless delayedStarts is off (a one-shot status)', async () => {
    const asked: Record<string, number[]> = { fast: [], slow: [] };
    const started = Date.now();
    const delayed: ClusterProbe<EtcdObservation> = {
      kinds: ['etcd'],
      targets: (_n, cluster) =>
        cluster.members.map((m) => ({
          id: m.name,
          address: `fake://${m.name}`,
          ...(m.name === 'slow' ? { startAfterMs: 300 } : {}),
          fetch: async () => {
            asked[m.name]!.push(Date.now() - started);
            return { healthy: true, version: '1', isLeader: m.name === 'fast', raftTerm: 1, dbSize: 1 };
          },
        })),
      combine: (name, cluster, results, _prev, now) => combineEtcd(name, cluster, results, now),
    };
    const inv: Inventory = { environment: 'lab', hosts: {}, clusters: { etcd: { kind: 'etcd', members: [{ name: 'fast', host: 'x' }, { name: 'slow', host: 'y' }] } } };
    poller = new Poller(inv, { intervalMs: 20, probeFor: () => delayed as ClusterProbe<unknown> }).start();
    await until(() => (asked.fast!.length >= 3 ? true : undefined), 2000);
    expect(asked.slow).toEqual([]);
    await until(() => (asked.slow!.length > 0 ? true : undefined), 2000);
    expect(asked.slow![0]).toBeGreaterThanOrEqual(290);
    poller.stop();

    asked.fast = [];
    asked.slow = [];
    poller = new Poller(inv, { intervalMs: 20, probeFor: () => delayed as ClusterProbe<unknown>, delayedStarts: false }).start();
    const snapshot = await poller.firstRoundDone(2000);
    expect(asked.slow!.length).toBeGreaterThan(0);
    expect((snapshot.clusters.etcd as EtcdState).members.every((m) => m.healthy)).toBe(true);
  });
});

