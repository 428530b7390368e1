// Issue 12: the guide's scenario 2 (整个区域故障) as a measured drill on the lab's two regions. Region A
// is frozen at once; dr-activate (run unchanged by the drill's activate step) promotes region B and moves
// the names; the canary writes through db.<zone>, resolved at the zone's own server before every
// connection, so its first acknowledged write after the fault is the application's recovery. The report
// holds a measured RTO, the acknowledged writes lost, and region B's delay behind region A at the fault.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DR_ZONE, labUp, tsigSecret } from '../../source/lab/index.js';
import { expectReportConsistent, runDrillCli } from './drill-helpers.js';
import { pgPassword, restoreRegionA, testLab, waitPartHealthy } from './helpers.js';

const ANSWERS = `prepare: { checklist: all }
fault: pg-b
activate: activate-region-b
evaluate: { checklist: all }
record: { checklist: all }
`;

describe('drill-region-failure on the lab (region A lost, region B activated)', () => {
  let settings: ReturnType<typeof testLab>;
  beforeAll(async () => {
    settings = testLab();
    await labUp(settings, ['region-b']);
    await waitPartHealthy(settings, 'region-b');
  });
  afterAll(() => restoreRegionA(settings));

  it('measures RTO through the DNS name, the acknowledged writes lost and the standby delay at the fault', async () => {
    const run = await runDrillCli('runbooks/drill-region-failure.md', ANSWERS, [], { HATUI_VAR_PG_PASSWORD: pgPassword(settings), HATUI_VAR_TSIG_SECRET: tsigSecret(settings) });
    const r = run.report;
    expect(run.code, run.stdout.slice(-4000) + run.stderr.slice(-2000)).toBe(0);
    expect(r.run_outcome).toBe('ok');
    expect(r.canary.target).toBe(`PostgreSQL via db.${DR_ZONE} (DNS 127.0.0.1:${settings.ports.regionB.dns}) table hatui_canary`);
    // The lab's freeze record is T0; the first write acknowledged through the name after it is the RTO.
    expect(r.t0).not.toBeNull();
    expect(r.rto_ms).toBeGreaterThan(0);
    expect(r.canary.errors).toBeGreaterThan(0);
    expect(r.rpo_lost_writes).toEqual(expect.any(Number));
    expect(r.standby_at_fault).toMatchObject({ of: 'pg', error: null, delay_bytes: expect.any(Number) });
    expect(r.verdicts.rto.status).toBe('pass');
    expect(r.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['prepare ok', 'preflight ok', 'fault ok', 'activate ok', 'verify ok', 'evaluate ok', 'record ok']);
    await expectReportConsistent(run);
    expect(run.stdout).toContain('Standby');
  }, 600_000);
});
