// Issue 18: audit anchors off the box. A headless run over SSH with HATUI_ANCHOR_ETCD set to the lab's
// three etcd members puts its head into that etcd; `hatui audit verify` names the etcd key it checked;
// a tail cut from the log and the local anchors file together is caught by the etcd head; a run with
// no off-box anchor says it was anchored only locally.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEtcdAnchor } from '../../source/adapters/audit-file/anchor-etcd.js';
import { loadLog } from '../../source/adapters/audit-file/read.js';
import { etcdNodes, labPaths, type LabSettings } from '../../source/lab/index.js';
import { hatui, labEnv, testLab, waitPartHealthy } from './helpers.js';

const RUNBOOK = `---
id: anchor-lab
title: A read-only check over SSH, anchored in the cluster's etcd
clusters: [pg]
---

## Leader answers {#leader confirm=yes}

\`\`\`sh {host=pg.leader}
psql -tAc 'select pg_is_in_recovery()'
\`\`\`
`;

let settings: LabSettings;
let dir: string;
let etcdUrls: string[];

beforeAll(async () => {
  settings = testLab();
  await waitPartHealthy(settings, 'sshd');
  await waitPartHealthy(settings, 'pg');
  await waitPartHealthy(settings, 'etcd');
  dir = mkdtempSync(join(tmpdir(), 'hatui-anchor-lab-'));
  writeFileSync(join(dir, 'anchor.md'), RUNBOOK);
  writeFileSync(join(dir, 'answers.yaml'), 'leader: yes\n');
  // The members as the inventory names them (the one-step set-up an operator does).
  const inventory = readFileSync(labPaths(settings).inventory, 'utf8');
  etcdUrls = etcdNodes.map((n) => `http://127.0.0.1:${settings.ports.etcd[n].client}`);
  for (const u of etcdUrls) expect(inventory).toContain(u.replace('http://', ''));
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(env: Record<string, string>) {
  const state = join(dir, env.HATUI_ANCHOR_ETCD ? 'etcd' : 'local');
  const r = await hatui(['run', join(dir, 'anchor.md'), '--headless', '--answers', join(dir, 'answers.yaml'), '--inventory', labPaths(settings).inventory], { ...labEnv(settings), XDG_STATE_HOME: state, NO_COLOR: '1', HATUI_ANCHOR_COMMAND: '', ...env });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const log = /audit log: (\S+)/.exec(r.stdout)![1]!;
  const head = /head (\d+):([0-9a-f]{64})/.exec(r.stdout)!;
  return { r, state, log, head: { seq: Number(head[1]), hash: head[2]! } };
}

describe('audit anchor in the lab etcd', () => {
  it('puts the run head into the lab etcd, verify names the key it checked, and a cut on the box is caught', async () => {
    const anchor = etcdUrls.join(',');
    const { r, state, log, head } = await run({ HATUI_ANCHOR_ETCD: anchor });
    const runId = loadLog(log).runId!;
    expect(r.stdout).toContain(`audit anchor: anchored off the box: etcd ${anchor} key hatui/anchors/`);
    // Read back from the last member: the key is replicated, not just on the member that took the PUT.
    const stored = await readEtcdAnchor({ endpoints: [etcdUrls[2]!] }, runId);
    expect(stored).toEqual({ endpoint: etcdUrls[2], key: `hatui/anchors/${runId}`, head });

    const env = { XDG_STATE_HOME: state, HATUI_ANCHOR_ETCD: anchor, NO_COLOR: '1' };
    const ok = await hatui(['audit', 'verify', log], env);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`anchor checked: etcd ${etcdUrls[0]} key hatui/anchors/${runId}: head ${head.seq}:${head.hash}`));

    // Whoever can write the box cuts the last record from the log and its head from the anchors file.
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    writeFileSync(log, lines.slice(0, -1).join('\n') + '\n');
    const anchorsFile = join(state, 'hatui', 'anchors.jsonl');
    const anchorLines = readFileSync(anchorsFile, 'utf8').trimEnd().split('\n');
    writeFileSync(anchorsFile, anchorLines.slice(0, -1).join('\n') + '\n');
    expect((await hatui(['audit', 'verify', log], { XDG_STATE_HOME: state, HATUI_ANCHOR_ETCD: '', NO_COLOR: '1' })).code).toBe(0);
    const cut = await hatui(['audit', 'verify', log], env);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toContain(`the log ends at seq ${head.seq - 1} but the anchor records head ${head.seq}:${head.hash}`);
  }, 240_000);

  it('a run without an off-box anchor says it was anchored only locally', async () => {
    const { r } = await run({ HATUI_ANCHOR_ETCD: '' });
    expect(r.stdout).toContain('audit anchor: anchored only locally');
  }, 240_000);
});
