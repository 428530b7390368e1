import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commandTimeoutMs, DEFAULT_COMMAND_TIMEOUT_MS, loadInventory } from '../../source/core/inventory/load.js';
import { checkSelector } from '../../source/core/inventory/roles.js';
import { formatProblem } from '../../source/core/runbook/problem.js';

const examplePath = 'test/fixtures/inventory/example.yaml';
const example = readFileSync(examplePath, 'utf8');

describe('loadInventory', () => {
  it('loads the documented example', () => {
    const { inventory, problems } = loadInventory(example, examplePath);
    expect(problems).toEqual([]);
    expect(inventory!.environment).toBe('staging');
    expect(Object.keys(inventory!.clusters)).toEqual(['pg', 'redis', 'haproxy']);
    expect(commandTimeoutMs(inventory)).toBe(120_000);
    expect(commandTimeoutMs(undefined)).toBe(DEFAULT_COMMAND_TIMEOUT_MS);
  });

  it('locates schema problems at the YAML node (file:line:col)', () => {
    const text = ['environment: prod', 'hosts:', '  a:', '    address: 10.0.0.1', '    password: hunter2', 'clusters:', '  pg:', '    kind: postgres', '    members: []'].join('\n');
    const lines = loadInventory(text, 'inv.yaml').problems.map(formatProblem);
    expect(lines).toEqual([
      expect.stringMatching(/^inv\.yaml:1:14: environment: /),
      expect.stringMatching(/^inv\.yaml:5:5: unknown key 'hosts\.a\.password' \(allowed: address, transport, ssh, env, secretEnv\); credentials come from env or file/),
      expect.stringMatching(/^inv\.yaml:8:11: clusters\.pg\.kind: /),
    ]);
  });

  it('checks references: member hosts, jump hosts, durations', () => {
    const text = ['environment: lab', 'defaults: {commandTimeout: forever}', 'hosts:', '  a: {address: x, ssh: {jump: nowhere}}', 'clusters:', '  pg:', '    kind: patroni', '    members:', '      - {name: pg1, host: ghost}'].join('\n');
    const lines = loadInventory(text, 'inv.yaml').problems.map(formatProblem);
    expect(lines).toEqual([
      expect.stringMatching(/^inv\.yaml:2:28: defaults\.commandTimeout: cannot parse duration 'forever'/),
      expect.stringMatching(/^inv\.yaml:4:\d+: hosts\.a\.ssh\.jump: no host 'nowhere'/),
      expect.stringMatching(/^inv\.yaml:9:\d+: clusters\.pg\.members\[0\]\.host: no host 'ghost'/),
    ]);
  });

  it("accepts only the credential key each kind's clients read (one 'auth' for Redis), at the key's line", () => {
    const text = [
      'environment: lab',
      'hosts: {a: {address: x}}',
      'clusters:',
      '  cache:',
      '    kind: redis-sentinel',
      '    credentials:',
      '      password: {env: REDIS_PASSWORD}',
      '      auth: {file: /etc/hatui/redis.password}',
      '  docs:',
      '    kind: mongodb',
      '    credentials: {admin: {env: MONGO_PASSWORD}}',
      '    authMechanism: PLAIN',
    ].join('\n');
    const lines = loadInventory(text, 'inv.yaml').problems.map(formatProblem);
    expect(lines).toEqual([
      expect.stringMatching(/^inv\.yaml:7:17: clusters\.cache\.credentials\.password: a redis-sentinel cluster reads only 'auth'$/),
      expect.stringMatching(/^inv\.yaml:11:\d+: clusters\.docs: credentials\.admin needs username/),
      expect.stringMatching(/^inv\.yaml:12:20: clusters\.docs\.authMechanism: a mongodb cluster takes SCRAM-SHA-256, SCRAM-SHA-1$/),
    ]);
  });

  it('reports YAML syntax errors at their line', () => {
    const { problems } = loadInventory('environment: lab\nhosts:\n  a: [unclosed\n', 'inv.yaml');
    expect(problems[0]).toMatchObject({ message: expect.stringMatching(/inventory YAML/) });
    expect(problems[0]!.line).toBeGreaterThanOrEqual(3);
  });

  it('resolves selectors statically by kind', () => {
    const inventory = loadInventory(example, examplePath).inventory!;
    expect(checkSelector('local', inventory)).toMatchObject({ ok: true, kind: 'local' });
    expect(checkSelector('pg1', inventory)).toMatchObject({ ok: true, kind: 'host' });
    expect(checkSelector('pg.leader', inventory)).toMatchObject({ ok: true, kind: 'role', cluster: 'pg', role: 'leader' });
    expect(checkSelector('pg.sync-standby', inventory)).toMatchObject({ ok: true, kind: 'role' });
    expect(checkSelector('pg.pg3', inventory)).toMatchObject({ ok: true, kind: 'member' });
    expect(checkSelector('redis.master', inventory)).toMatchObject({ ok: true, kind: 'role' });
    expect(checkSelector('redis.leader', inventory)).toMatchObject({ ok: false });
    expect(checkSelector('haproxy.members', inventory)).toMatchObject({ ok: true });
  });
});
