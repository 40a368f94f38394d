import { gzipSync } from 'node:zlib';
import { Packr } from 'msgpackr';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { SerializationError } from '../../src/base/exceptions/index.js';
import { type Format, UniversalSerializer as U } from '../../src/base/serializers/index.js';
import type { AnyModel } from '../../src/base/types/model.js';
import { AlertRule } from '../../src/domain/index.js';

type Code = SerializationError['code'];

/** Decodes and expects a SerializationError of `code`, well under a second (a hang guard only). */
function expectRefused(
  input: Uint8Array | string,
  format: Format,
  code: Code,
  model?: AnyModel,
  limits?: Record<string, number>,
): SerializationError {
  const start = performance.now();
  let caught: unknown;
  try {
    if (model === undefined)
      U.decode(input, format, undefined, limits === undefined ? {} : { limits });
    else U.decode(input, format, model, limits === undefined ? {} : { limits });
  } catch (error) {
    caught = error;
  }
  const elapsed = performance.now() - start;
  expect(caught).toBeInstanceOf(SerializationError);
  expect((caught as SerializationError).code).toBe(code);
  expect(elapsed).toBeLessThan(1_000);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  return caught as SerializationError;
}

const TOO_LARGE = 'ALERTBASE_SERIALIZATION_TOO_LARGE';
const FAILED = 'ALERTBASE_SERIALIZATION_FAILED';
const DEEP = 10_000;

/** `google.protobuf.Value` lists nested `depth` deep, written without recursion. */
function nestedProtoValue(depth: number): Uint8Array {
  const varint = (n: number): number[] => {
    const out: number[] = [];
    let v = n;
    while (v > 127) {
      out.push((v & 127) | 128);
      v = Math.floor(v / 128);
    }
    out.push(v);
    return out;
  };
  const inner = [0x08, 0x00]; // Value { null_value: NULL_VALUE }
  const listSizes: number[] = [];
  let valueSize = inner.length;
  for (let k = 0; k < depth; k++) {
    const list = 1 + varint(valueSize).length + valueSize;
    listSizes.push(list);
    valueSize = 1 + varint(list).length + list;
  }
  const bytes: number[] = [];
  for (let k = depth - 1; k >= 0; k--) {
    const list = listSizes[k] as number;
    const innerValue =
      k === 0
        ? inner.length
        : 1 + varint(listSizes[k - 1] as number).length + (listSizes[k - 1] as number);
    bytes.push(0x32, ...varint(list), 0x0a, ...varint(innerValue));
  }
  bytes.push(...inner);
  return Uint8Array.from(bytes);
}

const protoOf = (value: unknown): Uint8Array => U.encode(value, 'protobuf');
const msgpackMap = (key: string): Uint8Array =>
  Uint8Array.from([0x81, 0xa0 + key.length, ...Buffer.from(key), 0x81, 0xa1, 0x78, 0x01]);

describe('a body over the size cap', () => {
  const big = { text: 'x'.repeat(2_000) };
  it.each([['json'], ['yaml'], ['xml'], ['protobuf'], ['msgpack']] as const)('%s', (format) => {
    const error = expectRefused(U.encode(big, format), format, TOO_LARGE, undefined, {
      maxBytes: 1_000,
    });
    expect(error.context).toMatchObject({ limit: 1_000, unit: 'bytes' });
  });

  it('the default cap is DECODE_LIMITS.maxBytes (10 MiB)', () => {
    expectRefused(Buffer.alloc(10 * 1024 * 1024 + 1, 0x20), 'json', TOO_LARGE);
  });

  it('a gzip bomb is stopped at the cap', () => {
    expectRefused(gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20)), 'json', TOO_LARGE);
  });

  it('long strings, many keys and many items break their own limits', () => {
    expectRefused('["abcdef"]', 'json', TOO_LARGE, undefined, { maxStringLength: 3 });
    expectRefused('{"a":1,"b":2,"c":3}', 'json', TOO_LARGE, undefined, { maxKeys: 2 });
    expectRefused('[1,2,3]', 'json', TOO_LARGE, undefined, { maxItems: 2 });
    const start = performance.now();
    expect(() =>
      U.decodeMany(U.encodeMany([1, 2, 3], 'protobuf'), 'protobuf', undefined, {
        limits: { maxItems: 2 },
      }),
    ).toThrow(expect.objectContaining({ code: TOO_LARGE }));
    expect(performance.now() - start).toBeLessThan(1_000);
  });
});

