import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAuditLog, type AuditWriter } from '../../source/adapters/audit-file/writer.js';
import { reopenForResume } from '../../source/adapters/audit-file/resume.js';
import { readAnchors } from '../../source/adapters/audit-file/anchors.js';
import { anchorsPath } from '../../source/adapters/audit-file/paths.js';
import { loadLog, verifyLoaded } from '../../source/adapters/audit-file/read.js';
import { verifyLogText } from '../../source/core/audit/verify.js';
import { sampleEvents } from './fixtures.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hatui-audit-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function writeAll(writer: AuditWriter, count = Infinity) {
  for (const event of sampleEvents('r1').slice(0, count)) await writer.append(event);
}

describe('openAuditLog', () => {
  it('writes one chained JSON Lines file per run under runs/ and anchors every head outside it', async () => {
    const writer = await openAuditLog({ stateDir: dir, runId: 'r1', runbookId: 'pg switchover/x', now: new Date(Date.UTC(2026, 10, 25, 20, 1, 2)), anchorCommand: null });
    expect(writer.path).toBe(join(dir, 'runs', '20261125T200102Z-pg-switchover-x-r1.jsonl'));
    await writeAll(writer);
    await writer.close();
    const anchors = readAnchors(anchorsPath(dir), 'r1');
    expect(anchors).toHaveLength(sampleEvents().length);
    expect(anchors.at(-1)).toEqual(writer.head());
    const report = verifyLoaded(loadLog(writer.path), { stateDir: dir });
    expect(report).toMatchObject({ status: 'intact', anchored: true, head: writer.head() });
    const first = JSON.parse(readFileSync(writer.path, 'utf8').split('\n')[0]!);
    expect(first.event).toMatchObject({ type: 'run-started', operator: 'root@lab', runbookSha256: 'a'.repeat(64), inventorySha256: 'b'.repeat(64), hatuiVersion: '0.1.0' });
  });

  it('redacts every record before hashing and writing', async () => {
    const writer = await openAuditLog({ stateDir: dir, runId: 'r1', runbookId: 'demo', anchorCommand: null, redact: (t) => t.replaceAll('hello', '••••') });
    await writeAll(writer);
    await writer.close();
    const text = readFileSync(writer.path, 'utf8');
    expect(text).not.toContain('hello');
    expect(text).toContain('••••');
    expect(verifyLogText(text).status).toBe('intact');
  });

  it('runs the operator anchor command with the head after each record', async () => {
    const out = join(dir, 'syslog');
    const writer = await openAuditLog({ stateDir: dir, runId: 'r1', runbookId: 'demo', anchorCommand: `echo "$HATUI_ANCHOR_HEAD" >> ${out}` });
    await writeAll(writer, 3);
    await writer.close();
    const heads = readFileSync(out, 'utf8').trim().split('\n');
    expect(heads).toHaveLength(3);
    expect(heads[2]).toBe(`${writer.head()!.seq}:${writer.head()!.hash}`);
  });

  it('fails for good when the anchor command fails', async () => {
    const writer = await openAuditLog({ stateDir: dir, runId: 'r1', runbookId: 'demo', anchorCommand: 'exit 7' });
    await expect(writer.append(sampleEvents('r1')[0]!)).rejects.toThrow(/anchor command/);
    await expect(writer.append(sampleEvents('r1')[1]!)).rejects.toThrow(/un-audited/);
  });

  it('rejects every append after the log file is removed', async () => {
    const writer = await openAuditLog({ stateDir: dir, runId: 'r1', runbookId: 'demo', anchorCommand: null });
    await writeAll(writer, 3);
    unlinkSync(writer.path);
    await expect(writer.append(sampleEvents('r1')[3]!)).rejects.toThrow(/audit log write failed.*un-audited/);
    await expect(writer.append(sampleEvents('r1')[4]!)).rejects.toThrow(/un-audited/);
    expect(writer.failure()).not.toBeNull();
  });

  it('notices removal while an output batch holds the file open (nlink 0)', async () => {
    const writer = await openAuditLog({ stateDir: dir, runId: 'r1', runbookId: 'demo', anchorCommand: null });
    await writeAll(writer, 4); // ends with a command-output record: the file stays open
    unlinkSync(writer.path);
    await expect(writer.append(sampleEvents('r1')[4]!)).rejects.toThrow(/was removed/);
  });
});

