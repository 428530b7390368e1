// Front matter: YAML between `---` lines, validated with zod; every problem located in the file.
import { z } from 'zod';
import { parseDuration } from '../duration.js';
import { locate, parseYamlText, shift, yamlToJS, type YamlText } from '../yaml-locate.js';
import { ID_PATTERN, NAME_PATTERN } from './attributes.js';
import { DRILL_SYSTEM_NAMES } from '../drill/model.js';
import type { Runbook, SourcePosition, VarSpec } from './model.js';
import { problem, type Problem } from './problem.js';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const varSchema = z
  .object({
    description: z.string().optional(),
    default: scalar.optional(),
    secret: z.boolean().default(false),
    choices: z.array(scalar).optional(),
    from: z.string().optional(),
  })
  .strict();

export const frontMatterSchema = z
  .object({
    id: z.string().regex(ID_PATTERN, 'id must be letters, digits, - or _'),
    title: z.string().min(1, 'title must not be empty'),
    summary: z.string().optional(),
    tags: z.array(z.string()).default([]),
    clusters: z.array(z.string()).default([]),
    vars: z.record(z.string().regex(NAME_PATTERN, 'variable names are letters, digits and _'), varSchema.nullable()).default({}),
    targets: z.object({ rto: scalar.optional(), rpo: scalar.optional() }).strict().optional(),
    // The systems a drill canary exists for (core/drill/model.ts), so validate catches a misspelt one.
    drill: z
      .object({
        system: z.string().refine((s) => Object.hasOwn(DRILL_SYSTEM_NAMES, s.toLowerCase()), `drill systems are ${Object.keys(DRILL_SYSTEM_NAMES).join(', ')}`),
        fault: z.string(),
        /** The application's DNS name the canary writes through (a `dns` inventory cluster lists it). */
        via: z.string().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The runbook's fields that come from its front matter (everything but the steps and the path). */
export type FrontMatter = Omit<Runbook, 'steps' | 'path'>;

export interface FrontMatterNode {
  value: string;
  /** Position of the opening `---`. */
  position: SourcePosition;
}

/** Parses front matter (or its absence) into fields, with every problem located in `path`. */
export function parseFrontMatter(node: FrontMatterNode | undefined, path: string): { fields: FrontMatter; problems: Problem[]; readable: boolean } {
  const fields: FrontMatter = { id: '', title: '', tags: [], clusters: [], vars: {}, targets: {} };
  const problems: Problem[] = [];
  if (!node) {
    const at = { line: 1, column: 1 };
    problems.push(problem(path, at, 'missing required `id` (no front matter: start the file with --- id: … title: … ---)'));
    problems.push(problem(path, at, 'missing required `title` (no front matter)'));
    return { fields, problems, readable: false };
  }
  const yaml = parseYamlText(node.value);
  const lineOffset = node.position.line; // YAML line 1 is the line after the opening ---
  const at = (p: readonly PropertyKey[], key?: string) => shift(locate(yaml, p, key), lineOffset);
  if (yaml.errors.length > 0) {
    for (const e of yaml.errors) problems.push(problem(path, shift(e.position, lineOffset), `front matter YAML: ${e.message}`));
    return { fields, problems, readable: false };
  }
  const js = yamlToJS(yaml);
  if (!js.ok) {
    problems.push(problem(path, shift(js.position, lineOffset), `front matter YAML: ${js.message}`));
    return { fields, problems, readable: false };
  }
  const data: unknown = js.data ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    problems.push(problem(path, node.position, 'front matter must be a YAML map with id and title'));
    return { fields, problems, readable: false };
  }
  const record = data as Record<string, unknown>;
  for (const key of ['id', 'title'] as const) {
    if (record[key] === undefined || record[key] === null) problems.push(problem(path, node.position, `missing required \`${key}\` in front matter`));
  }
  const parsed = frontMatterSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const p = issue.path as PropertyKey[];
      if (p.length === 1 && (p[0] === 'id' || p[0] === 'title') && (record[p[0]] === undefined || record[p[0]] === null)) continue;
      if (issue.code === 'invalid_key' && p[0] === 'vars' && p.length === 2) {
        problems.push(problem(path, at(p.slice(0, 1), String(p[1])), `bad variable name \`${String(p[1])}\`: variable names are letters, digits and _ (not starting with a digit)`));
        continue;
      }
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) problems.push(problem(path, at(p, key), `unknown front matter key \`${[...p, key].join('.')}\` (allowed: ${allowedKeys(p)})`));
        continue;
      }
      problems.push(problem(path, at(p), `front matter \`${p.join('.') || '(root)'}\`: ${issue.message}`));
    }
  }
  // Take what is usable even when other parts are wrong, so later checks still run.
  if (typeof record.id === 'string') fields.id = record.id;
  if (typeof record.title === 'string') fields.title = record.title;
  if (typeof record.summary === 'string') fields.summary = record.summary;
  if (Array.isArray(record.tags)) fields.tags = record.tags.map(String);
  if (Array.isArray(record.clusters)) fields.clusters = record.clusters.map(String);
  fillVars(record.vars, fields, problems, path, at);
  fillTargets(record.targets, fields, problems, path, at);
  const drill = record.drill as { system?: unknown; fault?: unknown; via?: unknown } | undefined;
  if (drill && typeof drill.system === 'string' && typeof drill.fault === 'string') fields.drill = { system: drill.system, fault: drill.fault, ...(typeof drill.via === 'string' ? { via: drill.via } : {}) };
  return { fields, problems, readable: true };
}

