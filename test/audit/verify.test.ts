import { describe, expect, it } from 'vitest';
import { canonicalize } from '../../source/core/audit/canonical.js';
import { GENESIS_PREV, hashRecord, parseHead, sha256Hex } from '../../source/core/audit/record.js';
import { verifyLog, verifyLogText } from '../../source/core/audit/verify.js';
import { redactEvent } from '../../source/core/audit/redact.js';
import { chain, headOf, lines, sampleEvents } from './fixtures.js';

const records = chain(sampleEvents());
const good = lines(records);
const anchors = records.map((r) => ({ seq: r.seq, hash: r.hash }));
const anchorHead = headOf(records);

describe('canonical serialization', () => {
  it('sorts keys at every depth, drops undefined and writes no whitespace', () => {
    expect(canonicalize({ b: 1, a: { d: [1, 'x', null], c: true }, u: undefined })).toBe('{"a":{"c":true,"d":[1,"x",null]},"b":1}');
  });
  it('is independent of key insertion order', () => {
    expect(canonicalize({ x: 1, y: { q: 2, p: 3 } })).toBe(canonicalize({ y: { p: 3, q: 2 }, x: 1 }));
  });
  it('refuses non-finite numbers', () => {
    expect(() => canonicalize({ n: Number.NaN })).toThrow(/non-finite/);
  });
});

describe('hash chain', () => {
  it('links each record to the one before, the first to the genesis value', () => {
    expect(records[0]!.prev).toBe(GENESIS_PREV);
    for (let i = 1; i < records.length; i++) expect(records[i]!.prev).toBe(records[i - 1]!.hash);
    for (const r of records) expect(hashRecord(r)).toBe(r.hash);
    expect(records[0]!.hash).toBe(sha256Hex(canonicalize({ seq: 1, at: records[0]!.at, prev: GENESIS_PREV, event: records[0]!.event })));
  });
  it('parses seq:hash heads', () => {
    expect(parseHead(`3:${'a'.repeat(64)}`)).toEqual({ seq: 3, hash: 'a'.repeat(64) });
    expect(parseHead('3:abc')).toBeNull();
    expect(parseHead('x')).toBeNull();
  });
});

