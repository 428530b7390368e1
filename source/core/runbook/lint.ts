// Warnings: a runbook that parses and validates can still be unsafe to run. `hatui validate` prints them
// (exit 0), `--strict` makes them failures. Pure, over the parsed model.
import type { Runbook } from './model.js';
import { problem, type Problem } from './problem.js';

/**
 * Every step that changes a cluster (`changes=`) checks live state first with its own ```` ```preflight ````
 * block: a pre-flight in an earlier step was evaluated against an older snapshot, so it does not count.
 */
export function lintRunbook(runbook: Runbook): Problem[] {
  const warnings: Problem[] = [];
  for (const step of runbook.steps) {
    if (step.changes === undefined || step.preflight.length > 0) continue;
    const at = step.attributePositions?.changes ?? step.position;
    warnings.push({
      ...problem(runbook.path, at, `step '${step.id}' changes cluster '${step.changes}' without a pre-flight: add a \`\`\`preflight block with the checks an operator would make first (quorum, leader, lag)`),
      severity: 'warning',
    });
  }
  return warnings;
}
