// Issue 18: a network-partition fault for one node. `hatui lab partition <pg leader>` cuts it off: it
// runs on in its own network namespace (named with the lab's port base), the two others elect a new
// leader, and the cut-off Patroni, reaching no etcd, demotes its own Postgres (no split brain).
// `hatui lab heal` brings it back as a replica of the new leader.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isPartitioned, partitionNetns, readEvents, tcpOpen } from '../../source/lab/index.js';
import { runningPid } from '../../source/lab/supervise.js';
import { hatui, labEnv, pgLeader, testLab, waitFor, waitPartHealthy } from './helpers.js';

/** Asks the node's own Patroni, from inside its namespace (the only place it can be reached). */
function patroniInside(netns: string, port: number): Promise<{ role?: string; state?: string } | null> {
  return new Promise((resolve) => {
    execFile('/usr/sbin/ip', ['netns', 'exec', netns, '/usr/bin/curl', '-s', '-m', '2', `http://127.0.0.1:${port}/patroni`], { encoding: 'utf8' }, (error, stdout) => {
      if (error) return resolve(null);
      try {
        resolve(JSON.parse(stdout) as { role?: string; state?: string });
      } catch {
        resolve(null);
      }
    });
  });
}

describe('lab partition', () => {
  it('partitions the Patroni leader: a new leader is elected, the cut-off one demotes itself; heal brings it back as a replica', async () => {
    const settings = testLab();
    await waitPartHealthy(settings, 'etcd');
    await waitPartHealthy(settings, 'pg');
    const leader = (await waitFor(() => pgLeader(settings), 60_000, 'a Patroni leader'))!;
    const netns = partitionNetns(settings, leader);
    expect(netns).toBe(`hatui-${settings.portBase}-${leader}`);

    const cut = await hatui(['lab', 'partition', leader], labEnv(settings), 60_000);
    expect(cut.code, cut.stdout + cut.stderr).toBe(0);
    expect(cut.stdout).toContain(`partition ${leader} at `);
    try {
      expect(isPartitioned(settings, leader)).toBe(true);
      expect(existsSync(`/run/netns/${netns}`)).toBe(true);
      // It runs on, but its ports are gone from the lab's network.
      expect(runningPid(settings, leader)).not.toBeNull();
      expect(await tcpOpen(settings.ports.patroni[leader], 500)).toBe(false);
      const next = await waitFor(async () => {
        const l = await pgLeader(settings);
        return l && l !== leader ? l : null;
      }, 120_000, 'a new leader among the two connected members');
      expect(next).not.toBe(leader);
      // Inside its namespace the old leader's Patroni reaches no DCS and stops being primary.
      await waitFor(async () => {
        const view = await patroniInside(netns, settings.ports.patroni[leader]);
        return view && view.role !== 'master' && view.role !== 'primary' ? view : null;
      }, 120_000, `${leader} (partitioned) demoting itself`);
      expect(readEvents(settings).some((e) => e.action === 'partition' && e.node === leader)).toBe(true);
    } finally {
      const heal = await hatui(['lab', 'heal', leader], labEnv(settings), 90_000);
      expect(heal.code, heal.stdout + heal.stderr).toBe(0);
    }
    expect(isPartitioned(settings, leader)).toBe(false);
    expect(await tcpOpen(settings.ports.patroni[leader], 2000)).toBe(true);
    await waitPartHealthy(settings, 'pg', 180_000);
    expect(await pgLeader(settings)).not.toBe(leader);
    // heal on a node that is not partitioned is refused.
    const again = await hatui(['lab', 'heal', leader], labEnv(settings), 30_000);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(`lab node ${leader} is not partitioned`);
  }, 600_000);
});
