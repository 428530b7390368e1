// Placeholder until the command lands.
import { ExitCode, HatuiError } from '../core/exit-codes.js';

export async function run(_args: string[]): Promise<number> {
  throw new HatuiError('`hatui hosts` is not implemented yet', ExitCode.failed);
}
