// The broken-runbook corpus: every fixture's problems at the exact file:line with the expected message
// fragment, through the library and through the bundled CLI (npm test builds it first).
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hatui as cli, setUpCli, tearDownCli } from './cli.js';
import { formatProblem, type Problem } from '../../source/core/runbook/problem.js';
import { readInventoryFile, readRunbookFile } from '../../source/services/load-files.js';
import type { Inventory } from '../../source/core/inventory/model.js';

interface Expected {
  file: string;
  problems: { line: number; message: string }[];
}

const brokenDir = 'test/fixtures/broken';
const hostsDir = 'test/fixtures/broken-hosts';
const inventoryPath = 'test/fixtures/inventory/example.yaml';
const corpus: Expected[] = JSON.parse(readFileSync(join(brokenDir, 'expected.json'), 'utf8'));
const hostCorpus: Expected[] = JSON.parse(readFileSync(join(hostsDir, 'expected.json'), 'utf8'));

const hatui = (...args: string[]) => cli(args);

function expectMatches(problems: Problem[], expected: Expected, path: string) {
  for (const e of expected.problems) {
    const hit = problems.find((p) => p.path === path && p.line === e.line && p.message.includes(e.message));
    expect(hit, `${path}: expected line ${e.line} "${e.message}", got:\n${problems.map(formatProblem).join('\n')}`).toBeDefined();
  }
  expect(problems.map(formatProblem), `${path}: one problem per expected entry`).toHaveLength(expected.problems.length);
}

let inventory: Inventory;
beforeAll(async () => {
  const loaded = await readInventoryFile(inventoryPath);
  expect(loaded.problems).toEqual([]);
  inventory = loaded.inventory!;
});

describe('broken runbook corpus', () => {
  it('has at least 30 fixtures, each listed in expected.json', () => {
    const files = readdirSync(brokenDir).filter((f) => f.endsWith('.md')).sort();
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(corpus.map((e) => e.file).sort()).toEqual(files);
  });

  for (const expected of corpus) {
    it(`reports ${expected.file} at the expected line`, async () => {
      const path = join(brokenDir, expected.file);
      const { runbook, problems } = await readRunbookFile(path);
      expect(runbook).toBeUndefined();
      expectMatches(problems, expected, path);
    });
  }

  for (const expected of hostCorpus) {
    it(`checks host selectors against the inventory: ${expected.file}`, async () => {
      const path = join(hostsDir, expected.file);
      const withInventory = await readRunbookFile(path, { inventory });
      expectMatches(withInventory.problems, expected, path);
      const without = await readRunbookFile(path);
      expect(without.problems).toEqual([]);
    });
  }

  it('accepts every valid fixture, with and without the inventory', async () => {
    for (const f of readdirSync('test/fixtures/valid').filter((f) => f.endsWith('.md'))) {
      const path = join('test/fixtures/valid', f);
      expect((await readRunbookFile(path)).problems.map(formatProblem)).toEqual([]);
      expect((await readRunbookFile(path, { inventory })).problems.map(formatProblem)).toEqual([]);
    }
  });

  it('reports an unreadable path instead of throwing', async () => {
    const { problems } = await readRunbookFile('test/fixtures/does-not-exist.md');
    expect(problems.map(formatProblem)).toEqual(['test/fixtures/does-not-exist.md:1:1: cannot read file: no such file or directory']);
  });
});

describe('hatui validate (bundled CLI)', () => {
  beforeAll(setUpCli, 60_000);
  afterAll(tearDownCli);

  it('prints every expected problem of the corpus as file:line:col and exits 1, without a stack trace', () => {
    const r = hatui('validate', brokenDir);
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n');
    for (const expected of corpus) {
      for (const e of expected.problems) {
        const prefix = `${join(brokenDir, expected.file)}:${e.line}:`;
        expect(lines.some((l) => l.startsWith(prefix) && /^[^:]+:\d+:\d+: /.test(l) && l.includes(e.message)), `${prefix} ${e.message}`).toBe(true);
      }
    }
    expect(r.out + r.err).not.toMatch(/\n\s+at |internal error/);
  });

  it('checks host selectors with --inventory and reports --json', () => {
    const r = hatui('validate', '--inventory', inventoryPath, '--json', hostsDir, 'test/fixtures/valid');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { valid: boolean; files: { path: string; valid: boolean; problems: Problem[] }[] };
    expect(report.valid).toBe(false);
    expect(report.files.find((f) => f.path === inventoryPath)?.valid).toBe(true);
    expect(report.files.filter((f) => f.path.startsWith('test/fixtures/valid')).every((f) => f.valid)).toBe(true);
    expect(report.files.filter((f) => f.path.startsWith(hostsDir)).map((f) => f.problems.length)).toEqual(hostCorpus.map(() => 1));
  });

  it('exits 0 for valid runbooks, 2 for an unknown flag or no argument', () => {
    expect(hatui('validate', 'test/fixtures/valid').code).toBe(0);
    const unknown = hatui('validate', '--frobnicate', 'test/fixtures/valid');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('--frobnicate');
    expect(hatui('validate').code).toBe(2);
  });

  it('reports two runbooks with the same id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hatui-dup-'));
    try {
      for (const name of ['a.md', 'b.md']) copyFileSync('test/fixtures/valid/local-demo.md', join(dir, name));
      const r = hatui('validate', dir);
      expect(r.code).toBe(1);
      const errors = r.out.trim().split('\n').filter((l) => !/^[^:]+:\d+:\d+: warning: /.test(l));
      expect(errors).toEqual([`${join(dir, 'b.md')}:1:1: runbook id 'local-demo' is also used by ${join(dir, 'a.md')}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('warns on a changes= step without a pre-flight (exit 0), and --strict fails on it (exit 1)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hatui-lint-'));
    try {
      const file = join(dir, 'x.md');
      const step = (preflight: string) => `## Change it {#change changes=pg}\n\n${preflight}\`\`\`sh {host=local}\ntrue\n\`\`\`\n`;
      writeFileSync(file, `---\nid: x\ntitle: X\nclusters: [pg]\n---\n\n${step('')}`);
      const warned = hatui('validate', file);
      expect(warned.code).toBe(0);
      expect(warned.out.trim()).toBe(`${file}:7:23: warning: step 'change' changes cluster 'pg' without a pre-flight: add a \`\`\`preflight block with the checks an operator would make first (quorum, leader, lag)`);
      expect(warned.err).toContain('1 warning(s); --strict fails on them');
      const strict = hatui('validate', '--strict', file);
      expect(strict.code).toBe(1);
      expect(strict.out).toContain(`${file}:7:23: warning: step 'change'`);
      const json = JSON.parse(hatui('validate', '--strict', '--json', file).out) as { valid: boolean; files: { problems: Problem[] }[] };
      expect(json.valid).toBe(false);
      expect(json.files[0]!.problems[0]!.severity).toBe('warning');
      writeFileSync(file, `---\nid: x\ntitle: X\nclusters: [pg]\n---\n\n${step('```preflight\nclusters.pg.leader != null\n```\n\n')}`);
      const fixed = hatui('validate', '--strict', file);
      expect(fixed.code, fixed.out).toBe(0);
      expect(fixed.out).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes --strict on every shipped runbook: no changes= step without a pre-flight', () => {
    const r = hatui('validate', '--strict', 'runbooks');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toBe('');
  });

  it('reports a missing file with its path and exits 1', () => {
    const r = hatui('validate', 'nope/missing.md');
    expect(r.code).toBe(1);
    expect(r.out).toContain('nope/missing.md:1:1: cannot read');
  });
});
