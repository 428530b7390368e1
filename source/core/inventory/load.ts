// Inventory YAML text → validated Inventory, every problem as `file:line:col` (zod issue paths mapped back
// to YAML nodes). Pure: the caller reads the file.
import { parseDuration } from '../duration.js';
import { problem, sortProblems, type Problem } from '../runbook/problem.js';
import { locate, parseYamlText, yamlToJS } from '../yaml-locate.js';
import { ADMIN_KEY, AUTH_MECHANISMS, CREDENTIAL_KEYS } from './credential-keys.js';
import { inventorySchema, sharedLockStoreKinds, type Inventory } from './model.js';

/** Default command timeout when the inventory sets none: no command runs unbounded. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 5 * 60_000;

export function loadInventory(text: string, path: string): { inventory?: Inventory; problems: Problem[] } {
  const yaml = parseYamlText(text);
  const problems: Problem[] = [];
  if (yaml.errors.length > 0) {
    for (const e of yaml.errors) problems.push(problem(path, e.position, `inventory YAML: ${e.message}`));
    return { problems };
  }
  const js = yamlToJS(yaml);
  if (!js.ok) return { problems: [problem(path, js.position, `inventory YAML: ${js.message}`)] };
  const data: unknown = js.data;
  const parsed = inventorySchema.safeParse(data ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const p = issue.path as PropertyKey[];
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const allowed = allowedKeys(p);
          const hint = /password|secret|token/i.test(key) ? '; credentials come from env or file, never inline' : '';
          problems.push(problem(path, locate(yaml, p, key), `unknown key '${[...p, key].join('.')}'${allowed ? ` (allowed: ${allowed})` : ''}${hint}`));
        }
      } else {
        problems.push(problem(path, locate(yaml, p), `${p.join('.') || '(inventory)'}: ${issue.message}`));
      }
    }
    return { problems: sortProblems(problems) };
  }
  const inventory = parsed.data;
  const at = (p: PropertyKey[]) => locate(yaml, p);
  const hostNames = Object.keys(inventory.hosts);
  for (const [name, host] of Object.entries(inventory.hosts)) {
    if (host.ssh?.jump !== undefined && !hostNames.includes(host.ssh.jump)) {
      problems.push(problem(path, at(['hosts', name, 'ssh', 'jump']), `hosts.${name}.ssh.jump: no host '${host.ssh.jump}' in the inventory`));
    }
    for (const key of ['connectTimeout', 'keepaliveInterval'] as const) checkDuration(host.ssh?.[key], ['hosts', name, 'ssh', key]);
  }
  for (const [name, cluster] of Object.entries(inventory.clusters)) {
    cluster.members.forEach((m, i) => {
      if (!hostNames.includes(m.host)) problems.push(problem(path, at(['clusters', name, 'members', i, 'host']), `clusters.${name}.members[${i}].host: no host '${m.host}' in the inventory (hosts: ${hostNames.join(', ') || 'none'})`));
    });
    const keys = CREDENTIAL_KEYS[cluster.kind];
    for (const key of Object.keys(cluster.credentials ?? {})) {
      if (keys && !keys.includes(key)) {
        problems.push(problem(path, at(['clusters', name, 'credentials', key]), `clusters.${name}.credentials.${key}: a ${cluster.kind} cluster reads only ${keys.map((k) => `'${k}'`).join(', ')}`));
      }
    }
    const mechanisms = AUTH_MECHANISMS[cluster.kind];
    if (cluster.authMechanism !== undefined && !mechanisms?.includes(cluster.authMechanism)) {
      problems.push(problem(path, at(['clusters', name, 'authMechanism']), `clusters.${name}.authMechanism: a ${cluster.kind} cluster ${mechanisms ? `takes ${mechanisms.join(', ')}` : 'has no SASL mechanism to choose'}`));
    }
    if (cluster.credentials?.[ADMIN_KEY] && mechanisms && cluster.username === undefined) {
      problems.push(problem(path, at(['clusters', name, 'credentials', ADMIN_KEY]), `clusters.${name}: credentials.${ADMIN_KEY} needs username (the user whose password it is)`));
    }
    const names = cluster.members.map((m) => m.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) problems.push(problem(path, at(['clusters', name, 'members', i, 'name']), `clusters.${name}: duplicate member name '${n}'`));
    });
  }
  const store = inventory.locks?.store;
  if (store !== undefined) {
    const kind = Object.hasOwn(inventory.clusters, store) ? inventory.clusters[store]!.kind : undefined;
    if (kind === undefined) problems.push(problem(path, at(['locks', 'store']), `locks.store: no cluster '${store}' in the inventory (clusters: ${Object.keys(inventory.clusters).join(', ') || 'none'})`));
    else if (!(sharedLockStoreKinds as readonly string[]).includes(kind)) problems.push(problem(path, at(['locks', 'store']), `locks.store: cluster '${store}' is ${kind}; locks can be kept on an ${sharedLockStoreKinds.join(' or ')} cluster`));
  }
  checkDuration(inventory.defaults?.commandTimeout, ['defaults', 'commandTimeout'], true);
  if (inventory.defaults?.ssh?.jump !== undefined && !hostNames.includes(inventory.defaults.ssh.jump)) {
    problems.push(problem(path, at(['defaults', 'ssh', 'jump']), `defaults.ssh.jump: no host '${inventory.defaults.ssh.jump}' in the inventory`));
  }
  return problems.length === 0 ? { inventory, problems } : { problems: sortProblems(problems) };

  function checkDuration(value: string | number | undefined, p: PropertyKey[], positive = false): void {
    if (value === undefined) return;
    const d = parseDuration(value);
    if (!d.ok) problems.push(problem(path, at(p), `${p.join('.')}: ${d.error}`));
    else if (positive && d.ms <= 0) problems.push(problem(path, at(p), `${p.join('.')} must be more than 0 (no command runs unbounded)`));
  }
}

/** The inventory's default command timeout in ms (5 minutes when absent). */
export function commandTimeoutMs(inventory: Inventory | undefined): number {
  const value = inventory?.defaults?.commandTimeout;
  if (value === undefined) return DEFAULT_COMMAND_TIMEOUT_MS;
  const d = parseDuration(value);
  return d.ok && d.ms > 0 ? d.ms : DEFAULT_COMMAND_TIMEOUT_MS;
}

interface ZodDefLike {
  _zod?: { def?: { type?: string; shape?: Record<string, unknown>; valueType?: unknown; element?: unknown; innerType?: unknown } };
}

/** Walks the zod schema along an issue path to list the keys allowed at that point. */
function allowedKeys(p: readonly PropertyKey[]): string {
  let schema: unknown = inventorySchema;
  const unwrap = (s: unknown): unknown => {
    for (let d = (s as ZodDefLike)._zod?.def; d && (d.type === 'optional' || d.type === 'default' || d.type === 'nullable'); d = (s as ZodDefLike)._zod?.def) s = d.innerType;
    return s;
  };
  for (const seg of p) {
    const def = (unwrap(schema) as ZodDefLike)._zod?.def;
    if (def?.type === 'object') schema = def.shape?.[String(seg)];
    else if (def?.type === 'record') schema = def.valueType;
    else if (def?.type === 'array') schema = def.element;
    else return '';
  }
  const def = (unwrap(schema) as ZodDefLike)._zod?.def;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape).join(', ') : '';
}
