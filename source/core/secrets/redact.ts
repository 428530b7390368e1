// Secret redaction (pure). Every secret value, and every encoded form of it that `secretForms` lists
// (URL-encoded, JSON-escaped, hex, base64 alone or inside a longer base64 value), is replaced by MASK in
// what is shown or recorded: whole texts (echoed command lines, log lines) with redactText, and streamed
// output with a per-stream redactor that also catches a secret split across chunks. The stream redactor
// holds back only the tail that could still become a form (at most len(longest form) characters), so
// other output keeps flowing. What is not caught is written down in docs/ssh.md.

export const MASK = '••••';

/** One text to mask: a secret or an encoding of it. `edges`: also mask the base64 characters around it. */
interface Form {
  text: string;
  edges: boolean;
}

/** A base64 span shorter than this is not masked on its own (it would match unrelated output). */
const MIN_CORE = 6;
const B64_CHAR = /[A-Za-z0-9+/_-]/;

const toUrlSafe = (b64: string) => b64.replace(/\+/g, '-').replace(/\//g, '_');

/**
 * The base64 characters that encode only bytes of the secret when it sits at byte offset k (mod 3)
 * inside a longer encoded value, as in `Authorization: Basic base64(user:password)`: the characters
 * at both ends also carry bits of the neighbouring bytes, so they differ per context and are masked
 * as edges instead.
 */
function base64Cores(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const encoded = Buffer.concat([Buffer.alloc(k), bytes, Buffer.alloc(3)]).toString('base64');
    const core = encoded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6));
    if (core.length >= MIN_CORE) out.push(core);
  }
  return out;
}

/**
 * Every form of a secret that is masked: the value itself; URL-encoded (encodeURIComponent, with
 * lower-case hex too, and form style with `+` for spaces); JSON-escaped; hex; base64 and base64url of
 * the value alone (padded and not) and inside a longer base64 value (Basic auth `user:password`, a
 * DSN encoded whole). docs/ssh.md lists what is not caught.
 */
export function secretForms(secret: string): string[] {
  return formsOf(secret).map((f) => f.text);
}

function formsOf(secret: string): Form[] {
  const bytes = Buffer.from(secret, 'utf8');
  const uri = encodeURIComponent(secret);
  const plain = [
    secret,
    uri,
    uri.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
    uri.replace(/%20/g, '+'),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    bytes.toString('base64'),
    bytes.toString('base64').replace(/=+$/, ''),
    toUrlSafe(bytes.toString('base64')),
    bytes.toString('base64url'),
  ];
  const cores = base64Cores(bytes).flatMap((c) => [c, toUrlSafe(c)]);
  const seen = new Set<string>();
  const forms: Form[] = [];
  for (const [text, edges] of [...plain.map((t) => [t, false] as const), ...cores.map((t) => [t, true] as const)]) {
    if (text.length > 0 && !seen.has(text)) {
      seen.add(text);
      forms.push({ text, edges });
    }
  }
  return forms;
}

/** Every form of every distinct non-empty secret, longest first (so a longer one wins over its own prefix). */
function normalizeForms(secrets: Iterable<string>): Form[] {
  const byText = new Map<string, Form>();
  for (const s of secrets) {
    if (typeof s !== 'string' || s.length === 0) continue;
    for (const f of formsOf(s)) if (!byText.get(f.text)?.edges) byText.set(f.text, f);
  }
  return [...byText.values()].sort((a, b) => b.text.length - a.text.length);
}

/** Distinct non-empty secrets and their encoded forms, longest first. */
export function normalizeSecrets(secrets: Iterable<string>): string[] {
  return normalizeForms(secrets).map((f) => f.text);
}

/**
 * Merged [start, end) ranges of every occurrence of every form in text. A base64 core also takes the
 * base64 character before it and the one after it (each carries part of the secret's first or last
 * byte) and any `=` padding that follows.
 */
function matchRanges(text: string, forms: readonly Form[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const form of forms) {
    let from = 0;
    for (;;) {
      const at = text.indexOf(form.text, from);
      if (at < 0) break;
      let s = at;
      let e = at + form.text.length;
      if (form.edges) {
        if (s > 0 && B64_CHAR.test(text[s - 1]!)) s--;
        if (e < text.length && B64_CHAR.test(text[e]!)) e++;
        while (e < text.length && text[e] === '=') e++;
      }
      ranges.push([s, e]);
      from = at + 1;
    }
  }
  if (ranges.length < 2) return ranges;
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] < last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

function applyMask(text: string, ranges: ReadonlyArray<readonly [number, number]>, end: number): string {
  let out = '';
  let pos = 0;
  for (const [s, e] of ranges) {
    if (s >= end) break;
    out += text.slice(pos, s) + MASK;
    pos = e;
  }
  return out + text.slice(pos, end);
}

/** Replaces every occurrence of every secret (and of its encoded forms) in text by MASK. */
export function redactText(text: string, secrets: Iterable<string>): string {
  const forms = normalizeForms(secrets);
  if (forms.length === 0 || text.length === 0) return text;
  return applyMask(text, matchRanges(text, forms), text.length);
}

export interface StreamRedactor {
  /** Feed one chunk; returns what may be shown now (possibly ''). */
  push(chunk: string): string;
  /** End of stream: returns the held-back tail, redacted. */
  flush(): string;
  /** Characters currently held back. */
  readonly pending: number;
}

/** A redactor for ONE output stream (use one per stdout/stderr). */
export function createStreamRedactor(secrets: Iterable<string>): StreamRedactor {
  const forms = normalizeForms(secrets);
  const longest = forms[0]?.text.length ?? 0;
  const edges = forms.some((f) => f.edges);
  let held = '';

  /** Earliest index from which the tail of text is a proper prefix of some form (text.length if none). */
  function holdStart(text: string): number {
    const first = Math.max(0, text.length - longest + 1);
    let at = text.length;
    for (let i = first; i < text.length; i++) {
      const tail = text.slice(i);
      if (forms.some((f) => f.text.length > tail.length && f.text.startsWith(tail))) {
        at = i;
        break;
      }
    }
    // A base64 core masks the base64 character before it too: keep that one back until it is known.
    return edges && at > 0 && B64_CHAR.test(text[at - 1]!) ? at - 1 : at;
  }

  return {
    push(chunk: string): string {
      if (forms.length === 0) return chunk;
      const text = held + chunk;
      const ranges = matchRanges(text, forms);
      let cut = holdStart(text);
      // A complete match that straddles the cut is kept whole with the held tail (two forms overlap), and
      // one reaching the end may still grow (a base64 core's trailing edge and padding): neither part is
      // shown unmasked before it is complete.
      for (const [s, e] of ranges) if (s < cut && (e > cut || (edges && e === text.length))) cut = s;
      held = text.slice(cut);
      return applyMask(text, ranges, cut);
    },
    flush(): string {
      const text = held;
      held = '';
      return forms.length === 0 ? text : applyMask(text, matchRanges(text, forms), text.length);
    },
    get pending() {
      return held.length;
    },
  };
}
