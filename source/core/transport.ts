// The one small interface between the engine's runner and the outside world's command runners
// (local execa, pooled ssh2). Results are flat, serializable records that go straight into the log.
import type { CommandOutcome } from './outcome.js';

export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  data: string;
  /** UTC ISO time the chunk arrived. */
  at: string;
}

export interface CommandRequest {
  /** Inventory host name (`local` for the local transport). */
  host: string;
  /** The rendered command, run by `sh -c` (local) or the remote login shell (ssh). */
  command: string;
  /** Non-secret environment for the command. */
  env?: Record<string, string>;
  /** Secret values by environment variable name: delivered via env (local) or channel stdin (ssh), never argv. */
  secretEnv?: Record<string, string>;
  /** Hard bound: the command (its whole process group, remote side included) is killed after this. */
  timeoutMs: number;
  /** Operator cancel. */
  signal?: AbortSignal;
  onChunk?: (chunk: OutputChunk) => void;
}

export interface CommandResult {
  host: string;
  /** `address:port` for ssh. */
  address?: string;
  command: string;
  exitCode: number | null;
  signal: string | null;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** `unknown` when the exit status was never observed (connection lost, process vanished). */
  outcome: CommandOutcome;
  message?: string;
  stdout: string;
  stderr: string;
}

export interface Transport {
  run(request: CommandRequest): Promise<CommandResult>;
  close(): Promise<void>;
}
