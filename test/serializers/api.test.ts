import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  buildOpenApiComponents,
  convert,
  decodeStream,
  encodeStream,
  FORMATS,
  type Format,
  formatFromMimeType,
  formatFromPath,
  modelWireType,
  modifyYaml,
  negotiateFormat,
  parseFormat,
  UniversalSerializer as U,
  wireTypeOf,
} from '../../src/base/serializers/index.js';
import { defineModel } from '../../src/base/types/model.js';
import {
  Alert,
  AlertRule,
  NotificationChannel,
  RoutingTree,
  Tenant,
} from '../../src/domain/index.js';
import { comparable } from './helpers.js';

const code = (c: string) => expect.objectContaining({ code: c });

describe('formats and content negotiation', () => {
  it('maps MIME types both ways', () => {
    expect(formatFromMimeType('application/json; charset=utf-8')).toBe('json');
    expect(formatFromMimeType('application/problem+json')).toBe('json');
    expect(formatFromMimeType('application/yaml')).toBe('yaml');
    expect(formatFromMimeType('text/xml')).toBe('xml');
    expect(formatFromMimeType('application/x-protobuf')).toBe('protobuf');
    expect(formatFromMimeType('application/vnd.msgpack')).toBe('msgpack');
    expect(() => formatFromMimeType('text/csv')).toThrow(
      code('ALERTBASE_SERIALIZATION_UNSUPPORTED_FORMAT'),
    );
    expect(() => formatFromMimeType('constructor')).toThrow(
      code('ALERTBASE_SERIALIZATION_UNSUPPORTED_FORMAT'),
    );
  });

  it('negotiates by quality, then by order', () => {
    expect(negotiateFormat(undefined)).toBe('json');
    expect(negotiateFormat('')).toBe('json');
    expect(negotiateFormat('*/*')).toBe('json');
    expect(negotiateFormat('application/x-protobuf;q=0.5, application/yaml')).toBe('yaml');
    expect(negotiateFormat('application/x-protobuf;q=0.9, application/json;q=0.1')).toBe(
      'protobuf',
    );
    expect(negotiateFormat('text/html, application/*;q=0.1', ['msgpack'])).toBe('msgpack');
    expect(negotiateFormat('application/json;q=bad, application/yaml')).toBe('yaml');
    expect(() => negotiateFormat('text/html')).toThrow(
      code('ALERTBASE_SERIALIZATION_NOT_ACCEPTABLE'),
    );
    expect(() => negotiateFormat('application/json;q=0')).toThrow(
      code('ALERTBASE_SERIALIZATION_NOT_ACCEPTABLE'),
    );
    expect(() => negotiateFormat('application/json', [])).toThrow(
      code('ALERTBASE_SERIALIZATION_NOT_ACCEPTABLE'),
    );
  });

  it('reads format names and file extensions', () => {
    expect(parseFormat('YML')).toBe('yaml');
    expect(parseFormat('.pb')).toBe('protobuf');
    expect(parseFormat('msgpack')).toBe('msgpack');
    expect(() => parseFormat('csv')).toThrow(code('ALERTBASE_SERIALIZATION_UNSUPPORTED_FORMAT'));
    expect(formatFromPath('dir/alerts.ndjson')).toBe('json');
    expect(formatFromPath('rules.yml.gz')).toBe('yaml');
    expect(formatFromPath('a.mpk')).toBe('msgpack');
    expect(formatFromPath('README')).toBeUndefined();
    expect(formatFromPath('a.txt')).toBeUndefined();
  });
});

