// Issue 6 acceptance 1: a headless run of a lab runbook over SSH produces a log that verifies, and
// folding the log yields the same final state as the live run (deep-equal).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fold } from '../../source/core/engine/reducer.js';
import { parseRunbook } from '../../source/core/runbook/parse.js';
import { sha256Hex } from '../../source/core/audit/record.js';
import type { Inventory } from '../../source/core/inventory/model.js';
import { openAuditLog } from '../../source/adapters/audit-file/writer.js';
import { events, loadLog, verifyLoaded } from '../../source/adapters/audit-file/read.js';
import { readInventoryFile } from '../../source/services/load-files.js';
import { createLiveDeps } from '../../source/services/live-deps.js';
import { runRunbook } from '../../source/services/runner.js';
import { answersDecider } from '../../source/services/runner-answers.js';
import { localLocks, secretRedactor, systemClock } from '../../source/services/runner-deps.js';
import { labPaths, type LabSettings } from '../../source/lab/index.js';
import { testLab, waitPartHealthy } from './helpers.js';
import { privateBundle, type Bundle } from '../audit/bundle.js';

const RUNBOOK = `---
id: audit-lab
title: Read-only lab checks over SSH, for the audit log
clusters: [pg]
---

## Leader answers {#leader confirm=yes}

\`\`\`sh {host=pg.leader capture=role}
id -un && psql -tAc 'select pg_is_in_recovery()'
\`\`\`

\`\`\`check
captures.role.exitCode == 0
\`\`\`

## Replicas answer {#replicas}

\`\`\`sh {host=pg.replicas}
psql -tAc 'select pg_is_in_recovery()'
\`\`\`
`;

let settings: LabSettings;
let inventory: Inventory;
let inventoryText: string;
let dir: string;
let bundle: Bundle;

beforeAll(async () => {
  settings = testLab();
  await waitPartHealthy(settings, 'sshd');
  await waitPartHealthy(settings, 'pg');
  const loaded = await readInventoryFile(labPaths(settings).inventory);
  inventory = loaded.inventory!;
  inventoryText = loaded.text!;
  dir = mkdtempSync(join(tmpdir(), 'hatui-audit-lab-'));
  bundle = await privateBundle();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  bundle?.remove();
});

describe('audit log of a lab run over SSH', () => {
  it('verifies, and folding it deep-equals the live run state', async () => {
    const path = join(dir, 'audit-lab.md');
    writeFileSync(path, RUNBOOK);
    const runbook = parseRunbook(RUNBOOK, path).runbook!;
    const runId = 'lab-audit-1';
    const live = createLiveDeps(inventory);
    const redactor = secretRedactor(live.secrets);
    const stateDir = join(dir, 'state');
    const sink = await openAuditLog({ stateDir, runId, runbookId: runbook.id, redact: redactor.text, anchorCommand: null });
    let result;
    try {
      result = await runRunbook(
        runbook,
        {
          runId, vars: {}, secretNames: [], environment: inventory.environment ?? 'lab', runbookSha256: sha256Hex(RUNBOOK),
          inventorySha256: sha256Hex(inventoryText), hatuiVersion: '0.1.0-test', defaultTimeoutMs: 60_000,
        },
        {
          sink, transportFor: live.transportFor, resolveTarget: live.resolveTarget, clusterState: live.clusterState,
          decider: answersDecider({ leader: { confirm: 'yes' } }, 'tester@lab'), redactor, clock: systemClock, locks: localLocks,
        },
      );
    } finally {
      await live.close();
      await sink.close();
    }
    expect(result.exitCode, result.message).toBe(0);
    expect(result.state.outcome).toBe('ok');

    const log = loadLog(sink.path);
    const report = verifyLoaded(log, { stateDir });
    expect(report).toMatchObject({ status: 'intact', anchored: true, head: sink.head() });
    const recorded = events(log);
    // Commands really went over SSH to the lab: the log names the resolved host and its host key.
    const started = recorded.filter((e) => e.type === 'command-started');
    expect(started.length).toBe(3);
    for (const e of started) expect(e.target).toMatchObject({ address: expect.stringMatching(/^127\.0\.0\.1/), fingerprint: expect.stringMatching(/^SHA256:/) });
    expect(recorded[0]).toMatchObject({ type: 'run-started', operator: 'tester@lab', inventorySha256: sha256Hex(inventoryText) });

    expect(fold(runbook, recorded)).toEqual(result.state);
  });

  it('hatui run over SSH prints the log path and final head; audit verify and replay accept the log', () => {
    const path = join(dir, 'audit-lab-cli.md');
    writeFileSync(path, RUNBOOK);
    const answers = join(dir, 'answers.yaml');
    writeFileSync(answers, 'leader: yes\n');
    const env = { ...process.env, XDG_STATE_HOME: join(dir, 'xdg'), HATUI_ANCHOR_COMMAND: '' };
    const bin = bundle.bin;
    const run = spawnSync(process.execPath, [bin, 'run', path, '--headless', '--inventory', labPaths(settings).inventory, '--answers', answers], { encoding: 'utf8', env, timeout: 120_000 });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const log = /audit log: (\S+\.jsonl)/.exec(run.stdout)![1]!;
    const head = /head (\d+:[0-9a-f]{64})/.exec(run.stdout)![1]!;
    const verify = spawnSync(process.execPath, [bin, 'audit', 'verify', log, '--head', head], { encoding: 'utf8', env });
    expect(verify.status, verify.stdout).toBe(0);
    const md = join(dir, 'pm.md');
    expect(spawnSync(process.execPath, [bin, 'replay', log, '--to-markdown', md], { encoding: 'utf8', env }).status).toBe(0);
    expect(readFileSync(md, 'utf8')).toMatch(/### Command 1 on pg\d \(pg\.leader, 127\.0\.0\.1/);
  });
});
