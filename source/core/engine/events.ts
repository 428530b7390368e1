// Typed run events. The audit log stores exactly these; live run, replay and resume fold them
// with one reducer. Every event is plain JSON. Times are UTC ISO strings (`at`); durations come
// from a monotonic clock and are recorded, never recomputed from `at`.
import type { CommandOutcome, Outcome } from '../outcome.js';
import type { ConfirmLevel } from '../runbook/model.js';

export interface ExpressionResult {
  source: string;
  /** The value the expression evaluated to; `false` when it could not be evaluated. */
  result: boolean;
  /** The values it read (e.g. `{"clusters.pg.leader": "pg2"}`), for the screen and the postmortem. */
  values: Record<string, unknown>;
  error?: string;
}

export interface ResolvedTarget {
  /** Selector as written in the runbook (`pg.leader`). */
  selector: string;
  /** Inventory host name it resolved to (`pg2`) or `local`. */
  host: string;
  /** `address:port` for SSH. */
  address?: string;
  /** SHA256 host-key fingerprint for SSH. */
  fingerprint?: string;
}

export type RunEvent =
  | {
      type: 'run-started';
      at: string;
      runId: string;
      runbookId: string;
      runbookPath: string;
      runbookSha256: string;
      inventorySha256?: string;
      environment: string;
      operator: string;
      hatuiVersion: string;
      ticket?: string;
      dryRun: boolean;
      /** Variable values with secrets redacted. */
      vars: Record<string, string>;
      stepIds: string[];
    }
  | { type: 'step-started'; at: string; stepId: string; attempt: number }
  | { type: 'guard-evaluated'; at: string; stepId: string; guard: ExpressionResult }
  | { type: 'preflight-evaluated'; at: string; stepId: string; results: ExpressionResult[] }
  | { type: 'preflight-overridden'; at: string; stepId: string; by: string; typed: string }
  | { type: 'confirmation-requested'; at: string; stepId: string; level: ConfirmLevel; expected?: string; targets: ResolvedTarget[] }
  | { type: 'confirmation-given'; at: string; stepId: string; level: ConfirmLevel; by: string; typed?: string }
  | { type: 'confirmation-refused'; at: string; stepId: string; by: string; reason?: string }
  | { type: 'checklist-ticked'; at: string; stepId: string; item: number; by: string }
  | {
      type: 'command-started';
      at: string;
      stepId: string;
      commandIndex: number;
      target: ResolvedTarget;
      /** The command exactly as sent (values quoted, secrets as env references). */
      command: string;
      /** When a selector matched several hosts: this host's position (0-based) and how many there are. */
      hostIndex?: number;
      hostCount?: number;
    }
  | { type: 'command-output'; at: string; stepId: string; commandIndex: number; hostIndex?: number; stream: 'stdout' | 'stderr'; data: string }
  | {
      type: 'command-finished';
      at: string;
      stepId: string;
      commandIndex: number;
      hostIndex?: number;
      outcome: CommandOutcome;
      exitCode: number | null;
      signal: string | null;
      durationMs: number;
      message?: string;
      /** Present when the command block has `capture=`: what later steps and checks see. */
      capture?: { name: string; stdout: string; exitCode: number | null };
    }
  | { type: 'check-evaluated'; at: string; stepId: string; check: ExpressionResult }
  | { type: 'step-finished'; at: string; stepId: string; outcome: Outcome; message?: string }
  | { type: 'lock-taken'; at: string; cluster: string; holder: string; takeover?: { previousHolder: string; typed?: string; sameRun?: boolean } }
  | { type: 'lock-released'; at: string; cluster: string }
  /** A held lock stopped being ours (lease expired, key deleted or taken over); `holder`: who holds it now, when known. */
  | { type: 'lock-lost'; at: string; cluster: string; reason: string; holder?: string }
  | { type: 'run-resumed'; at: string; operator: string; hatuiVersion: string; tornTail?: boolean }
  | { type: 'resume-decision'; at: string; stepId: string; decision: 'retry' | 'skip' | 'recheck' | 'abort'; by: string }
  | { type: 'note'; at: string; text: string }
  | { type: 'run-aborted'; at: string; reason: string }
  | { type: 'run-finished'; at: string; outcome: Outcome };

export type RunEventType = RunEvent['type'];
export type EventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;
