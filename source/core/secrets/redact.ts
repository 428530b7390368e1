// Secret redaction (pure). Every secret value is replaced by MASK in what is shown or recorded:
// whole texts (echoed command lines, log lines) with redactText, and streamed output with a
// per-stream redactor that also catches a secret split across chunks. The stream redactor holds back
// only the tail that could still become a secret (at most len(longest secret) - 1 characters), so
// other output keeps flowing.

export const MASK = '••••';

/** Distinct non-empty secrets, longest first (so a longer secret wins over its own prefix). */
export function normalizeSecrets(secrets: Iterable<string>): string[] {
  const set = new Set<string>();
  for (const s of secrets) if (typeof s === 'string' && s.length > 0) set.add(s);
  return [...set].sort((a, b) => b.length - a.length);
}

/** Merged [start, end) ranges of every occurrence of every secret in text. */
function matchRanges(text: string, secrets: readonly string[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const secret of secrets) {
    let from = 0;
    for (;;) {
      const at = text.indexOf(secret, from);
      if (at < 0) break;
      ranges.push([at, at + secret.length]);
      from = at + 1;
    }
  }
  if (ranges.length < 2) return ranges;
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] < last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

function applyMask(text: string, ranges: ReadonlyArray<readonly [number, number]>, end: number): string {
  let out = '';
  let pos = 0;
  for (const [s, e] of ranges) {
    if (s >= end) break;
    out += text.slice(pos, s) + MASK;
    pos = e;
  }
  return out + text.slice(pos, end);
}

/** Replaces every occurrence of every secret in text by MASK. */
export function redactText(text: string, secrets: Iterable<string>): string {
  const list = normalizeSecrets(secrets);
  if (list.length === 0 || text.length === 0) return text;
  return applyMask(text, matchRanges(text, list), text.length);
}

export interface StreamRedactor {
  /** Feed one chunk; returns what may be shown now (possibly ''). */
  push(chunk: string): string;
  /** End of stream: returns the held-back tail, redacted. */
  flush(): string;
  /** Characters currently held back. */
  readonly pending: number;
}

/** A redactor for ONE output stream (use one per stdout/stderr). */
export function createStreamRedactor(secrets: Iterable<string>): StreamRedactor {
  const list = normalizeSecrets(secrets);
  const longest = list[0]?.length ?? 0;
  let held = '';

  /** Earliest index from which the tail of text is a proper prefix of some secret (text.length if none). */
  function holdStart(text: string): number {
    const first = Math.max(0, text.length - longest + 1);
    for (let i = first; i < text.length; i++) {
      const tail = text.slice(i);
      if (list.some((s) => s.length > tail.length && s.startsWith(tail))) return i;
    }
    return text.length;
  }

  return {
    push(chunk: string): string {
      if (list.length === 0) return chunk;
      const text = held + chunk;
      const ranges = matchRanges(text, list);
      let cut = holdStart(text);
      // A complete match that straddles the cut is kept whole with the held tail (only possible when two
      // secrets overlap), so the part of it before the cut is never shown unmasked.
      for (const [s, e] of ranges) if (s < cut && e > cut) cut = s;
      held = text.slice(cut);
      return applyMask(text, ranges, cut);
    },
    flush(): string {
      const text = held;
      held = '';
      return list.length === 0 ? text : redactText(text, list);
    },
    get pending() {
      return held.length;
    },
  };
}
