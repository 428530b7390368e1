// Every shipped runbook in runbooks/ validates (CI gate for the runbooks others write).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../source/core/runbook/problem.js';
import { readRunbookFile } from '../../source/services/load-files.js';

const files = readdirSync('runbooks').filter((f) => f.endsWith('.md') && f.toLowerCase() !== 'readme.md');

describe('shipped runbooks', () => {
  it('exist', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(`${file} is valid`, async () => {
      const { runbook, problems } = await readRunbookFile(join('runbooks', file));
      expect(problems.map(formatProblem)).toEqual([]);
      expect(runbook?.steps.length).toBeGreaterThan(0);
    });
  }
});
