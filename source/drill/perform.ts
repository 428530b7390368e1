// One drill, the way both `hatui drill` and the terminal app run it: the canary and pollers of the
// drill's system, the runbook's steps through the runner (the caller's decider answers its questions:
// an answers file headless, the operator in the app), the report built by the same analysis and written
// to report.json / report.md / timeline.svg. Only the decider, the printer and where the progress goes differ.
import { join } from 'node:path';
import { hatuiStateDir } from '../adapters/audit-file/paths.js';
import type { DrillReport, ReportMeta } from '../core/drill/report.js';
import { snapshotCluster } from '../services/snapshot.js';
import { ExitCode } from '../core/exit-codes.js';
import type { RunEvent } from '../core/engine/events.js';
import type { RunState } from '../core/engine/state.js';
import { commandTimeoutMs } from '../core/inventory/load.js';
import type { Inventory } from '../core/inventory/model.js';
import type { Runbook } from '../core/runbook/model.js';
import { labSettings } from '../lab/settings.js';
import type { Decider } from '../services/runner-deps.js';
import { resolveVars } from '../services/runner-vars.js';
import { ensureHatuiOnPath } from './hatui-path.js';
import { labFaultTime } from './lab-fault.js';
import { runDrill, type DrillContext } from './orchestrate.js';
import { writeReport, type ReportPaths } from './report-files.js';
import { runnerSteps } from './run-steps.js';
import { drillSystem, drillTargets } from './targets.js';

export interface PerformDrillOptions {
  runbook: Runbook;
  runbookText: string;
  inventory: Inventory;
  inventoryText: string;
  /** The inventory file's directory (relative key paths). */
  inventoryDir?: string;
  /** `name=value` assignments (--var, or typed in the app). */
  assignments: string[];
  decider: Decider;
  hatuiVersion: string;
  ticket?: string;
  /** Report directory; default `<state dir>/drills/<runbook id>-<time>`. */
  reportDir?: string;
  stateDir?: string;
  print?: (event: RunEvent, state: RunState) => void;
  progress?: (line: string) => void;
  signal?: AbortSignal;
  /** The canary, clock and observations once the canary writes (the app's live drill panel reads them). */
  onContext?: (context: DrillContext) => void;
  env?: NodeJS.ProcessEnv;
}

export interface PerformedDrill {
  report: DrillReport;
  paths: ReportPaths;
  /** 0 every target met · 1 a target missed · else the run's own exit code (needs a decision, refused…). */
  exitCode: number;
  /** The run's own exit code and message (0 when its steps ended ok). */
  runExitCode: number;
  runMessage: string;
}

export async function performDrill(o: PerformDrillOptions): Promise<PerformedDrill> {
  const { runbook, inventory } = o;
  const env = o.env ?? process.env;
  if (!runbook.drill) throw new Error(`${runbook.path}: not a drill runbook (front matter needs drill: {system, fault})`);
  // The shipped drills' default fault commands call `hatui lab …`: the app and the command alike need hatui on PATH.
  const PATH = ensureHatuiOnPath(env);
  if (PATH !== undefined) env.PATH = PATH;
  const system = drillSystem(runbook.drill.system);
  const targets = drillTargets(inventory, system, { candidates: runbook.clusters, ...(runbook.drill.via ? { via: runbook.drill.via } : {}) });
  const drilled = inventory.clusters[targets.cluster];
  let standbyAtFault: NonNullable<ReportMeta['standbyAtFault']> | null = null;
  try {
    const { values: vars, secretNames } = resolveVars(runbook, o.assignments, env, inventory);
    let runExit: number = ExitCode.ok;
    let runMessage = '';
    const steps = runnerSteps({
      runbook,
      runbookText: o.runbookText,
      inventory,
      inventoryText: o.inventoryText,
      ...(o.inventoryDir ? { inventoryDir: o.inventoryDir } : {}),
      vars,
      secretNames,
      decider: o.decider,
      hatuiVersion: o.hatuiVersion,
      defaultTimeoutMs: commandTimeoutMs(inventory),
      ...(o.ticket ? { ticket: o.ticket } : {}),
      ...(o.stateDir ? { stateDir: o.stateDir } : {}),
      ...(o.print ? { print: o.print } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      onExit: (code, message) => {
        runExit = code;
        runMessage = message;
      },
      // A standby (DR) cluster: how far behind the primary region it was right before the fault, from its probe.
      ...(drilled?.standbyOf
        ? {
            onFaultStep: async () => {
              const state = await snapshotCluster(targets.cluster, drilled, inventory, { timeoutMs: 1500 });
              const st = state.kind === 'patroni' ? state.standby : undefined;
              standbyAtFault = st ? { of: st.of, delayBytes: st.delayBytes, delaySeconds: st.delaySeconds, error: st.error } : { of: drilled.standbyOf!, delayBytes: null, delaySeconds: null, error: 'the probe gave no standby state' };
            },
          }
        : {}),
    });
    const outcome = await runDrill({
      runbook,
      system,
      cluster: targets.cluster,
      servedBy: targets.servedBy,
      ...(drilled?.standbyOf ? { standbyAtFault: () => standbyAtFault } : {}),
      startCanary: targets.startCanary,
      viewSource: targets.viewSource,
      ...(inventory.environment === 'lab' ? { faultTime: labFaultTime(labSettings(env)) } : {}),
      ...(o.progress ? { progress: o.progress } : {}),
      ...(inventory.monitoring ? { monitoring: inventory.monitoring } : {}),
      runSteps: (context) => {
        o.onContext?.(context);
        return steps();
      },
    });
    const report = outcome.report;
    const paths = writeReport(o.reportDir ?? defaultReportDir(runbook.id, o.stateDir), report);
    const exitCode = runExit !== ExitCode.ok ? runExit : report.pass ? ExitCode.ok : ExitCode.failed;
    return { report, paths, exitCode, runExitCode: runExit, runMessage };
  } finally {
    targets.close();
  }
}

/** `<state dir>/drills/<runbook id>-<UTC time>`. */
export function defaultReportDir(runbookId: string, stateDir?: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(stateDir ?? hatuiStateDir(), 'drills', `${runbookId}-${stamp}`);
}
