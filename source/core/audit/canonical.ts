// Canonical serialization for hashing audit records: JSON with object keys sorted (by UTF-16 code
// units, as Array.prototype.sort does), no whitespace, `undefined` members dropped, strings and
// numbers exactly as JSON.stringify writes them. For the JSON values hatui logs this is the
// RFC 8785 (JCS) form, so any JCS implementation reproduces the bytes that were hashed.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function canonicalize(value: unknown): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot canonicalize non-finite number ${value}`);
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        return '[' + value.map((item) => (item === undefined ? 'null' : canonicalize(item))).join(',') + ']';
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).filter((key) => record[key] !== undefined).sort();
      return '{' + keys.map((key) => JSON.stringify(key) + ':' + canonicalize(record[key])).join(',') + '}';
    }
    default:
      throw new TypeError(`cannot canonicalize a ${typeof value}`);
  }
}
