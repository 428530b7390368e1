// `hatui drill <runbook> [--headless] [--report <dir>] [--var k=v]… [--answers f] [--inventory f] [--ticket id]`
// `hatui drill --all --headless [--report <dir>] [--answers f] [--inventory f]`
// Runs a drill runbook with a canary writer and pollers, then reports RTO/RPO against its targets.
// Exit: 0 every target met · 1 a target missed or the run failed · 2 usage · 3 needs a decision · 4 refused.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { VERSION } from '../cli.js';
import { renderTerminalChart } from '../core/drill/render-terminal.js';
import type { DrillReport } from '../core/drill/report.js';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import type { Inventory } from '../core/inventory/model.js';
import type { Runbook } from '../core/runbook/model.js';
import { findBin } from '../drill/hatui-path.js';
import { performDrill } from '../drill/perform.js';
import { drillSystem, drillTargets } from '../drill/targets.js';
import { collectRunbookPaths, readRunbookFile } from '../services/load-files.js';
import { answersDecider, parseAnswers, type StepAnswers } from '../services/runner-answers.js';
import { plainPrinter, wantsColor } from '../services/runner-print.js';
import { labPaths, labSettings } from '../lab/settings.js';
import { operatorName, readAnswersText, readInventoryOrFail, readRunbookOrFail } from './shared.js';

const HELP = `Usage: hatui drill <runbook> [--headless] [--report <dir>] [--var name=value]… [--answers <file>]
                   [--inventory <file>] [--ticket <id>]
       hatui drill --all --headless [--report <dir>] [--answers <file>] [--inventory <file>]

Runs a drill runbook (front matter \`drill: {system, fault}\`, \`targets: {rto, rpo}\`) while a canary writer
writes sequence-numbered rows (PostgreSQL, through the read-write endpoint), list entries (Redis, through
Sentinel or Redis Cluster), documents (MongoDB, w: majority) or records (Kafka, acks=-1) and pollers watch
the cluster. Afterwards it reads back what survived and reports RTO (fault →
first acknowledged write), write gap, lost and in-doubt writes, RPO window and time to healthy, each
against the runbook's targets, with a timeline chart. Opened in the app (\`hatui\`), a drill runbook runs
the same way, with a live drill panel and a report screen.
  --report <dir>      write report.json, report.md and timeline.svg there (with --all: <dir>/<runbook id>/);
                      default: <state dir>/drills/<runbook id>-<time>
  --all               every runbook tagged \`drill\` in the shipped runbooks/ whose system the inventory has;
                      its --answers file may hold one section per runbook id (step ids overlap)
  --var, --answers, --inventory, --ticket: as for \`hatui run\`
Exit: 0 every target met · 1 a target missed or the run failed · 2 usage · 3 needs an operator decision · 4 refused`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      headless: { type: 'boolean' },
      all: { type: 'boolean' },
      report: { type: 'string' },
      var: { type: 'string', multiple: true },
      answers: { type: 'string' },
      inventory: { type: 'string' },
      ticket: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return ExitCode.ok;
  }
  if (values.all ? positionals.length !== 0 : positionals.length !== 1) {
    throw new HatuiError('drill needs exactly one runbook file, or --all without one (see hatui drill --help)', ExitCode.usage);
  }
  const write = (line: string) => process.stdout.write(line + '\n');
  const { inventory, inventoryText, inventoryPath } = await loadInventory(values.inventory);
  const answers = values.answers !== undefined ? { path: values.answers, text: await readAnswersText(values.answers) } : { path: '', text: '' };

  if (!values.all) {
    const outcome = await drillOne(positionals[0]!, { inventory, inventoryText, inventoryPath, answers, vars: values.var ?? [], ticket: values.ticket, reportDir: values.report, write });
    return outcome.exitCode;
  }
  const dir = findRunbooksDir();
  const { files } = await collectRunbookPaths([dir]);
  const chosen: string[] = [];
  for (const file of files) {
    const loaded = await readRunbookFile(file, { inventory });
    const rb = loaded.runbook;
    if (!rb || !rb.tags.includes('drill') || !rb.drill) continue;
    if (!systemAvailable(rb, inventory)) {
      write(`skipping ${file}: the inventory has no ${rb.drill.system} cluster`);
      continue;
    }
    chosen.push(file);
  }
  if (chosen.length === 0) throw new HatuiError(`no drill runbook in ${dir} fits this inventory`, ExitCode.failed);
  const results: { file: string; exitCode: number; report?: DrillReport }[] = [];
  for (const file of chosen) {
    write(`\n=== drill ${file} ===`);
    try {
      const out = await drillOne(file, { inventory, inventoryText, inventoryPath, answers, vars: [], ticket: values.ticket, reportDir: values.report, perRunbookDir: true, write });
      results.push({ file, ...out });
    } catch (error) {
      process.stderr.write(`hatui: ${file}: ${(error as Error).message}\n`);
      results.push({ file, exitCode: error instanceof HatuiError ? error.exitCode : ExitCode.failed });
    }
  }
  write('\n=== summary ===');
  for (const r of results) {
    const figures = r.report ? `RTO ${r.report.rto_ms ?? '—'} ms, lost ${r.report.rpo_lost_writes ?? 'not counted'}, in doubt ${r.report.in_doubt_writes ?? '?'}${r.report.served_by === 'wire-level-double' ? ', measured on a wire-level double' : ''}` : 'no report';
    write(`${r.exitCode === 0 ? 'PASS' : 'FAIL'}  ${r.file}  (${figures}; exit ${r.exitCode})`);
  }
  const worst = results.find((r) => r.exitCode !== 0);
  return worst ? worst.exitCode : ExitCode.ok;
}

