// Exit codes shared by every hatui command (issue 3 clarifications).
export const ExitCode = {
  ok: 0,
  /** failed / invalid / tampered / target missed */
  failed: 1,
  usage: 2,
  /** needs an operator decision: missing answer, a step `unknown`, a blocked pre-flight, a torn log tail */
  needsDecision: 3,
  /** refused: lock held, host key */
  refused: 4,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error that ends a command: carries the exit code and a message the operator can act on. */
export class HatuiError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.failed,
  ) {
    super(message);
    this.name = 'HatuiError';
  }
}
