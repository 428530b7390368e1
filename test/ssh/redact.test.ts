import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MASK, createStreamRedactor, redactText, secretForms } from '../../source/core/secrets/redact.js';
import { createChunkRedactor, redactResult } from '../../source/core/secrets/chunks.js';

function streamAll(chunks: string[], secrets: string[]) {
  const r = createStreamRedactor(secrets);
  const out: string[] = [];
  let maxHeld = 0;
  for (const c of chunks) {
    out.push(r.push(c));
    maxHeld = Math.max(maxHeld, r.pending);
  }
  out.push(r.flush());
  return { text: out.join(''), maxHeld, pieces: out };
}

describe('redactText', () => {
  it('masks every occurrence of every secret', () => {
    expect(redactText('PGPASSWORD=hunter2 psql; echo hunter2', ['hunter2'])).toBe(`PGPASSWORD=${MASK} psql; echo ${MASK}`);
  });
  it('prefers the longer secret and ignores empty ones', () => {
    expect(redactText('abcdef abc', ['abc', 'abcdef', ''])).toBe(`${MASK} ${MASK}`);
  });
  it('returns text unchanged without secrets', () => {
    expect(redactText('plain', [])).toBe('plain');
  });
});

describe('stream redactor', () => {
  it('never lets a secret through when it arrives one character per chunk', () => {
    const secret = 's3cr3t-Pa55';
    const text = `before ${secret} middle ${secret}${secret} after`;
    const { text: out, pieces, maxHeld } = streamAll([...text], [secret]);
    expect(out).toBe(`before ${MASK} middle ${MASK}${MASK} after`);
    expect(pieces.join('')).not.toContain(secret);
    // At most a proper prefix of the longest form (here the hex) plus the base64 character before it.
    expect(maxHeld).toBeLessThanOrEqual(Math.max(...secretForms(secret).map((f) => f.length)));
  });

  it('keeps other output streaming: only a possible secret prefix (and a trailing base64 character) is held back', () => {
    const r = createStreamRedactor(['password']);
    expect(r.push('hello world\n')).toBe('hello world\n');
    expect(r.push('pass')).toBe('');
    expect(r.pending).toBe(4);
    // The last letter could be the first character of a base64 value that encodes the secret: held until the next chunk.
    expect(r.push('ive')).toBe('passiv');
    expect(r.push('x pass')).toBe('ex ');
    expect(r.push('word!')).toBe(`${MASK}!`);
    expect(r.flush()).toBe('');
  });

  it('flushes a held prefix that never completed', () => {
    const r = createStreamRedactor(['password']);
    expect(r.push('pass')).toBe('');
    expect(r.flush()).toBe('pass');
  });

  it('redacts any chunking of random text with embedded secrets (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 3, maxLength: 12 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.oneof(fc.string({ maxLength: 20 }), fc.constant('\u0000S')), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }),
        (secrets, parts, sizes) => {
          const text = parts.map((p, i) => p + (secrets[i % secrets.length] ?? '')).join('');
          const chunks: string[] = [];
          let pos = 0;
          let i = 0;
          while (pos < text.length) {
            const n = sizes[i++ % sizes.length]!;
            chunks.push(text.slice(pos, pos + n));
            pos += n;
          }
          const { text: out, maxHeld } = streamAll(chunks, secrets);
          // Same result as redacting the whole text at once, and no secret survives.
          expect(out).toBe(redactText(text, secrets));
          for (const s of secrets) if (!MASK.includes(s)) expect(out).not.toContain(s);
          const forms = secrets.flatMap(secretForms);
          const longest = Math.max(...forms.map((s) => s.length));
          // The bound (a proper prefix of a form plus one base64 character before it) holds unless a form's
          // proper suffix starts a form (itself included): then a completed match and the possible
          // overlapping one are held whole, so no fragment leaks.
          const overlapping = forms.some((a) => forms.some((b) => [...Array(a.length).keys()].some((k) => k > 0 && b.startsWith(a.slice(k)))));
          if (!overlapping) expect(maxHeld).toBeLessThanOrEqual(longest);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('chunk redactor and results', () => {
  it('redacts per stream and flushes held tails with the last timestamp', () => {
    const r = createChunkRedactor(['topsecret']);
    const at = '2026-01-01T00:00:00.000Z';
    expect(r.push({ stream: 'stdout', data: 'x top', at })).toEqual({ stream: 'stdout', data: 'x ', at });
    expect(r.push({ stream: 'stderr', data: 'err\n', at })).toEqual({ stream: 'stderr', data: 'err\n', at });
    expect(r.push({ stream: 'stdout', data: 'secret y\n', at })).toEqual({ stream: 'stdout', data: `${MASK} y\n`, at });
    expect(r.push({ stream: 'stdout', data: 'top', at })).toBeNull();
    expect(r.flush()).toEqual([{ stream: 'stdout', data: 'top', at }]);
  });

  it('redacts command, output and message of a result', () => {
    const result = redactResult(
      { host: 'h', command: 'echo k3y', exitCode: 0, signal: null, startedAt: '', finishedAt: '', durationMs: 1, outcome: 'ok', stdout: 'k3y\n', stderr: '', message: 'k3y' },
      ['k3y'],
    );
    expect(JSON.stringify(result)).not.toContain('k3y');
  });
});

describe('encoded forms of a secret', () => {
  const secret = 'p@ss w0rd/+:é&x';

  it('masks the URL-encoded forms: a password inside a DSN, form style with + for spaces, lower-case hex escapes', () => {
    const uri = encodeURIComponent(secret);
    expect(redactText(`postgres://app:${uri}@db:5432/app`, [secret])).toBe(`postgres://app:${MASK}@db:5432/app`);
    expect(redactText(`password=${new URLSearchParams({ s: secret }).toString().slice(2)}&user=app`, [secret])).toBe(`password=${MASK}&user=app`);
    expect(redactText(`x=${uri.replace(/%20/g, '+')}`, [secret])).toBe(`x=${MASK}`);
    expect(redactText(`x=${uri.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())}`, [secret])).toBe(`x=${MASK}`);
  });

  it('masks base64 and base64url of the secret alone, padded or not', () => {
    const b64 = Buffer.from(secret).toString('base64');
    for (const form of [b64, b64.replace(/=+$/, ''), Buffer.from(secret).toString('base64url')]) {
      expect(redactText(`token: ${form}\n`, [secret])).toBe(`token: ${MASK}\n`);
    }
  });

  it('masks the secret inside a longer base64 value at every byte offset (Basic auth user:password), edges and padding included', () => {
    for (const user of ['a', 'ab', 'abc', 'operator']) {
      const header = `Authorization: Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}\r\n`;
      const out = redactText(header, [secret]);
      expect(out).toContain(MASK);
      // What is left of the encoded value decodes to the user name's bytes at most: nothing of the secret.
      const rest = out.slice('Authorization: Basic '.length, out.indexOf(MASK));
      expect(out.endsWith(`${MASK}\r\n`)).toBe(true);
      expect(Buffer.from(`${user}:${secret}`).toString('base64').startsWith(rest)).toBe(true);
      expect(rest.length).toBeLessThanOrEqual(Math.floor((8 * (user.length + 1)) / 6));
      const urlSafe = redactText(Buffer.from(`${user}:${secret}`).toString('base64url'), [secret]);
      expect(urlSafe.endsWith(MASK)).toBe(true);
    }
  });

  it('masks hex and JSON-escaped forms', () => {
    expect(redactText(`hex ${Buffer.from(secret).toString('hex')} HEX ${Buffer.from(secret).toString('hex').toUpperCase()}`, [secret])).toBe(`hex ${MASK} HEX ${MASK}`);
    expect(redactText(JSON.stringify({ password: 'a"b\\c-long-enough' }), ['a"b\\c-long-enough'])).toBe(`{"password":"${MASK}"}`);
  });

  it('catches an encoded form split across chunks, one character at a time', () => {
    const text = `Basic ${Buffer.from(`admin:${secret}`).toString('base64')} and ${encodeURIComponent(secret)} done\n`;
    const { text: out } = streamAll([...text], [secret]);
    expect(out).toBe(redactText(text, [secret]));
    expect(out).toBe(`Basic ${redactText(Buffer.from(`admin:${secret}`).toString('base64'), [secret])} and ${MASK} done\n`);
    expect(out).not.toContain(encodeURIComponent(secret));
  });
});
