// A drill, start to finish: start the pollers and the canary, let the canary warm up, run the
// runbook's steps (the runner, or a test's callback), keep writing until the cluster has recovered,
// stop the canary, read back what is present, analyse, and build the report record.
import { analyze, type StepMark } from '../core/drill/analyze.js';
import type { CanaryLog, DrillSystem, Observation } from '../core/drill/model.js';
import { buildReport, type DrillReport, type ReportMeta } from '../core/drill/report.js';

type ReportMetaStandby = NonNullable<ReportMeta['standbyAtFault']>;
import { drillAlerts } from '../core/drill/alerts.js';
import type { Monitoring } from '../core/inventory/model.js';
import { watchAlerts } from './alert-watch.js';
import type { Runbook } from '../core/runbook/model.js';
import type { Canary } from './canary.js';
import { drillClock, sleep, type DrillClock } from './clock.js';
import { startObserver, type ViewSource } from './observer.js';

export interface StepsResult {
  /** The run's outcome (`ok`, `failed`, …, or `not-run`). */
  outcome: string;
  steps: { id: string; outcome: string }[];
  marks: StepMark[];
  /** When the fault step's first command started (epoch ms), the fallback T0. */
  faultStartedAtMs?: number;
  audit?: { log: string; head?: { seq: number; hash: string }; verified?: boolean; message?: string };
  environment?: string;
  ticket?: string;
}

export interface DrillContext {
  clock: DrillClock;
  canary: Canary;
  /** Latest observations so far (e.g. for a test's runSteps to wait for a new leader). */
  observations(): Observation[];
}

export interface DrillDeps {
  runbook: Pick<Runbook, 'id' | 'title' | 'path' | 'targets' | 'drill'>;
  system: DrillSystem;
  /** The inventory cluster drilled, and what serves it when it is not the real server (the report's header says so). */
  cluster?: string;
  servedBy?: 'wire-level-double' | null;
  /** A standby cluster drilled: its delay behind the primary region when the fault step started (read after the steps). */
  standbyAtFault?: () => ReportMetaStandby | null | undefined;
  startCanary(clock: DrillClock): Promise<Canary>;
  viewSource?: ViewSource;
  runSteps(context: DrillContext): Promise<StepsResult>;
  /** The recorded fault time in [fromMs, toMs] (the lab's crash record), or null. */
  faultTime?(fromMs: number, toMs: number): number | null;
  /** Canary writes before the steps start (default 1 s). */
  warmupMs?: number;
  /** After the steps: keep writing at least this long (default 1 s)… */
  settleMs?: number;
  /** …and until the pollers see the cluster healthy again, at most this long (default 30 s). */
  healthyTimeoutMs?: number;
  progress?: (line: string) => void;
  clock?: DrillClock;
  /** The inventory's monitoring section: Alertmanager is watched through the drill (report.alerts). */
  monitoring?: Monitoring;
}

export interface DrillOutcome {
  report: DrillReport;
  log: CanaryLog;
  /** null when the read-back failed (the report says why). */
  present: number[] | null;
  observations: Observation[];
  steps: StepsResult;
}

export async function runDrill(deps: DrillDeps): Promise<DrillOutcome> {
  const clock = deps.clock ?? drillClock();
  const say = deps.progress ?? (() => {});
  const startedAtMs = clock.now();
  const observer = deps.viewSource ? startObserver(deps.viewSource, { clock }) : null;
  const alertWatch = deps.monitoring ? watchAlerts(deps.monitoring) : null;
  let canary: Canary | undefined;
  try {
    canary = await deps.startCanary(clock);
    say(`canary writing: ${canary.target}`);
    await sleep(deps.warmupMs ?? 1000);
    const steps = await deps.runSteps({ clock, canary, observations: () => observer?.observations() ?? [] });
    const stepsEndMs = clock.now();
    say(`steps finished: ${steps.outcome}`);
    const lab = deps.faultTime?.(startedAtMs - 1000, stepsEndMs) ?? null;
    const t0 = lab ?? steps.faultStartedAtMs ?? null;
    await sleep(deps.settleMs ?? 1000);
    // Only a run that ended ok is expected to leave the cluster healthy; do not wait on a failed one.
    if (observer && t0 !== null && steps.outcome === 'ok') {
      const deadline = clock.now() + (deps.healthyTimeoutMs ?? 30_000);
      while (clock.now() < deadline && !healthyAfter(observer.observations(), t0)) await sleep(200);
    }
    const log = await canary.stop();
    const observations = observer ? await observer.stop() : [];
    const watched = alertWatch ? await alertWatch.stop() : { answered: false, seen: [] };
    const alerts = drillAlerts({ source: deps.monitoring?.alertmanagerUrl ?? null, answered: watched.answered, seen: watched.seen, t0Ms: t0, startedAtMs });
    say(`alerts: ${alerts.summary}`);
    say(`canary stopped: ${log.acks.length} acknowledged of ${log.attempted.length}; reading back`);
    // A run that failed may leave nothing to read from (region B never promoted): the report still comes,
    // with the writes lost "not counted" and why; never a made-up 0.
    let present: number[] | null = null;
    let readBackError: string | undefined;
    try {
      present = await canary.verify();
    } catch (error) {
      readBackError = error instanceof Error ? error.message : String(error);
      say(`read-back failed: ${readBackError}`);
    }
    const analysis = analyze({ log, present, readBackError, t0Ms: t0, observations, targets: deps.runbook.targets, steps: steps.marks });
    const firstErrors = [...new Set(log.errors.map((e) => e.message))].slice(0, 5);
    const report = buildReport(
      {
        runbook: { id: deps.runbook.id, title: deps.runbook.title, path: deps.runbook.path },
        system: deps.runbook.drill?.system ?? deps.system,
        fault: deps.runbook.drill?.fault ?? 'unspecified',
        ...(deps.cluster ? { cluster: deps.cluster } : {}),
        servedBy: deps.servedBy ?? null,
        ...(deps.standbyAtFault ? { standbyAtFault: deps.standbyAtFault() ?? null } : {}),
        ...(steps.environment ? { environment: steps.environment } : {}),
        ...(steps.ticket ? { ticket: steps.ticket } : {}),
        startedAtMs,
        finishedAtMs: clock.now(),
        targets: deps.runbook.targets,
        canaryTarget: log.target,
        firstSeq: log.firstSeq,
        firstErrors,
        observations,
        steps: steps.steps,
        runOutcome: steps.outcome,
        ...(steps.audit ? { audit: steps.audit } : {}),
      },
      analysis,
    );
    return { report: { ...report, alerts }, log, present, observations, steps };
  } finally {
    await alertWatch?.stop().catch(() => undefined);
    await canary?.close().catch(() => {});
    await observer?.stop().catch(() => {});
  }
}

function healthyAfter(observations: Observation[], t0: number): boolean {
  const disturbed = observations.findIndex((o) => o.atMs >= t0 && o.kind !== 'healthy' && o.kind !== 'leader-seen');
  if (disturbed === -1) return false;
  return observations.slice(disturbed).some((o) => o.kind === 'healthy');
}
