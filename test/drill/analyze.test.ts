import { describe, expect, it } from 'vitest';
import { analyze, chooseBucketMs, recoveryAck } from '../../source/core/drill/analyze.js';
import { observations, syntheticLog } from './fixtures.js';

const START = 1_000_000;

describe('drill analysis', () => {
  it('measures RTO from T0 to the first ack after the outage and the write gap around it', () => {
    const log = syntheticLog({ durationMs: 20_000, periodMs: 10, outageFrom: 5_000, outageTo: 14_000 });
    const t0 = START + 5_000;
    const a = analyze({ log, present: log.acks.map((x) => x.seq), t0Ms: t0, observations: [], targets: { rtoMs: 300_000, rpoMs: 60_000 } });
    expect(a.rto_ms).toBe(9_001); // first ack at 14 000 + 1
    expect(a.write_gap_ms).toBe(9_010); // last ack at 4 990 + 1
    expect(a.rpo_lost_writes).toBe(0);
    expect(a.in_doubt_writes).toBe(0);
    expect(a.rpo_window_ms).toBe(0);
    expect(a.verdicts.rto.status).toBe('pass');
    expect(a.verdicts.rpo.status).toBe('pass');
    expect(a.pass).toBe(true);
  });

  it('counts nothing when the writes could not be read back: lost and in-doubt unknown (null, not 0), RPO fails with the reason', () => {
    const log = syntheticLog({ durationMs: 10_000, periodMs: 10, outageFrom: 5_000, outageTo: 10_000 });
    const a = analyze({ log, present: null, readBackError: 'timeout expired', t0Ms: START + 5_000, observations: [], targets: { rtoMs: 300_000, rpoMs: 60_000 } });
    expect(a.rpo_lost_writes).toBeNull();
    expect(a.in_doubt_writes).toBeNull();
    expect(a.rpo_window_ms).toBeNull();
    expect(a.present_total).toBeNull();
    expect(a.verdicts.rpo).toMatchObject({ status: 'fail', actual_ms: null, target_ms: 60_000 });
    expect(a.verdicts.rpo.reason).toContain('read back failed (timeout expired)');
    expect(a.pass).toBe(false);
  });

  it('measures the write gap from the disruption, not from T0, when writes went on after the fault started', () => {
    // A planned switchover: T0 at 5 000, writes keep succeeding until 7 000, fail until 8 500.
    const log = syntheticLog({ durationMs: 12_000, periodMs: 10, outageFrom: 7_000, outageTo: 8_500 });
    const a = analyze({ log, present: log.acks.map((x) => x.seq), t0Ms: START + 5_000, observations: [], targets: { rpoMs: 0 } });
    expect(a.rto_ms).toBe(3_501);
    expect(a.write_gap_ms).toBe(1_510);
  });

  it('fails the RTO target when recovery took longer than the target', () => {
    const log = syntheticLog({ durationMs: 20_000, periodMs: 10, outageFrom: 5_000, outageTo: 14_000 });
    const a = analyze({ log, present: log.acks.map((x) => x.seq), t0Ms: START + 5_000, observations: [], targets: { rtoMs: 5_000 } });
    expect(a.verdicts.rto.status).toBe('fail');
    expect(a.verdicts.rto.actual_ms).toBe(9_001);
    expect(a.pass).toBe(false);
  });

  it('reports RTO not met when no write was acknowledged after the fault', () => {
    const log = syntheticLog({ durationMs: 10_000, periodMs: 10, outageFrom: 5_000, outageTo: 10_000 });
    const a = analyze({ log, present: log.acks.map((x) => x.seq), t0Ms: START + 5_000, observations: [], targets: { rtoMs: 300_000 } });
    expect(a.rto_ms).toBeNull();
    expect(a.write_gap_ms).toBeNull();
    expect(a.verdicts.rto.status).toBe('fail');
    expect(a.verdicts.rto.reason).toMatch(/no acknowledged write after the fault.*RTO not met/);
    expect(a.pass).toBe(false);
  });

  it('fails RTO without a fault time, even with no target', () => {
    const log = syntheticLog({ durationMs: 1_000, periodMs: 10 });
    const a = analyze({ log, present: log.attempted, t0Ms: null, observations: [], targets: {} });
    expect(a.rto_ms).toBeNull();
    expect(a.verdicts.rto.status).toBe('fail');
    expect(a.verdicts.rpo.status).toBe('no-target');
  });

  it('does not count an ack the old leader finished just after T0 as recovery', () => {
    const log = syntheticLog({ durationMs: 10_000, periodMs: 10, outageFrom: 5_010, outageTo: 8_000 });
    // The write sent at 5 000 was acked at 5 001, i.e. after T0 = 5 000: in flight at the fault.
    const t0 = START + 5_000;
    expect(recoveryAck(log, t0)!.atMs).toBe(START + 8_001);
    const a = analyze({ log, present: log.acks.map((x) => x.seq), t0Ms: t0, observations: [], targets: {} });
    expect(a.rto_ms).toBe(3_001);
  });

  it('counts acknowledged-but-missing writes as lost and measures the window to T0', () => {
    const log = syntheticLog({ durationMs: 20_000, periodMs: 10, outageFrom: 5_000, outageTo: 14_000 });
    const t0 = START + 5_000;
    // Everything acked in the last second before the fault is missing (replication lag).
    const lost = new Set(log.acks.filter((a) => a.atMs >= START + 4_000 && a.atMs < t0).map((a) => a.seq));
    const present = log.acks.map((a) => a.seq).filter((s) => !lost.has(s));
    const zero = analyze({ log, present, t0Ms: t0, observations: [], targets: { rpoMs: 0 } });
    expect(zero.rpo_lost_writes).toBe(lost.size);
    expect(zero.rpo_lost_writes).toBe(100);
    expect(zero.rpo_window_ms).toBe(1_000 - 1);
    expect(zero.lost_sample).toHaveLength(20);
    expect(zero.verdicts.rpo.status).toBe('fail');
    expect(zero.pass).toBe(false);
    const minute = analyze({ log, present, t0Ms: t0, observations: [], targets: { rpoMs: 60_000 } });
    expect(minute.verdicts.rpo.status).toBe('pass');
    const tight = analyze({ log, present, t0Ms: t0, observations: [], targets: { rpoMs: 500 } });
    expect(tight.verdicts.rpo.status).toBe('fail');
  });

  it('extends the RPO window to lost acks after the fault (old master kept accepting writes)', () => {
    const log = syntheticLog({ durationMs: 10_000, periodMs: 10 });
    const t0 = START + 2_000;
    const lost = new Set(log.acks.filter((a) => a.atMs >= START + 2_500 && a.atMs < START + 4_000).map((a) => a.seq));
    const a = analyze({ log, present: log.attempted.filter((s) => !lost.has(s)), t0Ms: t0, observations: [], targets: { rpoMs: 60_000 } });
    expect(a.rpo_lost_writes).toBe(150);
    expect(a.rpo_window_ms).toBe(1_490);
  });

  it('reports writes present but never acknowledged as in doubt, separately from lost ones', () => {
    const log = syntheticLog({ durationMs: 10_000, periodMs: 10, outageFrom: 5_000, outageTo: 6_000 });
    const failed = log.errors.map((e) => e.seq!);
    const present = [...log.acks.map((a) => a.seq), failed[0]!, failed[1]!, 10_000_000];
    const a = analyze({ log, present, t0Ms: START + 5_000, observations: [], targets: { rpoMs: 0 } });
    expect(a.in_doubt_writes).toBe(2); // the foreign seq 10 000 000 is ignored
    expect(a.in_doubt_sample).toEqual([failed[0], failed[1]]);
    expect(a.rpo_lost_writes).toBe(0);
    expect(a.verdicts.rpo.status).toBe('pass');
    expect(a.present_total).toBe(log.acks.length + 2);
  });

  it('takes leader lost, new leader and healthy from observations after the fault', () => {
    const log = syntheticLog({ durationMs: 30_000, periodMs: 10, outageFrom: 5_000, outageTo: 14_000 });
    const obs = observations(START, [
      ['healthy', 100],
      ['leader-seen', 200],
      ['leader-lost', 5_300],
      ['degraded', 5_300],
      ['new-leader', 13_600],
      ['healthy', 21_000],
    ]);
    const a = analyze({ log, present: log.acks.map((x) => x.seq), t0Ms: START + 5_000, observations: obs, targets: {} });
    expect(a.leader_lost_ms).toBe(300);
    expect(a.new_leader_ms).toBe(8_600);
    expect(a.healthy_ms).toBe(16_000);
    const kinds = a.timeline.map((e) => e.kind);
    expect(kinds).toEqual(['canary-started', 'fault', 'leader-lost', 'new-leader', 'first-write', 'healthy', 'canary-stopped']);
  });

  it('leaves healthy unmeasured when the cluster never recovered after the fault', () => {
    const log = syntheticLog({ durationMs: 10_000, periodMs: 10 });
    const obs = observations(START, [['healthy', 100], ['leader-lost', 5_200]]);
    const a = analyze({ log, present: log.attempted, t0Ms: START + 5_000, observations: obs, targets: {} });
    expect(a.healthy_ms).toBeNull();
  });

  it('buckets acks per interval over the whole canary run', () => {
    const log = syntheticLog({ durationMs: 12_000, periodMs: 10, outageFrom: 5_000, outageTo: 6_000 });
    const a = analyze({ log, present: log.attempted, t0Ms: START + 5_000, observations: [], targets: {}, bucketMs: 1_000 });
    expect(a.buckets.counts).toHaveLength(12);
    expect(a.buckets.counts[0]).toBe(100);
    expect(a.buckets.counts[5]).toBe(0);
    expect(a.buckets.errors[5]).toBe(100);
    expect(a.buckets.counts.reduce((x, y) => x + y, 0)).toBe(a.acks_total);
    expect(chooseBucketMs(12_000)).toBe(100);
    expect(chooseBucketMs(60 * 60_000)).toBe(30_000);
    expect(chooseBucketMs(4 * 60 * 60_000)).toBe(60_000);
  });
});

