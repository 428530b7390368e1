// `hatui replay <log> [--to-markdown <file>] [--asciicast <file>]`
// Without an export flag: a plain step-by-step replay on stdout (the interactive screen is the TUI's).
// Replay never re-runs or re-evaluates anything: it reads the recorded events.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import { formatHead } from '../core/audit/record.js';
import { buildTimeline } from '../core/audit/timeline.js';
import { toMarkdown } from '../core/audit/markdown.js';
import { toAsciicast } from '../core/audit/asciicast.js';
import { toText } from '../core/audit/text-replay.js';
import { hatuiStateDir } from '../adapters/audit-file/paths.js';
import { events, loadLog, verifyLoaded } from '../adapters/audit-file/read.js';

const USAGE = 'Usage: hatui replay <log> [--to-markdown <file>] [--asciicast <file>] [--cols N --rows N]';

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
  const timeline = buildTimeline(recorded);
  if (values['to-markdown'] !== undefined) {
    writeOut(values['to-markdown'], toMarkdown(timeline, { logPath: path, ...(report.head ? { head: formatHead(report.head) } : {}), verdict: `${report.status}: ${report.message}` }));
    process.stdout.write(`postmortem timeline written to ${values['to-markdown']}\n`);
  }
  if (values.asciicast !== undefined) {
    const title = timeline.run ? `hatui ${timeline.run.runbookId} ${timeline.run.runId}` : 'hatui run';
    writeOut(values.asciicast, toAsciicast(recorded, { cols, rows, title }));
    process.stdout.write(`asciicast v3 written to ${values.asciicast} (play: asciinema play ${values.asciicast})\n`);
  }
  if (values['to-markdown'] === undefined && values.asciicast === undefined) process.stdout.write(toText(timeline));
  return ExitCode.ok;
}
