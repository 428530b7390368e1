// Variable values for `plan`: `--var k=v` over front-matter defaults, checked against choices. Secret
// variables are listed by name only (plan shows their environment reference, never a value). The runner
// resolves real values, secrets included, in services/runner-vars.ts.
import type { Runbook } from './model.js';

export interface ResolvedVars {
  /** Values of non-secret variables. */
  values: Record<string, string>;
  /** Names of secret variables (their values are supplied separately, never shown). */
  secretNames: string[];
  /** Operator-facing errors (unknown name, not a choice, missing value). */
  errors: string[];
}

/** Parses repeated `k=v` arguments. */
export function parseVarArgs(args: string[]): { given: Record<string, string>; errors: string[] } {
  const given: Record<string, string> = {};
  const errors: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) errors.push(`--var ${arg}: expected name=value`);
    else given[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  return { given, errors };
}

export function resolveVars(runbook: Runbook, given: Record<string, string>): ResolvedVars {
  const values: Record<string, string> = {};
  const secretNames: string[] = [];
  const errors: string[] = [];
  for (const name of Object.keys(given)) {
    if (!Object.prototype.hasOwnProperty.call(runbook.vars, name)) {
      errors.push(`--var ${name}: the runbook declares no variable '${name}' (vars: ${Object.keys(runbook.vars).join(', ') || 'none'})`);
    }
  }
  for (const [name, spec] of Object.entries(runbook.vars)) {
    if (spec.secret) {
      // Plan never needs the value: the command carries only the environment reference.
      secretNames.push(name);
      continue;
    }
    const value = given[name] ?? spec.default;
    if (value === undefined) {
      errors.push(`variable '${name}' has no value: give --var ${name}=…${spec.description ? ` (${spec.description})` : ''}`);
      continue;
    }
    if (spec.choices && !spec.choices.includes(value)) {
      errors.push(`--var ${name}=${value}: not one of ${spec.choices.join(', ')}`);
      continue;
    }
    values[name] = value;
  }
  return { values, secretNames, errors };
}
