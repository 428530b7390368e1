// Redaction of transport output: one stream redactor per (host, stream), applied to timestamped chunks,
// and of finished command results. Pure.
import type { CommandResult, OutputChunk } from '../transport.js';
import { createStreamRedactor, redactText, type StreamRedactor } from './redact.js';

export interface ChunkRedactor {
  /** Redacted chunk, or null when everything in it is held back for now. */
  push(chunk: OutputChunk): OutputChunk | null;
  /** Held-back tails of every stream, redacted (call when the command has finished). */
  flush(at?: string): OutputChunk[];
}

export function createChunkRedactor(secrets: Iterable<string>): ChunkRedactor {
  const list = [...secrets];
  const streams: Record<OutputChunk['stream'], StreamRedactor> = {
    stdout: createStreamRedactor(list),
    stderr: createStreamRedactor(list),
  };
  let lastAt = new Date().toISOString();
  return {
    push(chunk) {
      lastAt = chunk.at;
      const data = streams[chunk.stream].push(chunk.data);
      return data === '' ? null : { ...chunk, data };
    },
    flush(at = lastAt) {
      const out: OutputChunk[] = [];
      for (const stream of ['stdout', 'stderr'] as const) {
        const data = streams[stream].flush();
        if (data !== '') out.push({ stream, data, at });
      }
      return out;
    },
  };
}

/** A finished result with every secret masked in the command line, output and message. */
export function redactResult(result: CommandResult, secrets: Iterable<string>): CommandResult {
  const list = [...secrets];
  return {
    ...result,
    command: redactText(result.command, list),
    stdout: redactText(result.stdout, list),
    stderr: redactText(result.stderr, list),
    ...(result.message !== undefined ? { message: redactText(result.message, list) } : {}),
  };
}
