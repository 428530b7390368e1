// The runbook model: what the parser produces from markdown and what the engine runs.
// Pure data (JSON-serializable) so it can be hashed, logged and compared.

export interface SourcePosition {
  line: number;
  column: number;
}

export type ConfirmLevel = 'none' | 'yes' | 'typed';

/** Where a failed step leads. */
export type OnFail =
  | { kind: 'step'; stepId: string }
  | { kind: 'rollback' }
  | { kind: 'abort' }
  | { kind: 'ask' };

export interface VarSpec {
  description?: string;
  default?: string;
  secret: boolean;
  choices?: string[];
  /** `from: credentials.<cluster>.<key>`: the value is that inventory credential (a secret, never asked for). */
  from?: { cluster: string; credential: string; position: SourcePosition };
}

export interface CommandBlock {
  /** Index of this command within its step (0-based). */
  index: number;
  /** Host selector: `local`, an inventory host name, or `<cluster>.<role>` (e.g. `pg.leader`). */
  host: string;
  user?: string;
  timeoutMs?: number;
  /** Name under which stdout/exitCode (and json) are captured for later steps and checks. */
  capture?: string;
  expectExit: number;
  /** The command text with `{{ name }}` placeholders, exactly as written. */
  template: string;
  position: SourcePosition;
}

export interface Expression {
  /** CEL source text. */
  source: string;
  position: SourcePosition;
}

export interface ChecklistItem {
  text: string;
  position: SourcePosition;
}

export interface Step {
  id: string;
  title: string;
  /** Position in document order (0-based). */
  index: number;
  confirm: ConfirmLevel;
  /** Text the operator must type when confirm is `typed` (default: the changed cluster's name or the step id). */
  confirmText?: string;
  /** Cluster this step changes (`changes=`): takes its operator lock and defaults confirm to `typed`. */
  changes?: string;
  onFail: OnFail;
  when?: Expression;
  retries: number;
  timeoutMs?: number;
  commands: CommandBlock[];
  checks: Expression[];
  preflight: Expression[];
  checklist: ChecklistItem[];
  /** Prose paragraphs shown to the operator (markdown source text). */
  prose: string[];
  /** `> [!WARNING]` (and NOTE/CAUTION/IMPORTANT) callouts. */
  callouts: { kind: string; text: string }[];
  /** True for the step with id `rollback` and every step after it. */
  rollback: boolean;
  position: SourcePosition;
  /** Where each heading attribute (`#id`, `on-fail`, `when`, …) was written, for located problems. */
  attributePositions?: Record<string, SourcePosition>;
}

export interface Targets {
  rtoMs?: number;
  rpoMs?: number;
}

export interface DrillSpec {
  system: string;
  fault: string;
  /**
   * The application's DNS name the canary writes through (PostgreSQL): resolved at the name's own
   * authoritative server (the `dns` inventory cluster listing it) before every connection, so the canary
   * follows the name when a DR activation moves it, as applications do.
   */
  via?: string;
}

export interface Runbook {
  id: string;
  title: string;
  summary?: string;
  tags: string[];
  clusters: string[];
  vars: Record<string, VarSpec>;
  targets: Targets;
  drill?: DrillSpec;
  steps: Step[];
  /** Path the runbook was read from (as given). */
  path: string;
}
