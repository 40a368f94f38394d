/**
 * Response compression (`@fastify/compress`): br or gzip by
 * `Accept-Encoding`, answers of 1 KiB or more, every format and problem
 * details; off with `serialization.compressionEnabled: false`.
 */
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/base/constants.js';
import { FORMAT_MIME_TYPES, FORMATS, type Format } from '../../src/base/serializers/index.js';
import { loadConfig } from '../../src/config/index.js';
import { buildApp } from '../../src/server/app.js';
import { PROBLEM_JSON } from '../../src/server/problems.js';
import { isCompressibleType } from '../../src/server/wire.js';
import { call, decode, RULE, setup, type TestApp } from './helpers.js';

/** Rules in the list: its JSON is about 80 KiB, past the plugin's in-line (synchronous) path. */
const RULES = 150;

let t: TestApp;
let ruleId = '';
beforeAll(async () => {
  t = await setup();
  for (let i = 0; i < RULES; i++) {
    const rule = await t.repos.alertRules.create(
      'acme',
      {
        ...RULE,
        name: `Rule ${String(i).padStart(3, '0')}`,
        annotations: { summary: `CPU above 80% on {{ $labels.instance }} (rule ${i})` },
      } as never,
      'test',
    );
    ruleId ||= rule.id;
  }
});
afterAll(() => t.close());

const LIST = `/v1/rules?limit=${RULES}`;

function decompress(encoding: string, bytes: Buffer): Buffer {
  if (encoding === 'gzip') return gunzipSync(bytes);
  if (encoding === 'br') return brotliDecompressSync(bytes);
  throw new Error(`unexpected encoding ${encoding}`);
}

function get(url: string, headers: Record<string, string>): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'GET',
    url,
    headers: { authorization: `Bearer ${t.keys.viewer}`, ...headers },
  });
}