describe('nesting 10,000 deep', () => {
  it.each([
    ['json', `${'['.repeat(DEEP)}${']'.repeat(DEEP)}`],
    ['yaml', `${'['.repeat(DEEP)}${']'.repeat(DEEP)}`],
    ['xml', `${'<a>'.repeat(DEEP)}${'</a>'.repeat(DEEP)}`],
    ['protobuf', nestedProtoValue(DEEP)],
    ['msgpack', Uint8Array.from([...Buffer.alloc(DEEP, 0x91), 0xc0])],
  ] as const)('%s', (format, input) => {
    const error = expectRefused(input, format, TOO_LARGE);
    expect(error.context).toMatchObject({ unit: 'levels of nesting' });
  });

  it('a protobuf message of a model nested past the recursion limit (groups)', () => {
    const open = [0x9b, 0x06]; // field 99, wire type 3 (start group)
    const close = [0x9c, 0x06]; // field 99, wire type 4 (end group)
    const bytes = Uint8Array.from([
      ...Array.from({ length: DEEP }, () => open).flat(),
      ...Array.from({ length: DEEP }, () => close).flat(),
    ]);
    expectRefused(bytes, 'protobuf', TOO_LARGE, AlertRule);
  });

  it('just under the depth limit is fine', () => {
    const ok = `${'['.repeat(60)}${']'.repeat(60)}`;
    expect(U.decode(ok, 'json')).toBeInstanceOf(Array);
  });
});

describe('keys that reach a prototype; Object.prototype stays clean', () => {
  it.each([
    ['json', '{"__proto__": {"polluted": true}}', '__proto__'],
    ['yaml', '__proto__:\n  polluted: true\n', '__proto__'],
    [
      'xml',
      '<value type="object"><__proto__ type="object"><polluted type="boolean">true</polluted></__proto__></value>',
      '__proto__',
    ],
    [
      'xml',
      '<value type="object"><entry name="__proto__" type="object"><polluted>x</polluted></entry></value>',
      '__proto__',
    ],
    ['xml', '<value type="object"><constructor>x</constructor></value>', 'constructor'],
    ['msgpack', msgpackMap('__proto__'), '__proto__'],
  ] as const)('%s: %s', (format, input, key) => {
    const error = expectRefused(input, format, FAILED);
    expect(error.context.key).toBe(key);
  });

  it.each([
    ['json', '{"a": {"constructor": {"prototype": {"polluted": true}}}}'],
    ['yaml', 'a:\n  constructor:\n    prototype:\n      polluted: true\n'],
    ['protobuf', protoOf({ a: { constructor: { prototype: { polluted: true } } } })],
    [
      'msgpack',
      new Packr({ useRecords: false }).pack({
        a: { constructor: { prototype: { polluted: true } } },
      }),
    ],
  ] as const)(
    '%s: constructor and prototype are data (own keys), nothing polluted',
    (format, input) => {
      const value = U.decode(input, format) as { a: Record<string, unknown> };
      expect(Object.keys(value.a)).toEqual(['constructor']);
      expect(value.a.constructor).toEqual({ prototype: { polluted: true } });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    },
  );

  it('xml: constructor and prototype written as entries round-trip as data (the parser refuses them as element names)', () => {
    const value = { a: { constructor: { prototype: { polluted: true } } }, prototype: '' };
    const text = U.encode(value, 'xml');
    expect(new TextDecoder().decode(text)).toContain('<entry name="prototype"');
    expect(U.decode(text, 'xml')).toEqual(value);
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });

  it('a protobuf struct key __proto__ is refused', () => {
    const type = protobuf.Root.fromJSON(
      protobuf.common.get('google/protobuf/struct.proto') ?? {},
    ).lookupType('google.protobuf.Value');
    const bytes = type
      .encode({ structValue: { fields: { ['__proto__']: { nullValue: 0 } } } })
      .finish();
    const error = expectRefused(bytes, 'protobuf', FAILED);
    expect(error.context.key).toBe('__proto__');
  });

  it('through a model too', () => {
    expectRefused('{"__proto__": {"polluted": true}, "name": "x"}', 'json', FAILED, AlertRule);
    expectRefused(
      '<AlertRule><labels><entry name="__proto__">x</entry></labels></AlertRule>',
      'xml',
      FAILED,
      AlertRule,
    );
  });
});

describe('a truncated body', () => {
  const rule = AlertRule.parse(AlertRule.examples[0]);
  it.each([
    ['json', '{"a": [1, 2'],
    ['yaml', 'a: "unterminated\nb: [1, 2'],
    ['xml', '<value type="object"><a>1</a>'],
    ['protobuf', U.encode(rule, 'protobuf', { model: AlertRule }).subarray(0, 40)],
    ['msgpack', U.encode(rule, 'msgpack', { model: AlertRule }).subarray(0, 40)],
  ] as const)('%s', (format, input) => {
    expectRefused(
      input,
      format,
      FAILED,
      format === 'protobuf' || format === 'msgpack' ? AlertRule : undefined,
    );
  });

  it('says where: line and column for text formats', () => {
    const error = expectRefused('{\n  "a": [1,\n  }', 'json', FAILED);
    expect(error.context).toMatchObject({ line: 3 });
    const yaml = expectRefused('a: 1\nb: [1, 2\n', 'yaml', FAILED);
    expect(yaml.context.line).toBeTypeOf('number');
    const xml = expectRefused('<a>\n<b></a>', 'xml', FAILED);
    expect(xml.context).toMatchObject({ line: 2 });
  });

  it('invalid UTF-8 is refused', () => {
    expectRefused(Uint8Array.from([0x22, 0xff, 0x22]), 'json', FAILED);
  });
});

