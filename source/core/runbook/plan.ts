// `hatui plan`: the step graph as it would run, with every command rendered (values quoted, secrets as
// environment references, captures shown as ⟨placeholders⟩ until a run records them). Runs nothing.
import { formatDuration } from '../duration.js';
import { commandTimeoutMs } from '../inventory/load.js';
import type { Inventory } from '../inventory/model.js';
import { checkSelector } from '../inventory/roles.js';
import { confirmationFor } from '../policy/confirm.js';
import type { OnFail, Runbook, Step } from './model.js';
import { renderCommand, secretEnvName } from './template.js';

export interface PlannedCommand {
  host: string;
  /** How the selector is resolved: `local`, `inventory host`, `role (live state at run time)`. */
  resolution: string;
  user?: string;
  command: string;
  timeoutMs: number;
  capture?: string;
  expectExit: number;
}

export interface PlannedStep {
  id: string;
  title: string;
  line: number;
  rollback: boolean;
  when?: string;
  confirm: { level: string; expectedText?: string; reason: string };
  changes?: string;
  retries: number;
  preflight: string[];
  checklist: string[];
  commands: PlannedCommand[];
  checks: string[];
  /** Where success leads (next step id or `end`), and where failure leads. */
  onSuccess: string;
  onFailure: string;
}

export interface Plan {
  runbook: { id: string; title: string; path: string };
  environment: string;
  vars: Record<string, string>;
  steps: PlannedStep[];
}

export function buildPlan(runbook: Runbook, input: { vars: Record<string, string>; secretNames: string[]; inventory?: Inventory }): Plan {
  const environment = input.inventory?.environment ?? 'none (no inventory)';
  const vars: Record<string, string> = { ...input.vars };
  const renderVars: Record<string, string> = { ...input.vars };
  for (const name of input.secretNames) {
    vars[name] = `$${secretEnvName(name)}`;
    renderVars[name] = ''; // the value is never needed: the command carries only the env reference
  }
  const defaultTimeout = commandTimeoutMs(input.inventory);
  const steps = runbook.steps.map((step): PlannedStep => {
    const verdict = confirmationFor(step, { environment: input.inventory?.environment ?? 'lab' });
    const planned: PlannedStep = {
      id: step.id,
      title: step.title,
      line: step.position.line,
      rollback: step.rollback,
      confirm: { level: verdict.level, reason: verdict.reason, ...(verdict.expectedText !== undefined ? { expectedText: verdict.expectedText } : {}) },
      retries: step.retries,
      preflight: step.preflight.map((e) => e.source),
      checklist: step.checklist.map((c) => c.text),
      commands: step.commands.map((c) => {
        const { command } = renderCommand(c.template, { vars: renderVars, secretNames: input.secretNames, placeholderForMissingCaptures: true });
        const out: PlannedCommand = {
          host: c.host,
          resolution: resolution(c.host, input.inventory),
          command,
          timeoutMs: c.timeoutMs ?? step.timeoutMs ?? defaultTimeout,
          expectExit: c.expectExit,
        };
        if (c.user !== undefined) out.user = c.user;
        if (c.capture !== undefined) out.capture = c.capture;
        return out;
      }),
      checks: step.checks.map((e) => e.source),
      onSuccess: successor(runbook, step),
      onFailure: failure(runbook, step),
    };
    if (step.when) planned.when = step.when.source;
    if (step.changes !== undefined) planned.changes = step.changes;
    return planned;
  });
  return { runbook: { id: runbook.id, title: runbook.title, path: runbook.path }, environment, vars, steps };
}

function resolution(host: string, inventory: Inventory | undefined): string {
  if (host === 'local') return 'this machine';
  if (!inventory) return 'resolved from the inventory at run time';
  const check = checkSelector(host, inventory);
  if (!check.ok) return `NOT IN INVENTORY: ${check.error}`;
  switch (check.kind) {
    case 'local':
      return 'this machine';
    case 'host':
      return `inventory host ${inventory.hosts[host]?.address ?? ''}`.trim();
    case 'member':
      return `member ${check.role} of ${check.cluster}`;
    case 'role':
      return `${check.role} of ${check.cluster}, resolved from live state when the step starts`;
  }
}

function successor(runbook: Runbook, step: Step): string {
  const next = runbook.steps[step.index + 1];
  if (!next || (next.rollback && !step.rollback)) return step.rollback ? 'end (rollback finished: run fails)' : 'end (run ok)';
  return next.id;
}

function failure(runbook: Runbook, step: Step): string {
  const retry = step.retries > 0 ? `retry up to ${step.retries}×, then ` : '';
  return retry + describeOnFail(runbook, step.onFail);
}

function describeOnFail(runbook: Runbook, onFail: OnFail): string {
  switch (onFail.kind) {
    case 'step':
      return `go to ${onFail.stepId}`;
    case 'rollback':
      return `roll back (${runbook.steps.find((s) => s.rollback)?.id ?? 'no rollback step!'})`;
    case 'abort':
      return 'abort the run';
    case 'ask':
      return 'ask the operator (retry, skip, roll back or abort)';
  }
}

export function formatPlan(plan: Plan): string {
  const out: string[] = [];
  out.push(`plan: ${plan.runbook.title} (${plan.runbook.id}) from ${plan.runbook.path}`);
  out.push(`environment: ${plan.environment}`);
  const varNames = Object.keys(plan.vars);
  if (varNames.length) out.push(`vars: ${varNames.map((n) => `${n}=${plan.vars[n]}`).join('  ')}`);
  out.push('nothing is run by plan', '');
  let inRollback = false;
  plan.steps.forEach((s, i) => {
    if (s.rollback && !inRollback) {
      inRollback = true;
      out.push('── rollback path ──', '');
    }
    out.push(`${i + 1}. [${s.id}] ${s.title}  (line ${s.line})`);
    out.push(`   guard: ${s.when ?? 'always'}`);
    const expected = s.confirm.expectedText !== undefined ? ` — type "${s.confirm.expectedText}"` : '';
    out.push(`   confirm: ${s.confirm.level}${expected} (${s.confirm.reason})`);
    if (s.changes) out.push(`   changes: ${s.changes} (takes its operator lock)`);
    for (const p of s.preflight) out.push(`   preflight: ${p}`);
    for (const c of s.checklist) out.push(`   checklist: [ ] ${c}`);
    for (const c of s.commands) {
      const opts = [`timeout ${formatDuration(c.timeoutMs)}`, c.expectExit !== 0 ? `expect exit ${c.expectExit}` : '', c.capture ? `capture ${c.capture}` : '']
        .filter(Boolean)
        .join(', ');
      out.push(`   $ ${c.host}${c.user ? ` as ${c.user}` : ''} (${c.resolution}; ${opts})`);
      for (const line of c.command.split('\n')) out.push(`     ${line}`);
    }
    for (const c of s.checks) out.push(`   check: ${c}`);
    out.push(`   on success → ${s.onSuccess}`);
    out.push(`   on failure → ${s.onFailure}`, '');
  });
  return out.join('\n');
}
