// Issue 18: a network-partition fault for one node. `hatui lab partition <pg leader>` cuts it off: it
// runs on in its own network namespace (named with the lab's port base), the two others elect a new
// leader, and the cut-off Patroni, reaching no etcd, never runs its Postgres as a primary (no split brain).
// `hatui lab heal` brings it back as a replica of the new leader.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isPartitioned, labPaths, partitionNetns, readEvents, tcpOpen, type LabSettings, type PgNode } from '../../source/lab/index.js';
import { runningPid } from '../../source/lab/supervise.js';
import { hatui, labEnv, pgLeader, pgPassword, testLab, waitFor, waitPartHealthy } from './helpers.js';

/** Asks the node's Postgres from inside its namespace (the only place it could be reached): 'f' = primary. */
function pgInside(netns: string, port: number, password: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('/usr/sbin/ip', ['netns', 'exec', netns, '/usr/bin/psql', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-tAc', 'select pg_is_in_recovery()'], { encoding: 'utf8', env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '2' } }, (error, stdout) =>
      resolve(error ? 'no answer' : stdout.trim()),
    );
  });
}

/** The node's log since its last start (the start inside the namespace). */
function logSinceStart(settings: LabSettings, node: PgNode): string {
  const text = readFileSync(labPaths(settings).log(node), 'utf8');
  return text.slice(text.lastIndexOf(`starting ${node}:`));
}

describe('lab partition', () => {
  it('partitions the Patroni leader: a new leader is elected, the cut-off one reaches no etcd and is no primary; heal brings it back as a replica', async () => {
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
      // Inside its namespace the old leader's Patroni reaches no etcd member, so it never runs its
      // Postgres as a primary there: no second primary (no split brain).
      await waitFor(() => /Failed to get list of machines from http:\/\/127\.0\.0\.1:\d+/.test(logSinceStart(settings, leader)), 60_000, `${leader} (partitioned) failing to reach etcd`);
      expect(logSinceStart(settings, leader)).toContain('waiting on etcd');
      expect(await pgInside(netns, settings.ports.pg[leader], pgPassword(settings))).not.toBe('f');
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
