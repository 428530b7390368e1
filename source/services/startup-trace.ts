// Start-up phase timings (issue 17): with HATUI_TRACE_STARTUP=1 every phase mark is one stderr line
// `hatui-trace <ms since process start> <phase>`; the benches read them to say where the time goes.
// performance.now() counts from the process's time origin, so the first mark includes Node's own start
// and the bundle's module loading. Off by default: no output, no cost beyond one env lookup per mark.
const enabled = process.env.HATUI_TRACE_STARTUP === '1';
const seen = new Set<string>();

/** Records a phase mark (once per name unless `repeat`). */
export function traceStartup(phase: string, repeat = false): void {
  if (!enabled) return;
  if (!repeat) {
    if (seen.has(phase)) return;
    seen.add(phase);
  }
  process.stderr.write(`hatui-trace ${performance.now().toFixed(1)} ${phase}\n`);
}

/** Parses `hatui-trace` lines from a child's stderr: phase → ms since its process start (first mark of each). */
export function parseStartupTrace(stderr: string): Map<string, number> {
  const marks = new Map<string, number>();
  for (const m of stderr.matchAll(/^hatui-trace (\d+(?:\.\d+)?) (.+)$/gm)) if (!marks.has(m[2]!)) marks.set(m[2]!, Number(m[1]));
  return marks;
}
