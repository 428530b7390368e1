// `{{ name }}` placeholders in commands. Every value is shell-quoted with shell-quote's `quote`; there is
// no unquoted form. A secret variable becomes a double-quoted reference to an environment variable
// ("$HATUI_SECRET_DB_PASSWORD") whose value travels beside the command, never in its text.
import { quote } from 'shell-quote';
import { NAME_PATTERN } from './attributes.js';

export type TemplateRef =
  | { kind: 'var'; name: string }
  | { kind: 'capture'; name: string; field: 'stdout' | 'exitCode' | 'json'; path: string[] };

export type TemplatePart = { kind: 'text'; text: string } | { kind: 'ref'; ref: TemplateRef; source: string; offset: number };

export interface TemplateProblem {
  message: string;
  /** 0-based offset into the template text. */
  offset: number;
}

export interface CaptureValue {
  stdout: string;
  exitCode: number | null;
}

export interface RenderInput {
  vars: Record<string, string>;
  captures?: Record<string, CaptureValue>;
  secretNames?: Iterable<string>;
  /** For `plan`: show a capture that has no value yet as ⟨captures.name.stdout⟩ instead of throwing. */
  placeholderForMissingCaptures?: boolean;
}

export interface RenderedCommand {
  command: string;
  /** Environment the command needs: secret values by env var name. Never log or show these values. */
  secretEnv: Record<string, string>;
}

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

const PLACEHOLDER = /\{\{([\s\S]*?)\}\}/y;

/** Splits a template into text and references, with every syntax problem (unterminated `{{`, bad names, quoting). */
export function parseTemplate(template: string): { parts: TemplatePart[]; problems: TemplateProblem[] } {
  const parts: TemplatePart[] = [];
  const problems: TemplateProblem[] = [];
  const quotes = new QuoteState();
  let text = '';
  let i = 0;
  while (i < template.length) {
    if (template.startsWith('\\{{', i)) {
      text += '{{';
      quotes.feed('{{');
      i += 3;
      continue;
    }
    if (!template.startsWith('{{', i)) {
      const next = template.indexOf('{{', i);
      const end = next === -1 ? template.length : template[next - 1] === '\\' && next - 1 >= i ? next - 1 : next;
      const chunk = template.slice(i, Math.max(end, i + 1));
      text += chunk;
      quotes.feed(chunk);
      i += chunk.length;
      continue;
    }
    PLACEHOLDER.lastIndex = i;
    const m = PLACEHOLDER.exec(template);
    const lineEnd = template.indexOf('\n', i);
    if (!m || (lineEnd !== -1 && i + m[0].length > lineEnd)) {
      problems.push({ offset: i, message: 'unterminated {{ (close it with }} on the same line, or write \\{{ for a literal {{)' });
      text += template.slice(i, lineEnd === -1 ? template.length : lineEnd);
      i = lineEnd === -1 ? template.length : lineEnd;
      continue;
    }
    const source = m[1]!.trim();
    const ref = parseRef(source);
    if (typeof ref === 'string') problems.push({ offset: i, message: ref });
    else {
      if (quotes.inside) {
        problems.push({ offset: i, message: `{{ ${source} }} is inside ${quotes.inside} quotes: hatui quotes values itself, remove the surrounding quotes` });
      }
      if (text) parts.push({ kind: 'text', text });
      text = '';
      parts.push({ kind: 'ref', ref, source, offset: i });
      quotes.feed('x');
    }
    i += m[0].length;
  }
  if (text) parts.push({ kind: 'text', text });
  return { parts, problems };
}