describe('response compression', () => {
  it.each(FORMATS.flatMap((format) => [[format, 'gzip'] as const, [format, 'br'] as const]))(
    'a large %s list comes back %s and decompresses to the uncompressed body',
    async (format: Format, encoding) => {
      const accept = FORMAT_MIME_TYPES[format];
      const plain = await get(LIST, { accept });
      expect(plain.statusCode).toBe(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.rawPayload.byteLength).toBeGreaterThan(DEFAULTS.compressionThresholdBytes);
      expect(decode(plain).items).toHaveLength(RULES);

      const packed = await get(LIST, { accept, 'accept-encoding': encoding });
      expect(packed.statusCode).toBe(200);
      expect(packed.headers['content-encoding']).toBe(encoding);
      expect(packed.headers['content-type']).toBe(plain.headers['content-type']);
      expect(
        String(packed.headers.vary)
          .toLowerCase()
          .split(/\s*,\s*/),
      ).toEqual(['accept', 'accept-encoding']);
      expect(packed.headers['cache-control']).toBe('no-store');
      expect(packed.rawPayload.byteLength).toBeLessThan(plain.rawPayload.byteLength / 4);
      expect(decompress(encoding, packed.rawPayload).equals(plain.rawPayload)).toBe(true);
    },
  );

  it.each([
    ['gzip, deflate, br', 'br'],
    ['br;q=0.5, gzip', 'gzip'],
    ['x-gzip', 'gzip'],
    ['*', 'gzip'],
    ['deflate', undefined],
    ['identity', undefined],
    ['zstd', undefined],
    ['gzip;q=0, br;q=0', undefined],
  ])('Accept-Encoding: %s gives %s', async (header, expected) => {
    const res = await get(LIST, { 'accept-encoding': header });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe(expected);
    const body = expected === undefined ? res.rawPayload : decompress(expected, res.rawPayload);
    expect((JSON.parse(body.toString('utf8')) as { items: unknown[] }).items).toHaveLength(RULES);
  });

  it('leaves small answers alone', async () => {
    const one = await get(`/v1/rules/${ruleId}`, { 'accept-encoding': 'gzip, br' });
    expect(one.statusCode).toBe(200);
    expect(one.rawPayload.byteLength).toBeLessThan(DEFAULTS.compressionThresholdBytes);
    expect(one.headers['content-encoding']).toBeUndefined();
    expect(one.headers.etag).toBe('"1"');
    expect(decode(one)).toMatchObject({ id: ruleId, name: 'Rule 000' });
    const live = await t.app.inject({ url: '/health/live', headers: { 'accept-encoding': 'br' } });
    expect(live.statusCode).toBe(200);
    expect(live.headers['content-encoding']).toBeUndefined();
    expect(live.json()).toMatchObject({ status: 'pass' });
  });

  it('compresses a large error, and small errors keep their headers uncompressed', async () => {
    const labels = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`bad-label-${i}`, 'x']),
    );
    const big = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      body: { ...RULE, labels },
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(big.status).toBe(422);
    expect(big.headers['content-encoding']).toBe('gzip');
    expect(big.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(gunzipSync(big.raw.rawPayload).toString('utf8')) as {
      code: string;
      status: number;
      errors: { pointer: string }[];
    };
    expect(problem.code).toBe('ALERTBASE_VALIDATION_FAILED');
    expect(problem.status).toBe(422);
    expect(problem.errors.map((e) => e.pointer)).toContain('/labels/bad-label-39');

    const unauthenticated = await call(t.app, 'GET', LIST, {
      key: null,
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers['content-encoding']).toBeUndefined();
    expect(unauthenticated.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(unauthenticated.body.code).toBe('ALERTBASE_AUTH_UNAUTHENTICATED');

    const notAcceptable = await call(t.app, 'GET', LIST, {
      key: t.keys.viewer,
      accept: 'text/html',
      headers: { 'accept-encoding': 'br' },
    });
    expect(notAcceptable.status).toBe(406);
    expect(notAcceptable.body.code).toBe('ALERTBASE_SERIALIZATION_NOT_ACCEPTABLE');

    const missing = await call(t.app, 'GET', '/v1/nowhere', {
      key: t.keys.viewer,
      headers: { 'accept-encoding': 'br' },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('ALERTBASE_RESOURCE_NOT_FOUND');
  });

  it('still reads compressed request bodies itself (415 for an unknown encoding)', async () => {
    const created = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      raw: gzipSync(JSON.stringify({ ...RULE, name: 'Sent gzipped' })),
      contentType: 'application/json',
      headers: { 'content-encoding': 'gzip', 'accept-encoding': 'gzip' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Sent gzipped' });
    const res = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      raw: '{}',
      contentType: 'application/json',
      headers: { 'content-encoding': 'deflate', 'accept-encoding': 'gzip' },
    });
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('ALERTBASE_SERIALIZATION_UNSUPPORTED_FORMAT');
  });

  it('compresses the OpenAPI document', async () => {
    const res = await t.app.inject({ url: '/docs/json', headers: { 'accept-encoding': 'gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(res.rawPayload).toString('utf8'))).toMatchObject({
      openapi: '3.1.0',
    });
  });

  it('is off with serialization.compressionEnabled: false', async () => {
    const { config } = await loadConfig({
      env: {},
      cwd: '/nonexistent-alertbase-test',
      overrides: { serialization: { compressionEnabled: false } },
    });
    const app = await buildApp({ db: t.db, config });
    try {
      const res = await app.inject({
        url: LIST,
        headers: { authorization: `Bearer ${t.keys.viewer}`, 'accept-encoding': 'gzip, br' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.headers.vary).toBe('Accept');
      expect(res.json<{ items: unknown[] }>().items).toHaveLength(RULES);
    } finally {
      await app.close();
    }
  });
});

describe('isCompressibleType', () => {
  it.each<[string, boolean]>([
    ...Object.values(FORMAT_MIME_TYPES).map((type): [string, boolean] => [type, true]),
    ['application/json; charset=utf-8', true],
    ['Application/YAML; charset=utf-8', true],
    [PROBLEM_JSON, true],
    ['image/png', false],
    ['', false],
  ])('%s: %s', (type, expected) => {
    expect(isCompressibleType(type)).toBe(expected);
  });
});
