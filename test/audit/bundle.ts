// The bundled CLI for audit tests: a private copy (test/support/bundle.ts) that answers the commands they use.
import { privateBundle as copyBundle, type Bundle } from '../support/bundle.js';

export type { Bundle };

export function privateBundle(): Promise<Bundle> {
  return copyBundle({ label: 'audit', probes: [['audit', '--help'], ['run', '--help'], ['resume', '--help'], ['replay', '--help']] });
}