describe('the XML mapping (as documented)', () => {
  it('writes the fixed example of docs/serialization.md', () => {
    const rule = AlertRule.parse({
      ...AlertRule.examples[0],
      id: '01950b2e-7a3c-7c4e-9d1f-3b8e2a6c4d10',
      tags: ['infra'],
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    });
    const xml = U.toXml(rule, AlertRule, { pretty: true });
    expect(xml).toContain('<AlertRule xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">');
    expect(xml).toContain('  <description xsi:nil="true"/>');
    expect(xml).toContain('  <for>300000</for>');
    expect(xml).toContain('  <tags>infra</tags>');
    expect(xml).toContain('  <labels>\n    <entry name="team">infra</entry>\n  </labels>');
    expect(xml).not.toContain('<channel_ids');
    expect(U.fromXml(xml, AlertRule).tags).toEqual(['infra']);
  });

  it('reads what another system produces: any order, whitespace, unknown fields named by the model', () => {
    const xml = `<?xml version="1.0"?>
<Tenant>
  <name>Acme</name>
  <id>acme</id>
  <settings><timezone>UTC</timezone><levelPriorities/></settings>
</Tenant>`;
    const tenant = U.fromXml(xml, Tenant);
    expect(tenant.id).toBe('acme');
    expect(() =>
      U.fromXml('<Tenant><id>acme</id><name>A</name><color>red</color></Tenant>', Tenant),
    ).toThrow(code('ALERTBASE_VALIDATION_FAILED'));
  });

  it('uses base64 for characters XML cannot carry', () => {
    const xml = U.toXml({ s: 'a\u0001b', 'k\u0002': 1 });
    expect(xml).toContain('encoding="base64"');
    expect(xml).toContain('name-base64=');
    expect(U.fromXml(xml)).toEqual({ s: 'a\u0001b', 'k\u0002': 1 });
  });
});

describe('schema-aware restoring of what formats lose', () => {
  const Exotic = defineModel('Exotic', {
    register: false,
    fields: {
      big: z.bigint(),
      tags: z.set(z.string()),
      counts: z.map(z.string(), z.int()),
      maybe: z.string().optional(),
      pair: z.tuple([z.string(), z.int()]),
      nested: z.array(z.array(z.int())),
      either: z.union([z.string(), z.int()]).nullable(),
      list: z.array(z.string().nullable()),
      flag: z.literal(true),
      n: z.literal(3),
      tag: z.literal('t'),
      opts: z.enum(['a', 'b']).optional(),
      when: z.date(),
    },
  });
  const value = Exotic.parse({
    big: 12345678901234567890n,
    tags: new Set(['a', 'b']),
    counts: new Map([['x', 1]]),
    pair: ['p', 2],
    nested: [[1], [2, 3]],
    either: 4,
    list: ['a', null],
    flag: true,
    n: 3,
    tag: 't',
    when: new Date('2026-01-01T00:00:00.001Z'),
  });

  it.each(FORMATS.map((f) => [f]))(
    'bigint, Set, Map, tuples, nested arrays, scalar unions in %s',
    (format: Format) => {
      const back = U.decode(U.encode(value, format, { model: Exotic }), format, Exotic);
      expect(comparable(Exotic, back)).toEqual(comparable(Exotic, value));
    },
  );

  it('describes schemas it has no special form for as json', () => {
    expect(wireTypeOf(z.lazy(() => z.string()))).toEqual({ kind: 'json' });
    expect(wireTypeOf(z.string().transform((s) => s.length))).toEqual({ kind: 'json' });
    expect(wireTypeOf(z.enum({ A: 1, B: 2 }))).toEqual({ kind: 'json' });
    expect(wireTypeOf(z.literal(['a', 'b']))).toEqual({ kind: 'enum', values: ['a', 'b'] });
    expect(wireTypeOf(z.literal([1, 2]))).toEqual({ kind: 'json' });
    expect(wireTypeOf(z.map(z.int(), z.string()))).toEqual({ kind: 'json' });
    expect(
      wireTypeOf(
        z.discriminatedUnion('k', [z.object({ k: z.literal(1) }), z.object({ k: z.literal(2) })]),
      ),
    ).toEqual({ kind: 'json' });
    expect(modelWireType(Alert).fields.find((f) => f.name === 'generatorURL')?.wire).toBe(
      'generator_url',
    );
  });
});

