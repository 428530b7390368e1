// Production wiring of RunnerDeps for `hatui run`: the SSH helper's live deps (local + pooled SSH
// transports, live role resolution, a fresh bounded cluster snapshot for CEL), operator locks on the
// cluster's own store, and the file audit log (redacted, write-ahead, anchored).
import type { Inventory } from '../core/inventory/model.js';
import type { Runbook } from '../core/runbook/model.js';
import { formatHead } from '../core/audit/record.js';
import type { RunEvent } from '../core/engine/events.js';
import type { RunState } from '../core/engine/state.js';
import { openAuditLog, type AuditWriter } from '../adapters/audit-file/writer.js';
import { createLiveDeps } from './live-deps.js';
import { createLockManager, createLockService, describeHolder, type LockHolder } from './lock.js';
import { inventoryResolver, localTransports, noSharedLocks, secretRedactor, systemClock, type Decider, type RunnerDeps } from './runner-deps.js';

export interface WiredRun {
  deps: RunnerDeps;
  audit: AuditWriter;
  /** `seq:hash` of the last record, for the incident ticket. */
  head(): string;
  close(): Promise<void>;
  /** Closes the transports, probes and lock store, leaving the audit log open (resume closes it itself). */
  closeConnections(): Promise<void>;
}

export interface WireOptions {
  runId: string;
  runbookId: string;
  inventory?: Inventory;
  /** Secret variable values; inventory credentials are added. */
  secrets: string[];
  decider: Decider;
  observe?: (event: RunEvent, state: RunState) => void;
  /** hatui state directory (default XDG). */
  stateDir?: string;
  /** The host selector of the run's first command: its SSH connection is opened while the run starts. */
  prewarm?: string;
  /** Opens the audit log (default: a new log for this run; `hatui resume` reopens the run's own). */
  openAudit?: (redact: (text: string) => string) => Promise<AuditWriter>;
}

/** `{ prewarm }` for wireRun: the host selector of the runbook's first command, if it has one. */
export function firstCommandHost(runbook: Runbook): { prewarm?: string } {
  const host = runbook.steps.find((s) => s.commands.length > 0)?.commands[0]?.host;
  return host === undefined ? {} : { prewarm: host };
}

function takeoverOption(decider: Decider): { confirmTakeover?: (cluster: string, stale: LockHolder) => Promise<string | undefined> } {
  const ask = decider.lockTakeover?.bind(decider);
  if (!ask) return {};
  return {
    confirmTakeover: async (cluster, stale) => {
      const answer = await ask({ cluster, staleHolder: describeHolder(stale) });
      return answer.kind === 'answer' ? answer.value : undefined;
    },
  };
}

export async function wireRun(options: WireOptions): Promise<WiredRun> {
  const inventory = options.inventory;
  const live = inventory ? createLiveDeps(inventory, { secrets: options.secrets }) : undefined;
  const redactor = secretRedactor(live?.secrets ?? options.secrets);
  if (options.prewarm !== undefined) live?.prewarm(options.prewarm);
  const lockManager = inventory ? createLockManager(inventory) : undefined;
  let audit: AuditWriter;
  try {
    audit = options.openAudit
      ? await options.openAudit(redactor.text)
      : await openAuditLog({ runId: options.runId, runbookId: options.runbookId, redact: redactor.text, ...(options.stateDir ? { stateDir: options.stateDir } : {}) });
  } catch (error) {
    await Promise.allSettled([live?.close(), lockManager?.close()]);
    throw error;
  }
  const deps: RunnerDeps = {
    sink: audit,
    transportFor: live?.transportFor ?? localTransports(inventory),
    resolveTarget: live?.resolveTarget ?? inventoryResolver(inventory),
    decider: options.decider,
    clusterState: live?.clusterState ?? (async () => ({})),
    redactor,
    clock: systemClock,
    // A stale lock is taken over only with the cluster's name typed at the terminal (a decider with
    // lockTakeover, i.e. the TUI); headless (answers file) it is refused like a held one.
    locks: lockManager ? createLockService(lockManager, takeoverOption(options.decider)) : noSharedLocks,
    ...(options.observe ? { observe: options.observe } : {}),
  };
  return {
    deps,
    audit,
    head: () => {
      const h = audit.head();
      return h ? formatHead(h) : '(empty)';
    },
    close: async () => {
      await Promise.allSettled([audit.close(), live?.close(), lockManager?.close()]);
    },
    closeConnections: async () => {
      await Promise.allSettled([live?.close(), lockManager?.close()]);
    },
  };
}
