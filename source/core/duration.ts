// Durations as written in runbooks and inventories: `500ms`, `30s`, `2m`, `1h`, `1d`, combinations such as
// `1m30s`, or a bare `0`. Numbers (from YAML) are taken as milliseconds only when they are 0; any other bare
// number is ambiguous and rejected, so `timeout: 30` never silently means 30 ms.

export type DurationResult = { ok: true; ms: number } | { ok: false; error: string };

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

export function parseDuration(value: unknown): DurationResult {
  if (typeof value === 'number') {
    if (value === 0) return { ok: true, ms: 0 };
    return { ok: false, error: `duration ${String(value)} has no unit (use e.g. 500ms, 30s, 2m, 1h)` };
  }
  if (typeof value !== 'string') return { ok: false, error: `duration must be text such as 30s, not ${describe(value)}` };
  const text = value.trim();
  if (text === '0') return { ok: true, ms: 0 };
  if (text === '') return { ok: false, error: 'empty duration (use e.g. 500ms, 30s, 2m, 1h)' };
  let ms = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const at = PART.lastIndex;
    const match = PART.exec(text);
    if (!match || match.index !== at) {
      return { ok: false, error: `cannot parse duration '${value}' (use e.g. 500ms, 30s, 2m, 1h, 1m30s)` };
    }
    ms += Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  if (!Number.isFinite(ms)) return { ok: false, error: `duration '${value}' is too large` };
  return { ok: true, ms: Math.round(ms) };
}

/** Parses or throws an Error naming the bad value (for callers that already validated). */
export function durationMs(value: unknown): number {
  const result = parseDuration(value);
  if (!result.ok) throw new Error(result.error);
  return result.ms;
}

/** Formats milliseconds as a short human duration: 1500 → `1.5s`, 120000 → `2m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${trim(ms / 1000)}s`;
  if (ms < 3_600_000) return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.floor(ms / 60_000)}m${trim((ms % 60_000) / 1000)}s`;
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.floor(ms / 3_600_000)}h${formatDuration(ms % 3_600_000)}`;
}

function trim(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1).replace(/\.0$/, '');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a map' : typeof value;
}
