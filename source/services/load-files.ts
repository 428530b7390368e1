// The file-system side of loading: read runbooks (files or directories of *.md) and inventories, refusing
// unreadable and non-UTF-8 files with a located problem instead of an exception.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadInventory } from '../core/inventory/load.js';
import type { Inventory } from '../core/inventory/model.js';
import type { Runbook } from '../core/runbook/model.js';
import { parseRunbook } from '../core/runbook/parse.js';
import { problem, type Problem } from '../core/runbook/problem.js';

const START = { line: 1, column: 1 };

export async function readTextFile(path: string): Promise<{ text?: string; problems: Problem[] }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return { problems: [problem(path, START, `cannot read file: ${describeFsError(error)}`)] };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), problems: [] };
  } catch {
    const offset = firstInvalidUtf8(bytes);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset; i++) {
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    const byte = bytes[offset]?.toString(16).padStart(2, '0') ?? '??';
    return { problems: [problem(path, { line, column: offset - lineStart + 1 }, `not UTF-8: invalid byte 0x${byte} at offset ${offset}`)] };
  }
}

/** Expands arguments into runbook files: a directory contributes its *.md files (recursively, sorted). */
export async function collectRunbookPaths(args: string[]): Promise<{ files: string[]; problems: Problem[] }> {
  const files: string[] = [];
  const problems: Problem[] = [];
  for (const arg of args) {
    try {
      const s = await stat(arg);
      if (s.isDirectory()) files.push(...(await markdownFiles(arg)));
      else files.push(arg);
    } catch (error) {
      problems.push(problem(arg, START, `cannot read: ${describeFsError(error)}`));
    }
  }
  return { files, problems };
}

async function markdownFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await markdownFiles(full)));
    else if (e.name.endsWith('.md') && e.name.toLowerCase() !== 'readme.md') out.push(full);
  }
  return out;
}

export async function readRunbookFile(path: string, options: { inventory?: Inventory } = {}): Promise<{ runbook?: Runbook; text?: string; problems: Problem[] }> {
  const { text, problems } = await readTextFile(path);
  if (text === undefined) return { problems };
  return { ...parseRunbook(text, path, options), text };
}

export async function readInventoryFile(path: string): Promise<{ inventory?: Inventory; text?: string; problems: Problem[] }> {
  const { text, problems } = await readTextFile(path);
  if (text === undefined) return { problems };
  return { ...loadInventory(text, path), text };
}

function describeFsError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return e.code ? `${e.code}` : String(e.message ?? error);
  }
}

/** Offset of the first byte that is not part of a valid UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need = 0;
    let min = 0;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return bytes.length;
}
