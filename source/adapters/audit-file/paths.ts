// Where audit logs live: $XDG_STATE_HOME/hatui (default ~/.local/state/hatui), one JSON Lines file
// per run under runs/, and the anchors file beside (outside) the logs.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function hatuiStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(base, 'hatui');
}

export function runsDir(stateDir: string): string {
  return join(stateDir, 'runs');
}

export function anchorsPath(stateDir: string): string {
  return join(stateDir, 'anchors.jsonl');
}

/** `20261125T201742Z` */
export function compactUtc(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+/, '').slice(0, 64) || 'run';
}

/** `<utc-time>-<runbook>-<id>.jsonl` */
export function logFileName(now: Date, runbookId: string, runId: string): string {
  return `${compactUtc(now)}-${safeName(runbookId)}-${safeName(runId)}.jsonl`;
}
