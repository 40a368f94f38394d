import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SerializationError } from '../exceptions/index.js';
import { canonicalJson, contentHash } from './canonical-json.js';

function refusal(value: unknown): { code: string; pointer: unknown } {
  try {
    canonicalJson(value);
  } catch (err) {
    expect(err).toBeInstanceOf(SerializationError);
    const e = err as SerializationError;
    return { code: e.code, pointer: e.context.pointer };
  }
  throw new Error('expected canonicalJson to throw');
}

/** The IEEE 754 double with these bits. */
function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe('canonicalJson: RFC 8785 examples', () => {
  it('sorts keys by UTF-16 code units (§ 3.2.3)', () => {
    const input = JSON.parse(
      '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}',
    );
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('serializes the § 3.2.2 example', () => {
    const input = JSON.parse(`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\"\\/",
      "literals": [null, true, false]
    }`);
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af6', '1e+23'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555555', '333333333.3333333'],
  ])('serializes the number with bits %s as %s (Appendix B)', (bits, text) => {
    expect(canonicalJson(fromBits(bits))).toBe(text);
  });
});

describe('canonicalJson', () => {
  it('writes no whitespace and nests sorted objects', () => {
    expect(canonicalJson({ b: [1, { d: 2, c: 'x' }], a: { z: null, y: true } })).toBe(
      '{"a":{"y":true,"z":null},"b":[1,{"c":"x","d":2}]}',
    );
    expect(canonicalJson(1e30)).toBe('1e+30');
    expect(canonicalJson(-0)).toBe('0');
    expect(canonicalJson('a\u2028b')).toBe('"a\u2028b"');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
  });

  it('writes Dates as ISO strings and honours toJSON', () => {
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
    expect(canonicalJson({ v: { toJSON: () => ({ b: 1, a: 2 }) } })).toBe('{"v":{"a":2,"b":1}}');
  });

  it('omits undefined properties and writes undefined array items as null', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
  });

  it('allows a shared (non-cyclic) reference', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"x":1},"b":[{"x":1}]}');
  });

  it('serializes class instances by their own enumerable properties', () => {
    class Point {
      constructor(
        readonly y: number,
        readonly x: number,
      ) {}
    }
    expect(canonicalJson(new Point(2, 1))).toBe('{"x":1,"y":2}');
  });

  it.each([
    ['NaN', { a: Number.NaN }, '/a'],
    ['Infinity', [Number.POSITIVE_INFINITY], '/0'],
    ['-Infinity', Number.NEGATIVE_INFINITY, ''],
    ['bigint', { n: 1n }, '/n'],
    ['function', { f: () => 1 }, '/f'],
    ['symbol', [Symbol('s')], '/0'],
    ['Map', { m: new Map() }, '/m'],
    ['Set', new Set([1]), ''],
    ['typed array', { b: new Uint8Array(2) }, '/b'],
    ['invalid Date', { d: new Date(Number.NaN) }, '/d'],
    ['lone surrogate in a value', { s: 'a\ud800' }, '/s'],
    ['lone surrogate in a key', { '\udc00': 1 }, '/\udc00'],
    ['undefined', undefined, ''],
  ])('refuses %s', (_name, value, pointer) => {
    expect(refusal(value)).toEqual({ code: 'ALERTBASE_SERIALIZATION_FAILED', pointer });
  });

  it('refuses cycles, through objects, arrays and toJSON', () => {
    const a: Record<string, unknown> = { x: 1 };
    a.self = a;
    expect(refusal(a)).toEqual({ code: 'ALERTBASE_SERIALIZATION_FAILED', pointer: '/self' });
    const list: unknown[] = [];
    list.push({ inner: list });
    expect(refusal(list)).toEqual({ code: 'ALERTBASE_SERIALIZATION_FAILED', pointer: '/0/inner' });
    const looped: { toJSON: () => unknown } = { toJSON: () => looped };
    expect(refusal(looped).code).toBe('ALERTBASE_SERIALIZATION_FAILED');
  });

  it('equals JSON.stringify with sorted keys for JSON data (property)', () => {
    const sortKeys = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(sortKeys);
      if (typeof v === 'object' && v !== null) {
        // fromEntries defines own properties, so a "__proto__" key stays a key.
        return Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
        );
      }
      return v;
    };
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        // Stable: re-parsing and re-canonicalizing gives the same text.
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        // Object keys that look like integers reorder in JS objects, so compare parsed values.
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(sortKeys(value))));
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on key insertion order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 8 }), (dict) => {
        const reversed = Object.fromEntries(Object.entries(dict).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(dict));
        expect(contentHash(reversed)).toBe(contentHash(dict));
      }),
    );
  });
});

describe('contentHash', () => {
  it('is the SHA-256 hex of the canonical JSON', () => {
    const value = { b: 'ü', a: [1, 2] };
    expect(contentHash(value)).toBe(
      createHash('sha256').update('{"a":[1,2],"b":"ü"}', 'utf8').digest('hex'),
    );
    expect(contentHash(value)).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash({})).toBe(
      '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
    );
  });

  it('refuses what canonicalJson refuses', () => {
    expect(() => contentHash({ n: 1n })).toThrow(SerializationError);
  });
});
