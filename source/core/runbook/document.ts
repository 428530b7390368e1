// Markdown → Runbook model (syntax level). unified + remark-parse + remark-frontmatter + remark-gfm, with
// mdast positions kept so every problem is `file:line:col`. Semantic checks live in validate.ts.
import type { Code, Heading, List, Nodes, Root, RootContent } from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { scanTrailingBlock, slugify } from './attributes.js';
import { parseFrontMatter } from './front-matter.js';
import type { CommandBlock, Runbook, SourcePosition, Step } from './model.js';
import { problem, type Problem } from './problem.js';
import { readCommandAttributes, readStepAttributes, type StepAttributes } from './step-attributes.js';

const processor = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']).use(remarkGfm).freeze();

/** Plain remark parse with the same plugins (also used by the benchmark as the baseline). */
export function parseMarkdown(text: string): Root {
  return processor.parse(text) as Root;
}

/** A step while its section is read: the parts taken over into the Step as they are. */
interface Draft extends Pick<Step, 'title' | 'position' | 'commands' | 'checks' | 'preflight' | 'checklist' | 'prose' | 'callouts'> {
  attrs: StepAttributes;
}

const CALLOUT = /^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*\n?/i;

/** Builds the model from markdown even when parts are wrong, listing every syntax problem found. */
export interface RunbookDocument {
  runbook: Runbook;
  problems: Problem[];
  /** False when the front matter is missing or not YAML: vars and clusters are then unknown, not empty. */
  frontMatterReadable: boolean;
}

export function parseRunbookDocument(input: string, path: string): RunbookDocument {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const problems: Problem[] = [];
  const root = parseMarkdown(text);
  const raw = (n: Nodes) => text.slice(n.position!.start.offset, n.position!.end.offset);
  const posOf = (n: Nodes): SourcePosition => ({ line: n.position!.start.line, column: n.position!.start.column });

  const first = root.children[0];
  const fmNode = first?.type === 'yaml' ? { value: first.value, position: posOf(first) } : undefined;
  const { fields, problems: fmProblems, readable } = parseFrontMatter(fmNode, path);
  problems.push(...fmProblems);
  findUnclosedFences(root, raw, posOf, path, problems);

  const drafts: Draft[] = [];
  for (const node of root.children) {
    if (node.type === 'yaml') continue;
    if (node.type === 'heading' && node.depth === 2) {
      drafts.push(readHeading(node, raw(node), posOf(node), path, problems));
      continue;
    }
    const step = drafts[drafts.length - 1];
    if (!step) {
      if (node.type === 'code' && isRunnable(node)) problems.push(problem(path, posOf(node), `\`${codeWord(node)}\` block before the first ## step heading belongs to no step`));
      continue;
    }
    addContent(step, node, raw, posOf, path, problems);
  }

  const steps = assignIds(drafts);
  const runbook: Runbook = {
    id: fields.id,
    title: fields.title,
    tags: fields.tags,
    clusters: fields.clusters,
    vars: fields.vars,
    targets: fields.targets,
    steps,
    path,
  };
  if (fields.summary !== undefined) runbook.summary = fields.summary;
  if (fields.drill) runbook.drill = fields.drill;
  return { runbook, problems, frontMatterReadable: readable };
}

