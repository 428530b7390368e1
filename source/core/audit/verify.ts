// Verifies an audit log: every record's own hash, the chain of `prev` hashes and sequence numbers,
// kept-and-marked torn lines from resumed runs, and the heads recorded outside the log (the anchors
// file, or `--head seq:hash` from the incident ticket). Names the first bad line and what is wrong.
import {
  GENESIS_PREV,
  type Head,
  type AuditRecord,
  type TornLineMark,
  formatHead,
  hashRecord,
  parseRecordLine,
  sha256Hex,
} from './record.js';

export type TamperKind = 'changed' | 'deleted' | 'inserted' | 'reordered' | 'truncated';
export type VerifyStatus = 'intact' | 'torn' | 'tampered';

export interface VerifyOptions {
  /** The last head written to the anchors file for this run. */
  anchorHead?: Head;
  /** Every head the anchors file holds for this run (lets verify locate a rewritten record exactly). */
  anchors?: Head[];
  /** A head given by the operator (`--head seq:hash`, e.g. from the incident ticket). */
  expectedHead?: Head;
  /** Whether the file ends with a newline (a torn write never does). Default true. */
  endsWithNewline?: boolean;
}

export interface VerifyReport {
  status: VerifyStatus;
  /** First bad line (1-based) when torn or tampered. */
  line?: number;
  kind?: TamperKind | 'torn';
  message: string;
  /** Complete, verified records. */
  records: number;
  /** The last verified record's head. */
  head: Head | null;
  /** Whether any outside head (anchor or --head) was checked. */
  anchored: boolean;
  /** Torn lines from earlier crashes, kept and marked by the record after them. */
  tornKept: TornLineMark[];
  warnings: string[];
}

interface Entry {
  raw: string;
  record?: AuditRecord;
  error?: string;
  valid: boolean;
}

/** Splits a log file's text into lines; says whether it ended with a newline. */
export function splitLog(text: string): { lines: string[]; endsWithNewline: boolean } {
  if (text === '') return { lines: [], endsWithNewline: true };
  const endsWithNewline = text.endsWith('\n');
  const lines = text.split('\n');
  if (endsWithNewline) lines.pop();
  return { lines, endsWithNewline };
}

export function verifyLogText(text: string, options: Omit<VerifyOptions, 'endsWithNewline'> = {}): VerifyReport {
  const { lines, endsWithNewline } = splitLog(text);
  return verifyLog(lines, { ...options, endsWithNewline });
}

