// One audit record per line: `{seq, at, prev, hash, event}` (plus `torn` on the record that marks a
// torn line kept from a crash). `hash` is SHA-256 (hex) over the canonical serialization of every
// other member; `prev` is the previous record's hash (64 zeros for the first record), so each
// record commits to the whole history before it. node:crypto is pure computation here.
import { createHash } from 'node:crypto';
import type { RunEvent } from '../engine/events.js';
import { canonicalize } from './canonical.js';

export const GENESIS_PREV = '0'.repeat(64);

/** What the record after a crash says about the torn (incomplete) line it follows. */
export interface TornLineMark {
  /** 1-based line number of the torn line in the file. */
  line: number;
  /** Its length in bytes (without the newline hatui added after it on resume). */
  bytes: number;
  /** SHA-256 (hex) of its bytes, so the kept line is bound into the chain. */
  sha256: string;
}

export interface AuditRecord {
  seq: number;
  /** UTC ISO time the record was written. */
  at: string;
  prev: string;
  hash: string;
  event: RunEvent;
  torn?: TornLineMark;
}

export type UnsealedRecord = Omit<AuditRecord, 'hash'>;

export interface Head {
  seq: number;
  hash: string;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hashRecord(record: UnsealedRecord): string {
  const { seq, at, prev, event, torn } = record;
  return sha256Hex(canonicalize({ seq, at, prev, event, torn }));
}

export function sealRecord(record: UnsealedRecord): AuditRecord {
  return { ...record, hash: hashRecord(record) };
}

/** The line written to the file (without the trailing newline). */
export function serializeRecord(record: AuditRecord): string {
  return canonicalize(record);
}

/** Builds the record that follows `head` (or the first record when `head` is null). */
export function nextRecord(head: Head | null, event: RunEvent, at: string, torn?: TornLineMark): AuditRecord {
  return sealRecord({ seq: head ? head.seq + 1 : 1, at, prev: head ? head.hash : GENESIS_PREV, event, ...(torn ? { torn } : {}) });
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Parses one line into a record shape, or returns why it is not one. Does not check the hash. */
export function parseRecordLine(line: string): { record: AuditRecord } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { error: `not JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'not a JSON object' };
  const r = value as Record<string, unknown>;
  if (!Number.isSafeInteger(r.seq) || (r.seq as number) < 1) return { error: 'missing or bad `seq`' };
  if (typeof r.at !== 'string') return { error: 'missing `at`' };
  if (typeof r.prev !== 'string' || !HEX64.test(r.prev)) return { error: 'missing or bad `prev`' };
  if (typeof r.hash !== 'string' || !HEX64.test(r.hash)) return { error: 'missing or bad `hash`' };
  const event = r.event as { type?: unknown } | null;
  if (typeof event !== 'object' || event === null || typeof event.type !== 'string') return { error: 'missing `event`' };
  return { record: value as AuditRecord };
}

export function formatHead(head: Head): string {
  return `${head.seq}:${head.hash}`;
}

/** Parses `seq:hash` (as printed at the end of a run); null when malformed. */
export function parseHead(text: string): Head | null {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(text.trim());
  if (!match) return null;
  const seq = Number(match[1]);
  return Number.isSafeInteger(seq) && seq >= 1 ? { seq, hash: match[2]! } : null;
}