describe('verifyLog', () => {
  it('reports an untouched log intact, with its head', () => {
    const report = verifyLog(good, { anchors, anchorHead });
    expect(report.status).toBe('intact');
    expect(report.head).toEqual(anchorHead);
    expect(report.records).toBe(records.length);
  });

  it('locates a changed byte', () => {
    const copy = [...good];
    copy[6] = copy[6]!.replace('"attempt":1', '"attempt":2');
    expect(verifyLog(copy, { anchors })).toMatchObject({ status: 'tampered', kind: 'changed', line: 7 });
  });

  it('locates a byte changed so the line is no longer JSON', () => {
    const copy = [...good];
    copy[3] = copy[3]!.slice(0, 10) + '\u0000' + copy[3]!.slice(11);
    expect(verifyLog(copy)).toMatchObject({ status: 'tampered', kind: 'changed', line: 4 });
  });

  it('locates a deleted record', () => {
    const copy = good.filter((_, i) => i !== 4);
    expect(verifyLog(copy, { anchors })).toMatchObject({ status: 'tampered', kind: 'deleted', line: 5 });
  });

  it('locates an inserted record (a copy of another one)', () => {
    const copy = [...good];
    copy.splice(9, 0, good[2]!);
    expect(verifyLog(copy, { anchors })).toMatchObject({ status: 'tampered', kind: 'inserted', line: 10 });
  });

  it('locates an inserted fabricated record', () => {
    const copy = [...good];
    const fake = { ...records[5]!, event: { type: 'note', at: records[5]!.at, text: 'all fine' } };
    copy.splice(6, 0, JSON.stringify(fake));
    expect(verifyLog(copy, { anchors })).toMatchObject({ status: 'tampered', kind: 'inserted', line: 7 });
  });

  it('locates an inserted record forged with a valid hash', () => {
    const forged = chain([{ type: 'note', at: records[5]!.at, text: 'forged' }], { seq: records[4]!.seq, hash: records[4]!.hash });
    const copy = [...good];
    copy.splice(5, 0, lines(forged)[0]!);
    expect(verifyLog(copy)).toMatchObject({ status: 'tampered', kind: 'inserted', line: 6 });
  });

  it('locates two swapped records', () => {
    const copy = [...good];
    [copy[7], copy[8]] = [copy[8]!, copy[7]!];
    expect(verifyLog(copy, { anchors })).toMatchObject({ status: 'tampered', kind: 'reordered', line: 8 });
  });

  it('detects a truncated tail with the anchor', () => {
    const copy = good.slice(0, 10);
    expect(verifyLog(copy)).toMatchObject({ status: 'intact' });
    expect(verifyLog(copy, { anchorHead })).toMatchObject({ status: 'tampered', kind: 'truncated', line: 11 });
  });

  it('detects a truncated tail with --head', () => {
    const copy = good.slice(0, 12);
    expect(verifyLog(copy, { expectedHead: anchorHead })).toMatchObject({ status: 'tampered', kind: 'truncated', line: 13 });
  });

  it('detects a rewritten chain through the anchors and names the first rewritten line', () => {
    const events = sampleEvents();
    (events[4] as { exitCode: number }).exitCode = 0;
    (events[12] as { outcome: string }).outcome = 'ok';
    (events[3] as { data: string }).data = 'rewritten\n';
    const rewritten = lines(chain(events));
    expect(verifyLog(rewritten)).toMatchObject({ status: 'intact' });
    expect(verifyLog(rewritten, { anchors })).toMatchObject({ status: 'tampered', kind: 'changed', line: 4 });
    expect(verifyLog(rewritten, { expectedHead: anchorHead })).toMatchObject({ status: 'tampered', kind: 'changed', line: good.length });
  });

  it('reports a torn last line as torn when the anchor is the last complete record', () => {
    const text = good.slice(0, 10).join('\n') + '\n' + good[10]!.slice(0, 37);
    const report = verifyLogText(text, { anchorHead: anchors[9]! });
    expect(report).toMatchObject({ status: 'torn', kind: 'torn', line: 11 });
    expect(report.head).toEqual(anchors[9]);
  });

  it('reports a torn-looking last line as tampering when the anchor is ahead or behind', () => {
    const text = good.slice(0, 10).join('\n') + '\n' + good[10]!.slice(0, 37);
    expect(verifyLogText(text, { anchorHead: anchors[11]! })).toMatchObject({ status: 'tampered', kind: 'truncated' });
    expect(verifyLogText(text, { anchorHead: anchors[7]! })).toMatchObject({ status: 'tampered', kind: 'changed', line: 11 });
  });

  it('treats an unparsable last line that ends with a newline as tampering, not a torn write', () => {
    const text = good.slice(0, 10).join('\n') + '\n' + good[10]!.slice(0, 37) + '\n';
    expect(verifyLogText(text, { anchorHead: anchors[9]! })).toMatchObject({ status: 'tampered', line: 11 });
  });

  it('accepts a torn line kept and marked by the resumed chain, and no other unparsable line', () => {
    const head = anchors[9]!;
    const torn = good[10]!.slice(0, 37);
    const mark = { line: 11, bytes: Buffer.byteLength(torn), sha256: sha256Hex(torn) };
    const resumedEvent = { type: 'run-resumed' as const, at: records[9]!.at, operator: 'root@lab', hatuiVersion: '0.1.0', tornTail: true };
    const marker = chain([resumedEvent], head)[0]!;
    const { hash: _h, ...unsealed } = { ...marker, torn: mark };
    const markedRecord = { ...unsealed, hash: hashRecord(unsealed) };
    const after = chain([{ type: 'run-finished', at: records[9]!.at, outcome: 'ok' }], { seq: markedRecord.seq, hash: markedRecord.hash });
    const resumed = [...good.slice(0, 10), torn, canonicalize(markedRecord), ...lines(after)];
    const report = verifyLog(resumed, { anchorHead: headOf(after) });
    expect(report).toMatchObject({ status: 'intact' });
    expect(report.tornKept).toEqual([mark]);

    const edited = [...resumed];
    edited[10] = torn.replace('"', "'");
    expect(verifyLog(edited)).toMatchObject({ status: 'tampered', kind: 'changed', line: 11 });
    const unmarked = [...good.slice(0, 10), torn, ...lines(chain([resumedEvent], head))];
    expect(verifyLog(unmarked)).toMatchObject({ status: 'tampered', line: 11 });
  });

  it('reports an empty log as truncated', () => {
    expect(verifyLog([])).toMatchObject({ status: 'tampered', kind: 'truncated', line: 1 });
  });
});

describe('redaction before hashing', () => {
  it('replaces secrets in every string value but never the event type', () => {
    const redact = (text: string) => text.replaceAll('hunter2', '••••');
    const event = { type: 'command-output' as const, at: 'x', stepId: 's', commandIndex: 0, stream: 'stdout' as const, data: 'pw=hunter2' };
    expect(redactEvent(event, redact)).toEqual({ ...event, data: 'pw=••••' });
    const started = { type: 'run-started' as const, ...(sampleEvents()[0] as object), vars: { password: 'hunter2' } };
    expect(JSON.stringify(redactEvent(started as never, redact))).not.toContain('hunter2');
  });
});
