// runbooks/redis-sentinel-failover.md headless on the lab. Planned mode runs under a canary writer
// (a Sentinel-aware ioredis client appending sequence numbers, one write in flight): afterwards every
// acknowledged number is in the list on the new master (0 acknowledged writes lost), the Sentinels
// agree on a different master, and writes keep flowing. Crash mode: the master is power-killed, the
// runbook waits for the Sentinels' new master, checks a write and brings the old node back as a replica.
import { afterAll, describe, expect, it } from 'vitest';
import type { RedisNode } from '../../source/lab/index.js';
import { clearRedisRunbookLock, hatui, labEnv, redisCanary, redisClient, sentinelMaster, testLab, waitFor, waitPartHealthy } from './helpers.js';
import { runShipped, tail } from './runbook-run.js';

describe('runbooks/redis-sentinel-failover.md on the lab', () => {
  // Test isolation: if a run of ours left its operator lock behind on the Redis master (a release that
  // failed after the master moved), remove it so later lab test files are not refused a lock.
  afterAll(() => clearRedisRunbookLock(testLab()));

  it('planned: the master moves, every Sentinel agrees, and no acknowledged canary write is lost', async () => {
    const settings = testLab();
    await waitPartHealthy(settings, 'redis');
    const before = await waitFor(() => sentinelMaster(settings), 30_000, 'Sentinels agreeing on a master');
    const key = `hatui:canary:${Date.now()}`;
    const writer = redisCanary(settings, key);
    let run;
    try {
      await waitFor(() => writer.acked.length >= 100, 30_000, 'canary writes before the failover');
      run = await runShipped(settings, 'redis-sentinel-failover.md', { answers: { failover: { confirm: 'redis', checklist: 'all' } } });
      const afterRun = writer.acked.length;
      await waitFor(() => writer.acked.length >= afterRun + 100, 30_000, 'canary writes after the failover');
    } finally {
      await writer.stop();
    }
    expect(run.code, tail(run)).toBe(0);
    expect(run.outcomes).toEqual(['[ok] inspect', '[ok] failover', '[ok] verify', '[skipped] crash-wait', '[skipped] crash-verify', '[skipped] crash-rejoin']);

    const after = await waitFor(() => sentinelMaster(settings), 30_000, 'Sentinels agreeing on the new master');
    expect(after).not.toBe(before);
    const master = redisClient(settings, after);
    try {
      const stored = new Set((await master.lrange(key, 0, -1)).map(Number));
      const lost = writer.acked.filter((seq) => !stored.has(seq));
      expect(lost).toEqual([]);
      expect(writer.acked.length).toBeGreaterThanOrEqual(200);
      await master.del(key);
    } finally {
      master.disconnect();
    }
    // The old master is a replica of the new one.
    const old = redisClient(settings, before);
    try {
      const role = (await old.call('ROLE')) as unknown[];
      expect(role[0]).toBe('slave');
      expect(Number(role[2])).toBe(settings.ports.redis[after]);
    } finally {
      old.disconnect();
    }
  });

  it('crash: after the master is power-killed, the Sentinels’ new master takes writes and the old node rejoins as a replica', async () => {
    const settings = testLab();
    await waitPartHealthy(settings, 'redis');
    const lost: RedisNode = await waitFor(() => sentinelMaster(settings), 30_000, 'Sentinels agreeing on a master');
    const crash = await hatui(['lab', 'crash', lost], labEnv(settings));
    expect(crash.code, crash.stderr).toBe(0);
    const restart = `${process.execPath} ${new URL('../../bin/hatui.js', import.meta.url).pathname} lab restart ${lost}`;
    const run = await runShipped(settings, 'redis-sentinel-failover.md', {
      answers: { 'crash-rejoin': 'yes' },
      vars: { mode: 'crash', restart_command: restart },
    });
    expect(run.code, tail(run)).toBe(0);
    expect(run.outcomes).toEqual(['[ok] inspect', '[skipped] failover', '[skipped] verify', '[ok] crash-wait', '[ok] crash-verify', '[ok] crash-rejoin']);
    const now = await waitFor(() => sentinelMaster(settings), 30_000, 'Sentinels agreeing on the new master');
    expect(now).not.toBe(lost);
    const old = redisClient(settings, lost);
    try {
      const role = (await old.call('ROLE')) as unknown[];
      expect(role[0]).toBe('slave');
      expect(Number(role[2])).toBe(settings.ports.redis[now]);
    } finally {
      old.disconnect();
    }
  });
});
