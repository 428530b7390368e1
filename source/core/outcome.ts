// One outcome union everywhere: step results, command results, the audit log and the screen.
export type Outcome = 'ok' | 'failed' | 'timed-out' | 'cancelled' | 'skipped' | 'unknown';
export type CommandOutcome = Exclude<Outcome, 'skipped'>;
/** While a run is live a step can also be pending, running or waiting for the operator. */
export type StepStatus = 'pending' | 'running' | 'awaiting-confirmation' | Outcome;

export const OUTCOMES: readonly Outcome[] = ['ok', 'failed', 'timed-out', 'cancelled', 'skipped', 'unknown'];

export function isSuccess(outcome: Outcome): boolean {
  switch (outcome) {
    case 'ok':
    case 'skipped':
      return true;
    case 'failed':
    case 'timed-out':
    case 'cancelled':
    case 'unknown':
      return false;
    default:
      return assertNever(outcome);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