describe('streams and convert', () => {
  const alerts = Array.from({ length: 25 }, (_, i) =>
    Alert.parse({ ...Alert.examples[0], labels: { alertname: `A${i}`, n: String(i) } }),
  );

  async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
    const out: T[] = [];
    for await (const x of it) out.push(x);
    return out;
  }

  /** Re-chunks bytes into pieces of `size`, to cut records in the middle. */
  function* rechunk(chunks: readonly Uint8Array[], size: number): Generator<Uint8Array> {
    const all = Buffer.concat(chunks);
    for (let i = 0; i < all.byteLength; i += size) yield all.subarray(i, i + size);
  }

  it.each(FORMATS.map((f) => [f]))(
    '%s: encodeStream then decodeStream, cut anywhere',
    async (format: Format) => {
      const chunks = await collect(encodeStream(alerts, format, { model: Alert }));
      const back = await collect(decodeStream(rechunk(chunks, 37), format, Alert));
      expect(back.map((a) => a.labels)).toEqual(alerts.map((a) => a.labels));
      const untyped = await collect(encodeStream([{ a: 1 }, [2], 'x'], format));
      expect(await collect(decodeStream(rechunk(untyped, 5), format))).toEqual([
        { a: 1 },
        [2],
        'x',
      ]);
    },
  );

  it('a stream that ends inside a record is refused', async () => {
    const chunks = await collect(encodeStream(alerts.slice(0, 2), 'protobuf', { model: Alert }));
    const cut = Buffer.concat(chunks).subarray(0, -3);
    await expect(collect(decodeStream([cut], 'protobuf', Alert))).rejects.toEqual(
      code('ALERTBASE_SERIALIZATION_FAILED'),
    );
    const msgpack = Buffer.concat(await collect(encodeStream([{ a: 'xyz' }], 'msgpack'))).subarray(
      0,
      -1,
    );
    await expect(collect(decodeStream([msgpack], 'msgpack'))).rejects.toEqual(
      code('ALERTBASE_SERIALIZATION_FAILED'),
    );
    await expect(collect(decodeStream(['{"a":1}\n{"a":'], 'json'))).rejects.toEqual(
      code('ALERTBASE_SERIALIZATION_FAILED'),
    );
    await expect(collect(decodeStream([Uint8Array.from([0xc1])], 'msgpack'))).rejects.toEqual(
      code('ALERTBASE_SERIALIZATION_FAILED'),
    );
  });

  it('streams keep each record under the byte limit', async () => {
    const limits = { maxBytes: 50 };
    await expect(
      collect(decodeStream([`{"a":"${'x'.repeat(100)}`], 'json', undefined, { limits })),
    ).rejects.toEqual(code('ALERTBASE_SERIALIZATION_TOO_LARGE'));
    await expect(
      collect(decodeStream([Uint8Array.from([0xe8, 0x07])], 'protobuf', undefined, { limits })),
    ).rejects.toEqual(code('ALERTBASE_SERIALIZATION_TOO_LARGE'));
    await expect(
      collect(decodeStream(['a: 1\n'.repeat(20)], 'yaml', undefined, { limits })),
    ).rejects.toEqual(code('ALERTBASE_SERIALIZATION_TOO_LARGE'));
  });

  it('converts NDJSON to protobuf to XML and back, secrets kept, with progress', async () => {
    const channel = NotificationChannel.parse(NotificationChannel.examples[0]);
    const ndjson = Buffer.concat(
      await collect(
        encodeStream([channel, channel], 'json', {
          model: NotificationChannel,
          revealSecrets: true,
        }),
      ),
    );
    const counts: number[] = [];
    const pb = await collect(
      convert([ndjson], {
        from: 'json',
        to: 'protobuf',
        model: NotificationChannel,
        onRecord: (n) => counts.push(n),
      }),
    );
    expect(counts).toEqual([1, 2]);
    const xml = Buffer.concat(
      await collect(convert(pb, { from: 'protobuf', to: 'xml', model: NotificationChannel })),
    );
    const back = await collect(decodeStream([xml], 'xml', NotificationChannel));
    expect(back.map((c) => comparable(NotificationChannel, c))).toEqual(
      [channel, channel].map((c) => comparable(NotificationChannel, c)),
    );
  });

  it('converts a JSON array and plain data without a model', async () => {
    const yaml = Buffer.concat(
      await collect(convert('[{"a":1},{"b":[true]}]', { from: 'json', to: 'yaml' })),
    ).toString();
    expect(yaml).toBe('a: 1\n---\nb:\n  - true\n');
    const json = Buffer.concat(
      await collect(convert(Buffer.from(yaml), { from: 'yaml', to: 'json' })),
    ).toString();
    expect(json).toBe('{"a":1}\n{"b":[true]}\n');
    const typed = await collect(
      convert(`[${U.toJson(alerts[0], Alert)}]`, { from: 'json', to: 'msgpack', model: Alert }),
    );
    expect(U.decode(typed[0] as Uint8Array, 'msgpack', Alert).id).toBe(alerts[0]?.id);
    expect(await collect(convert([], { from: 'json', to: 'json' }))).toEqual([]);
  });
});

