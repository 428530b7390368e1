// `hatui audit verify` and `hatui replay` as an operator runs them: the bundled CLI in a child process
// (npm test builds the bundle first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { privateBundle, type Bundle } from './bundle.js';
import { join } from 'node:path';
import { openAuditLog } from '../../source/adapters/audit-file/writer.js';
import { sampleEvents } from './fixtures.js';
import { parseAsciicast } from '../support/asciicast.js';

let bundle: Bundle;
let bin: string;
let state: string;
let log: string;
let head: string;

function hatui(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, XDG_STATE_HOME: state, HATUI_ANCHOR_COMMAND: '' } });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

function tamperedCopy(name: string, edit: (lines: string[]) => string[]): string {
  const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
  const path = join(state, name);
  writeFileSync(path, edit(lines).join('\n') + '\n');
  return path;
}

beforeAll(async () => {
  bundle = await privateBundle();
  bin = bundle.bin;
  state = mkdtempSync(join(tmpdir(), 'hatui-audit-cli-'));
  const writer = await openAuditLog({ stateDir: join(state, 'hatui'), runId: 'cli1', runbookId: 'demo', anchorCommand: null });
  for (const event of sampleEvents('cli1')) await writer.append(event);
  await writer.close();
  log = writer.path;
  head = `${writer.head()!.seq}:${writer.head()!.hash}`;
});
afterAll(() => {
  rmSync(state, { recursive: true, force: true });
  bundle?.remove();
});

describe('hatui audit verify', () => {
  it('exits 0 for an intact log', () => {
    const r = hatui('audit', 'verify', log);
    expect(r.code).toBe(0);
    expect(r.out).toContain('INTACT');
    expect(r.out).toContain(head);
  });

  it.each([
    ['changed', (l: string[]) => l.map((x, i) => (i === 4 ? x.replace('"exitCode":0', '"exitCode":1') : x)), 5],
    ['deleted', (l: string[]) => l.filter((_, i) => i !== 6), 7],
    ['inserted', (l: string[]) => [...l.slice(0, 8), l[1]!, ...l.slice(8)], 9],
    ['reordered', (l: string[]) => [...l.slice(0, 2), l[3]!, l[2]!, ...l.slice(4)], 3],
    ['truncated', (l: string[]) => l.slice(0, 9), 10],
  ])('exits 1 and names the first bad line of a %s copy', (kind, edit, line) => {
    const r = hatui('audit', 'verify', '--json', tamperedCopy(`${kind}.jsonl`, edit));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ status: 'tampered', kind, line });
  });

  it('detects a truncated tail with --head when no anchors file is at hand', () => {
    const copy = tamperedCopy('cut.jsonl', (l) => l.slice(0, 12));
    const r = spawnSync(process.execPath, [bin, 'audit', 'verify', copy, '--head', head], { encoding: 'utf8', env: { ...process.env, XDG_STATE_HOME: join(state, 'elsewhere') } });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/line 13: truncated: .*--head/);
  });

  it('exits 3 for a torn last line after the anchored head, and 1 when the tail before it was cut', () => {
    const torn = tamperedCopy('torn.jsonl', (l) => l);
    appendFileSync(torn, '{"at":"2026-11-25T2');
    const r = hatui('audit', 'verify', torn);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/TORN: line 16: torn last line/);
    const cutAndTorn = tamperedCopy('cut-torn.jsonl', (l) => [...l.slice(0, 10), l[10]!.slice(0, 40)]);
    writeFileSync(cutAndTorn, readFileSync(cutAndTorn, 'utf8').trimEnd());
    expect(hatui('audit', 'verify', cutAndTorn).code).toBe(1);
  });

  it('exits 2 on a bad --head or an unknown flag, and 1 with a message for a missing file', () => {
    expect(hatui('audit', 'verify', log, '--head', 'nope').code).toBe(2);
    expect(hatui('audit', 'verify', log, '--bogus').code).toBe(2);
    const missing = hatui('audit', 'verify', join(state, 'none.jsonl'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/none.jsonl: cannot read the audit log \(ENOENT\)/);
    expect(missing.err).not.toMatch(/ at /);
  });
});

describe('hatui replay', () => {
  it('writes a markdown postmortem and an asciicast that match the log', () => {
    const md = join(state, 'pm.md');
    const cast = join(state, 'run.cast');
    const r = hatui('replay', log, '--to-markdown', md, '--asciicast', cast);
    expect(r.code).toBe(0);
    const text = readFileSync(md, 'utf8');
    expect(text).toContain('## Step `switch`: ok');
    expect(text).toContain(head);
    const { header, entries } = parseAsciicast(readFileSync(cast, 'utf8'));
    expect(header.version).toBe(3);
    expect(entries.filter((e) => e[1] === 'm').map((e) => e[2])).toEqual(['check', 'switch']);
    const logged = readFileSync(log, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l).event).filter((e) => e.type === 'command-output').map((e) => e.data).join('');
    const played = entries.filter((e) => e[1] === 'o').map((e) => e[2]).join('');
    for (const line of logged.split('\n').filter(Boolean)) expect(played).toContain(`${line}\r\n`);
  });

  it('prints a plain step-by-step replay without export flags', () => {
    const r = hatui('replay', log);
    expect(r.code).toBe(0);
    expect(r.out).toContain('[2/2] step switch: ok');
  });

  it('replays a copy without changing it', () => {
    const copy = join(state, 'copy.jsonl');
    copyFileSync(log, copy);
    hatui('replay', copy);
    expect(readFileSync(copy, 'utf8')).toBe(readFileSync(log, 'utf8'));
  });
});

describe('hatui resume refuses what it cannot resume safely', () => {
  it('a tampered log', () => {
    const copy = tamperedCopy('resume-tampered.jsonl', (l) => l.filter((_, i) => i !== 3));
    const r = hatui('resume', copy, '--headless');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/line 4: deleted: .*Refusing to resume a tampered log/);
  });

  it('a runbook that is missing, or changed since the run started', () => {
    const missing = hatui('resume', log, '--headless');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/\/rb\/demo\.md: cannot read the runbook this run used \(ENOENT\).*--runbook/);
    const other = join(state, 'other.md');
    writeFileSync(other, '---\nid: demo\ntitle: Demo\n---\n\n## Check {#check}\n\n```sh {host=local}\necho changed\n```\n');
    const before = readFileSync(log, 'utf8');
    const changed = hatui('resume', log, '--headless', '--runbook', other);
    expect(changed.code).toBe(1);
    expect(changed.err).toMatch(/the runbook changed since the run started .*--allow-changed-runbook/);
    expect(readFileSync(log, 'utf8')).toBe(before);
  });
});
