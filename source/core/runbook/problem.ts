// A problem found in a runbook or inventory, always located: `file:line:col: message`.
import type { SourcePosition } from './model.js';

export interface Problem {
  path: string;
  line: number;
  column: number;
  message: string;
  /** `warning`: reported by `hatui validate` (a failure with `--strict`), never blocks loading a runbook. */
  severity: 'error' | 'warning';
}

export function problem(path: string, at: SourcePosition, message: string): Problem {
  return { path, line: at.line, column: at.column, message, severity: 'error' };
}

export function formatProblem(p: Problem): string {
  return `${p.path}:${p.line}:${p.column}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}

/** Sorts by file, line, column (stable for equal positions). */
export function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line || a.column - b.column));
}
