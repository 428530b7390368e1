// Runs a drill runbook's steps with the engine's headless runner: events go to the audit log (file
// sink) and to the printer, and are watched for step marks and the fault step's command-started
// time (the fallback T0). Role selectors resolve from live state; commands on inventory hosts go
// over pooled SSH, `local` ones through execa.
import { randomUUID } from 'node:crypto';
import { SshTransport } from '../adapters/ssh/ssh-transport.js';
import { loadLog, verifyLoaded } from '../adapters/audit-file/read.js';
import { sha256Hex } from '../core/audit/record.js';
import { openAuditLog, type AuditWriter } from '../adapters/audit-file/writer.js';
import type { StepMark } from '../core/drill/analyze.js';
import type { RunEvent } from '../core/engine/events.js';
import type { RunState } from '../core/engine/state.js';
import type { Inventory } from '../core/inventory/model.js';
import type { Runbook } from '../core/runbook/model.js';
import type { Transport } from '../core/transport.js';
import { LocalTransport } from '../adapters/local/local-transport.js';
import { runRunbook } from '../services/runner.js';
import { createLockManager, createLockService } from '../services/lock.js';
import { snapshotClusters } from '../services/live-deps.js';
import type { ClusterState } from '../core/cluster-state.js';
import { inventoryResolver, secretRedactor, systemClock, type Decider, type EventSink } from '../services/runner-deps.js';
import type { StepsResult } from './orchestrate.js';
import { drillResolver } from './resolve.js';

/** The fault step: id `fault` by convention (docs/drills.md). */
export const FAULT_STEP_ID = 'fault';

export interface DrillRunOptions {
  runbook: Runbook;
  runbookText: string;
  inventory: Inventory;
  inventoryText?: string;
  inventoryDir?: string;
  vars: Record<string, string>;
  secretNames: string[];
  decider: Decider;
  hatuiVersion: string;
  defaultTimeoutMs: number;
  ticket?: string;
  /** Audit log state directory (default: hatui's XDG state dir). */
  stateDir?: string;
  /** Printer for each event (plain lines). */
  print?: (event: RunEvent, state: RunState) => void;
  signal?: AbortSignal;
  /** Where the run's exit code goes (the drill command combines it with the targets). */
  onExit?: (exitCode: number, message: string) => void;
  /** Awaited when the fault step starts, before its first command (the drill reads the state at the fault). */
  onFaultStep?: () => Promise<void>;
}

/** Returns a runSteps callback for runDrill that runs the runbook through the runner. */
export function runnerSteps(o: DrillRunOptions): () => Promise<StepsResult> {
  return async () => {
    const runId = randomUUID();
    const secrets = o.secretNames.map((n) => o.vars[n] ?? '').filter((v) => v.length > 0);
    const redactor = secretRedactor(secrets);
    const writer: AuditWriter = await openAuditLog({ runId, runbookId: o.runbook.id, ...(o.stateDir ? { stateDir: o.stateDir } : {}), redact: (t: string) => redactor.text(t) });
    const marks: StepMark[] = [];
    const titles = new Map(o.runbook.steps.map((s) => [s.id, s.title]));
    let faultStartedAtMs: number | undefined;
    const watch: EventSink = {
      async append(event) {
        await writer.append(event);
        switch (event.type) {
          case 'step-started':
            marks.push({ kind: 'step-started', atMs: Date.parse(event.at), label: `step ${event.stepId} started: ${titles.get(event.stepId) ?? ''}` });
            if (event.stepId === FAULT_STEP_ID && event.attempt === 1) await o.onFaultStep?.().catch(() => undefined);
            break;
          case 'step-finished':
            marks.push({ kind: 'step-finished', atMs: Date.parse(event.at), label: `step ${event.stepId} ${event.outcome}` });
            break;
          case 'command-started':
            if (event.stepId === FAULT_STEP_ID && faultStartedAtMs === undefined) faultStartedAtMs = Date.parse(event.at);
            break;
          default:
            break;
        }
      },
    };
    const local = new LocalTransport();
    const ssh = new SshTransport(o.inventory, { ...(o.inventoryDir ? { baseDir: o.inventoryDir } : {}) });
    const transportFor = (target: { host: string }): Transport => {
      const host = Object.hasOwn(o.inventory.hosts, target.host) ? o.inventory.hosts[target.host] : undefined;
      if (target.host === 'local' || host?.transport === 'local') return local;
      if (!host) throw new Error(`no inventory host '${target.host}'`);
      return ssh;
    };
    // The same operator lock as a run: a drill's fault is a change, and other operators must see it.
    const lockManager = createLockManager(o.inventory);
    // Pre-flights and checks read `clusters.<name>` from the same probes a run uses (one fresh snapshot
    // per batch, change histories carried over), never an empty view that blocks every pre-flight.
    let prevClusters: Record<string, ClusterState> = {};
    const clusterState = async (names?: readonly string[]) => {
      const fresh = await snapshotClusters(o.inventory, { prev: prevClusters, ...(names ? { only: names } : {}) });
      prevClusters = { ...prevClusters, ...fresh };
      return fresh;
    };
    let state: RunState | undefined;
    let exitCode = 1;
    let message = '';
    try {
      const result = await runRunbook(
        o.runbook,
        {
          runId,
          vars: o.vars,
          secretNames: o.secretNames,
          environment: o.inventory.environment,
          runbookSha256: sha256Hex(o.runbookText),
          ...(o.inventoryText !== undefined ? { inventorySha256: sha256Hex(o.inventoryText) } : {}),
          ...(o.ticket ? { ticket: o.ticket } : {}),
          hatuiVersion: o.hatuiVersion,
          defaultTimeoutMs: o.defaultTimeoutMs,
          ...(o.signal ? { signal: o.signal } : {}),
        },
        {
          sink: watch,
          transportFor,
          resolveTarget: drillResolver(o.inventory, inventoryResolver(o.inventory), { hostKey: (host) => ssh.hostKey(host) }),
          decider: o.decider,
          clusterState,
          redactor,
          clock: systemClock,
          locks: createLockService(lockManager),
          observe: (event, s) => {
            state = s;
            o.print?.(event, s);
          },
        },
      );
      state = result.state;
      exitCode = result.exitCode;
      message = result.message;
    } finally {
      await lockManager.close().catch(() => {});
      await writer.close().catch(() => {});
      await ssh.close().catch(() => {});
      await local.close().catch(() => {});
    }
    o.onExit?.(exitCode, message);
    const head = writer.head();
    let verified: boolean | undefined;
    let verifyMessage: string | undefined;
    try {
      const report = verifyLoaded(loadLog(writer.path), { stateDir: o.stateDir ?? dirOfAnchors(writer.anchorsPath) });
      verified = report.status === 'intact';
      verifyMessage = report.message;
    } catch (error) {
      verified = false;
      verifyMessage = (error as Error).message;
    }
    return {
      outcome: state?.outcome ?? state?.status ?? 'unknown',
      steps: (state?.stepOrder ?? []).map((id) => ({ id, outcome: state!.steps[id]!.status })),
      marks,
      ...(faultStartedAtMs !== undefined ? { faultStartedAtMs } : {}),
      audit: { log: writer.path, ...(head ? { head: { seq: head.seq, hash: head.hash } } : {}), verified, ...(verifyMessage ? { message: verifyMessage } : {}) },
      environment: o.inventory.environment,
      ...(o.ticket ? { ticket: o.ticket } : {}),
    };
  };
}

function dirOfAnchors(anchorsPath: string): string {
  return anchorsPath.replace(/\/[^/]*$/, '');
}
