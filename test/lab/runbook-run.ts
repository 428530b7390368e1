// Runs a shipped runbook headless on the test lab through the built CLI, the way an operator would:
// `hatui run runbooks/<file> --headless --answers <tmp answers.yaml> --inventory <lab inventory> --var …`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { labPaths, type LabSettings } from '../../source/lab/index.js';
import { hatui, labEnv, pgPassword } from './helpers.js';

export interface RunbookRun {
  code: number;
  stdout: string;
  stderr: string;
  /** `[ok] step`, `[failed] step`, `[skipped] step` lines of the plain printer, in order. */
  outcomes: string[];
}

export async function runShipped(settings: LabSettings, file: string, options: { answers: Record<string, unknown>; vars?: Record<string, string>; env?: Record<string, string>; timeoutMs?: number }): Promise<RunbookRun> {
  const dir = mkdtempSync(join(tmpdir(), 'hatui-rb-'));
  const answers = join(dir, 'answers.yaml');
  writeFileSync(answers, stringify(options.answers));
  const args = ['run', `runbooks/${file}`, '--headless', '--answers', answers, '--inventory', labPaths(settings).inventory];
  for (const [k, v] of Object.entries(options.vars ?? {})) args.push('--var', `${k}=${v}`);
  const r = await hatui(args, { ...labEnv(settings), XDG_STATE_HOME: dir, NO_COLOR: '1', HATUI_VAR_PG_PASSWORD: pgPassword(settings), ...options.env }, options.timeoutMs ?? 240_000);
  const outcomes = r.stdout.split('\n').filter((l) => /^\[(ok|failed|skipped|unknown|timed-out|cancelled)\] /.test(l)).map((l) => l.replace(/:.*$/, ''));
  return { ...r, outcomes };
}

/** The failing part of a run's output, for assertion messages. */
export function tail(run: RunbookRun, lines = 40): string {
  return [...run.stdout.split('\n').slice(-lines), ...run.stderr.split('\n').slice(-10)].join('\n');
}
