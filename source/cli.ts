// Entry point: picks a command. Each command lives in source/commands/<name>.ts and is imported
// lazily, so `hatui --help` or `hatui validate` never pay for Ink, ssh2 or database clients.
import { ExitCode, HatuiError } from './core/exit-codes.js';
import { traceStartup } from './services/startup-trace.js';

export const VERSION = process.env.HATUI_VERSION ?? '0.0.0-dev';

type CommandModule = { run(args: string[]): Promise<number> };

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  validate: { summary: 'validate runbooks (and an inventory): every problem as file:line:col', load: () => import('./commands/validate.js') },
  plan: { summary: 'print the step graph as it would run; runs nothing', load: () => import('./commands/plan.js') },
  run: { summary: 'run a runbook (headless with --headless or without a TTY)', load: () => import('./commands/run.js') },
  drill: { summary: 'run a drill runbook with a canary writer and write a report', load: () => import('./commands/drill.js') },
  lab: { summary: 'the loopback HA lab: install | up | status | down | crash | restart | freeze | thaw | lag', load: () => import('./commands/lab.js') },
  admin: { summary: 'replica-set operations through the real driver: admin mongodb status | step-down | wait-primary | command; admin kafka partitions | wait-isr | elect-leaders', load: () => import('./commands/admin.js') },
  alerts: { summary: 'the firing alerts of the inventory\'s Alertmanager, with their runbooks (--json)', load: () => import('./commands/alerts.js') },
  hosts: { summary: 'SSH host keys: hosts trust <host>', load: () => import('./commands/hosts.js') },
  audit: { summary: 'audit logs: audit verify <log>', load: () => import('./commands/audit.js') },
  replay: { summary: 'replay a run from its audit log (--to-markdown, --asciicast)', load: () => import('./commands/replay.js') },
  resume: { summary: 'resume a run from its audit log after a crash', load: () => import('./commands/resume.js') },
  tui: { summary: 'open the terminal app (the default when no command is given)', load: () => import('./commands/tui.js') },
};

export function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    `hatui ${VERSION}: runbooks, live HA panels, audit log and drills for the data tier`,
    '',
    'Usage: hatui [command] [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Global options:',
    '  --inventory <file>  inventory YAML (default: the lab inventory when the lab is up)',
    '  --help, -h          this help; `hatui <command> --help` for a command',
    '  --version, -V       print the version',
    '',
    'Exit codes: 0 ok · 1 failed/invalid/tampered/target missed · 2 usage · 3 needs an operator decision · 4 refused',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  traceStartup('bundle loaded (cli main)');
  try {
    const [first, ...rest] = argv;
    if (first === '--help' || first === '-h' || first === 'help') {
      process.stdout.write(helpText() + '\n');
      return ExitCode.ok;
    }
    if (first === '--version' || first === '-V') {
      process.stdout.write(VERSION + '\n');
      return ExitCode.ok;
    }
    if (first === undefined || first.startsWith('-')) {
      const tui = await COMMANDS.tui!.load();
      traceStartup('command module loaded');
      return await tui.run(argv);
    }
    const command = COMMANDS[first];
    if (!command) {
      process.stderr.write(`hatui: unknown command '${first}'. Commands: ${Object.keys(COMMANDS).join(', ')}. See hatui --help.\n`);
      return ExitCode.usage;
    }
    const loaded = await command.load();
    traceStartup('command module loaded');
    return await loaded.run(rest);
  } catch (error) {
    return reportError(error);
  }
}

/** Turns any error into a message and an exit code; never a stack trace for expected failures. */
export function reportError(error: unknown): number {
  if (error instanceof HatuiError) {
    process.stderr.write(`hatui: ${error.message}\n`);
    return error.exitCode;
  }
  // node:util parseArgs reports unknown or malformed options with these codes.
  const code = (error as { code?: string } | null)?.code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    process.stderr.write(`hatui: ${(error as Error).message}\n`);
    return ExitCode.usage;
  }
  process.stderr.write(`hatui: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return ExitCode.failed;
}
