// The one entry point for turning runbook text into a runnable model: markdown parsing (document.ts) plus
// every semantic check (validate.ts). A runbook is returned only when there is no problem at all.
import type { Inventory } from '../inventory/model.js';
import type { Runbook } from './model.js';
import type { Problem } from './problem.js';
import { validateRunbookText } from './validate.js';

export type { Problem } from './problem.js';
export { formatProblem } from './problem.js';
export { parseRunbookDocument, parseMarkdown } from './document.js';

export function parseRunbook(text: string, path: string, options: { inventory?: Inventory } = {}): { runbook?: Runbook; problems: Problem[] } {
  return validateRunbookText(text, path, options);
}
