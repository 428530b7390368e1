// `hatui drill --all --headless`: the guide's automated HA test script, for the systems the lab has.
// Every shipped drill runbook runs (PostgreSQL crash + switchover, Redis crash + safe planned failover),
// each writes its report, and the exit code is 0 only when every target is met.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillReport } from '../../source/core/drill/report.js';
import type { LabSettings } from '../../source/lab/index.js';
import { restoreLab } from './drill-helpers.js';
import { hatui, testLab } from './helpers.js';

let settings: LabSettings;

const section = (id: string, cluster: string, rejoin: boolean) =>
  `${id}:\n  prepare: { checklist: all }\n  fault: ${cluster}\n${rejoin ? '  rejoin: yes\n' : ''}  evaluate: { checklist: all }\n  record: { checklist: all }\n`;

beforeAll(async () => {
  settings = testLab();
  await restoreLab(settings, 'pg');
  await restoreLab(settings, 'redis');
});

afterAll(async () => {
  await restoreLab(settings, 'pg');
  await restoreLab(settings, 'redis');
});

describe('hatui drill --all', () => {
  it('runs every shipped drill the lab can run, writes each report and exits 0 when all targets are met', async () => {
    const work = mkdtempSync(join(tmpdir(), 'hatui-drill-all-'));
    const answers = join(work, 'answers.yaml');
    writeFileSync(
      answers,
      section('drill-pg-primary-failure', 'pg', true) +
        section('drill-pg-switchover', 'pg', false) +
        section('drill-redis-master-failure', 'redis', true) +
        section('drill-redis-planned-failover', 'redis', false),
    );
    const reports = join(work, 'reports');
    const out = await hatui(['drill', '--all', '--headless', '--answers', answers, '--report', reports], { XDG_STATE_HOME: join(work, 'state'), NO_COLOR: '1' }, 900_000);
    expect(out.code, out.stdout.slice(-4000) + out.stderr).toBe(0);
    const ids = ['drill-pg-primary-failure', 'drill-pg-switchover', 'drill-redis-master-failure', 'drill-redis-planned-failover'];
    for (const id of ids) {
      expect(existsSync(join(reports, id, 'report.md'))).toBe(true);
      expect(existsSync(join(reports, id, 'timeline.svg'))).toBe(true);
      const report = JSON.parse(readFileSync(join(reports, id, 'report.json'), 'utf8')) as DrillReport;
      expect(report.runbook.id).toBe(id);
      expect(report.pass).toBe(true);
      expect(out.stdout).toMatch(new RegExp(`PASS  \\S*${id}\\.md`));
    }
  }, 900_000);
});