type At = (p: readonly PropertyKey[], key?: string) => SourcePosition;

function fillVars(raw: unknown, fields: FrontMatter, problems: Problem[], path: string, at: At): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return;
  const envNames = new Map<string, string>();
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const spec = (value ?? {}) as Record<string, unknown>;
    const v: VarSpec = { secret: spec.secret === true || spec.from !== undefined };
    if (spec.from !== undefined) {
      const m = typeof spec.from === 'string' ? /^credentials\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(spec.from) : null;
      if (m) v.from = { cluster: m[1]!, credential: m[2]!, position: at(['vars', name, 'from']) };
      else problems.push(problem(path, at(['vars', name, 'from']), `from of \`${name}\` must be credentials.<cluster>.<credential> (got '${String(spec.from)}')`));
    }
    if (v.secret) {
      // Secrets travel as HATUI_SECRET_<NAME>: two names differing only in case would share one variable.
      const other = envNames.get(name.toUpperCase());
      if (other !== undefined) problems.push(problem(path, at(['vars'], name), `secret variables \`${other}\` and \`${name}\` differ only in case (both would be HATUI_SECRET_${name.toUpperCase()})`));
      envNames.set(name.toUpperCase(), name);
    }
    if (typeof spec.description === 'string') v.description = spec.description;
    if (isScalar(spec.default)) v.default = String(spec.default);
    if (Array.isArray(spec.choices)) v.choices = spec.choices.filter(isScalar).map(String);
    if (v.secret && v.default !== undefined) {
      problems.push(problem(path, at(['vars', name, 'default']), `secret variable \`${name}\` must not have a default (secrets come from the environment or a file, never the runbook)`));
      delete v.default;
    }
    if (v.choices && v.default !== undefined && !v.choices.includes(v.default)) {
      problems.push(problem(path, at(['vars', name, 'default']), `default '${v.default}' of \`${name}\` is not one of its choices (${v.choices.join(', ')})`));
    }
    fields.vars[name] = v;
  }
}

function fillTargets(raw: unknown, fields: FrontMatter, problems: Problem[], path: string, at: At): void {
  if (typeof raw !== 'object' || raw === null) return;
  const t = raw as Record<string, unknown>;
  for (const key of ['rto', 'rpo'] as const) {
    if (t[key] === undefined) continue;
    const d = parseDuration(t[key]);
    if (!d.ok) problems.push(problem(path, at(['targets', key]), `targets.${key}: ${d.error}`));
    else if (key === 'rto') fields.targets.rtoMs = d.ms;
    else fields.targets.rpoMs = d.ms;
  }
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function allowedKeys(p: readonly PropertyKey[]): string {
  if (p.length === 0) return Object.keys(frontMatterSchema.shape).join(', ');
  if (p[0] === 'vars') return 'description, default, secret, choices, from';
  if (p[0] === 'targets') return 'rto, rpo';
  if (p[0] === 'drill') return 'system, fault';
  return '';
}

export type { YamlText };
