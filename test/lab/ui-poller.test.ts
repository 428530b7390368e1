// The poller against the real lab: a frozen (SIGSTOP-like cgroup freeze) member is marked stale while
// the others keep updating; a crashed leader's replacement reaches the snapshot as a leader change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatroniState } from '../../source/core/cluster-state.js';
import { labCrash, labFreeze, labInventory, labRestart, labThaw, pgNodes, type LabSettings, type PgNode } from '../../source/lab/index.js';
import { Poller } from '../../source/services/poller.js';
import { pgLeader, testLab, waitFor, waitPartHealthy } from './helpers.js';

let settings: LabSettings;
let poller: Poller;
const pgState = () => poller.current().clusters.pg as PatroniState;

beforeAll(async () => {
  settings = testLab();
  await waitPartHealthy(settings, 'pg');
  poller = new Poller(labInventory(settings), { intervalMs: 300, timeoutMs: 1000 }).start();
  await poller.firstRoundDone(5000);
});
afterAll(() => poller?.stop());

describe('poller on the lab', () => {
  it('marks a frozen replica stale before 15 s while the other members keep updating', async () => {
    const leader = (await waitFor(() => pgLeader(settings), 30_000, 'a pg leader')) as PgNode;
    const frozen = pgNodes.find((n) => n !== leader)!;
    const others = pgNodes.filter((n) => n !== frozen);
    const lastOk = (name: string) => pgState().targets.find((t) => t.target.endsWith(String(settings.ports.patroni[name as PgNode])))?.lastOkAt;
    await labFreeze(settings, frozen);
    try {
      const member = await waitFor(() => {
        poller.refresh();
        const m = pgState().members.find((x) => x.name === frozen);
        return m?.stale && !m.apiReachable ? m : null;
      }, 15_000, `${frozen} stale`, 100);
      expect(member.stale!.error).toMatch(/timed out/);
      const before = others.map(lastOk);
      await waitFor(() => others.every((n, i) => (lastOk(n) ?? '') > (before[i] ?? '')), 5_000, 'the other members update');
      expect(others.map((n) => pgState().members.find((m) => m.name === n)?.stale)).toEqual([null, null]);
      const stale = pgState().members.find((m) => m.name === frozen)!.stale!;
      expect(stale.sinceMs).toBeGreaterThan(0);
    } finally {
      await labThaw(settings, frozen);
    }
    await waitFor(() => pgState().members.find((m) => m.name === frozen)?.stale === null, 15_000, `${frozen} fresh again`);
  });

  it('shows a leader change after the leader crashes, with from/to and time', async () => {
    const leader = (await waitFor(() => pgLeader(settings), 30_000, 'a pg leader')) as PgNode;
    await waitFor(() => pgState().leader === leader, 5_000, 'the poller names the same leader');
    const changesBefore = pgState().leaderChanges.length;
    await labCrash(settings, leader);
    try {
      const state = await waitFor(() => {
        const s = pgState();
        return s.leader !== null && s.leader !== leader ? s : null;
      }, 60_000, 'a new leader in the snapshot');
      const change = state.leaderChanges.slice(changesBefore).find((c) => c.to === state.leader);
      expect(change).toBeDefined();
      expect(change!.at).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(state.members.find((m) => m.name === leader)?.apiReachable).toBe(false);
    } finally {
      await labRestart(settings, leader);
      await waitPartHealthy(settings, 'pg', 120_000);
    }
  });
});
