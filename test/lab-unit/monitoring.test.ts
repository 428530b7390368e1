import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { labRules, monitoringNode, prometheusConfig } from '../../source/lab/monitoring.js';
import { labPaths, labSettings, nodePorts, partNodes } from '../../source/lab/settings.js';

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
const shippedText = readFileSync('monitoring/rules.yml', 'utf8');
const rulesOf = (text: string) => (parse(text) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const shipped = rulesOf(shippedText);
const settings = labSettings({ HATUI_LAB_PORT_BASE: '57000', HATUI_LAB_DIR: '/tmp/x' });

describe('monitoring/rules.yml', () => {
  it("ships the guide's four rules with the guide's for: durations and severities", () => {
    const guide = { PostgreSQLReplicationLag: ['5m', 'critical'], MongoDBReplicationHealthIssue: ['5m', 'critical'], RedisReplicationBroken: ['5m', 'critical'], KafkaUnderReplicatedPartitions: ['10m', 'warning'] };
    for (const [name, [duration, severity]] of Object.entries(guide)) {
      const rule = shipped.find((r) => r.alert === name);
      expect(rule, name).toBeDefined();
      expect([rule!.for, rule!.labels.severity]).toEqual([duration, severity]);
    }
  });

  it('names a shipped runbook in every rule', () => {
    for (const rule of shipped) {
      const id = rule.annotations.runbook;
      expect(id, rule.alert).toMatch(/^[a-z0-9-]+$/);
      const path = `runbooks/${id}.md`;
      expect(existsSync(path), `${rule.alert} → ${path}`).toBe(true);
      expect(readFileSync(path, 'utf8')).toMatch(new RegExp(`^id: ${id}$`, 'm'));
    }
  });

  it('counts only masters for RedisReplicationBroken (every replica has 0 connected replicas)', () => {
    expect(shipped.find((r) => r.alert === 'RedisReplicationBroken')!.expr).toMatch(/redis_instance_info\{role="master"\}/);
  });

  it("the lab's copy has short for: and lag threshold, everything else as shipped", () => {
    const lab = rulesOf(labRules(shippedText));
    expect(lab.map((r) => r.alert)).toEqual(shipped.map((r) => r.alert));
    for (const rule of lab) expect(rule.for, rule.alert).toMatch(/^\d+s$/);
    const lag = lab.find((r) => r.alert === 'PostgreSQLReplicationLag')!;
    expect(lag.expr).toMatch(/> 2$/);
    expect(lab.map((r) => r.annotations)).toEqual(shipped.map((r) => r.annotations));
  });

  it('refuses to make the lab copy when the shipped lag threshold changed under it', () => {
    expect(() => labRules(shippedText.replace('"(.*)") > 300', '"(.*)") > 600'))).toThrow(/no longer contains '> 300'/);
  });
});

describe('lab monitoring part', () => {
  it('uses only the monitoring port offsets 160–189', () => {
    for (const node of partNodes.monitoring) for (const port of nodePorts(settings, node)) expect(port - 57000, node).toBeGreaterThanOrEqual(160), expect(port - 57000).toBeLessThanOrEqual(189);
  });

  it('scrapes every PostgreSQL member and Redis node, and sends to the lab Alertmanager', () => {
    const config = parse(prometheusConfig(settings)) as { scrape_configs: { job_name: string; static_configs: { targets: string[]; labels: Record<string, string> }[] }[]; alerting: unknown };
    const job = (name: string) => config.scrape_configs.find((j) => j.job_name === name)!;
    expect(job('postgres').static_configs.map((s) => s.labels.instance)).toEqual(['127.0.0.1:57010', '127.0.0.1:57011', '127.0.0.1:57012']);
    expect(job('redis').static_configs.map((s) => s.targets[0])).toEqual(['redis://127.0.0.1:57040', 'redis://127.0.0.1:57041', 'redis://127.0.0.1:57042']);
    expect(JSON.stringify(config.alerting)).toContain('127.0.0.1:57161');
  });

  it('gives a scrape the whole interval: a down member\'s exporter answers pg_up 0 only after 1-2 s', () => {
    const { global } = parse(prometheusConfig(settings)) as { global: Record<string, string> };
    expect(global.scrape_timeout).toBe(global.scrape_interval);
    expect(Number.parseFloat(global.scrape_timeout!)).toBeGreaterThanOrEqual(3);
  });

  it('puts no password on an exporter command line: files named by flag or environment', () => {
    const pg = monitoringNode(settings, 'pg-exporter2', 's3cret-pg', 'r3dis');
    expect(pg.spec.argv.join(' ')).not.toContain('s3cret');
    expect(JSON.stringify(pg.spec.env)).not.toContain('s3cret');
    expect(pg.spec.env.DATA_SOURCE_PASS_FILE).toBe(`${labPaths(settings).nodeDir('pg-exporter2')}/pg.password`);
    expect(pg.files['pg.password']).toEqual(['s3cret-pg\n', 0o600]);
    const redis = monitoringNode(settings, 'redis-exporter', 'x', 'r3dis');
    expect(redis.spec.argv.join(' ')).not.toContain('r3dis');
    expect(JSON.parse(redis.files['redis-passwords.json']![0])).toEqual({ 'redis://127.0.0.1:57040': 'r3dis', 'redis://127.0.0.1:57041': 'r3dis', 'redis://127.0.0.1:57042': 'r3dis' });
    expect(redis.spec.argv).toContain(`-redis.password-file=${labPaths(settings).nodeDir('redis-exporter')}/redis-passwords.json`);
  });
});
