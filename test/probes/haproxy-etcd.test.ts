import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { combineEtcd, leaderKeyFrom, leaderKeyPath, parseEtcdHealth, parseEtcdStatus, parseLeaderRange, quorumOf } from '../../source/adapters/probes/etcd.js';
import { combineHaproxy, parseHaproxyCsv } from '../../source/adapters/probes/haproxy.js';
import { etcdStateSchema, haproxyStateSchema, type EtcdLeaderKey } from '../../source/core/cluster-state.js';
import { sampleJson } from './samples.js';

const csv = readFileSync(new URL('./fixtures/haproxy-stats.csv', import.meta.url), 'utf8');

describe('haproxy probe', () => {
  it('shows which rw/ro servers are UP or DOWN, keeping the raw status', () => {
    const rows = parseHaproxyCsv(csv);
    const state = combineHaproxy('haproxy', { kind: 'haproxy', members: [], backends: { readWrite: 'pg_rw', readOnly: 'pg_ro' } }, [
      { id: 'stats', address: 'http://127.0.0.1:1/;csv', last: rows, lastOkAt: 1000, error: null, startedAt: 0 },
    ], 1000);
    expect(haproxyStateSchema.parse(state)).toEqual(state);
    expect(state.rw?.servers.map((s) => `${s.name}:${s.status}`)).toEqual(['pg1:DOWN', 'pg2:UP', 'pg3:DOWN']);
    expect(state.ro?.servers.map((s) => `${s.name}:${s.status}:${s.raw}`)).toEqual(['pg1:UP:UP', 'pg2:MAINT:MAINT', 'pg3:UP:UP 1/2']);
    expect(state.rw?.servers[0]?.checkStatus).toBe('L7STS');
  });

  it('refuses text that is not a stats CSV', () => {
    expect(() => parseHaproxyCsv('<html>')).toThrow(/header/);
  });
});

describe('etcd probe', () => {
  it('reads health and status (etcdctl JSON numbers and gateway strings alike)', () => {
    expect(parseEtcdHealth({ health: 'true' })).toBe(true);
    expect(parseEtcdHealth({ health: 'false', reason: 'RAFT NO LEADER' })).toBe(false);
    const sample = (sampleJson('patroni/etcd_endpoint_status.json') as unknown[])[0];
    expect(parseEtcdStatus(sample)).toEqual({ version: '3.4.23', isLeader: true, raftTerm: 2, dbSize: 1060864 });
    expect(parseEtcdStatus({ header: { member_id: '1', raft_term: '3' }, leader: '2', version: '3.4.23' }).isLeader).toBe(false);
  });

  it('counts healthy members and marks a silent one stale with health unknown', () => {
    const state = combineEtcd('etcd', { kind: 'etcd', members: [] }, [
      { id: 'etcd1', address: 'http://127.0.0.1:23790', last: { healthy: true, version: '3.4.23', isLeader: true, raftTerm: 2, dbSize: 1 }, lastOkAt: 900, error: null, startedAt: 0 },
      { id: 'etcd2', address: 'http://127.0.0.1:23791', last: null, lastOkAt: null, error: 'ECONNREFUSED', startedAt: 0 },
    ], 1000);
    expect(etcdStateSchema.parse(state)).toEqual(state);
    expect(state.healthyCount).toBe(1);
    expect(state.members[1]).toMatchObject({ healthy: null, stale: { sinceMs: 1000, error: 'ECONNREFUSED' } });
  });
});

