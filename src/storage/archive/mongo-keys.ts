/**
 * Keys of stored MongoDB documents that can never act as operators: a key
 * beginning with `$` or holding a `.` is encoded, reversibly, before a body
 * is stored, and decoded when it is read. `%` is the escape: `%25` stands
 * for `%`, `%2E` for `.`, a leading `%24` for `$`. Every literal `%` is
 * escaped, so decoding is unambiguous and `decodeKey(encodeKey(k)) === k`
 * for every string.
 */

/** Levels walked at most (the archived body is already bounded to 100). */
const MAX_DEPTH = 128;

/** `key` as stored (see the module comment). */
export function encodeKey(key: string): string {
  const escaped =
    key.includes('%') || key.includes('.')
      ? key.replaceAll('%', '%25').replaceAll('.', '%2E')
      : key;
  return escaped.startsWith('$') ? `%24${escaped.slice(1)}` : escaped;
}

/** The key `encodeKey` was given. */
export function decodeKey(key: string): string {
  return key.includes('%')
    ? key.replace(/%(25|2E|24)/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    : key;
}

/** Sets `key` as an own property (a `__proto__` key stays data, never a prototype). */
export function ownProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** `value` with every object key mapped by `map`, at any depth (plain JSON data). */
function mapKeys(value: unknown, map: (key: string) => string, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) throw new Error(`a document deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((v) => mapKeys(v, map, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) ownProperty(out, map(k), mapKeys(v, map, depth + 1));
  return out;
}

/**
 * Plain JSON data with every key encoded: safe to store as a MongoDB document.
 *
 * @example
 * ```ts
 * encodeKeys({ $where: 1, 'a.b': { $gt: '' } }); // { '%24where': 1, 'a%2Eb': { '%24gt': '' } }
 * ```
 */
export function encodeKeys(value: unknown): unknown {
  return mapKeys(value, encodeKey, 0);
}

/** The data `encodeKeys` was given. */
export function decodeKeys(value: unknown): unknown {
  return mapKeys(value, decodeKey, 0);
}
