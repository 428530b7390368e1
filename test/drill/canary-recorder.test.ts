// The bookkeeping both canary writers share: seqs handed out in order, acks and errors stamped with
// the drill clock, errors capped, and the log they hand to the analysis.
import { describe, expect, it } from 'vitest';
import { canaryRecorder, errorMessage, MAX_ERRORS_KEPT } from '../../source/drill/canary.js';

function fakeClock() {
  let t = 1000;
  return { now: () => t, wall: () => t + 0.5, advance: (ms: number) => (t += ms) };
}

describe('canaryRecorder', () => {
  it('hands out consecutive seqs from the first, records acks and in-doubt errors, and logs them', () => {
    const clock = fakeClock();
    const record = canaryRecorder('redis', 7, clock);
    clock.advance(10);
    const a = record.attempt();
    record.ack(a);
    clock.advance(5);
    const b = record.attempt();
    record.error(new Error('READONLY'), b);
    record.error(new TypeError(''));
    expect([a, b]).toEqual([7, 8]);
    expect(record.acked()).toBe(1);
    expect(record.nextSeq()).toBe(9);
    clock.advance(1);
    expect(record.log('somewhere')).toEqual({
      system: 'redis',
      target: 'somewhere',
      firstSeq: 7,
      attempted: [7, 8],
      acks: [{ seq: 7, atMs: 1010, wallMs: 1010.5 }],
      errors: [
        { seq: 8, atMs: 1015, wallMs: 1015.5, message: 'READONLY' },
        { atMs: 1015, wallMs: 1015.5, message: 'TypeError' },
      ],
      startedAtMs: 1000,
      stoppedAtMs: 1016,
    });
  });

  it(`keeps at most ${MAX_ERRORS_KEPT} errors`, () => {
    const record = canaryRecorder('postgresql', 1, fakeClock());
    for (let i = 0; i <= MAX_ERRORS_KEPT; i++) record.error('down');
    const log = record.log('x');
    expect(log.errors).toHaveLength(MAX_ERRORS_KEPT);
    expect(log.errors[0]!.message).toBe('down');
  });

  it('names an error by its message, else its name, else its text', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage(new RangeError(''))).toBe('RangeError');
    expect(errorMessage('plain')).toBe('plain');
  });
});
