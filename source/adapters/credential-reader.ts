// The one real credential reader: hatui's environment and the local file system (the core's
// `readCredential` takes it as a parameter and reads nothing itself).
import { readFileSync } from 'node:fs';
import type { CredentialReader } from '../core/secrets/credentials.js';

export function systemCredentialReader(env: Record<string, string | undefined> = process.env): CredentialReader {
  return { env, readFile: (path) => readFileSync(path, 'utf8') };
}
