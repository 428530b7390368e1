// Redis Cluster probe: parsing CLUSTER NODES (shape captured from the lab's redis-server 7.0.15) and
// folding the members' answers into slots, masters with replicas, link state and epochs.
import { describe, expect, it } from 'vitest';
import { clusterStateSchema } from '../../source/core/cluster-state.js';
import { combineRedisCluster, type RedisClusterObservation } from '../../source/adapters/probes/redis-cluster.js';
import { parseClusterNodes } from '../../source/adapters/probes/redis-cluster-parse.js';
import type { TargetResult } from '../../source/adapters/probes/types.js';
import type { Cluster } from '../../source/core/inventory/model.js';
import { lineText, panelLines } from '../../source/ui/panel-lines.js';

const NODES = `cc6291fa2d6101c840f9fbf094d55f0b83e72d58 127.0.0.1:42103@42113 slave a88727426457d1a2bd8ba02b9b55046bad812a12 0 1796293390000 3 connected
a88727426457d1a2bd8ba02b9b55046bad812a12 127.0.0.1:42102@42112 master - 0 1796293391513 3 connected 10923-16383
240c20863aaebd32b57468c83ada3e861fb55a12 127.0.0.1:42105@42115 slave 2f7a5163848587bfa4b334bd4a003fde63bba38d 0 1796293392015 2 connected
9dca14fd92a67bf9544a09f6394b9281f3e56ac0 127.0.0.1:42100@42110 myself,master - 0 1796293391000 1 connected 0-5460
2f7a5163848587bfa4b334bd4a003fde63bba38d 127.0.0.1:42101@42111 master - 0 1796293391000 2 connected 5461-10922
eeafbf173f101938393a3fa5b3fd14dddc4311b5 127.0.0.1:42104@42114 slave 9dca14fd92a67bf9544a09f6394b9281f3e56ac0 0 1796293391000 1 connected
`;
const INFO = { cluster_state: 'ok', cluster_slots_assigned: '16384', cluster_slots_ok: '16384', cluster_slots_pfail: '0', cluster_slots_fail: '0', cluster_known_nodes: '6', cluster_current_epoch: '6' };
const names = ['rc1', 'rc2', 'rc3', 'rc4', 'rc5', 'rc6'];
const cluster: Cluster = { kind: 'redis-cluster', members: names.map((n, i) => ({ name: n, host: n, endpoint: `127.0.0.1:${42100 + i}` })) };
const NOW = Date.parse('2026-12-03T10:00:00Z');

function result(i: number, o: RedisClusterObservation | null, error: string | null = null): TargetResult<RedisClusterObservation> {
  return { id: names[i]!, address: `127.0.0.1:${42100 + i}`, last: o, lastOkAt: o ? NOW : null, error, startedAt: NOW - 5000 };
}
/** Every member's result (the poller hands over all targets): the given answers, the others refused. */
const all = (given: Record<number, RedisClusterObservation>) => names.map((_, i) => (given[i] ? result(i, given[i]!) : result(i, null, 'ECONNREFUSED')));
const master = (offset: number): RedisClusterObservation => ({ info: INFO, nodes: parseClusterNodes(NODES), replication: { role: 'master', master_repl_offset: String(offset) } });
const replica = (offset: number, link = 'up'): RedisClusterObservation => ({ info: INFO, nodes: parseClusterNodes(NODES), replication: { role: 'slave', slave_repl_offset: String(offset), master_link_status: link } });

