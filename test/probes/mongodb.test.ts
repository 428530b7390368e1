// The MongoDB probe with the real `mongodb` driver against a wire-level replica set double
// (test/doubles/mongo-wire.ts: OP_MSG/OP_QUERY + BSON on 127.0.0.1). Not a MongoDB server.
import { afterEach, describe, expect, it } from 'vitest';
import { pollClosing } from '../../source/adapters/probes/common.js';
import { combineMongo, parseHello } from '../../source/adapters/probes/mongodb.js';
import { mongodbStateSchema, type MongodbState } from '../../source/core/cluster-state.js';
import { inventorySchema, type Inventory } from '../../source/core/inventory/model.js';
import { snapshotClusters } from '../../source/services/live-deps.js';
import { lineText, panelLines } from '../../source/ui/panel-lines.js';
import { MongoReplicaSetDouble, type MongoMemberSpec } from '../doubles/mongo-wire.js';
import { doubleInventory } from './double-inventory.js';

const NOW = Math.floor(Date.now() / 1000);
let double: MongoReplicaSetDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

async function replicaSet(specs: MongoMemberSpec[]): Promise<{ double: MongoReplicaSetDouble; inventory: Inventory }> {
  double = await MongoReplicaSetDouble.start('rs0', specs);
  return { double, inventory: doubleInventory({ docs: { kind: 'mongodb', prefix: 'm', endpoints: double.hosts } }) };
}

async function snapshot(inventory: Inventory, prev?: MongodbState, timeoutMs = 1500): Promise<MongodbState> {
  const states = await snapshotClusters(inventory, { timeoutMs, ...(prev ? { prev: { docs: prev } } : {}) });
  return mongodbStateSchema.parse(states.docs);
}

