// Variable values for a run: `--var k=v`, then HATUI_VAR_<NAME> from the environment (the way to pass a
// secret without putting it on a command line), then the runbook default. Errors are usage errors.
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import { readFileSync } from 'node:fs';
import type { Inventory } from '../core/inventory/model.js';
import type { Runbook } from '../core/runbook/model.js';
import { readCredential } from '../core/secrets/credentials.js';

export interface ResolvedVars {
  values: Record<string, string>;
  secretNames: string[];
}

export function envVarName(name: string): string {
  return `HATUI_VAR_${name.toUpperCase()}`;
}

/**
 * `inventory`: where a variable declared `from: credentials.<cluster>.<key>` gets its value when none was
 * given (the credential's env variable or file, read now; a secret like every credential).
 */
export function resolveVars(runbook: Runbook, assignments: string[], env: Record<string, string | undefined>, inventory?: Inventory): ResolvedVars {
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
    let value = Object.hasOwn(given, name) ? given[name] : (env[envVarName(name)] ?? spec.default);
    if (value === undefined && spec.from) {
      const { cluster, credential } = spec.from;
      const source = inventory?.clusters[cluster]?.credentials?.[credential];
      if (!source) throw new HatuiError(`variable '${name}' comes from credentials.${cluster}.${credential}, which ${inventory ? 'the inventory does not define' : 'needs an inventory (--inventory)'}; or give ${envVarName(name)}`, ExitCode.usage);
      try {
        value = readCredential(source, { env, readFile: (p) => readFileSync(p, 'utf8') }, `variable '${name}' (credentials.${cluster}.${credential})`);
      } catch (error) {
        throw new HatuiError((error as Error).message, ExitCode.usage);
      }
    }
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