function parseRef(source: string): TemplateRef | string {
  const segs = source.split('.');
  const bad = `bad placeholder {{ ${source} }} (use {{ name }}, {{ vars.name }} or {{ captures.name.stdout }})`;
  if (segs.some((s) => !NAME_PATTERN.test(s))) return bad;
  const [head, second, third, ...rest] = segs;
  if (segs.length === 1) return { kind: 'var', name: head! };
  if (head === 'vars' && segs.length === 2) return { kind: 'var', name: second! };
  if (head === 'captures' && second) {
    if (third === undefined) return { kind: 'capture', name: second, field: 'stdout', path: [] };
    if ((third === 'stdout' || third === 'exitCode') && rest.length === 0) return { kind: 'capture', name: second, field: third, path: [] };
    if (third === 'json') return { kind: 'capture', name: second, field: 'json', path: rest };
  }
  return bad;
}

/** Tracks whether a position in shell text is inside single or double quotes (comments skipped). */
class QuoteState {
  inside: 'single' | 'double' | undefined;
  private escaped = false;
  private comment = false;
  private prev = '\n';
  feed(chunk: string): void {
    for (const c of chunk) {
      if (this.comment) {
        if (c === '\n') this.comment = false;
      } else if (this.escaped) this.escaped = false;
      else if (this.inside === 'single') {
        if (c === "'") this.inside = undefined;
      } else if (c === '\\') this.escaped = true;
      else if (this.inside === 'double') {
        if (c === '"') this.inside = undefined;
      } else if (c === "'") this.inside = 'single';
      else if (c === '"') this.inside = 'double';
      else if (c === '#' && /\s/.test(this.prev)) this.comment = true;
      this.prev = c;
    }
  }
}

export function secretEnvName(name: string): string {
  return `HATUI_SECRET_${name.toUpperCase()}`;
}

/** The references a template makes (for validation and plan). Ignores malformed placeholders. */
export function templateRefs(template: string): TemplateRef[] {
  return parseTemplate(template).parts.flatMap((p) => (p.kind === 'ref' ? [p.ref] : []));
}

/** Substitutes every placeholder, quoted. Throws TemplateError naming the placeholder when a value is missing. */
export function renderCommand(template: string, input: RenderInput): RenderedCommand {
  const { parts, problems } = parseTemplate(template);
  if (problems[0]) throw new TemplateError(problems[0].message);
  const secrets = new Set(input.secretNames ?? []);
  const secretEnv: Record<string, string> = {};
  let command = '';
  for (const part of parts) {
    if (part.kind === 'text') {
      command += part.text;
      continue;
    }
    const ref = part.ref;
    if (ref.kind === 'var') {
      const value = input.vars[ref.name];
      if (value === undefined) throw new TemplateError(`{{ ${part.source} }}: variable '${ref.name}' has no value`);
      if (secrets.has(ref.name)) {
        const env = secretEnvName(ref.name);
        secretEnv[env] = value;
        command += `"$${env}"`;
      } else command += quote([value]);
      continue;
    }
    if (input.placeholderForMissingCaptures && !input.captures?.[ref.name]) command += `⟨${part.source}⟩`;
    else command += quote([captureText(ref, part.source, input.captures ?? {})]);
  }
  return { command, secretEnv };
}

function captureText(ref: Extract<TemplateRef, { kind: 'capture' }>, source: string, captures: Record<string, CaptureValue>): string {
  const capture = captures[ref.name];
  if (!capture) throw new TemplateError(`{{ ${source} }}: capture '${ref.name}' has not been recorded (did its step run?)`);
  switch (ref.field) {
    case 'stdout':
      return capture.stdout.replace(/\n+$/, ''); // like $(…): trailing newlines dropped
    case 'exitCode':
      return String(capture.exitCode ?? '');
    case 'json': {
      let value: unknown;
      try {
        value = JSON.parse(capture.stdout);
      } catch {
        throw new TemplateError(`{{ ${source} }}: output of '${ref.name}' is not JSON`);
      }
      for (const key of ref.path) {
        if (typeof value !== 'object' || value === null || !(key in value)) throw new TemplateError(`{{ ${source} }}: no '${key}' in the JSON output of '${ref.name}'`);
        value = (value as Record<string, unknown>)[key];
      }
      return typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
}
