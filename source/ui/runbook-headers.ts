// The home screen's first runbook list (issue 17): id, title, tags, clusters, variables from each file's
// front matter only (its YAML, no markdown parse), so the list is on screen within milliseconds of the
// first frame. The full parse and validation (runbook-list.ts) follows in the background and replaces
// this list with located problems; opening a runbook always parses and validates it again (start-run.ts).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseFrontMatter } from '../core/runbook/front-matter.js';
import { formatProblem } from '../core/runbook/problem.js';
import type { RunbookEntry } from './state/home-state.js';

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---(?:\r?\n|$)/;

/** The runbook files the home screen lists: `*.md` directly in `dir`, sorted (none when unreadable). */
export async function runbookFiles(dir: string): Promise<{ name: string; path: string }[]> {
  try {
    return (await readdir(dir))
      .filter((n) => n.endsWith('.md'))
      .sort()
      .map((name) => ({ name, path: join(dir, name) }));
  } catch {
    return [];
  }
}

export async function listRunbookHeaders(dir: string): Promise<RunbookEntry[]> {
  return Promise.all(
    (await runbookFiles(dir)).map(async ({ name, path }): Promise<RunbookEntry> => {
      let text = '';
      try {
        text = await readFile(path, 'utf8');
      } catch {
        // listed as invalid below; the full list says why
      }
      const match = FRONT_MATTER.exec(text);
      const { fields, problems } = parseFrontMatter(match ? { value: match[1]!, position: { line: 1, column: 1 } } : undefined, path);
      if (!fields.id || !fields.title) return { id: name.replace(/\.md$/, ''), title: '(invalid runbook)', tags: [], path, clusters: [], problems: problems.map(formatProblem) };
      return { id: fields.id, title: fields.title, tags: fields.tags, path, clusters: fields.clusters, problems: problems.map(formatProblem), vars: fields.vars, ...(fields.summary ? { summary: fields.summary } : {}) };
    }),
  );
}