describe('YAML', () => {
  it('alias bombs are stopped', () => {
    const lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      lines.push(
        `${name}: &${name} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`,
      );
    }
    const error = expectRefused(
      lines.join('\n'),
      'yaml',
      'ALERTBASE_SERIALIZATION_EXCESSIVE_ALIASING',
    );
    expect(error.context).toMatchObject({ limit: 10_000, line: 5 });
  });

  it.each([
    ["run: !!js/function 'function () { return 1 }'"],
    ['run: !!js/undefined ~'],
    ['when: !!timestamp 2026-01-01'],
    ['data: !!binary aGVsbG8='],
    ['x: !custom 1'],
  ])('custom tags are refused: %s', (text) => {
    expectRefused(text, 'yaml', FAILED);
  });

  it('duplicate keys and multiple documents are refused', () => {
    expectRefused('a: 1\na: 2\n', 'yaml', FAILED);
    expectRefused('a: 1\n---\nb: 2\n', 'yaml', FAILED);
  });
});

describe('XML', () => {
  it('entity expansion (billion laughs) is refused at the DOCTYPE', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><value>&lol2;</value>`;
    const error = expectRefused(bomb, 'xml', FAILED);
    expect(error.context).toMatchObject({ line: 1 });
  });

  it('external entities and any DOCTYPE are refused', () => {
    expectRefused(
      '<?xml version="1.0"?><!DOCTYPE v SYSTEM "file:///etc/passwd"><value>x</value>',
      'xml',
      FAILED,
    );
    expectRefused(
      '<!DOCTYPE v [<!ENTITY x SYSTEM "http://example.com/x">]><value>&x;</value>',
      'xml',
      FAILED,
    );
  });

  it('numeric character references in bulk are refused', () => {
    const error = expectRefused(`<value>${'&#65;'.repeat(200_000)}</value>`, 'xml', TOO_LARGE);
    expect(error.context.unit).toBe('character references');
  });

  it('undefined entities and references to non-characters are refused', () => {
    expectRefused('<value>&nbsp;</value>', 'xml', FAILED);
    expectRefused('<value>&#0;</value>', 'xml', FAILED);
    expectRefused('<value>&#xD800;</value>', 'xml', FAILED);
  });

  it('character references and CDATA are read', () => {
    expect(
      U.decode('<value>&#65;&#x42;&lt;&amp;&quot;&apos;&gt;<![CDATA[<raw>]]></value>', 'xml'),
    ).toBe('AB<&"\'><raw>');
  });

  it('a document needs exactly one root', () => {
    expectRefused('<?xml version="1.0"?>', 'xml', FAILED);
  });
});

describe('MessagePack headers that claim huge lengths', () => {
  it.each([
    ['array32', [0xdd, 0xff, 0xff, 0xff, 0xff]],
    ['map32', [0xdf, 0xff, 0xff, 0xff, 0xff]],
    ['str32', [0xdb, 0xff, 0xff, 0xff, 0xf0, 0x41]],
    ['bin32', [0xc6, 0xff, 0xff, 0xff, 0xff, 0x00]],
    ['ext32', [0xc9, 0xff, 0xff, 0xff, 0xff, 0x01]],
  ])('%s', (_name, bytes) => {
    expectRefused(Uint8Array.from(bytes), 'msgpack', FAILED);
  });

  it('extension types for errors, regexps and sets are refused', () => {
    const packr = new Packr({ moreTypes: true });
    expectRefused(packr.pack(new Set([1])), 'msgpack', FAILED);
    expectRefused(packr.pack(/a+/), 'msgpack', FAILED);
    expectRefused(packr.pack(new Error('x')), 'msgpack', FAILED);
  });

  it('trailing bytes after the value are refused', () => {
    expectRefused(Uint8Array.from([0x01, 0x02]), 'msgpack', FAILED);
  });
});

describe('unsupported and unacceptable formats', () => {
  it('an unknown format name', () => {
    expect(() => U.decode('x', 'csv' as Format)).toThrow(
      expect.objectContaining({ code: 'ALERTBASE_SERIALIZATION_UNSUPPORTED_FORMAT' }),
    );
  });
});

describe('more refusals', () => {
  it('a corrupt compressed body', () => {
    expectRefused(Uint8Array.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]), 'json', FAILED);
  });

  it('a __proto__ key inside an array of msgpack records', () => {
    const bytes = Uint8Array.from([0x91, ...msgpackMap('__proto__')]);
    expect(expectRefused(bytes, 'msgpack', FAILED).context.key).toBe('__proto__');
  });

  it('an encoder failure is a SerializationError', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => U.encode(10n ** 30n, 'msgpack')).not.toThrow();
    expect(() => U.encodeMany([Symbol('x') as unknown], 'msgpack')).toThrow(
      expect.objectContaining({ code: FAILED }),
    );
  });
});
