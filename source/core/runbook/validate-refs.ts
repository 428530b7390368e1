// References in templates and CEL: variables must be declared, captures defined by an earlier command,
// clusters listed in the front matter (and present in the inventory when one is given).
import { CEL_ROOTS, checkSyntax, expressionPaths } from '../cel.js';
import type { Inventory } from '../inventory/model.js';
import type { Expression, Runbook, SourcePosition } from './model.js';
import { problem, type Problem } from './problem.js';
import { parseTemplate } from './template.js';

export function checkReferences(runbook: Runbook, options: { inventory?: Inventory; frontMatterUnreadable?: boolean }, problems: Problem[]): void {
  const path = runbook.path;
  const varNames = Object.keys(runbook.vars);
  const captureDefs = new Map<string, SourcePosition>();
  const ctx: Ctx = { runbook, inventory: options.inventory, problems, varNames, declarationsKnown: !options.frontMatterUnreadable };
  for (const [name, spec] of Object.entries(runbook.vars)) {
    if (!spec.from) continue;
    const { cluster, credential, position } = spec.from;
    checkCluster(cluster, `vars.${name}.from`, position, ctx);
    const known = ctx.inventory?.clusters[cluster]?.credentials;
    if (ctx.inventory && Object.hasOwn(ctx.inventory.clusters, cluster) && !(known && Object.hasOwn(known, credential))) {
      problems.push(problem(path, position, `vars.${name}.from: cluster '${cluster}' has no credential '${credential}' in the inventory (credentials: ${Object.keys(known ?? {}).join(', ') || 'none'})`));
    }
  }
  for (const step of runbook.steps) {
    const before = new Set(captureDefs.keys());
    if (step.when) checkExpression(step.when, 'when', before, ctx);
    for (const e of step.preflight) checkExpression(e, 'preflight', before, ctx);
    const inStep = new Set(before);
    for (const command of step.commands) {
      const base = { line: command.position.line + 1, column: command.position.column };
      const { parts, problems: syntax } = parseTemplate(command.template);
      for (const p of syntax) problems.push(problem(path, offsetPosition(command.template, p.offset, base), p.message));
      for (const part of parts) {
        if (part.kind !== 'ref') continue;
        const at = offsetPosition(command.template, part.offset, base);
        const ref = part.ref;
        if (ref.kind === 'var' && ctx.declarationsKnown && !varNames.includes(ref.name)) {
          problems.push(problem(path, at, `undefined variable '${ref.name}' in {{ ${part.source} }} (declared vars: ${varNames.join(', ') || 'none'})`));
        } else if (ref.kind === 'capture' && !inStep.has(ref.name)) {
          problems.push(problem(path, at, `undefined capture '${ref.name}' in {{ ${part.source} }}: no earlier command has capture=${ref.name}`));
        }
      }
      if (command.capture) {
        const first = captureDefs.get(command.capture);
        if (first) problems.push(problem(path, command.position, `capture '${command.capture}' is already defined at line ${first.line}`));
        else captureDefs.set(command.capture, command.position);
        inStep.add(command.capture);
      }
    }
    for (const e of step.checks) checkExpression(e, 'check', inStep, ctx);
    if (step.changes !== undefined) checkCluster(step.changes, `changes=${step.changes}`, step.attributePositions?.changes ?? step.position, ctx);
  }
}

interface Ctx {
  runbook: Runbook;
  inventory: Inventory | undefined;
  problems: Problem[];
  varNames: string[];
  declarationsKnown: boolean;
}

function checkExpression(e: Expression, where: string, captures: ReadonlySet<string>, ctx: Ctx): void {
  const path = ctx.runbook.path;
  const at = (offset: number) => ({ line: e.position.line, column: e.position.column + offset });
  const syntax = checkSyntax(e.source);
  if (syntax) {
    ctx.problems.push(problem(path, at(syntax.offset), `CEL syntax error in ${where}: ${syntax.message}`));
    return;
  }
  for (const p of expressionPaths(e.source)) {
    const [root, name] = p.segments;
    if (!(CEL_ROOTS as readonly string[]).includes(root!)) {
      ctx.problems.push(problem(path, at(p.offset), `undefined identifier '${root}' in ${where} (CEL sees vars.<name>, captures.<name> and clusters.<name>)`));
    } else if (name === undefined) {
      continue;
    } else if (root === 'vars' && ctx.declarationsKnown && !ctx.varNames.includes(name)) {
      ctx.problems.push(problem(path, at(p.offset), `undefined variable 'vars.${name}' in ${where} (declared vars: ${ctx.varNames.join(', ') || 'none'})`));
    } else if (root === 'vars' && ctx.runbook.vars[name]?.secret) {
      // An expression's values are recorded (screen, audit log): a secret must not be one of them.
      ctx.problems.push(problem(path, at(p.offset), `secret variable 'vars.${name}' cannot be used in ${where}: the values an expression reads are recorded`));
    } else if (root === 'captures' && !captures.has(name)) {
      const rule = where === 'check' ? 'an earlier command' : 'a command in an earlier step';
      ctx.problems.push(problem(path, at(p.offset), `undefined capture 'captures.${name}' in ${where}: ${rule} must have capture=${name}`));
    } else if (root === 'clusters') {
      checkCluster(name, `clusters.${name} in ${where}`, at(p.offset), ctx);
    }
  }
}

function checkCluster(name: string, what: string, at: SourcePosition, ctx: Ctx): void {
  if (!ctx.declarationsKnown) return;
  if (!ctx.runbook.clusters.includes(name)) {
    ctx.problems.push(problem(ctx.runbook.path, at, `${what}: cluster '${name}' is not listed in the front matter's clusters (${ctx.runbook.clusters.join(', ') || 'none'})`));
  } else if (ctx.inventory && !Object.prototype.hasOwnProperty.call(ctx.inventory.clusters, name)) {
    ctx.problems.push(problem(ctx.runbook.path, at, `${what}: no cluster '${name}' in the inventory (clusters: ${Object.keys(ctx.inventory.clusters).join(', ') || 'none'})`));
  }
}

/** Line/column of `offset` in multi-line text starting at `base`. */
export function offsetPosition(text: string, offset: number, base: SourcePosition): SourcePosition {
  let line = base.line;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: base.column + offset - lineStart };
}