describe('reopenForResume', () => {
  it('keeps a torn last line, marks it, and continues one verifiable chain', async () => {
    const writer = await openAuditLog({ stateDir: dir, runId: 'r1', runbookId: 'demo', anchorCommand: null });
    await writeAll(writer, 10);
    await writer.close();
    const torn = '{"at":"2026-11-25T20:00:05.000Z","event":{"type":"comm';
    appendFileSync(writer.path, torn); // a crash mid-write
    expect(verifyLoaded(loadLog(writer.path), { stateDir: dir })).toMatchObject({ status: 'torn', line: 11 });

    const reopened = await reopenForResume(writer.path, { operator: 'root@lab', hatuiVersion: '0.1.0', stateDir: dir, anchorCommand: null });
    expect(reopened.torn).toMatchObject({ line: 11, bytes: Buffer.byteLength(torn) });
    for (const event of sampleEvents('r1').slice(10)) await reopened.writer.append(event);
    await reopened.writer.close();
    const text = readFileSync(writer.path, 'utf8');
    expect(text.split('\n')[10]).toBe(torn);
    const report = verifyLoaded(loadLog(writer.path), { stateDir: dir });
    expect(report).toMatchObject({ status: 'intact', tornKept: [reopened.torn] });
    expect(JSON.parse(text.split('\n')[11]!)).toMatchObject({ seq: 11, event: { type: 'run-resumed', tornTail: true }, torn: { line: 11 } });
  });

  it('refuses to resume a tampered log', async () => {
    const writer = await openAuditLog({ stateDir: dir, runId: 'r1', runbookId: 'demo', anchorCommand: null });
    await writeAll(writer, 6);
    await writer.close();
    const lines = readFileSync(writer.path, 'utf8').split('\n');
    lines[2] = lines[2]!.replace('echo', 'ecHo');
    writeFileSync(writer.path, lines.join('\n'));
    await expect(reopenForResume(writer.path, { operator: 'x', hatuiVersion: '0', stateDir: dir, anchorCommand: null })).rejects.toThrow(/line 3: changed.*Refusing to resume/);
  });
});

// Acceptance 4 at the writer level: real filesystems that fail. (The runner-level test is in run-failure.test.ts.)
describe('write failures on real filesystems', () => {
  let mnt: string;
  let open: AuditWriter | undefined;
  beforeEach(() => {
    mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
  });
  afterEach(async () => {
    await open?.close().catch(() => undefined);
    open = undefined;
    execFileSync('umount', ['-l', mnt]);
  });

  it('a read-only remount stops the writer on the next record (EROFS), and it stays failed', async () => {
    const writer = (open = await openAuditLog({ stateDir: mnt, runId: 'r1', runbookId: 'demo', anchorCommand: null }));
    await writeAll(writer, 3);
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    await expect(writer.append(sampleEvents('r1')[3]!)).rejects.toMatchObject({ code: 'EROFS', message: expect.stringMatching(/un-audited/) });
    await expect(writer.append(sampleEvents('r1')[4]!)).rejects.toThrow(/un-audited/);
    execFileSync('mount', ['-o', 'remount,rw', mnt]);
    expect(verifyLoaded(loadLog(writer.path), { stateDir: mnt }).status).toBe('intact');
  });

  it('a full filesystem stops the writer (ENOSPC) once its last page is used, and it stays failed', async () => {
    const writer = (open = await openAuditLog({ stateDir: mnt, runId: 'r1', runbookId: 'demo', anchorCommand: null }));
    await writeAll(writer, 3);
    try {
      execFileSync('sh', ['-c', `head -c 2097152 /dev/zero > ${join(mnt, 'filler')}`], { stdio: 'ignore' });
    } catch {
      // head fails when the filesystem is full: that is the point
    }
    // tmpfs still accepts bytes into the file's partly used last page (those records are really
    // written); the first record that needs a new page must fail. A page holds < 40 records.
    const event = { type: 'note' as const, at: new Date().toISOString(), text: 'x'.repeat(100) };
    let error: unknown;
    for (let i = 0; i < 40 && !error; i++) await writer.append(event).catch((e: unknown) => (error = e));
    expect(error).toMatchObject({ code: 'ENOSPC', message: expect.stringMatching(/un-audited/) });
    await expect(writer.append(event)).rejects.toThrow(/un-audited/);
  });
});

describe('anchors file', () => {
  it('starts on a new line after a torn anchor line left by a crash', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(anchorsPath(dir), '{"at":"x","hash":"ab');
    const writer = await openAuditLog({ stateDir: dir, runId: 'r9', runbookId: 'demo', anchorCommand: null });
    await writeAll(writer, 2);
    await writer.close();
    expect(readAnchors(anchorsPath(dir), 'r9')).toHaveLength(2);
  });
});
