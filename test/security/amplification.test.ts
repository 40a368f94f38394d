/**
 * Amplification: decoders count values as they read and stop at the limit
 * (a few KB of gzip standing for millions of values is refused before any
 * tree is built); the injection scan behind `/v1/rules/validate` is linear.
 */
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { Packr } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SerializationError } from '../../src/base/exceptions/index.js';
import { type Format, UniversalSerializer } from '../../src/base/serializers/index.js';
import { findInjections } from '../../src/base/validators/injection.js';
import { call, setup, type TestApp } from '../server/helpers.js';
import { jsonZeros, msgpackNulls, protobufNulls, xmlChildren } from './payloads.js';

const TOO_LARGE = 'ALERTBASE_SERIALIZATION_TOO_LARGE';

function refusal(fn: () => unknown): SerializationError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SerializationError);
  return caught as SerializationError;
}

const BOMBS: readonly [Format, (n: number) => Uint8Array, number][] = [
  ['protobuf', protobufNulls, 400_005],
  ['msgpack', msgpackNulls, 100_005],
  ['json', jsonZeros, 200_001],
  ['xml', xmlChildren, 400_007],
];

describe('decoders count as they read', () => {
  it.each(BOMBS)(
    '%s: millions of values are refused at the item limit, while reading',
    (format, make, offset) => {
      const bytes = make(2_600_000);
      const error = refusal(() => UniversalSerializer.decode(bytes, format));
      expect(error.code).toBe(TOO_LARGE);
      // The scan names the byte where the 100,001st item starts: nothing after it was read.
      expect(error.context).toMatchObject({ unit: 'items in an array', limit: 100_000, offset });
    },
  );

  const tree = { list: [1, 2, 3, 4, 5], map: { a: 1, b: 'x', c: null }, nested: [[[]], {}] };
  it.each(['json', 'msgpack', 'protobuf', 'xml'] as const)(
    '%s: exactly at the limits is accepted, one item, key, value or level more is refused',
    (format) => {
      const bytes = UniversalSerializer.encode(tree, format);
      const decode = (limits: Record<string, number>) =>
        UniversalSerializer.decode(bytes, format, undefined, { limits });
      expect(decode({ maxItems: 5, maxKeys: 3, maxNodes: 200, maxDepth: 4 })).toEqual(tree);
      const items = refusal(() => decode({ maxItems: 4, maxKeys: 3, maxNodes: 200 }));
      expect(items.context).toMatchObject({ unit: 'items in an array', limit: 4 });
      expect(items.context.offset).toBeTypeOf('number');
      const nodes = refusal(() => decode({ maxItems: 5, maxKeys: 3, maxNodes: 8 }));
      expect(nodes.context).toMatchObject({ unit: 'values in a document', limit: 8 });
      const depth = refusal(() => decode({ maxItems: 5, maxKeys: 3, maxNodes: 200, maxDepth: 2 }));
      expect(depth.context).toMatchObject({ unit: 'levels of nesting' });
    },
  );

  it.each(['json', 'msgpack', 'protobuf'] as const)(
    '%s: keys of one object are counted',
    (format) => {
      const bytes = UniversalSerializer.encode({ a: 1, b: 2, c: 3, d: 4 }, format);
      const error = refusal(() =>
        UniversalSerializer.decode(bytes, format, undefined, {
          limits: { maxKeys: 3, maxItems: 4 },
        }),
      );
      expect(error.context).toMatchObject({ unit: 'keys in an object', limit: 3 });
    },
  );

  it('msgpack record structures (arrays of records) are counted too', () => {
    const records = Array.from({ length: 6 }, (_, i) => ({ id: i, name: `n${i}` }));
    const bytes = UniversalSerializer.encodeMany(records, 'msgpack');
    expect(
      UniversalSerializer.decodeMany(bytes, 'msgpack', undefined, { limits: { maxItems: 6 } }),
    ).toEqual(records);
    const error = refusal(() =>
      UniversalSerializer.decodeMany(bytes, 'msgpack', undefined, { limits: { maxItems: 5 } }),
    );
    expect(error.context).toMatchObject({ unit: 'items in an array', limit: 5 });
  });

  it('protobuf streams of length-delimited records are counted before decoding', () => {
    const bytes = UniversalSerializer.encodeMany([1, 2, 3, 4], 'protobuf');
    const error = refusal(() =>
      UniversalSerializer.decodeMany(bytes, 'protobuf', undefined, { limits: { maxItems: 3 } }),
    );
    expect(error.context).toMatchObject({ unit: 'items in an array', limit: 3 });
    expect(error.context.offset).toBeTypeOf('number');
  });

  it('truncated bytes are left to the decoder to report (the scan only counts)', () => {
    const bytes = protobufNulls(20_000).subarray(0, 30_001);
    expect(refusal(() => UniversalSerializer.decode(bytes, 'protobuf')).code).toBe(
      'ALERTBASE_SERIALIZATION_FAILED',
    );
    const pack = msgpackNulls(20_000).subarray(0, 15_000);
    expect(refusal(() => UniversalSerializer.decode(pack, 'msgpack')).code).toBe(
      'ALERTBASE_SERIALIZATION_FAILED',
    );
  });
});

