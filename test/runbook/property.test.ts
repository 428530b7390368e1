// Random and mutated markdown through parse + validate: problems, never exceptions.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../source/core/runbook/parse.js';
import { loadInventory } from '../../source/core/inventory/load.js';

const seeds = ['test/fixtures/valid', 'test/fixtures/broken']
  .flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.md')).map((f) => join(dir, f)))
  .map((p) => readFileSync(p, 'latin1'));

const fragments = [
  '---\n', '## ', '{#', '}', '{#a on-fail=', 'rollback', ' when="', '"', '```sh {host=', '```check\n', '```preflight\n', '```\n', '~~~',
  '{{ ', ' }}', 'captures.', 'vars.', 'clusters.', '- [ ] ', '> [!WARNING]\n', 'retries=', 'timeout=', 'confirm=typed', 'changes=pg',
  '\n', '\t', ' ', 'id: x\n', 'title: t\n', 'vars:\n  a:\n    secret: true\n', ':', '[', '(', '\\', "'", '\u0000', '\uFEFF', '日本',
];

const mutated = fc
  .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.nat(40), fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 8 }))), { maxLength: 6 }))
  .map(([seed, edits]) => {
    let text = seed;
    for (const [at, del, insert] of edits) {
      const i = text.length === 0 ? 0 : at % text.length;
      text = text.slice(0, i) + insert + text.slice(i + del);
    }
    return text;
  });

const assembled = fc.array(fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 12 })), { maxLength: 60 }).map((parts) => parts.join(''));

describe('parse + validate never throw', () => {
  it('on mutated runbooks', () => {
    fc.assert(
      fc.property(mutated, (text) => {
        const { runbook, problems } = parseRunbook(text, 'm.md');
        expect(runbook !== undefined || problems.length > 0).toBe(true);
        for (const p of problems) {
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.column).toBeGreaterThanOrEqual(1);
          expect(p.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('on markdown assembled from runbook fragments and random text', () => {
    fc.assert(
      fc.property(assembled, (text) => {
        parseRunbook(text, 'r.md');
      }),
      { numRuns: 400 },
    );
  });

  it('on arbitrary strings, and on random inventory YAML', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        parseRunbook(text, 's.md');
        loadInventory(text, 'i.yaml');
      }),
      { numRuns: 300 },
    );
  });
});
