/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): one byte-exact text per value,
 * for content hashes, signatures, deduplication and cache keys.
 *
 * JCS is defined on top of ECMAScript's own `JSON.stringify` for primitives:
 * numbers use the ECMAScript Number-to-String algorithm and strings its
 * escaping, so those are delegated to `JSON.stringify`; what JCS adds is the
 * ordering of object keys by UTF-16 code units and the absence of whitespace.
 */

import { createHash } from 'node:crypto';
import { SerializationError, toJsonPointer } from '../exceptions/index.js';
import { isoString } from './iso-time.js';

/** Lone (unpaired) UTF-16 surrogates, which I-JSON (RFC 7493), and so JCS, forbids. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function refuse(reason: string, path: readonly (string | number)[]): never {
  const pointer = toJsonPointer(path);
  throw new SerializationError(
    'ALERTBASE_SERIALIZATION_FAILED',
    { format: 'canonical JSON', reason, pointer },
    {
      message: `cannot encode canonical JSON at ${pointer === '' ? '(root)' : pointer}: ${reason}`,
    },
  );
}

function encodeString(s: string, path: readonly (string | number)[]): string {
  if (LONE_SURROGATE.test(s)) refuse('string contains a lone UTF-16 surrogate', path);
  return JSON.stringify(s);
}

function hasToJson(value: object): value is { toJSON: (key: string) => unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

/**
 * Serializes `value` as RFC 8785 canonical JSON: keys sorted by UTF-16 code
 * units, ECMAScript number form (`1e+30`, `-0` → `0`), no whitespace.
 *
 * Beyond plain JSON values it accepts what `JSON.stringify` accepts, with
 * stricter rules where silence would corrupt a hash:
 * - a `Date` becomes its ISO 8601 string (an invalid Date is refused);
 * - an object with `toJSON()` is replaced by its result;
 * - object properties that are `undefined` are left out; `undefined` in an
 *   array becomes `null` (as `JSON.stringify`);
 * - refused: `NaN` and infinities, `bigint`, functions and symbols as values,
 *   `Map`, `Set`, typed arrays, strings with lone surrogates, cycles, and
 *   `undefined` at the top level.
 *
 * The same object may appear twice (a shared reference); only a cycle is refused.
 *
 * @throws SerializationError (`ALERTBASE_SERIALIZATION_FAILED`) whose context
 *   has `reason` and `pointer` (an RFC 6901 pointer to the offending value).
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, null, 1e30] }); // '{"a":[true,null,1e+30],"b":1}'
 * canonicalJson({ when: new Date(0) });           // '{"when":"1970-01-01T00:00:00.000Z"}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  const ancestors = new Set<object>();

  const encode = (v: unknown, path: (string | number)[], key: string): string | undefined => {
    switch (typeof v) {
      case 'string':
        return encodeString(v, path);
      case 'number':
        if (!Number.isFinite(v)) refuse(`${String(v)} is not a JSON number`, path);
        return JSON.stringify(v);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'undefined':
        return undefined;
      case 'bigint':
        return refuse('a bigint has no JSON form; convert it to a string or number first', path);
      case 'function':
      case 'symbol':
        return refuse(`a ${typeof v} has no JSON form`, path);
    }
    if (v === null) return 'null';
    const obj = v as object;
    if (obj instanceof Date) {
      if (Number.isNaN(obj.getTime())) refuse('invalid Date', path);
      return `"${isoString(obj)}"`;
    }
    if (ancestors.has(obj)) refuse('cyclic reference', path);
    if (hasToJson(obj)) {
      ancestors.add(obj);
      const out = encode(obj.toJSON(key), path, key);
      ancestors.delete(obj);
      return out;
    }
    if (obj instanceof Map || obj instanceof Set || ArrayBuffer.isView(obj)) {
      refuse(`a ${obj.constructor.name} has no canonical JSON form; convert it first`, path);
    }
    ancestors.add(obj);
    let out: string;
    if (Array.isArray(obj)) {
      const items: string[] = [];
      for (let i = 0; i < obj.length; i++) {
        path.push(i);
        items.push(encode(obj[i], path, String(i)) ?? 'null');
        path.pop();
      }
      out = `[${items.join(',')}]`;
    } else {
      const record = obj as Record<string, unknown>;
      // Default sort compares UTF-16 code units: exactly RFC 8785 § 3.2.3.
      const keys = Object.keys(record).sort();
      const members: string[] = [];
      for (const k of keys) {
        path.push(k);
        const encoded = encode(record[k], path, k);
        if (encoded !== undefined) members.push(`${encodeString(k, path)}:${encoded}`);
        path.pop();
      }
      out = `{${members.join(',')}}`;
    }
    ancestors.delete(obj);
    return out;
  };

  const text = encode(value, [], '');
  if (text === undefined) return refuse('undefined has no JSON form', []);
  return text;
}

/**
 * The SHA-256 of a value's canonical JSON (UTF-8), as 64 lowercase hex
 * digits. Equal data gives an equal hash whatever its key order.
 *
 * @throws SerializationError as `canonicalJson`.
 * @example
 * ```ts
 * contentHash({ a: 1, b: 2 }) === contentHash({ b: 2, a: 1 }); // true
 * ```
 */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}
