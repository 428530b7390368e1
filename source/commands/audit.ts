// `hatui audit verify <log> [--head seq:hash] [--anchors file] [--anchor-etcd urls] [--json]`
// Exit 0 intact · 1 tampered (first bad line and kind named) · 3 only a torn last line (a crash).
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import { parseHead, formatHead } from '../core/audit/record.js';
import type { VerifyReport } from '../core/audit/verify.js';
import { anchorsPath, hatuiStateDir } from '../adapters/audit-file/paths.js';
import { readAnchors } from '../adapters/audit-file/anchors.js';
import { type EtcdAnchorTarget, checkEtcdAnchor, parseEtcdEndpoints, resolveEtcdAnchor } from '../adapters/audit-file/anchor-etcd.js';
import { loadLog, verifyLoaded } from '../adapters/audit-file/read.js';

const USAGE = 'Usage: hatui audit verify <log> [--head <seq:hash>] [--anchors <file>] [--anchor-etcd <url>[,<url>...]] [--json]';

export function exitCodeFor(report: VerifyReport): number {
  switch (report.status) {
    case 'intact':
      return ExitCode.ok;
    case 'torn':
      return ExitCode.needsDecision;
    case 'tampered':
      return ExitCode.failed;
    default: {
      const never: never = report.status;
      throw new Error(`unknown status ${String(never)}`);
    }
  }
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined) throw new HatuiError(`audit needs a subcommand. ${USAGE}`, ExitCode.usage);
  if (sub === '--help' || sub === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return ExitCode.ok;
  }
  if (sub !== 'verify') throw new HatuiError(`unknown audit subcommand '${sub}'. ${USAGE}`, ExitCode.usage);
  const { values, positionals } = parseArgs({
    args: rest,
    strict: true,
    allowPositionals: true,
    options: { head: { type: 'string' }, anchors: { type: 'string' }, 'anchor-etcd': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return ExitCode.ok;
  }
  if (positionals.length !== 1) throw new HatuiError(`audit verify takes one log file. ${USAGE}`, ExitCode.usage);
  const expectedHead = values.head !== undefined ? parseHead(values.head) : undefined;
  if (expectedHead === null) throw new HatuiError(`--head '${values.head}' is not <seq>:<64 hex sha256>`, ExitCode.usage);
  const path = resolve(positionals[0]!);
  const log = loadLog(path);
  let etcdTarget: EtcdAnchorTarget | null;
  try {
    etcdTarget = values['anchor-etcd'] !== undefined ? { endpoints: parseEtcdEndpoints(values['anchor-etcd'], '--anchor-etcd') } : await resolveEtcdAnchor();
  } catch (error) {
    throw new HatuiError((error as Error).message, ExitCode.usage);
  }
  const offBox = await checkEtcdAnchor(etcdTarget, log.runId);
  const anchorsFile = values.anchors ? resolve(values.anchors) : anchorsPath(hatuiStateDir());
  const localHeads = log.runId ? readAnchors(anchorsFile, log.runId, log.path).length : 0;
  const report = verifyLoaded(log, {
    stateDir: hatuiStateDir(),
    anchorsFile,
    ...(expectedHead ? { expectedHead } : {}),
    offBoxHeads: offBox.heads,
  });
  const checked = [`local anchors file ${anchorsFile}: ${localHeads} head(s) for this run`, offBox.checked];
  if (offBox.unreadable) report.warnings.push('the off-box anchor could not be read: a tail cut together with the local anchors file cannot be ruled out');
  if (values.json) {
    process.stdout.write(JSON.stringify({ log: path, ...report, head: report.head ? formatHead(report.head) : null, anchorsChecked: checked }, null, 2) + '\n');
  } else {
    const out = [`${path}: ${report.status.toUpperCase()}: ${report.message}`];
    if (report.head) out.push(`  last verified head: ${formatHead(report.head)} (${report.records} records)`);
    out.push(`  anchored: ${report.anchored ? 'yes' : 'no'}`);
    for (const c of checked) out.push(`  anchor checked: ${c}`);
    for (const t of report.tornKept) out.push(`  torn line ${t.line} from an earlier crash: kept and marked (${t.bytes} bytes, sha256 ${t.sha256})`);
    for (const w of report.warnings) out.push(`  warning: ${w}`);
    if (report.status === 'torn') out.push('  the last line is an incomplete write from a crash; `hatui resume` keeps it, marks it and continues the chain');
    process.stdout.write(out.join('\n') + '\n');
  }
  return exitCodeFor(report);
}
