import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SECRET_MASK } from '../../src/base/constants.js';
import {
  createSerializer,
  FORMATS,
  type Format,
  UniversalSerializer as U,
} from '../../src/base/serializers/index.js';
import type { AnyModel } from '../../src/base/types/model.js';
import { isSecret } from '../../src/base/types/secret.js';
import * as domain from '../../src/domain/index.js';
import { comparable, instanceArb, jsonValueArb, RUNS } from './helpers.js';

const MODELS = [
  domain.Tenant,
  domain.AlertRule,
  domain.Alert,
  domain.NotificationChannel,
  domain.Silence,
  domain.ApiKey,
  domain.AuditEvent,
] as const;

describe.each(MODELS.map((m) => [m.name, m as AnyModel] as const))(
  '%s round-trips exactly',
  (_name, model) => {
    it.each(FORMATS.map((f) => [f]))('in %s (property)', (format: Format) => {
      fc.assert(
        fc.property(instanceArb(model), (instance) => {
          const bytes = U.encode(instance, format, { model, revealSecrets: true });
          const back = U.decode(bytes, format, model);
          expect(model.is(back)).toBe(true);
          expect(comparable(model, back)).toEqual(comparable(model, instance));
        }),
        { numRuns: RUNS },
      );
    });

    it.each(FORMATS.map((f) => [f]))('as an array in %s', (format: Format) => {
      const items = fc.sample(instanceArb(model), { numRuns: 5, seed: 42 });
      const bytes = U.encodeMany(items, format, { model, revealSecrets: true });
      const back = U.decodeMany(bytes, format, model);
      expect(back.map((b) => comparable(model, b))).toEqual(items.map((i) => comparable(model, i)));
    });
  },
);

describe('the cases raw libraries lose', () => {
  const alert = domain.Alert.parse({
    ...domain.Alert.examples[0],
    labels: { alertname: 'Disk', fingerprint: '0000553f9ff83584', code: '007', empty: '' },
    annotations: {},
    acknowledgedBy: null,
    value: 0,
  });
  const rule = domain.AlertRule.parse({
    ...domain.AlertRule.examples[0],
    description: '',
    tags: ['only-one'],
    channelIds: [],
    group: null,
  });

  it.each(FORMATS.map((f) => [f]))(
    'null, empty strings, digit strings, one-element arrays in %s',
    (format: Format) => {
      const a = U.decode(U.encode(alert, format, { model: domain.Alert }), format, domain.Alert);
      expect(a.labels).toEqual(alert.labels);
      expect(a.annotations).toEqual({});
      expect(a.acknowledgedBy).toBeNull();
      expect(a.endsAt).toBeNull();
      expect(a.value).toBe(0);
      expect(a.startsAt).toBeInstanceOf(Date);
      expect(a.startsAt.getTime()).toBe(alert.startsAt.getTime());
      const r = U.decode(
        U.encode(rule, format, { model: domain.AlertRule }),
        format,
        domain.AlertRule,
      );
      expect(r.description).toBe('');
      expect(r.tags).toEqual(['only-one']);
      expect(r.channelIds).toEqual([]);
      expect(r.group).toBeNull();
      expect(r.for).toBe(300_000);
    },
  );

  it.each(FORMATS.map((f) => [f]))('masks secrets unless revealSecrets (%s)', (format: Format) => {
    const channel = domain.NotificationChannel.parse({
      tenantId: 'acme',
      name: 'ops',
      config: { type: 'opsgenie', apiKey: 'k-123' },
    });
    const masked = U.decode(
      U.encode(channel, format, { model: domain.NotificationChannel }),
      format,
      domain.NotificationChannel,
    );
    const key = (masked.config as { apiKey: unknown }).apiKey;
    expect(isSecret(key) && key.reveal()).toBe(SECRET_MASK);
    const revealed = U.decode(
      U.encode(channel, format, { model: domain.NotificationChannel, revealSecrets: true }),
      format,
      domain.NotificationChannel,
    );
    const real = (revealed.config as { apiKey: unknown }).apiKey;
    expect(isSecret(real) && real.reveal()).toBe('k-123');
  });
});

