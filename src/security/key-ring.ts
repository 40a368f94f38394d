/**
 * The key ring of encryption at rest: named AES-256 keys, the newest of
 * which encrypts while every one still decrypts, so keys can be rotated
 * without downtime (`alertbase keys rotate` re-encrypts under the newest).
 */
import { randomBytes } from 'node:crypto';
import { AlertbaseError } from '../base/exceptions/index.js';

/** A key id: letters, digits, `_` and `-`, 1 to 32 characters. */
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
/** Bytes of an AES-256 key. */
export const KEY_BYTES = 32;

/** One key of a {@link KeyRing}. */
export interface RingKey {
  readonly id: string;
  readonly key: Uint8Array;
}

const invalid = (source: string, reason: string): AlertbaseError =>
  new AlertbaseError('ALERTBASE_CONFIG_INVALID', { source, reason });

/** The 32 bytes of a key written as 64 hex digits or base64 (standard or URL-safe). */
function keyBytes(text: string, source: string, id: string): Uint8Array {
  const bytes = /^[0-9a-fA-F]{64}$/.test(text)
    ? Buffer.from(text, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(text)
      ? Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
      : undefined;
  if (bytes?.length !== KEY_BYTES) {
    throw invalid(
      source,
      `key ${id}: expected ${KEY_BYTES} bytes as 64 hex digits or 44 base64 characters (openssl rand -base64 32)`,
    );
  }
  return new Uint8Array(bytes);
}

/**
 * Named AES-256 keys. The last key encrypts (the newest); all of them
 * decrypt. Never prints its keys.
 *
 * @example
 * ```ts
 * const ring = KeyRing.parse('k1:' + oldKeyBase64 + ',k2:' + newKeyBase64);
 * ring.current.id; // 'k2'
 * ```
 */
export class KeyRing {
  readonly #keys: ReadonlyMap<string, Uint8Array>;
  /** The key new values are encrypted with (the last one listed). */
  readonly current: RingKey;

  constructor(keys: readonly RingKey[]) {
    const map = new Map<string, Uint8Array>();
    for (const { id, key } of keys) {
      if (!KEY_ID.test(id)) throw invalid('key ring', `invalid key id ${JSON.stringify(id)}`);
      if (map.has(id)) throw invalid('key ring', `key id ${id} appears twice`);
      if (key.length !== KEY_BYTES)
        throw invalid('key ring', `key ${id} is not ${KEY_BYTES} bytes`);
      map.set(id, new Uint8Array(key));
    }
    const last = keys[keys.length - 1];
    if (last === undefined) throw invalid('key ring', 'no key');
    this.#keys = map;
    this.current = Object.freeze({ id: last.id, key: map.get(last.id) as Uint8Array });
    Object.freeze(this);
  }

  /**
   * Reads `id:key,id:key` (the form of `ALERTBASE_ENCRYPTION_KEYS` and of
   * the key file): keys as 64 hex digits or base64 of 32 bytes, oldest
   * first; white space and blank lines between entries are ignored.
   *
   * @throws AlertbaseError `ALERTBASE_CONFIG_INVALID` naming `source`.
   */
  static parse(text: string, source = 'ALERTBASE_ENCRYPTION_KEYS'): KeyRing {
    const entries = text
      .split(/[,\n]/)
      .map((e) => e.trim())
      .filter((e) => e !== '' && !e.startsWith('#'));
    const keys = entries.map((entry) => {
      const colon = entry.indexOf(':');
      const id = colon === -1 ? '' : entry.slice(0, colon);
      if (!KEY_ID.test(id)) throw invalid(source, 'expected entries of the form id:key');
      return { id, key: keyBytes(entry.slice(colon + 1), source, id) };
    });
    if (keys.length === 0) throw invalid(source, 'expected at least one id:key entry');
    return new KeyRing(keys);
  }

  /** A ring of one new random key named `id`. */
  static generate(id = 'k1'): KeyRing {
    return new KeyRing([{ id, key: randomBytes(KEY_BYTES) }]);
  }

  /** The key of `id`, if the ring has it. */
  key(id: string): Uint8Array | undefined {
    return this.#keys.get(id);
  }

  /** The key ids, oldest first. */
  get ids(): readonly string[] {
    return [...this.#keys.keys()];
  }

  /** The ring in its text form (`id:base64`, one per line): for the key file only. */
  toText(): string {
    return `${[...this.#keys].map(([id, key]) => `${id}:${Buffer.from(key).toString('base64')}`).join('\n')}\n`;
  }

  toJSON(): string {
    return `KeyRing(${this.ids.join(',')})`;
  }

  toString(): string {
    return this.toJSON();
  }
}