describe('redis-cluster probe', () => {
  it('parses CLUSTER NODES: address without the bus port, flags, master id, epoch, link, slot ranges', () => {
    const nodes = parseClusterNodes(NODES);
    expect(nodes).toHaveLength(6);
    expect(nodes[3]).toEqual({ id: '9dca14fd92a67bf9544a09f6394b9281f3e56ac0', address: '127.0.0.1:42100', flags: ['myself', 'master'], masterId: null, configEpoch: 1, linkState: 'connected', slots: [[0, 5460]] });
    expect(nodes[0]!.masterId).toBe('a88727426457d1a2bd8ba02b9b55046bad812a12');
  });

  it('folds the answers into 16384 slots ok, masters in slot order with their replicas and offset lag', () => {
    const state = combineRedisCluster('rc', cluster, [result(0, master(1000)), result(1, master(500)), result(2, master(300)), result(3, replica(300)), result(4, replica(900)), result(5, replica(500, 'down'))], undefined, NOW);
    clusterStateSchema.parse(state);
    expect(state).toMatchObject({ clusterState: 'ok', slotsOk: 16384, slotsAssigned: 16384, slotsPfail: 0, slotsFail: 0, knownNodes: 6, currentEpoch: 6, viewFrom: 'rc1' });
    expect(state.masters.map((m) => [m.name, m.slots, m.slotRanges.join(','), m.configEpoch, m.replicas.map((r) => r.name).join()])).toEqual([
      ['rc1', 5461, '0-5460', 1, 'rc5'],
      ['rc2', 5462, '5461-10922', 2, 'rc6'],
      ['rc3', 5461, '10923-16383', 3, 'rc4'],
    ]);
    expect(state.masters[0]!.replicas[0]).toMatchObject({ masterLinkStatus: 'up', offsetLag: 100 });
    const lines = panelLines(state).map(lineText);
    expect(lines[0]).toMatch(/^rc redis-cluster {2}state ok {2}slots ok 16384\/16384 {2}epoch 6$/);
    expect(lines[2]).toMatch(/rc2 +master 5461-10922 +e2 {2}← rc6 down lag 0B/);
  });

  it('shows pfail/fail slots and a failed master, and records the change of the master set', () => {
    const healthy = combineRedisCluster('rc', cluster, all({ 0: master(1), 1: master(1) }), undefined, NOW);
    const failed = NODES.replace('127.0.0.1:42102@42112 master -', '127.0.0.1:42102@42112 master,fail -')
      .replace('cc6291fa2d6101c840f9fbf094d55f0b83e72d58 127.0.0.1:42103@42113 slave a88727426457d1a2bd8ba02b9b55046bad812a12 0 1796293390000 3 connected', 'cc6291fa2d6101c840f9fbf094d55f0b83e72d58 127.0.0.1:42103@42113 master - 0 1796293390000 7 connected 10923-16383')
      .replace('connected 10923-16383\n240c', 'disconnected\n240c');
    const info = { ...INFO, cluster_current_epoch: '7' };
    const obs: RedisClusterObservation = { info, nodes: parseClusterNodes(failed), replication: { role: 'master' } };
    const after = combineRedisCluster('rc', cluster, all({ 0: obs }), healthy, NOW + 1000);
    expect(after.masters.find((m) => m.name === 'rc3')).toMatchObject({ flags: ['fail'], slots: 0, linkState: 'disconnected', replicas: [] });
    expect(after.masters.find((m) => m.name === 'rc4')).toMatchObject({ slots: 5461, configEpoch: 7 });
    expect(after.masterChanges).toEqual([{ from: 'rc1,rc2,rc3', to: 'rc1,rc2,rc4', at: new Date(NOW + 1000).toISOString() }]);
    const pfail = combineRedisCluster('rc', cluster, all({ 0: { ...obs, info: { ...info, cluster_state: 'fail', cluster_slots_ok: '10923', cluster_slots_pfail: '5461' } } }), undefined, NOW);
    expect(panelLines(pfail).map(lineText)[0]).toMatch(/state FAIL {2}slots ok 10923\/16384 pfail 5461/);
  });

  it('knows nothing when no member answers: state unknown, never ok', () => {
    const state = combineRedisCluster('rc', cluster, [result(0, null, 'ECONNREFUSED')], undefined, NOW);
    expect(state).toMatchObject({ clusterState: null, slotsOk: null, masters: [], viewFrom: null });
    expect(state.nodes[0]).toMatchObject({ role: null, stale: { error: 'ECONNREFUSED' } });
  });
});
