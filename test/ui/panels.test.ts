import { describe, expect, it } from 'vitest';
import { lineText, panelLines } from '../../source/ui/panel-lines.js';
import { resolveLive } from '../../source/ui/live-resolver.js';
import type { Inventory } from '../../source/core/inventory/model.js';
import { labSnapshot } from './fixtures.js';

describe('panel lines', () => {
  it('patroni: leader, sync, DCS, last leader change, a stale member with its age', () => {
    const lines = panelLines(labSnapshot({ leader: 'pg3', stalePg2: true }).clusters.pg!).map(lineText);
    expect(lines[0]).toMatch(/leader pg3\s+sync pg2\s+DCS ok\s+changed pg1→pg3 20:00:01/);
    expect(lines.find((l) => l.startsWith('  pg2'))).toMatch(/api down STALE 4\.2s \(timed out after 1000 ms\)/);
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

describe('live role resolver', () => {
  const inventory: Inventory = {
    environment: 'lab',
    hosts: { pg1: { address: '127.0.0.1', transport: 'ssh', ssh: { port: 2222 } }, pg2: { address: '127.0.0.1', transport: 'ssh', ssh: { port: 2222 } }, pg3: { address: '127.0.0.1', transport: 'ssh', ssh: { port: 2222 } } },
    clusters: { pg: { kind: 'patroni', members: ['pg1', 'pg2', 'pg3'].map((n) => ({ name: n, host: n })) } },
  };
  it('resolves pg.leader / replicas / sync-standby from the live snapshot', () => {
    const clusters = labSnapshot({ leader: 'pg3' }).clusters;
    expect(resolveLive('pg.leader', inventory, clusters)).toEqual([{ selector: 'pg.leader', host: 'pg3', address: '127.0.0.1:2222' }]);
    expect(resolveLive('pg.replicas', inventory, clusters).map((t) => t.host)).toEqual(['pg1', 'pg2']);
    expect(resolveLive('pg.sync-standby', inventory, clusters).map((t) => t.host)).toEqual(['pg2']);
  });
  it('matches nothing when there is no live leader, and rejects unknown selectors', () => {
    const clusters = labSnapshot().clusters;
    const pg = clusters.pg!;
    expect(resolveLive('pg.leader', inventory, { pg: { ...pg, leader: null } })).toEqual([]);
    expect(() => resolveLive('pg.boss', inventory, clusters)).toThrow(/not a role/);
  });
});