import { initialObserverState, observeView, type ClusterView } from '../../source/core/drill/observe.js';

describe('observations from polled views', () => {
  function fold(views: Omit<ClusterView, 'detail'>[]) {
    let state = initialObserverState;
    const out: string[] = [];
    for (const v of views) {
      const r = observeView(state, { ...v, detail: 'd' });
      state = r.state;
      out.push(...r.observations.map((o) => `${o.kind}@${o.atMs}${o.leader ? `:${o.leader}` : ''}`));
    }
    return out;
  }

  it('sees leader, loss, new leader and healthy again across a crash', () => {
    expect(
      fold([
        { atMs: 0, leader: 'pg1', healthy: true },
        { atMs: 1, leader: 'pg1', healthy: true },
        { atMs: 2, leader: null, healthy: false },
        { atMs: 3, leader: null, healthy: false },
        { atMs: 4, leader: 'pg2', healthy: false },
        { atMs: 5, leader: 'pg2', healthy: true },
      ]),
    ).toEqual(['leader-seen@0:pg1', 'healthy@0:pg1', 'leader-lost@2:pg1', 'degraded@2', 'new-leader@4:pg2', 'healthy@5:pg2']);
  });

  it('reports a direct switchover as loss and new leader at once', () => {
    expect(
      fold([
        { atMs: 0, leader: 'pg1', healthy: true },
        { atMs: 1, leader: 'pg3', healthy: false },
      ]),
    ).toEqual(['leader-seen@0:pg1', 'healthy@0:pg1', 'leader-lost@1:pg1', 'new-leader@1:pg3', 'degraded@1']);
  });

  it('takes the first leader seen as the pre-fault leader even when the first polls saw none', () => {
    expect(
      fold([
        { atMs: 0, leader: null, healthy: false },
        { atMs: 1, leader: 'r1', healthy: true },
      ]),
    ).toEqual(['degraded@0', 'leader-seen@1:r1', 'healthy@1:r1']);
  });

  it('reports the same leader coming back after a loss', () => {
    expect(
      fold([
        { atMs: 0, leader: 'r1', healthy: false },
        { atMs: 1, leader: null, healthy: false },
        { atMs: 2, leader: 'r1', healthy: true },
      ]),
    ).toEqual(['leader-seen@0:r1', 'degraded@0', 'leader-lost@1:r1', 'new-leader@2:r1', 'healthy@2:r1']);
  });
});