interface DrillOneOptions {
  inventory: Inventory;
  inventoryText: string;
  inventoryPath: string;
  answers: { path: string; text: string };
  vars: string[];
  ticket: string | undefined;
  reportDir: string | undefined;
  perRunbookDir?: boolean;
  write: (line: string) => void;
}

async function drillOne(path: string, o: DrillOneOptions): Promise<{ exitCode: number; report: DrillReport }> {
  const loaded = await readRunbookOrFail(path, o.inventory);
  const runbook = loaded.runbook;
  if (!runbook.drill) throw new HatuiError(`${path}: not a drill runbook (front matter needs drill: {system, fault})`, ExitCode.usage);
  const color = wantsColor(process.stdout, process.env);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const done = await performDrill({
      runbook,
      runbookText: loaded.text,
      inventory: o.inventory,
      inventoryText: o.inventoryText,
      inventoryDir: dirname(resolve(o.inventoryPath)),
      assignments: o.vars,
      decider: answersDecider(answersFor(runbook.id, o.answers), operatorName()),
      hatuiVersion: VERSION,
      ...(o.ticket ? { ticket: o.ticket } : {}),
      ...(o.reportDir ? { reportDir: o.perRunbookDir ? join(o.reportDir, runbook.id) : o.reportDir } : {}),
      print: plainPrinter(runbook, o.write, { color }),
      progress: (line) => o.write(`drill: ${line}`),
      signal: controller.signal,
    });
    const { report, paths } = done;
    process.stdout.write('\n' + renderTerminalChart(report, { width: process.stdout.columns ?? 80, color }));
    o.write(`report: ${paths.markdown} (also report.json, ${report.chart})${report.served_by === 'wire-level-double' ? ' — measured on a wire-level double' : ''}`);
    if (report.audit.log) o.write(`audit log: ${report.audit.log}  head ${report.audit.head ? `${report.audit.head.seq}:${report.audit.head.hash}` : 'none'}  ${report.audit.verified ? 'verified' : 'NOT verified'}`);
    if (done.runExitCode !== ExitCode.ok) process.stderr.write(`hatui: ${done.runMessage}\n`);
    return { exitCode: done.exitCode, report };
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

async function loadInventory(path: string | undefined): Promise<{ inventory: Inventory; inventoryText: string; inventoryPath: string }> {
  let file = path;
  if (file === undefined) {
    const lab = labPaths(labSettings(process.env)).inventory;
    if (!existsSync(lab)) throw new HatuiError(`no --inventory given and no lab inventory at ${lab} (hatui lab up)`, ExitCode.usage);
    file = lab;
  }
  const loaded = await readInventoryOrFail(file);
  return { inventory: loaded.inventory, inventoryText: loaded.text, inventoryPath: file };
}

/**
 * The answers for one drill. With --all one file serves several runbooks whose step ids overlap
 * (`fault` expects `pg` in one, `redis` in another), so a top-level key naming the runbook id holds
 * that runbook's answers; otherwise the whole file applies.
 */
export function answersFor(runbookId: string, answers: { path: string; text: string }): Record<string, StepAnswers> {
  if (answers.text.trim() === '') return {};
  let data: unknown;
  try {
    data = parseYaml(answers.text);
  } catch {
    return parseAnswers(answers.text, answers.path);
  }
  if (data && typeof data === 'object' && !Array.isArray(data) && Object.hasOwn(data, runbookId)) {
    const section = (data as Record<string, unknown>)[runbookId];
    return parseAnswers(stringifyYaml(section ?? {}), `${answers.path} (${runbookId})`);
  }
  return parseAnswers(answers.text, answers.path);
}

function systemAvailable(runbook: Runbook, inventory: Inventory): boolean {
  try {
    drillSystem(runbook.drill!.system);
    drillTargets(inventory, drillSystem(runbook.drill!.system), { candidates: runbook.clusters }).close();
    return true;
  } catch {
    return false;
  }
}

function findRunbooksDir(): string {
  const bin = findBin();
  const dir = bin ? join(dirname(dirname(bin)), 'runbooks') : resolve('runbooks');
  if (!existsSync(dir)) throw new HatuiError(`shipped runbooks not found at ${dir}`, ExitCode.failed);
  return dir;
}