export function verifyLog(lines: string[], options: VerifyOptions = {}): VerifyReport {
  const endsWithNewline = options.endsWithNewline ?? true;
  const entries: Entry[] = lines.map((raw) => {
    const parsed = parseRecordLine(raw);
    if ('error' in parsed) return { raw, error: parsed.error, valid: false };
    return { raw, record: parsed.record, valid: hashRecord(parsed.record) === parsed.record.hash };
  });

  const anchorBySeq = new Map<number, string>();
  for (const anchor of [...(options.anchors ?? []), ...(options.anchorHead ? [options.anchorHead] : [])]) {
    anchorBySeq.set(anchor.seq, anchor.hash);
  }
  const outside: Head[] = [...anchorBySeq.entries()].map(([seq, hash]) => ({ seq, hash }));
  if (options.expectedHead) outside.push(options.expectedHead);
  const anchored = outside.length > 0;
  const lastOutside = outside.reduce<Head | null>((max, h) => (max === null || h.seq > max.seq ? h : max), null);

  const tornKept: TornLineMark[] = [];
  const warnings: string[] = [];
  const seenBySeq = new Map<number, { line: number; hash: string }>();
  let head: Head | null = null;
  let lastLine = 0;
  let tornTail: TornLineMark | null = null;

  const result = (status: VerifyStatus, message: string, line?: number, kind?: TamperKind | 'torn'): VerifyReport => ({
    status,
    message,
    ...(line !== undefined ? { line } : {}),
    ...(kind !== undefined ? { kind } : {}),
    records: seenBySeq.size,
    head,
    anchored,
    tornKept,
    warnings,
  });
  const tampered = (kind: TamperKind, line: number, message: string) => result('tampered', `line ${line}: ${kind}: ${message}`, line, kind);

  const expectedSeq = () => (head ? head.seq + 1 : 1);
  const lastHash = () => (head ? head.hash : GENESIS_PREV);
  /** Whether the line after index i continues the chain as if line i were not there. */
  const skippedOver = (i: number) => {
    const next = entries[i + 1]?.record;
    return next !== undefined && entries[i + 1]!.valid && next.seq === expectedSeq() && next.prev === lastHash();
  };

  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const line = i + 1;
    const record = entry.record;
    if (!record) {
      if (i === entries.length - 1 && !endsWithNewline) {
        tornTail = { line, bytes: Buffer.byteLength(entry.raw), sha256: sha256Hex(entry.raw) };
        break;
      }
      const marker = entries[i + 1];
      const mark = marker?.valid ? marker.record?.torn : undefined;
      if (mark && mark.line === line && mark.bytes === Buffer.byteLength(entry.raw) && mark.sha256 === sha256Hex(entry.raw)) {
        tornKept.push(mark);
        continue;
      }
      if (mark && mark.line === line) {
        return tampered('changed', line, `the torn line kept from a crash no longer matches the SHA-256 its marker (line ${line + 1}) recorded`);
      }
      return tampered(skippedOver(i) ? 'inserted' : 'changed', line, `not a valid record (${entry.error})`);
    }
    if (!entry.valid) {
      return tampered(skippedOver(i) ? 'inserted' : 'changed', line, `record seq ${record.seq}: its hash does not match its content`);
    }
    if (record.torn && !(tornKept.at(-1)?.line === record.torn.line && record.torn.line === line - 1)) {
      return tampered('changed', line, `record seq ${record.seq} marks line ${record.torn.line} as torn, but that line is not a kept torn line`);
    }
    const expected = expectedSeq();
    if (record.seq > expected) {
      const later = entries.slice(i + 1);
      const duplicate = later.findIndex((e) => e.valid && e.record?.seq === record.seq && e.record.hash === record.hash);
      if (duplicate >= 0) return tampered('inserted', line, `record seq ${record.seq} is a copy of line ${i + 2 + duplicate}`);
      const missing = later.findIndex((e) => e.valid && e.record?.seq === expected);
      if (missing >= 0) {
        return tampered('reordered', line, `found seq ${record.seq} where seq ${expected} belongs; seq ${expected} is at line ${i + 2 + missing}`);
      }
      const range = record.seq - 1 === expected ? `seq ${expected} is` : `seq ${expected}..${record.seq - 1} are`;
      return tampered('deleted', line, `${range} missing before this line`);
    }
    if (record.seq < expected) {
      const first = seenBySeq.get(record.seq);
      if (first && first.hash === record.hash) return tampered('inserted', line, `record seq ${record.seq} is a copy of line ${first.line}`);
      const before = record.seq === 1 ? GENESIS_PREV : seenBySeq.get(record.seq - 1)?.hash;
      if (first && record.prev === before) {
        return tampered('inserted', first.line, `line ${line} continues the chain from seq ${record.seq - 1}, so the record(s) from line ${first.line} to line ${line - 1} were inserted`);
      }
      return tampered('reordered', line, `found seq ${record.seq} after seq ${expected - 1}`);
    }
    if (record.prev !== lastHash()) {
      if (skippedOver(i)) return tampered('inserted', line, `record seq ${record.seq} does not chain to line ${lastLine}; the next line does`);
      return tampered('changed', line, `record seq ${record.seq} does not chain to the record before it (prev hash mismatch)`);
    }
    const anchoredHash = anchorBySeq.get(record.seq);
    if (anchoredHash !== undefined && anchoredHash !== record.hash) {
      return tampered('changed', line, `record seq ${record.seq} differs from the anchored head ${record.seq}:${anchoredHash}`);
    }
    if (options.expectedHead && options.expectedHead.seq === record.seq && options.expectedHead.hash !== record.hash) {
      return tampered('changed', line, `record seq ${record.seq} differs from --head ${formatHead(options.expectedHead)}`);
    }
    seenBySeq.set(record.seq, { line, hash: record.hash });
    head = { seq: record.seq, hash: record.hash };
    lastLine = line;
  }

  const endLine = tornTail ? tornTail.line : entries.length + 1;
  if (lastOutside && (head === null || lastOutside.seq > head.seq)) {
    const source = options.expectedHead?.seq === lastOutside.seq ? '--head' : 'the anchor';
    return tampered('truncated', endLine, `the log ends at seq ${head?.seq ?? 0} but ${source} records head ${formatHead(lastOutside)}`);
  }
  if (head === null && !tornTail) return tampered('truncated', 1, 'the log holds no records');
  if (tornTail) {
    const last = head ? `seq ${head.seq}` : 'no complete record';
    if (!anchored) {
      warnings.push('no anchor or --head to check against: a cut tail cannot be told from a crash');
      return result('torn', `line ${tornTail.line}: torn last line (${tornTail.bytes} bytes, incomplete write after ${last}); not anchored`, tornTail.line, 'torn');
    }
    if (lastOutside && head && lastOutside.seq === head.seq) {
      return result('torn', `line ${tornTail.line}: torn last line (${tornTail.bytes} bytes) after the anchored head ${formatHead(head)}: a crash mid-write`, tornTail.line, 'torn');
    }
    return tampered('changed', tornTail.line, `incomplete last line, but the anchored head (${lastOutside ? formatHead(lastOutside) : 'none'}) is not the last complete record (${last})`);
  }
  if (lastOutside && head && head.seq > lastOutside.seq) {
    warnings.push(`${head.seq - lastOutside.seq} record(s) after the last anchored head ${formatHead(lastOutside)} are covered by the chain only`);
  }
  if (!anchored) warnings.push('no anchor or --head to check against: truncation of the tail cannot be detected');
  const marked = tornKept.length ? `; ${tornKept.length} torn line(s) kept and marked` : '';
  return result('intact', `intact: ${seenBySeq.size} records, head ${formatHead(head!)}${marked}`);
}