describe('without a model', () => {
  it.each(FORMATS.map((f) => [f]))(
    'JSON-compatible data round-trips in %s (property)',
    (format: Format) => {
      fc.assert(
        fc.property(jsonValueArb, (value) => {
          expect(U.decode(U.encode(value, format), format)).toEqual(value);
        }),
        { numRuns: RUNS },
      );
    },
  );

  it.each(FORMATS.map((f) => [f]))('arrays round-trip with encodeMany in %s', (format: Format) => {
    const values = [{ a: 1 }, 'x', null, [true]];
    expect(U.decodeMany(U.encodeMany(values, format), format)).toEqual(values);
  });

  it('JSON custom encoders: Date, BigInt, Map, Set, Uint8Array', () => {
    const json = U.toJson({
      d: new Date('2026-01-01T00:00:00Z'),
      b: 12345678901234567890n,
      m: new Map([['k', 1]]),
      s: new Set(['x']),
      u: new Uint8Array([1, 2, 3]),
    });
    expect(JSON.parse(json)).toEqual({
      d: '2026-01-01T00:00:00.000Z',
      b: '12345678901234567890',
      m: { k: 1 },
      s: ['x'],
      u: 'AQID',
    });
  });
});

describe('the serializer', () => {
  const alert = domain.Alert.parse(domain.Alert.examples[0]);

  it('has to*/from* for each format, text for text formats', () => {
    expect(typeof U.toJson(alert, domain.Alert)).toBe('string');
    expect(U.fromJson(U.toJson(alert, domain.Alert), domain.Alert).id).toBe(alert.id);
    expect(U.fromYaml(U.toYaml(alert, domain.Alert), domain.Alert).id).toBe(alert.id);
    expect(U.fromXml(U.toXml(alert, domain.Alert), domain.Alert).id).toBe(alert.id);
    expect(U.fromProtobuf(U.toProtobuf(alert, domain.Alert), domain.Alert).id).toBe(alert.id);
    expect(U.fromMsgpack(U.toMsgpack(alert, domain.Alert), domain.Alert).id).toBe(alert.id);
    expect(U.fromJson('{"a":1}')).toEqual({ a: 1 });
    expect(U.fromYaml('a: 1')).toEqual({ a: 1 });
    expect(U.fromXml(U.toXml({ a: 1 }))).toEqual({ a: 1 });
    expect(U.fromProtobuf(U.toProtobuf({ a: 1 }))).toEqual({ a: 1 });
    expect(U.fromMsgpack(U.toMsgpack({ a: 1 }))).toEqual({ a: 1 });
  });

  it('validates plain input before encoding, and writes wire names by default', () => {
    const json = U.toJson(domain.Alert.examples[0], domain.Alert);
    expect(JSON.parse(json)).toHaveProperty('tenant_id', 'acme');
    expect(JSON.parse(U.toJson(alert, domain.Alert, { byAlias: false }))).toHaveProperty(
      'tenantId',
      'acme',
    );
    expect(() => U.toJson({ tenantId: 'Bad Tenant' }, domain.Alert)).toThrow(
      expect.objectContaining({ code: 'ALERTBASE_VALIDATION_FAILED' }),
    );
  });

  it('uses the default format and pretty printing it was configured with', () => {
    const s = createSerializer({ defaultFormat: 'yaml', prettyPrint: true });
    expect(s.options.defaultFormat).toBe('yaml');
    const text = Buffer.from(s.encode({ a: { b: 1 } })).toString();
    expect(text).toBe('a:\n  b: 1\n');
    expect(s.decode(text)).toEqual({ a: { b: 1 } });
    expect(Buffer.from(createSerializer({ prettyPrint: true }).encode({ a: 1 })).toString()).toBe(
      '{\n  "a": 1\n}',
    );
    expect(U.toXml(alert, domain.Alert, { pretty: true })).toContain(
      '\n  <labels>\n    <entry name="alertname">',
    );
  });

  it.each([['gzip'], ['br']] as const)(
    'compresses above the threshold with %s, and decodes it',
    (algorithm) => {
      const s = createSerializer({
        compression: { enabled: true, algorithm, thresholdBytes: 100 },
      });
      const small = s.encodeBody({ a: 1 }, 'json');
      expect(small.contentEncoding).toBe('identity');
      const big = s.encodeBody({ text: 'x'.repeat(5_000) }, 'json');
      expect(big.contentEncoding).toBe(algorithm);
      expect(big.bytes.byteLength).toBeLessThan(1_000);
      const back = s.decode(
        big.bytes,
        'json',
        undefined,
        algorithm === 'br' ? { contentEncoding: 'br' } : {},
      );
      expect(back).toEqual({ text: 'x'.repeat(5_000) });
      const many = s.encodeMany([{ text: 'y'.repeat(5_000) }], 'msgpack');
      expect(s.decodeMany(many, 'msgpack', undefined, { contentEncoding: algorithm })).toHaveLength(
        1,
      );
    },
  );
});