function readHeading(node: Heading, rawText: string, at: SourcePosition, path: string, problems: Problem[]): Draft {
  const line = rawText.split('\n')[0] ?? '';
  const prefix = /^[ \t]*#{0,2}[ \t]*/.exec(line)![0].length;
  const body = line.slice(prefix);
  const pos = (offset: number): SourcePosition => ({ line: at.line, column: at.column + prefix + offset });
  const scan = scanTrailingBlock(body);
  let attrs: StepAttributes = { positions: {} };
  let title = body;
  if (scan.kind === 'block') {
    attrs = readStepAttributes(scan.block, pos, path, problems);
    title = scan.before;
  } else if (scan.kind === 'error') {
    problems.push(problem(path, pos(scan.offset), `cannot read the step's attribute block: ${scan.message}`));
    title = body.slice(0, body.indexOf('{'));
  }
  title = title.replace(/[ \t]+#+[ \t]*$/, '').trim();
  if (title === '') problems.push(problem(path, at, 'step heading has no title'));
  return { attrs, title, position: at, commands: [], checks: [], preflight: [], checklist: [], prose: [], callouts: [] };
}

function codeWord(node: Code): string {
  return /^[^\s{]*/.exec(node.lang ?? '')![0];
}

function isRunnable(node: Code): boolean {
  const word = codeWord(node);
  return word === 'sh' || word === 'check' || word === 'preflight';
}

function addContent(
  step: Draft,
  node: RootContent,
  raw: (n: Nodes) => string,
  posOf: (n: Nodes) => SourcePosition,
  path: string,
  problems: Problem[],
): void {
  switch (node.type) {
    case 'code':
      return addCode(step, node, raw(node), posOf(node), path, problems);
    case 'list':
      return addList(step, node, raw, posOf);
    case 'blockquote':
      return addQuote(step, raw(node));
    case 'html':
    case 'thematicBreak':
    case 'definition':
      return;
    default:
      step.prose.push(raw(node));
  }
}

function addCode(step: Draft, node: Code, rawText: string, at: SourcePosition, path: string, problems: Problem[]): void {
  const fenceLine = rawText.split('\n')[0] ?? '';
  const fence = /^[ \t]*(`{3,}|~{3,})[ \t]*/.exec(fenceLine);
  if (!fence) {
    step.prose.push(rawText); // indented code: shown, never run
    return;
  }
  const info = fenceLine.slice(fence[0].length).trimEnd();
  const word = /^[^\s{]*/.exec(info)![0];
  const rest = info.slice(word.length);
  const pos = (offset: number): SourcePosition => ({ line: at.line, column: at.column + fence[0].length + word.length + offset });
  const scan = scanTrailingBlock(rest);
  if (word === 'sh') {
    let attrs = {};
    if (scan.kind === 'block') attrs = readCommandAttributes(scan.block, pos, path, problems);
    else if (scan.kind === 'error') problems.push(problem(path, pos(scan.offset), `cannot read the command's attribute block: ${scan.message}`));
    else if (rest.trim() !== '') problems.push(problem(path, pos(rest.search(/\S/)), `unexpected '${rest.trim()}' after sh (attributes go in {host=… user=…})`));
    const a = attrs as ReturnType<typeof readCommandAttributes>;
    if (node.value.trim() === '') problems.push(problem(path, at, 'empty sh block: nothing to run'));
    const command: CommandBlock = { index: step.commands.length, host: a.host ?? 'local', expectExit: a.expectExit ?? 0, template: node.value, position: at };
    if (a.user !== undefined) command.user = a.user;
    if (a.timeoutMs !== undefined) command.timeoutMs = a.timeoutMs;
    if (a.capture !== undefined) command.capture = a.capture;
    step.commands.push(command);
    return;
  }
  if (word === 'check' || word === 'preflight') {
    if (rest.trim() !== '') problems.push(problem(path, pos(rest.search(/\S/)), `a ${word} block takes no attributes`));
    const target = word === 'check' ? step.checks : step.preflight;
    node.value.split('\n').forEach((line, i) => {
      const source = line.trim();
      if (source === '' || source.startsWith('//')) return;
      target.push({ source, position: { line: at.line + 1 + i, column: at.column + line.length - line.trimStart().length } });
    });
    return;
  }
  if (scan.kind === 'block') problems.push(problem(path, at, `only \`\`\`sh blocks run: this \`\`\`${word || '(no language)'} block has attributes but would only be shown`));
  step.prose.push(rawText);
}

function addList(step: Draft, node: List, raw: (n: Nodes) => string, posOf: (n: Nodes) => SourcePosition): void {
  if (!node.children.some((item) => typeof item.checked === 'boolean')) {
    step.prose.push(raw(node));
    return;
  }
  for (const item of node.children) {
    if (typeof item.checked === 'boolean') step.checklist.push({ text: raw(item).replace(TASK_MARKER, '').trim(), position: posOf(item) });
    else step.prose.push(raw(item));
  }
}

const TASK_MARKER = /^(?:[-*+]|\d+[.)])[ \t]+\[[ xX]\][ \t]*/;

function addQuote(step: Draft, rawText: string): void {
  const inner = rawText
    .split('\n')
    .map((l) => l.replace(/^[ \t]*>[ \t]?/, ''))
    .join('\n');
  const callout = CALLOUT.exec(inner);
  if (callout) step.callouts.push({ kind: callout[1]!.toLowerCase(), text: inner.slice(callout[0].length).trim() });
  else step.prose.push(inner.trim());
}

/**
 * remark closes a fence left open at the end of the file silently; the source text tells the truth. Also
 * flags runnable blocks nested in lists or quotes, which would otherwise be silently shown instead of run.
 */
function findUnclosedFences(root: Root, raw: (n: Nodes) => string, posOf: (n: Nodes) => SourcePosition, path: string, problems: Problem[]): void {
  const visit = (n: Nodes, nested: boolean): void => {
    if (n.type === 'code') {
      if (nested && isRunnable(n)) {
        problems.push(problem(path, posOf(n), `\`${codeWord(n)}\` block inside a list or quote would only be shown, never run: move it to the top level of the step`));
      }
      const lines = raw(n).split('\n');
      const open = /^[ \t>]*(`{3,}|~{3,})/.exec(lines[0] ?? '');
      if (open) {
        const fence = open[1]!;
        const close = new RegExp(`^[ \\t>]*${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`);
        if (lines.length < 2 || !close.test(lines[lines.length - 1] ?? '')) {
          problems.push(problem(path, posOf(n), `unclosed code fence: ${fence} opened here is never closed`));
        }
      }
      return;
    }
    if ('children' in n) for (const c of n.children) visit(c as Nodes, n.type !== 'root');
  };
  visit(root, false);
}

function assignIds(drafts: Draft[]): Step[] {
  const used = new Set(drafts.flatMap((d) => (d.attrs.id ? [d.attrs.id] : [])));
  let inRollback = false;
  return drafts.map((d, index) => {
    let id = d.attrs.id;
    if (!id) {
      const base = slugify(d.title) || `step-${index + 1}`;
      id = base;
      for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
      used.add(id);
    }
    if (id === 'rollback') inRollback = true;
    const a = d.attrs;
    const confirm = a.confirm ?? (a.changes ? 'typed' : 'none');
    const step: Step = {
      id,
      title: d.title,
      index,
      confirm,
      onFail: a.onFail ?? { kind: 'abort' },
      retries: a.retries ?? 0,
      commands: d.commands,
      checks: d.checks,
      preflight: d.preflight,
      checklist: d.checklist,
      prose: d.prose,
      callouts: d.callouts,
      rollback: inRollback,
      position: d.position,
      attributePositions: a.positions,
    };
    // Without confirm-text the policy decides what to type (the changed cluster, the single target host, the id).
    if (a.confirmText !== undefined) step.confirmText = a.confirmText;
    if (a.changes !== undefined) step.changes = a.changes;
    if (a.when) step.when = a.when;
    if (a.timeoutMs !== undefined) step.timeoutMs = a.timeoutMs;
    return step;
  });
}
