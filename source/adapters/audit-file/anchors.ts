// The anchors file: after every record, the log's head (seq + hash) is appended here, outside the
// log, so a cut tail (which a hash chain alone cannot show) is detected by `audit verify`.
import { existsSync, readFileSync } from 'node:fs';
import type { Head } from '../../core/audit/record.js';
import { canonicalize } from '../../core/audit/canonical.js';

export interface AnchorLine {
  runId: string;
  log: string;
  seq: number;
  hash: string;
  at: string;
}

export function anchorLine(anchor: AnchorLine): string {
  return canonicalize(anchor) + '\n';
}

/**
 * Every head anchored for `runId`, in the order written. Unreadable lines are skipped. With `logPath`,
 * heads written for that file are preferred; when there are none (the log was copied or moved) every
 * head of the run counts.
 */
export function readAnchors(path: string, runId: string, logPath?: string): Head[] {
  if (!existsSync(path)) return [];
  const all = readAnchorLines(path, runId);
  const own = logPath === undefined ? [] : all.filter((a) => a.log === logPath);
  return (own.length ? own : all).map(({ seq, hash }) => ({ seq, hash }));
}

function readAnchorLines(path: string, runId: string): AnchorLine[] {
  const heads: AnchorLine[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.includes(runId)) continue;
    try {
      const value = JSON.parse(line) as Partial<AnchorLine>;
      if (value.runId === runId && typeof value.seq === 'number' && typeof value.hash === 'string') heads.push(value as AnchorLine);
    } catch {
      // A torn anchor line from a crash: the previous ones still hold.
    }
  }
  return heads;
}
