import { describe, expect, it } from 'vitest';
import { createHash, createHmac, generateKeyPairSync } from 'node:crypto';
import {
  fingerprintOf,
  formatKnownHostsLine,
  hostsFieldMatches,
  keyTypeOf,
  knownHostsName,
  parseKnownHosts,
  verifyHostKey,
} from '../../source/adapters/ssh/known-hosts.js';

/** An ssh-ed25519 public key blob (string type, string key) from a fresh key pair. */
function ed25519Blob(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const type = Buffer.from('ssh-ed25519');
  const len = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  return Buffer.concat([len(type.length), type, len(raw.length), raw]);
}

/** A hashed name the way `ssh-keygen -H` writes it: HMAC-SHA1 keyed with the salt. */
function hashedName(name: string, salt: Buffer): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

// Written by OpenSSH 9.2 `ssh-keygen -H` for [127.0.0.1]:57900; `ssh-keygen -lf` printed the fingerprint.
const OPENSSH_HASHED =
  '|1|FugoP9dqubYu7IBolSxZQlSx/8I=|RPP3h1wifyrtsY+yHf3ug7EkK48= ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII4vumbg3XNb9gd+odxOB4fg7sjMxirbNHJ3rcyfsIOV\n';
const OPENSSH_FINGERPRINT = 'SHA256:6AZAXaf5duwqspBpCX18T8hWYwMnao75xrWqZqCnMZE';

describe('known_hosts', () => {
  const key = ed25519Blob();
  const other = ed25519Blob();
  const b64 = key.toString('base64');

  it('fingerprints like OpenSSH: SHA256: and unpadded base64', () => {
    const fp = fingerprintOf(key);
    expect(fp).toBe('SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, ''));
    expect(fp).not.toMatch(/=$/);
    expect(fp).toHaveLength(7 + 43);
    expect(keyTypeOf(key)).toBe('ssh-ed25519');
  });

  it('uses [host]:port for non-22 ports', () => {
    expect(knownHostsName('10.0.0.1', 22)).toBe('10.0.0.1');
    expect(knownHostsName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
    const entries = parseKnownHosts(`[127.0.0.1]:2222 ssh-ed25519 ${b64}\n`);
    expect(verifyHostKey(entries, '127.0.0.1', 2222, key).status).toBe('trusted');
    expect(verifyHostKey(entries, '127.0.0.1', 22, key).status).toBe('unknown');
    expect(verifyHostKey(entries, '127.0.0.1', 2223, key).status).toBe('unknown');
  });

  it('matches hashed |1|salt|hash entries, and only for the hashed name', () => {
    const salt = Buffer.from('0123456789abcdefghij');
    const text = `# comment\n\n${hashedName('[db1.example]:2222', salt)} ssh-ed25519 ${b64} comment here\n`;
    const entries = parseKnownHosts(text);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.line).toBe(3);
    expect(verifyHostKey(entries, 'db1.example', 2222, key)).toMatchObject({ status: 'trusted', line: 3 });
    expect(verifyHostKey(entries, 'db2.example', 2222, key).status).toBe('unknown');
  });

  it('verifies an entry hashed by OpenSSH ssh-keygen -H, with OpenSSH\'s fingerprint', () => {
    const blob = Buffer.from(OPENSSH_HASHED.split(' ')[2]!, 'base64');
    const entries = parseKnownHosts(OPENSSH_HASHED);
    expect(verifyHostKey(entries, '127.0.0.1', 57900, blob)).toEqual({ status: 'trusted', fingerprint: OPENSSH_FINGERPRINT, line: 1 });
    expect(verifyHostKey(entries, '127.0.0.1', 57901, blob).status).toBe('unknown');
  });

  it('round-trips a hashed line written by formatKnownHostsLine', () => {
    const line = formatKnownHostsLine('127.0.0.1', 57060, key, { hash: true });
    expect(line.startsWith('|1|')).toBe(true);
    expect(verifyHostKey(parseKnownHosts(line), '127.0.0.1', 57060, key).status).toBe('trusted');
  });

  it('supports comma lists, wildcards and negation', () => {
    expect(hostsFieldMatches('a.example,b.example', 'b.example')).toBe(true);
    expect(hostsFieldMatches('*.example,!bad.example', 'good.example')).toBe(true);
    expect(hostsFieldMatches('*.example,!bad.example', 'bad.example')).toBe(false);
    expect(hostsFieldMatches('db?', 'db1')).toBe(true);
    expect(hostsFieldMatches('db?', 'db12')).toBe(false);
    expect(hostsFieldMatches('10.0.0.1', '10.0.0.11')).toBe(false);
  });

  it('reports a mismatch with both fingerprints', () => {
    const entries = parseKnownHosts(`[h]:2222 ssh-ed25519 ${other.toString('base64')}\n`);
    const verdict = verifyHostKey(entries, 'h', 2222, key);
    expect(verdict).toEqual({
      status: 'mismatch',
      fingerprint: fingerprintOf(key),
      known: [{ keyType: 'ssh-ed25519', fingerprint: fingerprintOf(other), line: 1 }],
    });
  });

  it('refuses a @revoked key even when another line trusts it', () => {
    const entries = parseKnownHosts(`[h]:2222 ssh-ed25519 ${b64}\n@revoked * ssh-ed25519 ${b64}\n`);
    expect(verifyHostKey(entries, 'h', 2222, key)).toMatchObject({ status: 'revoked', line: 2 });
  });

  it('ignores @cert-authority lines and malformed lines', () => {
    const entries = parseKnownHosts(`@cert-authority *.example ssh-ed25519 ${b64}\ngarbage\n@weird h ssh-ed25519 ${b64}\n`);
    expect(verifyHostKey(entries, 'x.example', 22, key).status).toBe('unknown');
  });
});