describe('mongodb probe (real driver, wire-level replica set double)', () => {
  it('reads set name, primary, each member state, health, optime lag and sync source from replSetGetStatus', async () => {
    const { double: rs, inventory } = await replicaSet([
      { state: 'PRIMARY', optimeSeconds: NOW },
      { state: 'SECONDARY', optimeSeconds: NOW - 5, syncSource: 0 },
      { state: 'STARTUP2', optimeSeconds: NOW - 120, syncSource: 1 },
      { state: 'ARBITER' },
    ]);
    const state = await snapshot(inventory);
    expect(state).toMatchObject({ kind: 'mongodb', setName: 'rs0', primary: 'm1', view: 'replSetGetStatus', primaryChanges: [] });
    expect(state.members.map((m) => [m.name, m.stateStr, m.health, m.lagSeconds, m.syncSourceHost])).toEqual([
      ['m1', 'PRIMARY', 1, 0, null],
      ['m2', 'SECONDARY', 1, 5, rs.hosts[0]],
      ['m3', 'STARTUP2', 1, 120, rs.hosts[1]],
      ['m4', 'ARBITER', 1, null, null],
    ]);
    expect(state.members.every((m) => m.stale === null)).toBe(true);
    // The driver really spoke to each member: its handshake, then the probe's two commands.
    for (const received of rs.received) expect(received).toEqual(expect.arrayContaining(['ismaster', 'hello', 'replSetGetStatus']));
  });

  it('shows a member the primary cannot reach as (not reachable/healthy), health 0, lag unknown', async () => {
    // m2 still answers and sees itself as SECONDARY; the primary's heartbeats cannot reach it.
    const { inventory } = await replicaSet([{ state: 'PRIMARY' }, { state: 'SECONDARY', health: 0 }, { state: 'SECONDARY' }]);
    const state = await snapshot(inventory);
    expect(state.members[1]).toMatchObject({ name: 'm2', stateStr: '(not reachable/healthy)', health: 0, lagSeconds: null });
  });

  it('records a new primary (m1 → m2) with its time, and none on the first observation', async () => {
    const { double: rs, inventory } = await replicaSet([{ state: 'PRIMARY' }, { state: 'SECONDARY', syncSource: 0 }, { state: 'SECONDARY', syncSource: 0 }]);
    const first = await snapshot(inventory);
    expect(first.primaryChanges).toEqual([]);
    rs.update(0, { state: 'SECONDARY', syncSource: 1 });
    rs.update(1, { state: 'PRIMARY', syncSource: undefined });
    const second = await snapshot(inventory, first);
    expect(second.primary).toBe('m2');
    expect(second.primaryChanges).toEqual([{ from: 'm1', to: 'm2', at: second.fetchedAt }]);
    expect(lineText(panelLines(second)[0]!)).toContain(`changed m1→m2 ${second.fetchedAt.slice(11, 19)}`);
  });

  it('marks a hung member and a closed one stale within the probe timeout while the others still answer', async () => {
    const { double: rs, inventory } = await replicaSet([{ state: 'PRIMARY' }, { state: 'SECONDARY' }, { state: 'SECONDARY' }]);
    await rs.setMode(1, 'hang');
    await rs.setMode(2, 'closed');
    // The hung member never answers: the snapshot resolving at all, with the probe's own timeout named in the
    // member's error, shows the probe gave up on it (no wall-clock assertion: CPU time on a shared machine is noise).
    const state = await snapshot(inventory, undefined, 800);
    expect(state.primary).toBe('m1');
    expect(state.members[0]!.stale).toBeNull();
    expect(state.members[1]!.stale?.error).toBe(`${rs.hosts[1]}: timed out after 800 ms`);
    expect(state.members[2]!.stale?.error).toBe(`${rs.hosts[2]}: ECONNREFUSED`);
    expect(state.targets.map((t) => t.stale === null)).toEqual([true, false, false]);
    const lines = panelLines(state).map(lineText);
    expect(lines[2]).toMatch(/^ {2}m2 +SECONDARY .* STALE \d/);
    expect(lines[3]).toMatch(/^ {2}m3 +SECONDARY .* STALE \d.*ECONNREFUSED/);
  });

  it('falls back to each member’s own hello when replSetGetStatus is refused (Unauthorized)', async () => {
    const { double: rs, inventory } = await replicaSet([
      { state: 'PRIMARY', optimeSeconds: NOW, statusAllowed: false },
      { state: 'SECONDARY', optimeSeconds: NOW - 3, statusAllowed: false },
      { state: 'ARBITER', statusAllowed: false },
    ]);
    const state = await snapshot(inventory);
    expect(state).toMatchObject({ view: 'hello', setName: 'rs0', primary: 'm1' });
    expect(state.members.map((m) => [m.name, m.stateStr, m.health, m.lagSeconds])).toEqual([
      ['m1', 'PRIMARY', 1, 0],
      ['m2', 'SECONDARY', 1, 3],
      ['m3', 'ARBITER', 1, null],
    ]);
    expect(rs.received[0]).toContain('replSetGetStatus');
    expect(lineText(panelLines(state)[0]!)).toContain('(hello only)');
  });

  it('shows no primary as NONE in red, one line per member within 80 columns', async () => {
    const { inventory } = await replicaSet([{ state: 'SECONDARY', syncSource: 1 }, { state: 'SECONDARY' }, { state: 'RECOVERING' }]);
    const state = await snapshot(inventory);
    expect(state.primary).toBeNull();
    const lines = panelLines(state);
    expect(lines).toHaveLength(4);
    expect(lines[0]!.find((s) => s.text === 'NONE')).toMatchObject({ tone: 'red', bold: true });
    expect(lines.map(lineText)[3]).toMatch(/^ {2}m3 +RECOVERING lag \?/);
    for (const line of lines) expect(lineText(line).length).toBeLessThanOrEqual(80);
  });

  it('prefers the primary’s view of the set to a fresher one from an isolated secondary', () => {
    const cluster = inventorySchema.parse({ environment: 'lab', hosts: { h: { address: 'x' } }, clusters: { c: { kind: 'mongodb', members: [{ name: 'a', host: 'h', endpoint: 'a:1' }, { name: 'b', host: 'h', endpoint: 'b:1' }] } } }).clusters.c!;
    const row = (host: string, stateStr: string, health: number) => ({ host, stateStr, health, optimeAt: health ? 1000 : null, syncSourceHost: null });
    const fromA = { ...parseHello({ isWritablePrimary: true, setName: 'rs0', me: 'a:1' }), status: { set: 'rs0', members: [row('a:1', 'PRIMARY', 1), row('b:1', 'SECONDARY', 1)] }, statusError: null, at: 1000 };
    const fromB = { ...parseHello({ secondary: true, setName: 'rs0', me: 'b:1' }), status: { set: 'rs0', members: [row('a:1', '(not reachable/healthy)', 0), row('b:1', 'SECONDARY', 1)] }, statusError: null, at: 1001 };
    const ok = (id: string, last: typeof fromA) => ({ id, address: `${id}:1`, last, lastOkAt: last.at, error: null, startedAt: 0 });
    const state = combineMongo('c', cluster, [ok('a', fromA), ok('b', fromB)], undefined, 1001);
    expect(state.primary).toBe('a');
    expect(state.members.map((m) => m.stateStr)).toEqual(['PRIMARY', 'SECONDARY']);
  });

  it('knows nothing when no member answers, and a first answer after that is not a primary change', () => {
    const cluster = inventorySchema.parse({ environment: 'lab', hosts: { h: { address: 'x' } }, clusters: { c: { kind: 'mongodb', members: [{ name: 'm1', host: 'h' }] } } }).clusters.c!;
    const down = combineMongo('c', cluster, [{ id: 'm1', address: 'x:27017', last: null, lastOkAt: null, error: 'x:27017: ECONNREFUSED', startedAt: 0 }], undefined, 1000);
    expect(down).toMatchObject({ view: null, primary: null, setName: null, members: [{ name: 'm1', stateStr: null, health: null, stale: { sinceMs: 1000 } }] });
    const hello = { ...parseHello({ isWritablePrimary: true, setName: 'rs0', me: 'x:27017' }), status: null, statusError: 'Unauthorized', at: 2000 };
    const up = combineMongo('c', cluster, [{ id: 'm1', address: 'x:27017', last: hello, lastOkAt: 2000, error: null, startedAt: 0 }], down, 2000);
    expect([up.primary, up.primaryChanges]).toEqual(['m1', []]);
  });
});

describe('pollClosing (the mongodb and kafka probes’ abort race)', () => {
  it('gives up when the signal aborts, naming the address, and closes every client the poll opened, even one opened later', async () => {
    const closed: string[] = [];
    let openLate: (() => void) | undefined;
    const controller = new AbortController();
    const poll = pollClosing('db1:27017', controller.signal, (opened) => {
      opened(async () => closed.push('first'));
      openLate = () => opened(async () => closed.push('late'));
      return new Promise<never>(() => undefined); // a member that never answers
    });
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    await expect(poll).rejects.toThrow('db1:27017: timed out');
    expect(closed).toEqual(['first']);
    openLate!();
    await Promise.resolve();
    expect(closed).toEqual(['first', 'late']);
  });

  it('settles with the answer, closes its clients, and prefixes a failure with the address', async () => {
    const closed: number[] = [];
    await expect(pollClosing('k1:9092', new AbortController().signal, async (opened) => (opened(async () => closed.push(1)), 'answer'))).resolves.toBe('answer');
    expect(closed).toEqual([1]);
    await expect(pollClosing('k1:9092', new AbortController().signal, async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })))).rejects.toThrow('k1:9092: ECONNREFUSED');
  });
});
