// Inventory credentials: each names an environment variable or a file, never a value. Pure: the
// environment and the file reader are passed in, so the core reads nothing itself.
import type { Cluster, CredentialSource, Inventory } from '../inventory/model.js';

export interface CredentialReader {
  env: Record<string, string | undefined>;
  readFile: (path: string) => string;
}

export class CredentialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialError';
  }
}

/** The value a credential source points to (a file's trailing newline is dropped). */
export function readCredential(source: CredentialSource, reader: CredentialReader, label = 'credential'): string {
  if (source.env) {
    const value = reader.env[source.env];
    if (value === undefined || value === '') throw new CredentialError(`${label}: environment variable ${source.env} is not set`);
    return value;
  }
  if (source.file) {
    try {
      return reader.readFile(source.file).replace(/\r?\n$/, '');
    } catch (error) {
      throw new CredentialError(`${label}: cannot read ${source.file}: ${(error as Error).message}`);
    }
  }
  throw new CredentialError(`${label}: give exactly one of env or file`);
}

/**
 * The cluster's credential `key`, read now; undefined when the inventory names none (the client then
 * connects without auth). Throws CredentialError naming `clusters.<name>.credentials.<key>`.
 */
export function clusterCredential(name: string, cluster: Pick<Cluster, 'credentials'>, key: string, reader: CredentialReader): string | undefined {
  const source = cluster.credentials?.[key];
  return source ? readCredential(source, reader, `clusters.${name}.credentials.${key}`) : undefined;
}

/** Every inventory credential (clusters' `credentials`, hosts' `secretEnv`) readable right now: the secrets to redact everywhere. */
export function inventorySecrets(inventory: Inventory, reader: CredentialReader): string[] {
  const out: string[] = [];
  const sources = [
    ...Object.values(inventory.clusters).flatMap((c) => Object.values(c.credentials ?? {})),
    ...Object.values(inventory.hosts).flatMap((h) => Object.values(h.secretEnv ?? {})),
  ];
  for (const source of sources) {
    try {
      out.push(readCredential(source, reader));
    } catch {
      // An unreadable credential cannot leak; the command that needs it reports the problem.
    }
  }
  return out;
}
