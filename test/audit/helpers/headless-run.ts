// Test driver until `hatui run` lands: runs a local-only runbook headless with the file-backed audit
// sink in XDG_STATE_HOME, printing the log path first, so a test can SIGKILL it mid-command.
// Usage: node --import tsx test/audit/helpers/headless-run.ts <runbook>
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { sha256Hex } from '../../../source/core/audit/record.js';
import { parseRunbook } from '../../../source/core/runbook/parse.js';
import { createFileSink } from '../../../source/adapters/audit-file/writer.js';
import { runRunbook } from '../../../source/services/runner.js';
import { inventoryResolver, localLocks, localTransports, noAnswersDecider, secretRedactor, systemClock } from './deps.js';
import { operatorName, printer } from '../../../source/commands/resume.js';

const path = resolve(process.argv[2]!);
const bytes = readFileSync(path);
const { runbook, problems } = parseRunbook(bytes.toString('utf8'), path);
if (!runbook) throw new Error(problems.map((p) => p.message).join('\n'));
const runId = randomUUID().slice(0, 8);
const sink = await createFileSink({ runId, runbookId: runbook.id });
process.stdout.write(`audit log: ${sink.path}\n`);
const result = await runRunbook(
  runbook,
  { runId, vars: {}, secretNames: [], environment: 'lab', runbookSha256: sha256Hex(bytes), hatuiVersion: '0.1.0-test', defaultTimeoutMs: 60_000 },
  {
    sink,
    transportFor: localTransports(),
    resolveTarget: inventoryResolver(),
    decider: noAnswersDecider(operatorName()),
    clusterState: async () => ({}),
    redactor: secretRedactor([]),
    clock: systemClock,
    locks: localLocks,
    observe: printer,
  },
);
await sink.close();
process.stdout.write(`${result.message}\nfinal head: ${sink.head()?.seq}:${sink.head()?.hash}\n`);
process.exitCode = result.exitCode;
