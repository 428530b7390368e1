import { describe, expect, it } from 'vitest';
import { combinePatroni, parsePatroniCluster, parsePatroniStatus, type PatroniObservation } from '../../source/adapters/probes/patroni.js';
import type { TargetResult } from '../../source/adapters/probes/types.js';
import { patroniStateSchema } from '../../source/core/cluster-state.js';
import type { Cluster } from '../../source/core/inventory/model.js';
import { sampleJson } from './samples.js';

const cluster: Cluster = {
  kind: 'patroni',
  members: [
    { name: 'pg1', host: 'pg1' },
    { name: 'pg2', host: 'pg2' },
    { name: 'pg3', host: 'pg3' },
  ],
};
const T0 = Date.parse('2026-11-24T12:23:16Z');

function observation(role: 'leader' | 'replica' | 'sync', at = T0): PatroniObservation {
  const status = parsePatroniStatus(sampleJson(`patroni/patroni.${role}.json`));
  return { members: parsePatroniCluster(sampleJson('patroni/cluster.leader.json')), status: { ...status, dcsLastSeen: at / 1000 - 1 }, at };
}
function ok(id: string, o: PatroniObservation): TargetResult<PatroniObservation> {
  return { id, address: `http://127.0.0.1/${id}`, last: o, lastOkAt: o.at, error: null, startedAt: T0 - 10_000 };
}

describe('patroni probe parsers (samples from Patroni 3.0.2)', () => {
  it('reads roles, timeline and lag from /cluster; the leader has lag 0', () => {
    const members = parsePatroniCluster(sampleJson('patroni/cluster.leader.json'));
    expect(members.map((m) => [m.name, m.role, m.timeline, m.lagBytes])).toEqual([
      ['pg1', 'sync_standby', 44, 0],
      ['pg2', 'replica', 44, 0],
      ['pg3', 'leader', 44, 0],
    ]);
  });

  it('reads the leader /patroni replication list and a replica replay timestamp', () => {
    const leader = parsePatroniStatus(sampleJson('patroni/patroni.leader.json'));
    expect(leader.role).toBe('master');
    expect(leader.replication).toEqual([
      { name: 'pg1', state: 'streaming', syncState: 'sync' },
      { name: 'pg2', state: 'streaming', syncState: 'async' },
    ]);
    const sync = parsePatroniStatus(sampleJson('patroni/patroni.sync.json'));
    expect(sync.syncStandby).toBe(true);
    expect(sync.replayedTimestamp).toBe('2026-11-24 12:23:15.626067+00:00');
    expect(parsePatroniStatus(sampleJson('patroni/patroni.replica.json')).scope).toBe('hatui-lab');
  });

  it('rejects a body without members', () => {
    expect(() => parsePatroniCluster({})).toThrow(/no members/);
  });
});

describe('combinePatroni', () => {
  it('names leader, sync standby and DCS reachability; validates against the schema', () => {
    const state = combinePatroni('pg', cluster, [ok('pg1', observation('sync')), ok('pg2', observation('replica')), ok('pg3', observation('leader'))], undefined, T0);
    expect(patroniStateSchema.parse(state)).toEqual(state);
    expect(state.leader).toBe('pg3');
    expect(state.syncStandby).toBe('pg1');
    expect(state.dcsReachable).toBe(true);
    expect(state.members.every((m) => m.apiReachable && m.stale === null)).toBe(true);
    expect(state.members.find((m) => m.name === 'pg3')?.replicationState).toBe('pg1:streaming pg2:streaming');
  });

  it('marks a member whose API stopped answering stale with its age, keeping the DCS view from others', () => {
    const hung: TargetResult<PatroniObservation> = { ...ok('pg2', observation('replica', T0 - 4000)), error: 'timed out after 1000 ms' };
    const state = combinePatroni('pg', cluster, [ok('pg1', observation('sync')), hung, ok('pg3', observation('leader'))], undefined, T0);
    const pg2 = state.members.find((m) => m.name === 'pg2')!;
    expect(pg2.apiReachable).toBe(false);
    expect(pg2.stale).toEqual({ sinceMs: 4000, error: 'timed out after 1000 ms' });
    expect(pg2.role).toBe('replica');
    expect(state.targets.find((t) => t.target.endsWith('pg2'))?.stale?.sinceMs).toBe(4000);
  });

  it('records a leader change with its time, and none on the first observation', () => {
    const first = combinePatroni('pg', cluster, [ok('pg1', observation('sync'))], undefined, T0);
    expect(first.leaderChanges).toEqual([]);
    const moved = observation('sync', T0 + 500);
    moved.members = moved.members.map((m) => (m.name === 'pg3' ? { ...m, role: 'replica', lagBytes: 0 } : m.name === 'pg1' ? { ...m, role: 'leader' } : m));
    const second = combinePatroni('pg', cluster, [ok('pg1', moved)], first, T0 + 500);
    expect(second.leader).toBe('pg1');
    expect(second.leaderChanges).toEqual([{ from: 'pg3', to: 'pg1', at: new Date(T0 + 500).toISOString() }]);
  });

  it('knows nothing when nobody answers: leader null, roles unknown, DCS null', () => {
    const never: TargetResult<PatroniObservation> = { id: 'pg1', address: 'x', last: null, lastOkAt: null, error: 'ECONNREFUSED', startedAt: T0 - 2000 };
    const state = combinePatroni('pg', cluster, [never], undefined, T0);
    expect(state.leader).toBeNull();
    expect(state.dcsReachable).toBeNull();
    expect(state.members.map((m) => m.role)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(state.members[0]?.stale).toEqual({ sinceMs: 2000, error: 'ECONNREFUSED' });
  });
});
