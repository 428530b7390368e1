// Property: whatever single tampering is applied to a copy of a chained log, verify never calls it
// intact, and it names a line within the file (or the first missing line).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { RunEvent } from '../../source/core/engine/events.js';
import { verifyLog } from '../../source/core/audit/verify.js';
import { chain, headOf, lines } from './fixtures.js';

const event = fc.oneof(
  fc.record({ type: fc.constant('note' as const), at: fc.constant('2026-11-25T20:00:00.000Z'), text: fc.string({ maxLength: 40 }) }),
  fc.record({
    type: fc.constant('command-output' as const), at: fc.constant('2026-11-25T20:00:01.000Z'), stepId: fc.constantFrom('a', 'b'),
    commandIndex: fc.nat(3), stream: fc.constantFrom('stdout' as const, 'stderr' as const), data: fc.string({ unit: 'binary', maxLength: 30 }),
  }),
);

const tampering = fc.oneof(
  fc.record({ kind: fc.constant('change' as const), line: fc.nat(), at: fc.nat(), char: fc.string({ minLength: 1, maxLength: 1 }) }),
  fc.record({ kind: fc.constant('delete' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), line: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }),
);

describe('verifyLog under random tampering', () => {
  it('never reports a tampered copy intact (checked against the anchor)', () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 2, maxLength: 12 }), tampering, (events, t) => {
        const records = chain(events as RunEvent[]);
        const good = lines(records);
        const copy = [...good];
        const n = good.length;
        switch (t.kind) {
          case 'change': {
            const i = t.line % n;
            const line = copy[i]!;
            const at = t.at % line.length;
            if (line[at] === t.char) return; // not a change
            copy[i] = line.slice(0, at) + t.char + line.slice(at + 1);
            break;
          }
          case 'delete':
            copy.splice(t.line % n, 1);
            break;
          case 'duplicate':
            copy.splice(t.to % (n + 1), 0, good[t.line % n]!);
            break;
          case 'swap': {
            const i = t.line % (n - 1);
            [copy[i], copy[i + 1]] = [copy[i + 1]!, copy[i]!];
            break;
          }
          case 'truncate':
            copy.length = t.keep % n;
            break;
        }
        const report = verifyLog(copy, { anchorHead: headOf(records) });
        expect(report.status).toBe('tampered');
        expect(report.line).toBeGreaterThanOrEqual(1);
        expect(report.line).toBeLessThanOrEqual(copy.length + 1);
      }),
      { numRuns: 500 },
    );
  });
});
