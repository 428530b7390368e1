// Shared by the drill lab tests: run `hatui drill` as a child, load and cross-check its report.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { DrillReport } from '../../source/core/drill/report.js';
import { parseMarkdownFigures } from '../../source/core/drill/render-markdown.js';
import { figureRows } from '../../source/core/drill/report.js';
import { parseXml } from '../drill/xml.js';
import { labRestart, labStatus, type LabPart, type LabSettings } from '../../source/lab/index.js';
import { hatui, waitPartHealthy } from './helpers.js';

export const ANSWERS = `prepare: { checklist: all }
fault: pg
rejoin: yes
evaluate: { checklist: all }
record: { checklist: all }
`;

export interface DrillRun {
  code: number;
  stdout: string;
  stderr: string;
  report: DrillReport;
  dir: string;
  stateDir: string;
}

export async function runDrillCli(runbook: string, answers: string, extra: string[] = [], env: Record<string, string> = {}): Promise<DrillRun> {
  const work = mkdtempSync(join(tmpdir(), 'hatui-drill-test-'));
  const answersFile = join(work, 'answers.yaml');
  writeFileSync(answersFile, answers);
  const dir = join(work, 'report');
  const stateDir = join(work, 'state');
  const out = await hatui(['drill', runbook, '--headless', '--answers', answersFile, '--report', dir, ...extra], { XDG_STATE_HOME: stateDir, NO_COLOR: '1', ...env }, 600_000);
  let report: DrillReport;
  try {
    report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as DrillReport;
  } catch {
    throw new Error(`no report.json (exit ${out.code}):\n${out.stdout.slice(-3000)}\n${out.stderr.slice(-2000)}`);
  }
  return { ...out, report, dir, stateDir };
}

/** Acceptance 4: markdown and JSON agree, the chart parses, the audit log verifies. */
export async function expectReportConsistent(run: DrillRun): Promise<void> {
  const md = readFileSync(join(run.dir, 'report.md'), 'utf8');
  const figures = parseMarkdownFigures(md);
  for (const row of figureRows(run.report)) expect(figures[row.field as string]).toEqual(run.report[row.field]);
  expect(md).toContain(`](${run.report.chart})`);
  const svg = parseXml(readFileSync(join(run.dir, run.report.chart), 'utf8'));
  expect(svg.name).toBe('svg');
  expect(run.stdout).toContain(`Drill ${run.report.runbook.id}: ${run.report.pass ? 'PASS' : 'FAIL'}`);
  expect(run.report.audit.log).toBeTruthy();
  expect(run.report.audit.verified).toBe(true);
  const head = run.report.audit.head!;
  const verify = await hatui(['audit', 'verify', run.report.audit.log!, '--head', `${head.seq}:${head.hash}`], { XDG_STATE_HOME: run.stateDir });
  expect(verify.code, verify.stdout + verify.stderr).toBe(0);
}

/** After a drill (passed or not): start any node of the part a drill left down, wait until healthy. */
export async function restoreLab(settings: LabSettings, part: LabPart): Promise<void> {
  const status = await labStatus(settings);
  for (const n of status.nodes) if (n.part === part && n.health === 'down') await labRestart(settings, n.node);
  await waitPartHealthy(settings, part, 120_000);
}
