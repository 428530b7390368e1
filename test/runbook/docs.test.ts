// The complete example in docs/runbook-format.md must stay a valid runbook, and the inventory example in
// docs/inventory.md a valid inventory.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../source/core/inventory/load.js';
import { buildPlan, formatPlan } from '../../source/core/runbook/plan.js';
import { parseRunbook } from '../../source/core/runbook/parse.js';
import { formatProblem } from '../../source/core/runbook/problem.js';
import { resolveVars } from '../../source/core/runbook/vars.js';

function fenced(doc: string, opener: string, closer: string): string {
  const start = doc.lastIndexOf(opener);
  expect(start).toBeGreaterThanOrEqual(0);
  const body = doc.slice(start + opener.length);
  return body.slice(0, body.indexOf(closer));
}

describe('documentation examples', () => {
  it('the complete runbook example validates against the inventory example and plans', () => {
    const runbookText = fenced(readFileSync('docs/runbook-format.md', 'utf8'), '````markdown\n---', '\n````').replace(/^/, '---');
    const inventoryText = fenced(readFileSync('docs/inventory.md', 'utf8'), '```yaml\n', '\n```');
    const { inventory, problems: invProblems } = loadInventory(inventoryText, 'docs/inventory.md');
    expect(invProblems.map(formatProblem)).toEqual([]);
    const { runbook, problems } = parseRunbook(runbookText, 'docs/runbook-format.md', { inventory: inventory! });
    expect(problems.map(formatProblem)).toEqual([]);
    const vars = resolveVars(runbook!, {});
    const text = formatPlan(buildPlan(runbook!, { vars: vars.values, secretNames: vars.secretNames, inventory: inventory! }));
    expect(text).toContain('confirm: typed — type "pg"');
    expect(text).toContain('--candidate pg2 --force');
    expect(text).toContain('PGPASSWORD="$HATUI_SECRET_APP_PASSWORD"');
  });
});
