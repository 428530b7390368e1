// Production wiring of RunnerDeps for `hatui run` (and later `resume`/`drill`): local + pooled SSH
// transports, live target resolution, a cluster-state poller for CEL, the file audit log.
import { existsSync } from 'node:fs';
import type { Inventory } from '../core/inventory/model.js';
import { formatHead } from '../core/audit/record.js';
import { openAuditLog, type AuditWriter } from '../adapters/audit-file/writer.js';
import { createTransports, type Transports } from '../adapters/ssh/index.js';
import { createTargetResolver } from './resolve-target.js';
import { Poller } from './poller.js';
import { inventoryResolver, localLocks, localTransports, secretRedactor, systemClock, type Decider, type RunnerDeps } from './runner-deps.js';
import type { RunState } from '../core/engine/state.js';
import type { RunEvent } from '../core/engine/events.js';

/** The lab's inventory when the lab has written one (the embedded default), else undefined. */
export async function defaultInventoryPath(): Promise<string | undefined> {
  const { labPaths, labSettings } = await import('../lab/settings.js');
  const path = labPaths(labSettings()).inventory;
  return existsSync(path) ? path : undefined;
}

export interface WiredRun {
  deps: RunnerDeps;
  audit: AuditWriter;
  /** `seq:hash` of the last record, for the incident ticket. */
  head(): string;
  close(): Promise<void>;
}

export interface WireOptions {
  runId: string;
  runbookId: string;
  inventory?: Inventory;
  secrets: string[];
  decider: Decider;
  observe?: (event: RunEvent, state: RunState) => void;
  /** hatui state directory (default XDG). */
  stateDir?: string;
}

export async function wireRun(options: WireOptions): Promise<WiredRun> {
  const redactor = secretRedactor(options.secrets);
  const audit = await openAuditLog({ runId: options.runId, runbookId: options.runbookId, redact: redactor.text, ...(options.stateDir ? { stateDir: options.stateDir } : {}) });
  const inventory = options.inventory;
  let transports: Transports | undefined;
  let poller: Poller | undefined;
  let resolveTarget: RunnerDeps['resolveTarget'] = inventoryResolver(inventory);
  let transportFor: RunnerDeps['transportFor'] = localTransports(inventory);
  if (inventory) {
    const t = createTransports(inventory, { secrets: options.secrets });
    transports = t;
    transportFor = (target) => t.transportFor(target);
    const resolver = createTargetResolver(inventory, { hostKey: (host) => t.ssh.hostKey(host) });
    resolveTarget = (selector) => resolver.resolve(selector);
    if (Object.keys(inventory.clusters).length > 0) poller = new Poller(inventory).start();
  }
  let polled = false;
  const deps: RunnerDeps = {
    sink: audit,
    transportFor,
    resolveTarget,
    decider: options.decider,
    clusterState: async () => {
      if (!poller) return {};
      if (!polled) {
        polled = true;
        return (await poller.firstRoundDone(5000)).clusters;
      }
      return poller.current().clusters;
    },
    redactor,
    clock: systemClock,
    locks: localLocks,
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
      poller?.stop();
      await Promise.allSettled([audit.close(), transports?.closeAll()]);
    },
  };
}
