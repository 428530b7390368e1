// Commands as screen lines, every character kept: each command line is cut into pieces of the given
// width (never `…`), so what the operator approves is all on screen. Pure; tested without Ink.

/** Prefixes: `@ ` the host, `$ ` a command's first line, two spaces its later lines, `⤷ ` a piece wrapped from the line above. */
export const PREFIX = { host: '@ ', first: '$ ', next: '  ', wrapped: '⤷ ' } as const;

/** `text` cut into pieces of at most `width` code points (no piece for nothing but an empty line). */
export function hardWrap(text: string, width: number): string[] {
  const chars = [...text];
  const w = Math.max(1, width);
  if (chars.length === 0) return [''];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += w) out.push(chars.slice(i, i + w).join(''));
  return out;
}

/** One line with its prefix, then its wrapped pieces prefixed `⤷ `; every line at most `width` wide. */
function prefixed(prefix: string, text: string, width: number): string[] {
  // A tab would be drawn as a variable run of spaces: show it as one visible character instead.
  const pieces = hardWrap(text.replace(/\t/g, '→'), width - 2);
  return pieces.map((p, i) => `${i === 0 ? prefix : PREFIX.wrapped}${p}`);
}

/** One command's every line (`$ ` first, then indented), cut to `width` columns. */
export function commandTextLines(command: string, width: number): string[] {
  return command.split('\n').flatMap((line, i) => prefixed(i === 0 ? PREFIX.first : PREFIX.next, line, width));
}

/** Every command of a step as lines of at most `width` columns: its host line, then all its lines. */
export function commandScreenLines(commands: readonly { command: string; host: string }[], width: number): string[] {
  return commands.flatMap((c) => [...prefixed(PREFIX.host, c.host, width), ...commandTextLines(c.command, width)]);
}

export interface LineWindow {
  lines: string[];
  /** First shown line (0-based) and how many there are in all. */
  from: number;
  total: number;
  /** The largest scroll that still fills the window (0 when everything fits). */
  maxScroll: number;
}

/** The `height` lines starting at `scroll` (clamped), and where they are in the whole. */
export function lineWindow(all: readonly string[], height: number, scroll: number): LineWindow {
  const h = Math.max(1, height);
  const maxScroll = Math.max(0, all.length - h);
  const from = Math.min(Math.max(0, scroll), maxScroll);
  return { lines: all.slice(from, from + h), from, total: all.length, maxScroll };
}

/** Rows `text` takes when Ink word-wraps it at `width` (greedy by words, a word longer than the width cut). */
export function wrappedRows(text: string, width: number): number {
  const w = Math.max(1, width);
  let rows = 0;
  for (const line of text.split('\n')) {
    let used = 0;
    rows++;
    for (const word of line.split(' ')) {
      const len = [...word].length;
      if (used > 0 && used + 1 + len <= w) used += 1 + len;
      else {
        if (used > 0) rows++;
        rows += Math.max(0, Math.ceil(len / w) - 1);
        used = len % w === 0 && len > 0 ? w : len % w;
      }
    }
  }
  return rows;
}
