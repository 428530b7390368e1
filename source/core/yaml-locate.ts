// Maps paths inside a parsed YAML document (e.g. zod issue paths) back to line/column, so problems in
// front matter and inventories are reported as `file:line:col`. Pure: works on text already read.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { SourcePosition } from './runbook/model.js';

export interface YamlText {
  doc: Document;
  lineCounter: LineCounter;
  /** YAML syntax errors with their 1-based position within this text. */
  errors: { message: string; position: SourcePosition }[];
}

export function parseYamlText(text: string): YamlText {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const errors = doc.errors.map((e) => {
    const at = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
    // Pretty messages append a source excerpt after a blank line; keep the first line only.
    const message = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
    return { message, position: { line: at.line, column: at.col } };
  });
  return { doc, lineCounter, errors };
}

/** The document as plain JS, or an error located in the text (e.g. an alias to an anchor never set). */
export function yamlToJS(yaml: YamlText): { ok: true; data: unknown } | { ok: false; message: string; position: SourcePosition } {
  try {
    return { ok: true, data: yaml.doc.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, message, position: { line: 1, column: 1 } };
  }
}

/**
 * Position of the node at `path`, or of its deepest existing ancestor. With `key`, the position of that
 * key inside the map at `path` (for unknown-key problems).
 */
export function locate(yaml: YamlText, path: readonly PropertyKey[], key?: string): SourcePosition {
  let node: unknown = yaml.doc.contents;
  let best: unknown = node;
  const segments = key === undefined ? path : [...path, key];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const last = i === segments.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      // For the key of an unknown-key problem, or a key with no value, point at the key itself.
      if ((last && key !== undefined) || pair.value === null) {
        best = pair.key;
        break;
      }
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) break;
      node = item;
    } else break;
    best = node;
  }
  const range = (best as { range?: [number, number, number] } | null)?.range;
  const offset = range ? range[0] : 0;
  const pos = yaml.lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** Offsets a position inside embedded YAML (e.g. front matter starting after line `lineOffset`). */
export function shift(pos: SourcePosition, lineOffset: number): SourcePosition {
  return { line: pos.line + lineOffset, column: pos.column };
}
