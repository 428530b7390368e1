// The log is the run: a local run written through the file sink folds back (with the engine's one
// reducer) to exactly the live run's final state, through a check, a failure and its rollback path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fold } from '../../source/core/engine/reducer.js';
import { parseRunbook } from '../../source/core/runbook/parse.js';
import { sha256Hex } from '../../source/core/audit/record.js';
import { openAuditLog } from '../../source/adapters/audit-file/writer.js';
import { events, loadLog, verifyLoaded } from '../../source/adapters/audit-file/read.js';
import { runRunbook } from '../../source/services/runner.js';
import { answersDecider } from '../../source/services/runner-answers.js';
import { inventoryResolver, localLocks, localTransports, secretRedactor, systemClock } from '../../source/services/runner-deps.js';

const RUNBOOK = `---
id: fold
title: Check, failure, rollback
---

## Look {#look confirm=yes}

\`\`\`sh {host=local capture=answer}
printf '{"n": 42}'
\`\`\`

\`\`\`check
captures.answer.json.n == 42
\`\`\`

## Break {#break on-fail=rollback}

\`\`\`sh {host=local}
echo about to fail >&2; exit 3
\`\`\`

## Rollback {#rollback}

\`\`\`sh {host=local}
echo rolled back
\`\`\`
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hatui-fold-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('folding the audit log', () => {
  it('deep-equals the live run state, and the log verifies', async () => {
    const path = join(dir, 'fold.md');
    writeFileSync(path, RUNBOOK);
    const runbook = parseRunbook(RUNBOOK, path).runbook!;
    const sink = await openAuditLog({ stateDir: join(dir, 'state'), runId: 'fold-1', runbookId: runbook.id, anchorCommand: null });
    const result = await runRunbook(
      runbook,
      { runId: 'fold-1', vars: {}, secretNames: [], environment: 'local', runbookSha256: sha256Hex(RUNBOOK), hatuiVersion: '0.1.0-test', defaultTimeoutMs: 30_000 },
      {
        sink, transportFor: localTransports(), resolveTarget: inventoryResolver(), clusterState: async () => ({}),
        decider: answersDecider({ look: { confirm: 'yes' } }, 'tester@local'), redactor: secretRedactor([]), clock: systemClock, locks: localLocks,
      },
    );
    await sink.close();
    expect(result.state.steps.look!.status).toBe('ok');
    expect(result.state.steps.break!.status).toBe('failed');
    expect(result.state.steps.rollback!.status).toBe('ok');

    const log = loadLog(sink.path);
    expect(verifyLoaded(log, { stateDir: join(dir, 'state') }).status).toBe('intact');
    const recorded = events(log);
    expect(recorded.map((e) => e.type)).toEqual(expect.arrayContaining(['confirmation-given', 'check-evaluated', 'command-output', 'step-finished', 'run-finished']));
    expect(fold(runbook, recorded)).toEqual(result.state);
  });
});
