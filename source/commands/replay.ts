// `hatui replay <log> [--to-markdown <file>] [--asciicast <file>] [--text] [--runbook <file>]`
// Without an export flag: on a terminal, the interactive replay screen (the terminal app's, folding
// the events with the runbook the log names); otherwise, or with --text, a plain step-by-step replay.
// Replay never re-runs or re-evaluates anything: it reads the recorded events.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import { formatHead, sha256Hex } from '../core/audit/record.js';
import type { Runbook } from '../core/runbook/model.js';
import { foldLog } from '../core/audit/replay-fold.js';
import { toMarkdown } from '../core/audit/markdown.js';
import { toAsciicast } from '../core/audit/asciicast.js';
import { toText } from '../core/audit/text-replay.js';
import { hatuiStateDir } from '../adapters/audit-file/paths.js';
import { events, loadLog, verifyLoaded } from '../adapters/audit-file/read.js';

const USAGE = 'Usage: hatui replay <log> [--to-markdown <file>] [--asciicast <file>] [--cols N --rows N] [--text] [--runbook <file>]';

function writeOut(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new HatuiError(`${path}: cannot write (${(error as { code?: string }).code ?? (error as Error).message})`, ExitCode.failed);
  }
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      'to-markdown': { type: 'string' },
      asciicast: { type: 'string' },
      cols: { type: 'string' },
      rows: { type: 'string' },
      text: { type: 'boolean' },
      runbook: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return ExitCode.ok;
  }
  if (positionals.length !== 1) throw new HatuiError(`replay takes one log file. ${USAGE}`, ExitCode.usage);
  const size = (name: string, text: string | undefined, fallback: number) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new HatuiError(`--${name} '${text}' is not a size between 1 and 1000`, ExitCode.usage);
    return n;
  };
  const cols = size('cols', values.cols, 80);
  const rows = size('rows', values.rows, 24);
  const path = resolve(positionals[0]!);
  const log = loadLog(path);
  const report = verifyLoaded(log, { stateDir: hatuiStateDir() });
  if (report.status === 'tampered') process.stderr.write(`hatui: warning: ${path}: ${report.message}; replaying the records whose own hash holds\n`);
  const recorded = events(log);
  // Every export reads the engine reducer's fold of the log (the interactive screen folds with the runbook).
  const folded = foldLog(recorded);
  const info = folded.final.run;
  if (values['to-markdown'] !== undefined) {
    writeOut(values['to-markdown'], toMarkdown(folded, { logPath: path, ...(report.head ? { head: formatHead(report.head) } : {}), verdict: `${report.status}: ${report.message}` }));
    process.stdout.write(`postmortem timeline written to ${values['to-markdown']}\n`);
  }
  if (values.asciicast !== undefined) {
    const title = info ? `hatui ${folded.final.runbookId} ${info.runId}` : 'hatui run';
    writeOut(values.asciicast, toAsciicast(folded, { cols, rows, title }));
    process.stdout.write(`asciicast v3 written to ${values.asciicast} (play: asciinema play ${values.asciicast})\n`);
  }
  if (values['to-markdown'] !== undefined || values.asciicast !== undefined) return ExitCode.ok;
  if (!values.text && process.stdout.isTTY && process.stdin.isTTY) {
    const runbook = await runbookFor(values.runbook ?? info?.runbookPath, info?.runbookSha256);
    if (runbook) {
      const { openReplayScreen } = await import('../ui/screens/replay.js');
      return openReplayScreen(recorded, runbook, info ? { environment: info.environment } : {});
    }
  }
  process.stdout.write(toText(folded));
  return ExitCode.ok;
}

/** The runbook the screen folds with; null (plain replay, with the reason on stderr) when unusable. */
async function runbookFor(path: string | undefined, sha256: string | undefined): Promise<Runbook | null> {
  const fallback = (why: string) => {
    process.stderr.write(`hatui: ${why}; showing the plain replay (give the runbook with --runbook <file>)\n`);
    return null;
  };
  if (!path) return fallback('the log names no runbook');
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    return fallback(`${path}: cannot read the runbook (${(error as { code?: string }).code ?? (error as Error).message})`);
  }
  if (sha256 && sha256Hex(bytes) !== sha256) process.stderr.write(`hatui: warning: ${path} changed since the run (sha256 differs); step titles may not match the log\n`);
  const { parseRunbook } = await import('../core/runbook/parse.js');
  const parsed = parseRunbook(bytes.toString('utf8'), path);
  return parsed.runbook ?? fallback(`${path} no longer parses as a runbook`);
}
