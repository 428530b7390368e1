// What the app shows of a drill opened in it, beside the walkthrough: the live canary (acknowledged
// and failed writes, the clock since the fault, the marks), folded by core/drill/live.ts from the very
// canary and observations `hatui drill` analyses, then the report it wrote. Not Ink: tests read it directly.
import { liveDrill, type LiveDrill } from '../core/drill/live.js';
import type { DrillReport } from '../core/drill/report.js';
import type { DrillContext } from '../drill/orchestrate.js';
import type { ReportPaths } from '../drill/report-files.js';

export class DrillView {
  /** The canary, clock and observations, once the canary writes. */
  context: DrillContext | null = null;
  /** When the fault step's first command was sent (drill clock): the live clock's zero. */
  faultAtMs: number | null = null;
  /** The drill's own progress lines (canary writing, steps finished, reading back…), latest last. */
  readonly progress: string[] = [];
  /** The report, once analysed and written. */
  result: { report: DrillReport; paths: ReportPaths; /** Why the run stopped, when it did not end ok. */ runMessage?: string } | null = null;
  /** The drill could not run or finish (no canary target, report not writable…). */
  error: string | null = null;

  constructor(readonly system: string) {}

  get canaryTarget(): string | null {
    return this.context?.canary.target ?? null;
  }

  /** The live figures now, or null before the canary writes. */
  live(): LiveDrill | null {
    if (!this.context) return null;
    const log = this.context.canary.snapshot();
    return liveDrill({ acks: log.acks, errors: log.errors, observations: this.context.observations(), startedAtMs: log.startedAtMs, nowMs: this.context.clock.now(), t0Ms: this.faultAtMs });
  }

  say(line: string): void {
    this.progress.push(line);
    if (this.progress.length > 20) this.progress.splice(0, this.progress.length - 20);
  }
}
