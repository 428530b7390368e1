import { describe, expect, it } from 'vitest';
import { combinePatroni, parsePatroniCluster, parsePatroniStatus, UPSTREAM_TARGET, type PatroniObservation, type PatroniProbeObservation } from '../../source/adapters/probes/patroni.js';
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

describe('a standby cluster (standbyOf): the standby leader\'s delay behind the upstream leader', () => {
  const standby: Cluster = { kind: 'patroni', standbyOf: 'pg', members: [{ name: 'pgb1', host: 'pgb1' }, { name: 'pgb2', host: 'pgb2' }] };
  // Region B's standby leader as Patroni 3.0.2 answered in the lab: received 117440512, nothing replayed yet (timestamp null).
  const leaderStatus = parsePatroniStatus(sampleJson('patroni/patroni.standby-leader.json'));
  const members = parsePatroniCluster(sampleJson('patroni/cluster.standby.json'));
  function standbyLeader(patch: Partial<typeof leaderStatus> = {}): TargetResult<PatroniProbeObservation> {
    return ok('pgb1', { members, status: { ...leaderStatus, ...patch, dcsLastSeen: T0 / 1000 - 1 }, at: T0 }) as TargetResult<PatroniProbeObservation>;
  }
  function upstream(walLocation: number): TargetResult<PatroniProbeObservation> {
    return { id: UPSTREAM_TARGET, address: 'http://127.0.0.1:41620', last: { upstream: { leader: 'pg1', walLocation, at: T0 } }, lastOkAt: T0, error: null, startedAt: T0 - 10_000 };
  }

  it('reads the WAL positions of a standby leader and of a leader', () => {
    expect(leaderStatus.role).toBe('standby_leader');
    expect([leaderStatus.receivedLocation, leaderStatus.replayedLocation, leaderStatus.walLocation]).toEqual([117440512, 117440512, null]);
    expect(parsePatroniStatus(sampleJson('patroni/patroni.leader.json')).walLocation).toBe(37265879088);
  });

  it('gives bytes behind and seconds since the last replayed commit; the standby leader counts as the cluster leader', () => {
    const state = combinePatroni('pg-b', standby, [standbyLeader({ replayedTimestamp: '2026-11-24 12:23:10.000000+00:00' }), upstream(117440512 + 4096)], undefined, T0);
    expect(patroniStateSchema.parse(state)).toEqual(state);
    expect(state.leader).toBe('pgb1');
    expect(state.standby).toEqual({ of: 'pg', upstreamLeader: 'pg1', delayBytes: 4096, delaySeconds: 6, error: null });
    // the upstream target is not a member
    expect(state.members.map((m) => m.name)).toEqual(['pgb1', 'pgb2']);
  });

  it('caught up is 0 bytes and 0 s even with no replayed commit yet', () => {
    const state = combinePatroni('pg-b', standby, [standbyLeader(), upstream(117440512)], undefined, T0);
    expect(state.standby).toMatchObject({ delayBytes: 0, delaySeconds: 0, error: null });
  });

  it('upstream unreachable or standby not streaming: the delay is unknown (null) and says why, naming the address', () => {
    const down: TargetResult<PatroniProbeObservation> = { id: UPSTREAM_TARGET, address: 'http://127.0.0.1:41620', last: null, lastOkAt: null, error: 'connect ECONNREFUSED 127.0.0.1:41620', startedAt: T0 - 10_000 };
    const unreachable = combinePatroni('pg-b', standby, [standbyLeader(), down], undefined, T0).standby;
    expect(unreachable).toMatchObject({ delayBytes: null, delaySeconds: null });
    expect(unreachable!.error).toBe('pg leader: connect ECONNREFUSED 127.0.0.1:41620');
    const never = combinePatroni('pg-b', standby, [standbyLeader(), { ...down, error: 'timed out' }], undefined, T0).standby;
    expect(never!.error).toBe('pg leader: timed out (http://127.0.0.1:41620)');
    const notStreaming = combinePatroni('pg-b', standby, [standbyLeader({ receivedLocation: null, replayedLocation: null }), upstream(1)], undefined, T0).standby;
    expect(notStreaming).toMatchObject({ delayBytes: null, error: expect.stringMatching(/no received WAL position/) });
  });

  it('a cluster without standbyOf has no standby field', () => {
    expect(combinePatroni('pg', cluster, [ok('pg3', observation('leader'))], undefined, T0).standby).toBeUndefined();
  });
});
