// OpenSSH known_hosts: parsing, host matching (plain patterns with * ? and !negation, hashed
// `|1|salt|hash` entries, `[host]:port` for non-22 ports), markers (@revoked refuses, @cert-authority is
// not supported and ignored), and the verdict for a presented host key. No file access here.
import { createHash, createHmac, randomBytes } from 'node:crypto';

export interface KnownHostEntry {
  /** 1-based line in the file, for messages. */
  line: number;
  marker: 'revoked' | 'cert-authority' | null;
  /** Comma-separated patterns, or one hashed `|1|salt|hash` name. */
  hosts: string;
  keyType: string;
  /** base64 key blob. */
  key: string;
}

export type HostKeyVerdict =
  | { status: 'trusted'; fingerprint: string; line: number }
  | { status: 'unknown'; fingerprint: string }
  | { status: 'mismatch'; fingerprint: string; known: Array<{ keyType: string; fingerprint: string; line: number }> }
  | { status: 'revoked'; fingerprint: string; line: number };

/** OpenSSH-style fingerprint of a key blob: `SHA256:` + unpadded base64 of its SHA-256. */
export function fingerprintOf(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/** The key type written inside an SSH public key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, …). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

/** The name known_hosts uses for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const fields = raw.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else continue; // unknown marker: ignore the line as OpenSSH does
    }
    const [hosts, keyType, key] = fields;
    if (!hosts || !keyType || !key) continue;
    entries.push({ line: i + 1, marker, hosts, keyType, key });
  }
  return entries;
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

function hashedMatches(hashed: string, name: string): boolean {
  const parts = hashed.split('|'); // ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2]!, 'base64');
  const expected = parts[3]!;
  return createHmac('sha1', salt).update(name).digest('base64') === expected;
}

/** Does the entry's host field match `name` (already in `[host]:port` form when needed)? */
export function hostsFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|')) return hashedMatches(hosts, name);
  let matched = false;
  for (const pattern of hosts.split(',')) {
    if (pattern === '') continue;
    if (pattern.startsWith('!')) {
      if (globToRegExp(pattern.slice(1)).test(name)) return false;
    } else if (globToRegExp(pattern).test(name)) {
      matched = true;
    }
  }
  return matched;
}

/** Key types already known for a host (to prefer them when negotiating, as OpenSSH does). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  return [...new Set(entries.filter((e) => e.marker === null && hostsFieldMatches(e.hosts, name)).map((e) => e.keyType))];
}

function blobFingerprint(base64: string): string {
  return fingerprintOf(Buffer.from(base64, 'base64'));
}

/** The verdict for the key a server presented. A host with known keys and none matching is a mismatch. */
export function verifyHostKey(entries: readonly KnownHostEntry[], host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const presented = keyBlob.toString('base64');
  const fingerprint = fingerprintOf(keyBlob);
  for (const e of entries) {
    if (e.marker === 'revoked' && e.key === presented) return { status: 'revoked', fingerprint, line: e.line };
  }
  const known = entries.filter((e) => e.marker === null && hostsFieldMatches(e.hosts, name));
  const hit = known.find((e) => e.key === presented);
  if (hit) return { status: 'trusted', fingerprint, line: hit.line };
  if (known.length === 0) return { status: 'unknown', fingerprint };
  return {
    status: 'mismatch',
    fingerprint,
    known: known.map((e) => ({ keyType: e.keyType, fingerprint: blobFingerprint(e.key), line: e.line })),
  };
}

/** One known_hosts line for a trusted key (plain, or hashed like `HashKnownHosts yes`). */
export function formatKnownHostsLine(host: string, port: number, keyBlob: Buffer, opts: { hash?: boolean; salt?: Buffer } = {}): string {
  const name = knownHostsName(host, port);
  let field = name;
  if (opts.hash) {
    const salt = opts.salt ?? randomBytes(20);
    field = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  return `${field} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}`;
}
