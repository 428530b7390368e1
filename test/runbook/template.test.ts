// Values reach commands byte for byte through a real `sh -c`, and nothing in them is ever executed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTemplate, renderCommand, TemplateError } from '../../source/core/runbook/template.js';
import { HOSTILE_VALUES } from '../support/hostile-values.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hatui-template-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the rendered command in `dir` and returns what it printed (argv joined by NUL). */
function runInShell(template: string, vars: Record<string, string>, secretNames: string[] = []): string {
  const { command, secretEnv } = renderCommand(template, { vars, secretNames });
  const r = spawnSync('sh', ['-c', command], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, ...secretEnv } });
  expect(r.status, `sh failed for ${JSON.stringify(command)}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

describe('renderCommand', () => {
  for (const value of HOSTILE_VALUES) {
    it(`delivers ${JSON.stringify(value)} byte for byte as one argument with no side effect`, () => {
      const out = runInShell(`printf '%s\\0' {{ v }}`, { v: value });
      expect(out).toBe(value + '\0');
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  it('delivers arbitrary strings byte for byte (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0')), (value) => {
        expect(runInShell(`printf '%s\\0' {{ v }} {{ v }}`, { v: value })).toBe(`${value}\0${value}\0`);
      }),
      { numRuns: 60 },
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('passes a secret as an environment reference: the value never appears in the command text', () => {
    const secret = "s3cr3t $(touch pwned) 'quote'";
    const { command, secretEnv } = renderCommand('printf %s {{ db_password }}', { vars: { db_password: secret }, secretNames: ['db_password'] });
    expect(command).toBe('printf %s "$HATUI_SECRET_DB_PASSWORD"');
    expect(command).not.toContain('s3cr3t');
    expect(secretEnv).toEqual({ HATUI_SECRET_DB_PASSWORD: secret });
    expect(runInShell('printf %s {{ db_password }}', { db_password: secret }, ['db_password'])).toBe(secret);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });

  it('substitutes captures: stdout without trailing newlines, exit code, JSON fields', () => {
    const captures = { leader: { stdout: 'pg2\n', exitCode: 0 }, state: { stdout: '{"role":"leader; rm -rf /","lag":3}', exitCode: 0 } };
    const { command } = renderCommand('echo {{ captures.leader.stdout }} {{ captures.leader.exitCode }} {{ captures.state.json.role }} {{ captures.state.json.lag }} {{ captures.leader }}', { vars: {}, captures });
    expect(command).toBe("echo pg2 0 'leader; rm -rf /' 3 pg2");
  });

  it('throws a TemplateError naming a missing variable or capture', () => {
    expect(() => renderCommand('echo {{ who }}', { vars: {} })).toThrow(TemplateError);
    expect(() => renderCommand('echo {{ who }}', { vars: {} })).toThrow(/who/);
    expect(() => renderCommand('echo {{ captures.x.stdout }}', { vars: {} })).toThrow(/capture 'x'/);
  });

  it('has no unquoted form and keeps \\{{ as a literal {{', () => {
    expect(renderCommand("docker inspect -f '\\{{.State}}' {{ c }}", { vars: { c: 'db 1' } }).command).toBe("docker inspect -f '{{.State}}' 'db 1'");
    expect(parseTemplate('echo {{{ v }}}').problems.length).toBeGreaterThan(0);
    expect(parseTemplate('echo {{ raw v }}').problems[0]?.message).toMatch(/bad placeholder/);
  });

  it('rejects placeholders inside quotes, but not quotes in comments or after escapes', () => {
    expect(parseTemplate('echo "x {{ v }}"').problems[0]?.message).toMatch(/inside double quotes/);
    expect(parseTemplate("echo 'x {{ v }}'").problems[0]?.message).toMatch(/inside single quotes/);
    expect(parseTemplate("# don't\necho {{ v }}").problems).toEqual([]);
    expect(parseTemplate('echo \\" {{ v }}').problems).toEqual([]);
  });
});
