// --dry-run: every step as it would run (guard, pre-flight, confirmation, checklist, commands rendered and
// quoted with hosts resolved, checks, where failure leads). Runs nothing and records nothing.
import { confirmationFor } from '../core/policy/confirm.js';
import type { OnFail, Runbook, Step } from '../core/runbook/model.js';
import { renderCommand } from '../core/runbook/template.js';
import { formatDuration } from '../core/duration.js';
import type { RunnerDeps } from './runner-deps.js';

export interface DryRunInput {
  vars: Record<string, string>;
  secretNames: string[];
  environment: string;
  defaultTimeoutMs: number;
}

function onFailText(onFail: OnFail): string {
  switch (onFail.kind) {
    case 'step':
      return `go to step '${onFail.stepId}'`;
    case 'rollback':
      return 'run the rollback path';
    case 'abort':
      return 'abort the run';
    case 'ask':
      return 'ask the operator';
    default: {
      const never: never = onFail;
      return JSON.stringify(never);
    }
  }
}

export async function dryRun(runbook: Runbook, input: DryRunInput, deps: Pick<RunnerDeps, 'resolveTarget'>, write: (line: string) => void): Promise<void> {
  write(`dry run of ${runbook.id} (${runbook.path}) · environment ${input.environment}: nothing is executed`);
  let rollbackShown = false;
  for (const step of runbook.steps) {
    if (step.rollback && !rollbackShown) {
      write('-- rollback path (only reached through on-fail=rollback) --');
      rollbackShown = true;
    }
    await describeStep(step, runbook, input, deps, write);
  }
}

async function describeStep(step: Step, runbook: Runbook, input: DryRunInput, deps: Pick<RunnerDeps, 'resolveTarget'>, write: (line: string) => void) {
  write(`[${step.index + 1}/${runbook.steps.length}] ${step.id}: ${step.title}`);
  if (step.when) write(`  when: ${step.when.source}`);
  for (const p of step.preflight) write(`  pre-flight: ${p.source}`);
  const verdict = confirmationFor(step, { environment: input.environment });
  if (verdict.level !== 'none') write(`  confirmation: ${verdict.level}${verdict.expectedText ? ` (type '${verdict.expectedText}')` : ''}: ${verdict.reason}`);
  if (step.changes) write(`  takes the operator lock on cluster '${step.changes}'`);
  for (const item of step.checklist) write(`  - [ ] ${item.text}`);
  for (const block of step.commands) {
    let hosts: string;
    try {
      const targets = await deps.resolveTarget(block.host);
      hosts = targets.length ? targets.map((t) => t.host).join(', ') : `${block.host} (matches no host now)`;
    } catch (error) {
      hosts = `${block.host} (${error instanceof Error ? error.message : String(error)})`;
    }
    let command: string;
    try {
      command = renderCommand(block.template, { vars: input.vars, captures: {}, secretNames: input.secretNames }).command;
    } catch {
      command = `${block.template}   (uses output captured at run time)`;
    }
    const timeout = block.timeoutMs ?? step.timeoutMs ?? input.defaultTimeoutMs;
    write(`  $ [${hosts}] ${command}`);
    write(`    timeout ${formatDuration(timeout)} · expect exit ${block.expectExit}${block.capture ? ` · capture ${block.capture}` : ''}`);
  }
  for (const c of step.checks) write(`  check: ${c.source}`);
  write(`  on failure${step.retries ? ` (after ${step.retries} retries)` : ''}: ${onFailText(step.onFail)}`);
}
