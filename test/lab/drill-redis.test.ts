// Issue 8 acceptance 2–4 for Redis Sentinel on the real lab: the crash drill and the safe planned
// failover drill (CLIENT PAUSE WRITE → SENTINEL FAILOVER → all Sentinels agree → REPLICAOF → UNPAUSE),
// which must lose no acknowledged write. The canary list is re-read here, independently of the drill.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LabSettings } from '../../source/lab/index.js';
import { expectReportConsistent, restoreLab, runDrillCli, type DrillRun } from './drill-helpers.js';
import { sentinelClient, sentinelMaster, testLab, waitFor } from './helpers.js';

let settings: LabSettings;

const ANSWERS = `prepare: { checklist: all }
fault: redis
rejoin: yes
evaluate: { checklist: all }
record: { checklist: all }
`;

/** The canary list of this drill, read here through our own Sentinel-aware client. */
async function canaryList(run: DrillRun): Promise<number[]> {
  const key = /list (\S+)$/.exec(run.report.canary.target)?.[1];
  expect(key).toBeTruthy();
  const client = sentinelClient(settings);
  try {
    return (await client.lrange(key!, 0, -1)).map(Number);
  } finally {
    client.disconnect();
  }
}

function expectCanaryCounts(run: DrillRun, list: number[]): void {
  const r = run.report;
  const unique = new Set(list);
  expect(unique.size).toBe(list.length);
  expect(unique.size).toBe(r.canary.present);
  expect(unique.size).toBe(r.canary.acknowledged - r.rpo_lost_writes! + r.in_doubt_writes!);
  expect(r.canary.acknowledged).toBeGreaterThan(0);
}

beforeAll(async () => {
  settings = testLab();
  await restoreLab(settings, 'redis');
});

afterEach(async () => {
  await restoreLab(settings, 'redis');
});

describe('Redis Sentinel drills on the lab', () => {
  it('master crash: new master found, report produced, canary counts re-read', async () => {
    const before = await waitFor(() => sentinelMaster(settings), 30_000, 'Sentinels agreeing');
    const run = await runDrillCli('runbooks/drill-redis-master-failure.md', ANSWERS);
    expect(run.code, run.stdout.slice(-3000) + run.stderr).toBe(0);
    const r = run.report;
    expect(r.system).toBe('redis');
    expect(typeof r.rto_ms).toBe('number');
    expect(r.verdicts.rto.status).toBe('pass');
    expect(r.healthy_ms).not.toBeNull();
    expect(await sentinelMaster(settings)).not.toBe(before);
    expectCanaryCounts(run, await canaryList(run));
    await expectReportConsistent(run);
  }, 300_000);

  it('safe planned failover: no acknowledged write lost', async () => {
    const before = await waitFor(() => sentinelMaster(settings), 30_000, 'Sentinels agreeing');
    const run = await runDrillCli('runbooks/drill-redis-planned-failover.md', ANSWERS.replace('rejoin: yes\n', ''));
    expect(run.code, run.stdout.slice(-3000) + run.stderr).toBe(0);
    const r = run.report;
    expect(r.targets.rpo_ms).toBe(0);
    expect(r.rpo_lost_writes).toBe(0);
    expect(r.verdicts.rpo.status).toBe('pass');
    expect(r.pass).toBe(true);
    expect(await sentinelMaster(settings)).not.toBe(before);
    expectCanaryCounts(run, await canaryList(run));
    await expectReportConsistent(run);
  }, 300_000);
});