describe('OpenAPI components', () => {
  it('holds each model as output and input schema, by wire name', () => {
    const doc = buildOpenApiComponents([Alert, Tenant], { title: 't', version: '2' });
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toEqual({ title: 't', version: '2' });
    expect(Object.keys(doc.components.schemas)).toEqual([
      'Alert',
      'AlertInput',
      'Tenant',
      'TenantInput',
    ]);
    const alert = doc.components.schemas.Alert as {
      properties: Record<string, unknown>;
      $schema?: string;
    };
    expect(alert.properties).toHaveProperty('tenant_id');
    expect(alert.properties).toHaveProperty('fingerprint');
    expect(alert.$schema).toBeUndefined();
    const camel = buildOpenApiComponents([Alert], { byAlias: false });
    expect(
      (camel.components.schemas.AlertInput as { properties: object }).properties,
    ).toHaveProperty('tenantId');
    expect(buildOpenApiComponents([]).info.title).toBe('alertbase');
  });

  it("a recursive model's references resolve from the document's root", () => {
    const doc = buildOpenApiComponents([RoutingTree]);
    const refs: string[] = [];
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (typeof value === 'object' && value !== null) {
        for (const [k, v] of Object.entries(value)) {
          if (k === '$ref' && typeof v === 'string') refs.push(v);
          else collect(v);
        }
      }
    };
    collect(doc);
    expect(refs).toContain('#/components/schemas/RoutingTreeInput/$defs/__schema0');
    for (const ref of refs) {
      const target = ref
        .slice(2)
        .split('/')
        .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
      expect(target, ref).toBeTypeOf('object');
    }
  });
});

describe('modifyYaml', () => {
  it('keeps comments on a read-modify-write of a rule file', () => {
    const source = `# Team rules
groups:
  - name: infra # the infra team
    interval: 1m
    rules:
      # CPU
      - alert: HighCPU
        expr: cpu_usage > 80
`;
    const next = modifyYaml(source, (doc) => doc.setIn(['groups', 0, 'interval'], '30s'));
    expect(next).toBe(source.replace('interval: 1m', 'interval: 30s'));
  });

  it('applies the decoder limits', () => {
    expect(() => modifyYaml('a: !!js/function x', () => undefined)).toThrow(
      code('ALERTBASE_SERIALIZATION_FAILED'),
    );
    expect(() => modifyYaml('a: 1', () => undefined, { maxBytes: 2 })).toThrow(
      code('ALERTBASE_SERIALIZATION_TOO_LARGE'),
    );
  });
});
