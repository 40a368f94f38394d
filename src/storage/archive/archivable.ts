/**
 * What a decoded body becomes in the archive: plain JSON data that both
 * engines store as it is. The decoders hand over JSON-like trees already,
 * but MessagePack and Protocol Buffers can carry what JSON cannot: bytes
 * (stored as base64 text), 64-bit integers (as decimal text), timestamps
 * (ISO 8601), non-finite numbers (`null`). A NUL character or a lone
 * surrogate, which PostgreSQL's `jsonb` cannot hold, becomes U+FFFD. The walk is bounded: the
 * decoders allow 64 levels, anything deeper than {@link MAX_ARCHIVE_DEPTH}
 * is stored as the text `[too deep]`.
 */
import { mayBeUnstorable, toStorableText } from '../../base/utils/pg-text.js';

/** The deepest level kept (the decoders stop at 64). */
export const MAX_ARCHIVE_DEPTH = 100;

/**
 * `value` as plain JSON data (see the module comment).
 *
 * @example
 * ```ts
 * archivable({ n: 10n, raw: new Uint8Array([1, 2]) }); // { n: '10', raw: 'AQI=' }
 * ```
 */
export function archivable(value: unknown, depth = 0): unknown {
  // What a JSON body decodes to is already plain JSON data, nearly always:
  // checked without copying, it is kept as it is (a copy per request cost
  // more than the rest of archiving it).
  return isPlainJson(value, depth) ? value : copied(value, depth);
}

/**
 * Whether `value` is plain JSON data that {@link archivable} would copy
 * unchanged: `null`, booleans, finite numbers, strings and keys without
 * NUL or surrogates, arrays without holes or `undefined`, objects of
 * `Object.prototype` without `undefined` values, all within the depth.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  if (value === null || typeof value === 'boolean') return true;
  if (typeof value === 'string') return !mayBeUnstorable(value);
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || depth >= MAX_ARCHIVE_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value) || !isPlainJson(value[i], depth + 1)) return false;
    }
    return true;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key in value) {
    if (!Object.hasOwn(value, key) || mayBeUnstorable(key)) return false;
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || !isPlainJson(v, depth + 1)) return false;
  }
  return true;
}

/** {@link archivable} by copying: each value made plain JSON data. */
function copied(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') return toStorableText(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return null;
  if (depth >= MAX_ARCHIVE_DEPTH) return '[too deep]';
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map((v) => archivable(v, depth + 1) ?? null);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    // defineProperty: a `__proto__` key stays data, never a prototype.
    Object.defineProperty(out, toStorableText(k), {
      value: archivable(v, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
