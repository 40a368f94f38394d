/**
 * Every format in and out, content negotiation, size caps, malformed
 * bodies, problem details, health and the OpenAPI document.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMAT_MIME_TYPES, FORMATS, type Format } from '../../src/base/serializers/index.js';
import { call, RULE, setup, type TestApp } from './helpers.js';

const BODY_LIMIT = 64 * 1024;
let t: TestApp;
beforeAll(async () => {
  t = await setup({ bodyLimit: BODY_LIMIT });
});
afterAll(() => t.close());

describe('formats', () => {
  it.each(FORMATS)('reads and writes %s', async (format: Format) => {
    const created = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      body: { ...RULE, name: `rule in ${format}`, enabled: true, labels: { format } },
      format,
      accept: FORMAT_MIME_TYPES[format],
    });
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toContain(FORMAT_MIME_TYPES[format]);
    expect(created.headers.vary).toBe('Accept');
    expect(created.body).toMatchObject({
      name: `rule in ${format}`,
      for: 300_000,
      enabled: true,
      labels: { format },
    });
    const listed = await call(t.app, 'GET', `/v1/rules?label=format=${format}`, {
      key: t.keys.viewer,
      accept: `text/html;q=0.9, ${FORMAT_MIME_TYPES[format]}`,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.items?.map((r) => r.id)).toEqual([created.body.id]);
    const batch = await call(t.app, 'POST', '/v1/alerts', {
      key: t.keys.responder,
      body: [{ labels: { alertname: 'F', format }, level: 'low', priority: 'P4', value: 1.5 }],
      format,
      accept: FORMAT_MIME_TYPES[format],
    });
    expect(batch.status).toBe(200);
    expect(batch.body.counts).toMatchObject({ created: 1 });
  });

  it.each([
    ['json', '{"name": '],
    ['yaml', 'name: [unclosed'],
    ['xml', '<value type="object"><name>x</value>'],
    ['msgpack', Buffer.from([0xc1])],
    ['protobuf', Buffer.from([0xff, 0xff, 0xff])],
  ] as const)('answers 400 for a malformed %s body', async (format, raw) => {
    const res = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      raw,
      contentType: FORMAT_MIME_TYPES[format],
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('ALERTBASE_SERIALIZATION_FAILED');
  });

  it('answers 415 for another content type or encoding', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'image/png']) {
      const res = await call(t.app, 'POST', '/v1/rules', {
        key: t.keys.editor,
        raw: 'name=x',
        contentType,
      });
      expect(res.status).toBe(415);
      expect(res.body.code).toBe('ALERTBASE_SERIALIZATION_UNSUPPORTED_FORMAT');
    }
    const noType = await call(t.app, 'POST', '/v1/rules', { key: t.keys.editor, raw: '{}' });
    expect(noType.status).toBe(415);
    const deflate = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      raw: '{}',
      contentType: 'application/json',
      headers: { 'content-encoding': 'deflate' },
    });
    expect(deflate.status).toBe(415);
  });

  it('reads a gzip-encoded body', async () => {
    const res = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      raw: gzipSync(Buffer.from(JSON.stringify({ ...RULE, name: 'zipped' }))),
      contentType: 'application/json; charset=utf-8',
      headers: { 'content-encoding': 'gzip' },
    });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('zipped');
  });

  it('answers 406 when no format is acceptable, before doing anything', async () => {
    const res = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      body: { ...RULE, name: 'never stored' },
      accept: 'text/html',
    });
    expect(res.status).toBe(406);
    expect(res.body.code).toBe('ALERTBASE_SERIALIZATION_NOT_ACCEPTABLE');
    const listed = await call(t.app, 'GET', '/v1/rules?limit=1000', { key: t.keys.viewer });
    expect(listed.body.items?.some((r) => r.name === 'never stored')).toBe(false);
  });

  it('answers 413 for a body over the cap, before parsing it', async () => {
    const big = JSON.stringify({ ...RULE, description: 'x'.repeat(BODY_LIMIT) });
    const res = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      raw: big,
      contentType: 'application/json',
    });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('ALERTBASE_SERIALIZATION_TOO_LARGE');
    const bomb = gzipSync(Buffer.from(JSON.stringify({ description: ' '.repeat(BODY_LIMIT * 4) })));
    expect(bomb.byteLength).toBeLessThan(BODY_LIMIT);
    const inflated = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      raw: bomb,
      contentType: 'application/json',
      headers: { 'content-encoding': 'gzip' },
    });
    expect(inflated.status).toBe(413);
    expect(inflated.body.code).toBe('ALERTBASE_SERIALIZATION_TOO_LARGE');
  });

  it('treats an empty body as none', async () => {
    const res = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      raw: '',
      contentType: 'application/json',
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('ALERTBASE_VALIDATION_FAILED');
  });
});

describe('problem details', () => {
  it('answers an unknown route with 404 problem+json', async () => {
    const res = await call(t.app, 'GET', '/v2/nothing', { key: t.keys.viewer });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      type: 'https://alertbase.dev/problems/ALERTBASE_RESOURCE_NOT_FOUND',
      status: 404,
      code: 'ALERTBASE_RESOURCE_NOT_FOUND',
      instance: '/v2/nothing',
    });
  });

  it('never shows a stack trace or SQL', async () => {
    const res = await call(t.app, 'GET', '/v1/rules?cursor=garbage', { key: t.keys.viewer });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.raw.body).not.toMatch(/SELECT|\.ts:\d+|at [A-Za-z]+ \(/);
  });
});

describe('health and documentation', () => {
  it('answers liveness and readiness without a key, in application/health+json', async () => {
    const live = await t.app.inject({ url: '/health/live' });
    expect(live.statusCode).toBe(200);
    expect(live.headers['content-type']).toMatch(/^application\/health\+json/);
    expect(live.json()).toMatchObject({
      status: 'pass',
      checks: { uptime: [{ componentType: 'system', observedUnit: 's', status: 'pass' }] },
    });
    // The health format is fixed: Accept does not change it.
    const ready = await t.app.inject({
      url: '/health/ready',
      headers: { accept: 'application/yaml' },
    });
    expect(ready.statusCode).toBe(200);
    expect(ready.headers['content-type']).toMatch(/^application\/health\+json/);
    expect(ready.headers['cache-control']).toBe('no-store');
    const body = ready.json() as {
      status: string;
      checks: Record<
        string,
        { status: string; observedValue: number; observedUnit: string; time: string }[]
      >;
    };
    expect(Object.keys(body.checks).sort()).toEqual([
      'database:responseTime',
      'http:responseTime',
      'memory:utilization',
      'timeseries:responseTime',
    ]);
    expect(body.checks['database:responseTime']?.[0]).toMatchObject({
      componentType: 'datastore',
      observedUnit: 'ms',
      status: 'pass',
    });
    expect(body.checks['memory:utilization']?.[0]?.observedUnit).toBe('MiB');
    for (const [check] of Object.values(body.checks)) {
      expect(Number.isFinite(check?.observedValue)).toBe(true);
      expect(Date.parse(check?.time ?? '')).not.toBeNaN();
    }
    // Memory may be above 90% of the default limit on a busy machine: that is a warn, never a fail.
    expect(['pass', 'warn']).toContain(body.status);
  });

  it('serves OpenAPI 3.1 with every route, and the UI', async () => {
    const doc = await t.app.inject({ url: '/docs/json' });
    expect(doc.statusCode).toBe(200);
    const openapi = doc.json() as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(openapi.openapi).toBe('3.1.0');
    for (const path of [
      '/v1/tenants',
      '/v1/rules/{id}',
      '/v1/rules/validate',
      '/v1/rules/import',
      '/v1/rules/export',
      '/v1/alerts/{id}/acknowledge',
      '/v1/channels',
      '/v1/silences/{id}',
      '/v1/keys',
      '/v1/audit/verify',
      '/api/v2/alerts',
      '/v1/webhooks/alertmanager',
      '/health/ready',
    ]) {
      expect(openapi.paths[path], path).toBeDefined();
    }
    const ui = await t.app.inject({ url: '/docs', headers: { accept: 'text/html' } });
    expect(ui.statusCode).toBe(200);
  });
});
