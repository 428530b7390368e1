// Reading an asciicast the way a player does: a strict v3 reader and a terminal emulator to play its output on.
import xterm from '@xterm/headless';
import { expect } from 'vitest';

/** A strict asciicast v3 reader: header object line, then `[interval ≥ 0, code, string]` lines, nothing else. */
export function parseAsciicast(text: string) {
  expect(text.endsWith('\n')).toBe(true);
  const [headerLine, ...rest] = text.slice(0, -1).split('\n');
  const header = JSON.parse(headerLine!) as { version: number; term: { cols: number; rows: number }; timestamp: number; title?: string };
  expect(header.version).toBe(3);
  expect(Number.isInteger(header.term.cols) && Number.isInteger(header.term.rows)).toBe(true);
  const entries = rest.map((l) => {
    const entry = JSON.parse(l) as unknown;
    expect(Array.isArray(entry) && entry.length === 3).toBe(true);
    const [interval, code, data] = entry as [number, string, string];
    expect(typeof interval === 'number' && interval >= 0).toBe(true);
    expect(['o', 'i', 'm', 'r', 'x']).toContain(code);
    expect(typeof data).toBe('string');
    return [interval, code, data] as [number, string, string];
  });
  return { header, entries };
}

/** Plays the cast's output through a terminal emulator and returns every line it shows (scrollback included). */
export async function screen(cast: string): Promise<string[]> {
  const { header, entries } = parseAsciicast(cast);
  const term = new xterm.Terminal({ cols: header.term.cols, rows: header.term.rows, scrollback: 1000, allowProposedApi: true });
  for (const [, code, data] of entries) if (code === 'o') await new Promise<void>((resolve) => term.write(data, resolve));
  const buffer = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
  term.dispose();
  return lines;
}
