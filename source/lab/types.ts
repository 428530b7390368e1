// Result records of the lab API (flat and serializable: they go straight into JSON output and logs).
import type { LabNode, LabPart } from './settings.js';

export type LabLog = (line: string) => void;

export interface LabUpOptions {
  /** Progress lines (what is started, what is waited for). Default: silent. */
  log?: LabLog;
  /** Overall deadline for the health waits, in ms (default 120 000). */
  timeoutMs?: number;
  /** Also serve the wire-level doubles (mongo, mongos, kafka, weaviate) and list them in the inventory. */
  doubles?: boolean;
}

export interface LabUpResult {
  /** Nodes this call started (others were already running). */
  started: LabNode[];
  alreadyRunning: LabNode[];
  parts: LabPart[];
  durationMs: number;
  inventory: string;
}

export type NodeHealth = 'healthy' | 'running' | 'frozen' | 'down';

export interface LabNodeStatus {
  node: LabNode;
  part: LabPart;
  pid: number | null;
  ports: number[];
  /** leader / replica (pg), master / replica (redis), the master address a sentinel sees, or '' */
  role: string;
  health: NodeHealth;
  /** Short detail, e.g. 'streaming', 'no REST answer'. */
  detail: string;
}

export interface LabStatus {
  dir: string;
  portBase: number;
  nodes: LabNodeStatus[];
  /** true when at least one lab node runs */
  running: boolean;
}

export interface LabEvent {
  /** epoch ms */
  t: number;
  iso: string;
  action: 'crash' | 'restart' | 'freeze' | 'thaw' | 'lag-start' | 'lag-end' | 'partition' | 'heal' | 'up' | 'down';
  node?: LabNode;
  /** A wire-level double's member (`hatui lab double stop mongo1`): not a lab node. */
  double?: string;
  pids?: number[];
}

export interface LabFault {
  node: LabNode;
  /** Fault time T0 (epoch ms), also recorded in <dir>/events.jsonl */
  t0: number;
}

export interface LabLagResult extends LabFault {
  /** The leader the WAL senders belong to. */
  leader: LabNode;
  /** WAL sender pids stopped for the window. */
  pids: number[];
  ms: number;
}
