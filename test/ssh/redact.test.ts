import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MASK, createStreamRedactor, redactText } from '../../source/core/secrets/redact.js';
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
    expect(maxHeld).toBeLessThanOrEqual(secret.length - 1);
  });

  it('keeps other output streaming: only a possible secret prefix is held back', () => {
    const r = createStreamRedactor(['password']);
    expect(r.push('hello world\n')).toBe('hello world\n');
    expect(r.push('pass')).toBe('');
    expect(r.pending).toBe(4);
    expect(r.push('ive')).toBe('passive');
    expect(r.push('x pass')).toBe('x ');
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
          const longest = Math.max(...secrets.map((s) => s.length));
          // The bound holds unless a secret's proper suffix starts a secret (itself included): then a
          // completed match and the possible overlapping one are held whole, so no fragment leaks.
          const overlapping = secrets.some((a) => secrets.some((b) => [...Array(a.length).keys()].some((k) => k > 0 && b.startsWith(a.slice(k)))));
          if (!overlapping) expect(maxHeld).toBeLessThanOrEqual(longest - 1);
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
    expect(r.push({ stream: 'stderr', data: 'err', at })).toEqual({ stream: 'stderr', data: 'err', at });
    expect(r.push({ stream: 'stdout', data: 'secret y', at })).toEqual({ stream: 'stdout', data: `${MASK} y`, at });
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
