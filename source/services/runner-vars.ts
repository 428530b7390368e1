// Variable values for a run: `--var k=v`, then HATUI_VAR_<NAME> from the environment (the way to pass a
// secret without putting it on a command line), then the runbook default. Errors are usage errors.
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import type { Runbook } from '../core/runbook/model.js';

export interface ResolvedVars {
  values: Record<string, string>;
  secretNames: string[];
}

export function envVarName(name: string): string {
  return `HATUI_VAR_${name.toUpperCase()}`;
}

export function resolveVars(runbook: Runbook, assignments: string[], env: Record<string, string | undefined>): ResolvedVars {
  const given: Record<string, string> = {};
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw new HatuiError(`--var expects name=value, got '${assignment}'`, ExitCode.usage);
    const name = assignment.slice(0, eq);
    if (!Object.hasOwn(runbook.vars, name)) {
      const known = Object.keys(runbook.vars);
      throw new HatuiError(`--var ${name}: the runbook declares no variable '${name}'${known.length ? ` (declared: ${known.join(', ')})` : ''}`, ExitCode.usage);
    }
    given[name] = assignment.slice(eq + 1);
  }
  const values: Record<string, string> = {};
  const secretNames: string[] = [];
  for (const [name, spec] of Object.entries(runbook.vars)) {
    const value = Object.hasOwn(given, name) ? given[name] : (env[envVarName(name)] ?? spec.default);
    if (value === undefined) {
      throw new HatuiError(`variable '${name}' needs a value: --var ${name}=…${spec.secret ? ` (for a secret prefer ${envVarName(name)} in the environment)` : ''}`, ExitCode.usage);
    }
    if (spec.choices && spec.choices.length > 0 && !spec.choices.includes(value)) {
      throw new HatuiError(`variable '${name}': '${spec.secret ? '••••' : value}' is not one of ${spec.choices.join(', ')}`, ExitCode.usage);
    }
    values[name] = value;
    if (spec.secret) secretNames.push(name);
  }
  return { values, secretNames };
}
