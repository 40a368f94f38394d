import { describe, expect, it } from 'vitest';
import { decodeKey, decodeKeys, encodeKey, encodeKeys } from './mongo-keys.js';

/** A random key from the characters that matter here, and a few others. */
function randomKey(random: () => number): string {
  const alphabet = ['$', '.', '%', '2', 'E', '4', '5', 'a', ' ', 'ü', '😀', '\\', '{'];
  const length = Math.floor(random() * 8);
  let key = '';
  for (let k = 0; k < length; k++) key += alphabet[Math.floor(random() * alphabet.length)];
  return key;
}

/** A small seeded generator (mulberry32), so a failure repeats. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('MongoDB key encoding', () => {
  it('encodes operator and dotted keys, and nothing else', () => {
    expect(encodeKey('$where')).toBe('%24where');
    expect(encodeKey('a.b')).toBe('a%2Eb');
    expect(encodeKey('$a.b%')).toBe('%24a%2Eb%25');
    expect(encodeKey('alertname')).toBe('alertname');
    expect(encodeKey('a$b')).toBe('a$b');
    expect(encodeKey('%24where')).toBe('%2524where');
  });

  it('round-trips 20,000 random keys; no encoded key starts with $ or holds a dot', () => {
    const random = seeded(18);
    for (let k = 0; k < 20_000; k++) {
      const key = randomKey(random);
      const encoded = encodeKey(key);
      expect(encoded.startsWith('$'), key).toBe(false);
      expect(encoded.includes('.'), key).toBe(false);
      expect(decodeKey(encoded), key).toBe(key);
    }
  });

  it('encodes hostile payloads at every depth and decodes them back', () => {
    const hostile = JSON.parse(
      '{"__proto__":{"$gt":1},"$where":"1","a.b":[{"$set":{"tenant_id":"other"}},{"x.y":{"$ne":null}}],"ok":"$value.stays"}',
    ) as unknown;
    const encoded = encodeKeys(hostile);
    const keys: string[] = [];
    const walk = (v: unknown): void => {
      if (v === null || typeof v !== 'object') return;
      for (const [k, child] of Object.entries(v)) {
        if (!Array.isArray(v)) keys.push(k);
        walk(child);
      }
    };
    walk(encoded);
    expect(keys.filter((k) => k.startsWith('$') || k.includes('.'))).toEqual([]);
    expect(keys).toContain('__proto__');
    expect(decodeKeys(encoded)).toEqual(hostile);
    expect(Object.getPrototypeOf(decodeKeys(encoded))).toBe(Object.prototype);
    // Values are data: a string that looks like an operator stays as it is.
    expect((encoded as Record<string, unknown>).ok).toBe('$value.stays');
  });

  it('refuses a document deeper than its budget', () => {
    let deep: unknown = 1;
    for (let k = 0; k < 200; k++) deep = { a: deep };
    expect(() => encodeKeys(deep)).toThrow(/deeper than/);
  });
});