describe('the injection scan is linear', () => {
  it.each(['<a ', '<a b="', '<a\t'])('1 MB of %j is scanned in linear time', (unit) => {
    const text = unit.repeat(Math.ceil(1_048_576 / unit.length));
    const start = performance.now();
    expect(findInjections(text)).toEqual([]);
    expect(performance.now() - start).toBeLessThan(1_000); // hang guard only (was > 1 s per 200 KB)
  });

  it('still finds a handler in a tag', () => {
    expect(findInjections('<img src=x onfoo=alert(1)>')[0]).toMatchObject({
      kind: 'script_injection',
      pattern: 'event handler in a tag',
    });
  });
});

describe('amplification over HTTP, with a viewer key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setup();
  });
  afterAll(() => t.close());

  it('a 10 KB gzip protobuf body standing for 2.6 M null Values is a 413', async () => {
    const body = gzipSync(protobufNulls(2_600_000), { level: 9 });
    expect(body.byteLength).toBeLessThan(11_000);
    const r = await call(t.app, 'POST', '/v1/rules/validate', {
      key: t.keys.viewer,
      raw: body,
      contentType: 'application/x-protobuf',
      headers: { 'content-encoding': 'gzip' },
    });
    expect(r.status).toBe(413);
    expect(r.body.code).toBe(TOO_LARGE);
  });

  it('/v1/rules/validate answers 1 MB of `<a ` in a description (linear scan)', async () => {
    const r = await call(t.app, 'POST', '/v1/rules/validate', {
      key: t.keys.viewer,
      body: {
        name: 'x',
        level: 'high',
        priority: 'p2',
        condition: 'up == 0',
        description: '<a '.repeat(349_000),
      },
    });
    expect(r.status).toBe(200);
  });
});

describe('the counting scans read every construct of their format', () => {
  const limits = { maxItems: 1_000, maxKeys: 100, maxNodes: 10_000 };
  const tree = {
    text: 'x'.repeat(300),
    long: 'y'.repeat(70_000),
    float: 1.5,
    negative: -5,
    small: 200,
    medium: 40_000,
    big: 2 ** 40,
    bigNegative: -(2 ** 40),
    int8: -100,
    int16: -30_000,
    int32: -2_000_000,
    yes: true,
    no: false,
    nothing: null,
    list16: Array.from({ length: 20 }, (_, i) => i),
    map16: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])),
    nested: [{ a: [1, { b: 'c' }] }],
  };

  it.each(['json', 'msgpack', 'protobuf', 'xml', 'yaml'] as const)(
    '%s: a document of every kind of value decodes the same through the scan',
    (format) => {
      const bytes = UniversalSerializer.encode(tree, format);
      expect(UniversalSerializer.decode(bytes, format, undefined, { limits })).toEqual(tree);
    },
  );

  it('msgpack binary, dates and 32-bit headers', () => {
    const when = new Date('2026-12-02T00:00:00Z');
    const bytes = new Packr({ useRecords: false }).pack({ bin: Buffer.alloc(300), when });
    const decoded = UniversalSerializer.decode(bytes, 'msgpack', undefined, { limits }) as {
      bin: Uint8Array;
      when: Date;
    };
    expect(decoded.bin.byteLength).toBe(300);
    expect(decoded.when).toEqual(when);
    // An array32 header claiming more items than the body holds: counted, then truncated.
    const claims = Buffer.from([0xdd, 0, 0, 0x10, 0, 0xc0, 0xc0]);
    expect(
      refusal(() =>
        UniversalSerializer.decode(claims, 'msgpack', undefined, {
          limits: { maxItems: 1, maxKeys: 1, maxNodes: 10 },
        }),
      ).context,
    ).toMatchObject({ unit: 'items in an array' });
  });

  it('msgpack two-byte record definitions are refused', () => {
    const bytes = Buffer.from([0x91, 0xd5, 0x72, 0x40, 0x00, 0x91, 0xa1, 0x61, 0x01]);
    const error = refusal(() =>
      UniversalSerializer.decode(bytes, 'msgpack', undefined, {
        limits: { maxItems: 5, maxKeys: 5, maxNodes: 5 },
      }),
    );
    expect(error.code).toBe('ALERTBASE_SERIALIZATION_FAILED');
  });

  it('xml comments, CDATA, processing instructions and quoted attributes are skipped, not counted', () => {
    const xml = `<?xml version="1.0"?><value type="array"><!-- <item/><item/> --><item><![CDATA[<item/><item/>]]></item><item type="string" note="a > b">x</item></value>`;
    expect(
      UniversalSerializer.decode(xml, 'xml', undefined, {
        limits: { maxItems: 2, maxKeys: 2, maxNodes: 10 },
      }),
    ).toEqual(['<item/><item/>', 'x']);
    const error = refusal(() =>
      UniversalSerializer.decode(xml, 'xml', undefined, {
        limits: { maxItems: 1, maxKeys: 1, maxNodes: 10 },
      }),
    );
    expect(error.context).toMatchObject({ unit: 'items in an array', limit: 1 });
  });

  it('brotli bodies are scanned while they inflate too', () => {
    const bytes = brotliCompressSync(jsonZeros(2_600_000));
    const error = refusal(() =>
      UniversalSerializer.decode(bytes, 'json', undefined, { contentEncoding: 'br' }),
    );
    expect(error.context).toMatchObject({ unit: 'items in an array', limit: 100_000 });
  });
});
