// Semantic checks over a parsed runbook: ids, on-fail targets, loops, reachability, references and (with an
// inventory) host selectors. Every problem is reported, located, never only the first.
import { checkSelector } from '../inventory/roles.js';
import type { Inventory } from '../inventory/model.js';
import { parseRunbookDocument } from './document.js';
import type { Runbook, Step } from './model.js';
import { problem, sortProblems, type Problem } from './problem.js';
import { checkReferences } from './validate-refs.js';

export interface ValidateOptions {
  inventory?: Inventory;
  /** Skip checks against front-matter declarations (vars, clusters) when the front matter could not be read. */
  frontMatterUnreadable?: boolean;
}

/** Parses and validates runbook text; `runbook` is present only when there is no problem at all. */
export function validateRunbookText(text: string, path: string, options: ValidateOptions = {}): { runbook?: Runbook; problems: Problem[] } {
  const { runbook, problems, frontMatterReadable } = parseRunbookDocument(text, path);
  problems.push(...validateRunbook(runbook, { ...options, frontMatterUnreadable: !frontMatterReadable }));
  const sorted = sortProblems(dedupe(problems));
  return sorted.length === 0 ? { runbook, problems: sorted } : { problems: sorted };
}

/** Semantic checks on a (possibly partial) runbook model. */
export function validateRunbook(runbook: Runbook, options: ValidateOptions = {}): Problem[] {
  const problems: Problem[] = [];
  const path = runbook.path;
  if (runbook.steps.length === 0) {
    problems.push(problem(path, { line: 1, column: 1 }, 'no steps: each ## heading is a step, and this runbook has none'));
    return problems;
  }
  const byId = new Map<string, Step>();
  for (const step of runbook.steps) {
    const first = byId.get(step.id);
    if (first) problems.push(problem(path, step.attributePositions?.['#id'] ?? step.position, `duplicate step id '${step.id}' (first used at line ${first.position.line})`));
    else byId.set(step.id, step);
  }
  checkOnFail(runbook, byId, problems);
  checkReachable(runbook, byId, problems);
  checkReferences(runbook, options, problems);
  if (options.inventory) checkHosts(runbook, options.inventory, problems);
  return problems;
}

function checkOnFail(runbook: Runbook, byId: Map<string, Step>, problems: Problem[]): void {
  const rollbackStart = runbook.steps.find((s) => s.rollback);
  for (const step of runbook.steps) {
    const at = step.attributePositions?.['on-fail'] ?? step.position;
    const onFail = step.onFail;
    let target: Step | undefined;
    if (onFail.kind === 'step') {
      target = byId.get(onFail.stepId);
      if (!target) {
        problems.push(problem(runbook.path, at, `on-fail=${onFail.stepId}: no step with id '${onFail.stepId}' (steps: ${idList(runbook)})`));
        continue;
      }
    } else if (onFail.kind === 'rollback') {
      target = rollbackStart;
      if (!target) {
        problems.push(problem(runbook.path, at, 'on-fail=rollback but the runbook has no step with id rollback (## Roll back {#rollback})'));
        continue;
      }
    } else continue;
    // Loops are only allowed through retries=N (bounded); an on-fail edge back to this or an earlier step
    // would repeat without a bound hatui can see.
    if (target.index <= step.index) {
      const what = onFail.kind === 'step' ? `on-fail=${onFail.stepId}` : 'on-fail=rollback';
      problems.push(problem(runbook.path, at, `retries loop with no bound: ${what} leads back to step '${target.id}' (line ${target.position.line}); to try a step again use retries=N`));
    }
  }
}

function checkReachable(runbook: Runbook, byId: Map<string, Step>, problems: Problem[]): void {
  const steps = runbook.steps;
  const rollbackStart = steps.find((s) => s.rollback);
  const seen = new Set<number>();
  const queue: number[] = [0];
  while (queue.length > 0) {
    const i = queue.pop()!;
    if (seen.has(i)) continue;
    seen.add(i);
    const step = steps[i]!;
    const next = steps[i + 1];
    // The main path does not fall through into the rollback path; rollback steps run in order.
    if (next && (step.rollback || !next.rollback)) queue.push(i + 1);
    const onFail = step.onFail;
    switch (onFail.kind) {
      case 'step': {
        const target = byId.get(onFail.stepId);
        if (target) queue.push(target.index);
        break;
      }
      case 'rollback':
      case 'ask': // the operator may choose rollback
        if (rollbackStart) queue.push(rollbackStart.index);
        break;
      case 'abort':
        break;
    }
  }
  for (const step of steps) {
    if (seen.has(step.index)) continue;
    const why = step.rollback ? ' (no step has on-fail=rollback or on-fail=ask, so the rollback path never runs)' : '';
    problems.push(problem(runbook.path, step.position, `step '${step.id}' is unreachable from the start${why}`));
  }
}

function checkHosts(runbook: Runbook, inventory: Inventory, problems: Problem[]): void {
  for (const step of runbook.steps) {
    for (const command of step.commands) {
      const result = checkSelector(command.host, inventory);
      if (!result.ok) problems.push(problem(runbook.path, command.position, result.error));
      else if (result.cluster && !runbook.clusters.includes(result.cluster)) {
        problems.push(problem(runbook.path, command.position, `host=${command.host}: cluster '${result.cluster}' is not listed in the front matter's clusters`));
      }
    }
  }
}

function idList(runbook: Runbook): string {
  const ids = runbook.steps.map((s) => s.id);
  return ids.length > 12 ? `${ids.slice(0, 12).join(', ')}, …` : ids.join(', ');
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.line}:${p.column}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
