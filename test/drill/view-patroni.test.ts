// The drill's Patroni view reads answers with the probe's parsers and accepts the primary's own role under
// both of Patroni's names (`master` up to 3.0, `primary` from 3.x on). Recorded answers from test/fixtures.
import { describe, expect, it } from 'vitest';
import { patroniViewSource } from '../../source/drill/view-patroni.js';
import { sampleJson } from '../probes/samples.js';

const members = ['pg1', 'pg2', 'pg3'].map((name, i) => ({ name, url: `http://127.0.0.1:5800${i + 1}` }));

function answers(leaderStatus: string): (url: string) => Promise<unknown> {
  return async (url) => {
    if (url.endsWith('/cluster')) return sampleJson('patroni/cluster.leader.json');
    if (url === 'http://127.0.0.1:58003/patroni') return sampleJson(leaderStatus);
    throw new Error(`unexpected ${url}`);
  };
}

describe('drill Patroni view', () => {
  it('accepts a leader whose /patroni says role master (Patroni 3.0)', async () => {
    const view = await patroniViewSource(members, answers('patroni/patroni.leader.json'))(() => 1);
    expect(view.leader).toBe('pg3');
    expect(view.healthy).toBe(true);
  });

  it('accepts a leader whose /patroni says role primary (Patroni 3.x+)', async () => {
    const view = await patroniViewSource(members, answers('patroni/patroni.leader.primary-role.json'))(() => 1);
    expect(view.leader).toBe('pg3');
    expect(view.detail).toContain('pg1 running sync');
  });

  it('names no leader while the member /cluster calls leader answers as a replica', async () => {
    const view = await patroniViewSource(members, answers('patroni/patroni.replica.json'))(() => 1);
    expect(view.leader).toBeNull();
    expect(view.reachable).toEqual(['pg1', 'pg2', 'pg3']);
  });
});
