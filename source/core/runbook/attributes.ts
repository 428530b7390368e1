// Attribute blocks: `{#id key=value key="quoted value" key='single'}` ending a heading or a fence info
// string. Pure tokenizer; the caller decides which keys are allowed and what values mean.

export interface Attribute {
  key: string;
  value: string;
  /** 0-based offset of the key within the scanned text. */
  offset: number;
  /** 0-based offset of the value (after an opening quote, if any). */
  valueOffset: number;
}

export interface AttributeBlock {
  /** `#id` if present. */
  id?: { value: string; offset: number };
  attributes: Attribute[];
  /** Offset of the opening `{`. */
  offset: number;
}

export type BlockScan =
  | { kind: 'none' }
  | { kind: 'block'; block: AttributeBlock; before: string }
  | { kind: 'error'; message: string; offset: number };

const KEY = /[A-Za-z][\w-]*/y;
const LOOKS_LIKE_BLOCK = /\{\s*(#|[A-Za-z][\w-]*\s*=)/y;

/** Finds the attribute block that ends `text` (trailing whitespace allowed). */
export function scanTrailingBlock(text: string): BlockScan {
  let firstError: { message: string; offset: number } | undefined;
  for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i + 1)) {
    const result = tokenize(text, i);
    if ('block' in result) return { kind: 'block', block: result.block, before: text.slice(0, i) };
    LOOKS_LIKE_BLOCK.lastIndex = i;
    if (!firstError && LOOKS_LIKE_BLOCK.test(text)) firstError = result;
  }
  return firstError ? { kind: 'error', ...firstError } : { kind: 'none' };
}

function tokenize(text: string, open: number): { block: AttributeBlock } | { message: string; offset: number } {
  const block: AttributeBlock = { attributes: [], offset: open };
  let i = open + 1;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) return { message: 'attribute block is not closed with }', offset: open };
    const c = text[i]!;
    if (c === '}') {
      if (text.slice(i + 1).trim() !== '') return { message: 'text after the attribute block', offset: i + 1 };
      return { block };
    }
    if (c === '#') {
      const start = i;
      i++;
      while (i < text.length && !/[\s}]/.test(text[i]!)) i++;
      const value = text.slice(start + 1, i);
      if (block.id) return { message: `a second #id (#${value}) in one attribute block`, offset: start };
      block.id = { value, offset: start };
      continue;
    }
    KEY.lastIndex = i;
    const key = KEY.exec(text);
    if (!key) return { message: `unexpected '${c}' in attribute block (expected #id or key=value)`, offset: i };
    const keyOffset = i;
    i = KEY.lastIndex;
    if (text[i] !== '=') return { message: `attribute '${key[0]}' needs a value (${key[0]}=…)`, offset: keyOffset };
    i++;
    const q = text[i];
    let value: string;
    let valueOffset: number;
    if (q === '"' || q === "'") {
      valueOffset = i + 1;
      let out = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== q; j++) {
        if (text[j] === '\\' && q === '"' && (text[j + 1] === '"' || text[j + 1] === '\\')) j++;
        out += text[j];
      }
      if (j >= text.length) return { message: `unterminated ${q} quote in attribute '${key[0]}'`, offset: i };
      value = out;
      i = j + 1;
    } else {
      valueOffset = i;
      const start = i;
      while (i < text.length && !/[\s}]/.test(text[i]!)) i++;
      value = text.slice(start, i);
    }
    block.attributes.push({ key: key[0], value, offset: keyOffset, valueOffset });
  }
}

/** Stable slug for a heading without `#id`: lower-case words joined by `-`. */
export function slugify(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

export const ID_PATTERN = /^[A-Za-z0-9][\w-]*$/;
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
