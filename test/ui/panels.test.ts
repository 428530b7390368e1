import { describe, expect, it } from 'vitest';
import { lineText, panelLines } from '../../source/ui/panel-lines.js';
import { labSnapshot } from './fixtures.js';

describe('panel lines', () => {
  it('patroni: leader, sync, DCS, last leader change, a stale member with its age', () => {
    const lines = panelLines(labSnapshot({ leader: 'pg3', stalePg2: true }).clusters.pg!).map(lineText);
    expect(lines[0]).toMatch(/leader pg3\s+sync pg2\s+DCS ok\s+changed pg1→pg3 20:00:01/);
    expect(lines.find((l) => l.startsWith('  pg2'))).toMatch(/api down STALE 4\.2s \(timed out after 1000 ms\)/);
  });
  it('patroni standby cluster: a line with the delay behind the upstream leader, or ? and why', () => {
    const pg = labSnapshot({ leader: 'pg3' }).clusters.pg!;
    if (pg.kind !== 'patroni') throw new Error('fixture');
    const known = panelLines({ ...pg, standby: { of: 'pg', upstreamLeader: 'pg1', delayBytes: 4096, delaySeconds: 6, error: null } }).map(lineText);
    expect(known[1]).toBe('  standby of pg: behind pg1 4.0K / 6.0s');
    const unknown = panelLines({ ...pg, standby: { of: 'pg', upstreamLeader: null, delayBytes: null, delaySeconds: null, error: 'pg leader: connect ECONNREFUSED 127.0.0.1:41620' } }).map(lineText);
    expect(unknown[1]).toBe('  standby of pg: delay ? pg leader: connect ECONNREFUSED 127.0.0.1:41620');
    expect(panelLines(pg).map(lineText).some((l) => l.includes('standby of'))).toBe(false);
  });

  it('patroni: a change through "no leader" shows as old→new with how long there was no leader', () => {
    const pg = labSnapshot({ leader: 'pg2' }).clusters.pg!;
    if (pg.kind !== 'patroni') throw new Error('fixture');
    const through = { ...pg, leaderChanges: [{ from: 'pg3', to: 'pg1', at: '2026-11-25T19:00:00.000Z' }, { from: 'pg1', to: null, at: '2026-11-25T20:00:01.000Z' }, { from: null, to: 'pg2', at: '2026-11-25T20:00:03.400Z' }] };
    expect(panelLines(through).map(lineText)[0]).toMatch(/changed pg1→pg2 20:00:03 \(no leader 2\.4s\)/);
    // still without a leader: the loss itself
    const lost = { ...pg, leader: null, leaderChanges: through.leaderChanges.slice(0, 2) };
    expect(panelLines(lost).map(lineText)[0]).toMatch(/leader NONE .*changed pg1→- 20:00:01/);
  });
  it('redis: a disagreeing Sentinel is listed with what it says', () => {
    const snap = labSnapshot();
    const redis = snap.clusters.redis!;
    if (redis.kind !== 'redis-sentinel') throw new Error('fixture');
    const split = { ...redis, agreement: false, sentinels: redis.sentinels.map((s, i) => (i === 2 ? { ...s, master: '127.0.0.1:56380' } : s)) };
    const lines = panelLines(split).map(lineText);
    expect(lines[0]).toContain('DISAGREE');
    expect(lines).toContain('  sentinel 127.0.0.1:56392 says 127.0.0.1:56380');
  });
  it('no-probe kinds say so', () => {
    expect(panelLines(labSnapshot().clusters.docs!).map(lineText)).toEqual(['docs mongodb  no probe yet  (mongo1)']);
  });
});

describe('home screen height', () => {
  it('at 80×24 the panels and the runbook list fit the screen exactly: the header stays on the first line', async () => {
    const { createElement } = await import('react');
    const { render } = await import('ink-testing-library');
    const { Home } = await import('../../source/ui/screens/home.js');
    const { labSnapshot } = await import('./fixtures.js');
    const snapshot = labSnapshot();
    const pg = snapshot.clusters.pg!;
    // a cluster with more lines than two (the old estimate): the pg panel with its archive line
    if (pg.kind === 'patroni') snapshot.clusters.pg = { ...pg, archive: { member: 'pg1', lastArchivedWal: '000000030000000000000042', lastArchivedAt: snapshot.fetchedAt, failedCount: 0, lastFailedWal: null, lastFailedAt: null, error: null } };
    // Two clusters of many lines each (7 in all): more than two lines per cluster.
    for (const name of Object.keys(snapshot.clusters)) if (name !== 'pg' && name !== 'etcd') delete snapshot.clusters[name];
    const runbooks = Array.from({ length: 30 }, (_, i) => ({ id: `rb-${String(i).padStart(2, '0')}`, title: `Runbook ${i}`, tags: [], path: `runbooks/rb-${i}.md`, clusters: [], problems: [] }));
    const { lastFrame } = render(createElement(Home, { environment: 'lab', snapshot, runbooks, width: 80, height: 24 }));
    const lines = lastFrame()!.split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    expect(lines[0]).toContain(' LAB ');
    expect(lastFrame()).toContain('archive last 000000030000000000000042');
  });
});