describe('etcd probe: quorum and the Patroni leader key', () => {
  const obs = (healthy: boolean, leaderKey?: EtcdLeaderKey | null, at = 900) => ({ healthy, version: '3.4.23', isLeader: null, raftTerm: 2, dbSize: 1, ...(leaderKey !== undefined ? { leaderKey } : {}), at });
  const cluster = { kind: 'etcd' as const, namespace: '/service/hatui-lab/', members: ['etcd1', 'etcd2', 'etcd3'].map((n) => ({ name: n, host: n })) };
  const key = (holder: string, age: number): EtcdLeaderKey => ({ key: '/service/hatui-lab/leader', holder, ageSeconds: age, ttlSeconds: 10 - age, grantedTtlSeconds: 10 });

  it('has quorum with two of three healthy, and none with one (a frozen member does not answer at all)', () => {
    const two = combineEtcd('etcd', cluster, [
      { id: 'etcd1', address: 'a', last: obs(true, key('pg1', 1), 950), lastOkAt: 950, error: null, startedAt: 0 },
      { id: 'etcd2', address: 'b', last: obs(true, key('pg1', 2), 900), lastOkAt: 900, error: null, startedAt: 0 },
      { id: 'etcd3', address: 'c', last: null, lastOkAt: null, error: 'timed out', startedAt: 0 },
    ], 1000);
    expect(etcdStateSchema.parse(two)).toEqual(two);
    expect(two).toMatchObject({ healthyCount: 2, quorumSize: 2, hasQuorum: true, leaderKey: { holder: 'pg1', ageSeconds: 1 } });
    const one = combineEtcd('etcd', cluster, [
      { id: 'etcd1', address: 'a', last: obs(false), lastOkAt: 950, error: null, startedAt: 0 },
      { id: 'etcd2', address: 'b', last: obs(true, key('pg1', 1)), lastOkAt: 500, error: 'timed out', startedAt: 0 },
      { id: 'etcd3', address: 'c', last: null, lastOkAt: null, error: 'timed out', startedAt: 0 },
    ], 1000);
    expect(one).toMatchObject({ healthyCount: 0, quorumSize: 2, hasQuorum: false, leaderKey: null });
    const none = combineEtcd('etcd', cluster, cluster.members.map((m) => ({ id: m.name, address: m.name, last: null, lastOkAt: null, error: 'ECONNREFUSED', startedAt: 0 })), 1000);
    expect(none.hasQuorum).toBeNull();
  });

  it('reads the leader key holder and its lease age from the v3 gateway answers', () => {
    const range = parseLeaderRange({ kvs: [{ key: 'L3NlcnZpY2UvaGF0dWktbGFiL2xlYWRlcg==', value: 'cGcx', lease: '2167817171663330570' }], count: '1' });
    expect(range).toEqual({ holder: 'pg1', lease: '2167817171663330570' });
    expect(leaderKeyFrom('/service/hatui-lab/leader', range, { ID: '2167817171663330570', TTL: '8', grantedTTL: '10' })).toEqual(key('pg1', 2));
    expect(leaderKeyFrom('k', range, { TTL: '-1', grantedTTL: '0' })).toMatchObject({ holder: 'pg1', ageSeconds: null });
    expect(parseLeaderRange({ count: '0' })).toEqual({ holder: null, lease: null });
    expect(leaderKeyPath(cluster)).toBe('/service/hatui-lab/leader');
    expect(leaderKeyPath({ kind: 'etcd', members: [] })).toBeNull();
    expect(quorumOf(3)).toBe(2);
    expect(quorumOf(5)).toBe(3);
  });
});

describe('haproxy probe on a stats CSV captured from the lab (HAProxy 2.6)', () => {
  it('finds pg_rw with exactly one UP server and pg_ro with the replicas', () => {
    const real = readFileSync(new URL('./fixtures/haproxy-stats.lab.csv', import.meta.url), 'utf8');
    const state = combineHaproxy('haproxy', { kind: 'haproxy', members: [], backends: { readWrite: 'pg_rw', readOnly: 'pg_ro' } }, [
      { id: 'stats', address: 'x', last: parseHaproxyCsv(real), lastOkAt: 1, error: null, startedAt: 0 },
    ], 1);
    expect(state.rw?.servers.map((s) => `${s.name}:${s.status}`)).toEqual(['pg1:UP', 'pg2:DOWN', 'pg3:DOWN']);
    expect(state.ro?.servers.map((s) => `${s.name}:${s.status}`)).toEqual(['pg1:DOWN', 'pg2:UP', 'pg3:UP']);
  });
});
