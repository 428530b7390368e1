// CEL for guards (`when=`), checks and pre-flights, via @marcbachmann/cel-js. Never eval. Evaluation never
// throws: a failure is `result: false` with the error, and the values the expression read are recorded.
import { parse, type ASTNode } from '@marcbachmann/cel-js';
import type { ExpressionResult } from './engine/events.js';

export interface CaptureContext {
  stdout: string;
  exitCode: number | null;
  /** Present when stdout parses as JSON. */
  json?: unknown;
}

/** What every expression sees: `vars`, `captures.<name>`, `clusters.<name>`. */
export interface CelContext {
  vars: Record<string, string>;
  captures: Record<string, CaptureContext>;
  clusters: Record<string, unknown>;
}

export const CEL_ROOTS = ['vars', 'captures', 'clusters'] as const;

export interface CelSyntaxError {
  message: string;
  /** 0-based offset into the expression. */
  offset: number;
}

/** A context path an expression reads, e.g. `clusters.pg.leader` → ['clusters', 'pg', 'leader']. */
export interface ReadPath {
  segments: string[];
  offset: number;
}

type Parsed = ReturnType<typeof parse>;
const cache = new Map<string, Parsed | CelSyntaxError>();
const CACHE_LIMIT = 2000;

function compile(source: string): Parsed | CelSyntaxError {
  const hit = cache.get(source);
  if (hit) return hit;
  let out: Parsed | CelSyntaxError;
  try {
    out = parse(source);
  } catch (error) {
    out = { message: firstLine(error), offset: errorOffset(error) };
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, out);
  return out;
}

function isError(p: Parsed | CelSyntaxError): p is CelSyntaxError {
  return typeof p !== 'function';
}

export function checkSyntax(source: string): CelSyntaxError | undefined {
  const parsed = compile(source);
  return isError(parsed) ? parsed : undefined;
}

/** Builds the CEL context from run state; captures get `.json` when their stdout parses as JSON. */
export function celContext(input: { vars: Record<string, string>; captures?: Record<string, { stdout: string; exitCode: number | null }>; clusters?: Record<string, unknown> }): CelContext {
  const captures: Record<string, CaptureContext> = {};
  for (const [name, c] of Object.entries(input.captures ?? {})) {
    const entry: CaptureContext = { stdout: c.stdout, exitCode: c.exitCode };
    const trimmed = c.stdout.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        entry.json = JSON.parse(trimmed);
      } catch {
        // not JSON: `.json` stays absent and `has(captures.x.json)` is false
      }
    }
    captures[name] = entry;
  }
  return { vars: { ...input.vars }, captures, clusters: input.clusters ?? {} };
}

export function evaluateExpression(source: string, context: CelContext): ExpressionResult {
  const parsed = compile(source);
  if (isError(parsed)) return { source, result: false, values: {}, error: `syntax error: ${parsed.message}` };
  const values: Record<string, unknown> = {};
  try {
    for (const p of readPaths(parsed.ast)) {
      const value = resolve(context, p.segments);
      if (value !== undefined) values[p.segments.join('.')] = plain(value);
    }
  } catch {
    // recording values is best effort; the result below still stands
  }
  try {
    const result: unknown = parsed(context as unknown as Record<string, unknown>);
    if (typeof result !== 'boolean') return { source, result: false, values, error: `expression gave ${describe(result)}, not true or false` };
    return { source, result, values };
  } catch (error) {
    return { source, result: false, values, error: firstLine(error) };
  }
}

/** The context paths an expression reads (macro-bound variables such as `m` in `exists(m, …)` excluded). */
export function expressionPaths(source: string): ReadPath[] {
  const parsed = compile(source);
  return isError(parsed) ? [] : readPaths(parsed.ast);
}

/**
 * The clusters these expressions read through `clusters.<name>`: their names, `'all'` when one reads
 * `clusters` whole or by a computed key, `[]` when none reads `clusters` (no snapshot needed).
 */
export function clustersRead(sources: readonly string[]): string[] | 'all' {
  const names = new Set<string>();
  for (const source of sources) {
    for (const p of expressionPaths(source)) {
      if (p.segments[0] !== 'clusters') continue;
      if (p.segments.length < 2) return 'all';
      names.add(p.segments[1]!);
    }
  }
  return [...names];
}

const MACROS = new Set(['exists', 'all', 'exists_one', 'map', 'filter']);

function readPaths(ast: ASTNode): ReadPath[] {
  const out: ReadPath[] = [];
  const visit = (node: unknown, bound: ReadonlySet<string>): void => {
    if (!isNode(node)) return;
    switch (node.op) {
      case 'value':
        return;
      case 'id':
        if (!bound.has(node.args)) out.push({ segments: [node.args], offset: node.start });
        return;
      case '.':
      case '.?':
      case '[]':
      case '[?]':
        return chain(node, bound);
      case 'rcall': {
        const [name, target, args] = node.args;
        visit(target, bound);
        const first = args[0];
        if (MACROS.has(name) && first && first.op === 'id') {
          const inner = new Set(bound).add(first.args);
          for (const a of args.slice(1)) visit(a, inner);
        } else for (const a of args) visit(a, bound);
        return;
      }
      case 'call':
        for (const a of node.args[1]) visit(a, bound);
        return;
      case 'map':
        for (const [k, v] of node.args) {
          visit(k, bound);
          visit(v, bound);
        }
        return;
      default:
        for (const a of Array.isArray(node.args) ? node.args : [node.args]) visit(a, bound);
    }
  };
  const chain = (node: ASTNode, bound: ReadonlySet<string>): void => {
    const segments: string[] = [];
    let cur: ASTNode = node;
    for (;;) {
      if (cur.op === '.' || cur.op === '.?') {
        segments.unshift(cur.args[1]);
        cur = cur.args[0];
      } else if ((cur.op === '[]' || cur.op === '[?]') && cur.args[1].op === 'value' && (typeof cur.args[1].args === 'string' || typeof cur.args[1].args === 'bigint')) {
        segments.unshift(String(cur.args[1].args));
        cur = cur.args[0];
      } else break;
    }
    if (cur.op === 'id') {
      if (!bound.has(cur.args)) out.push({ segments: [cur.args, ...segments], offset: cur.start });
      return;
    }
    if (cur.op === '[]' || cur.op === '[?]') {
      visit(cur.args[0], bound);
      visit(cur.args[1], bound);
      return;
    }
    visit(cur, bound);
  };
  visit(ast, new Set());
  return out;
}

function isNode(n: unknown): n is ASTNode {
  return typeof n === 'object' && n !== null && 'op' in n;
}

function resolve(context: CelContext, segments: string[]): unknown {
  let value: unknown = context;
  for (const s of segments) {
    if (typeof value !== 'object' || value === null || !Object.prototype.hasOwnProperty.call(value, s)) return undefined;
    value = (value as Record<string, unknown>)[s];
  }
  return value;
}

function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)) ?? 'null');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return `the number ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return typeof value === 'object' ? (Array.isArray(value) ? 'a list' : 'a map') : `${typeof value} ${String(value)}`;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? message).trim();
}

function errorOffset(error: unknown): number {
  const e = error as { range?: { start?: number }; node?: { start?: number; pos?: number } } | null;
  return e?.range?.start ?? e?.node?.start ?? e?.node?.pos ?? 0;
}
