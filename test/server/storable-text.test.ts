/**
 * Text PostgreSQL cannot store (NUL, half of a surrogate pair) is refused
 * when the body is decoded, with the pointer of the string, in every format
 * and on every route: before, such an alert reached the database and the
 * request failed with 500 (`ALERTBASE_STORAGE_QUERY_FAILED`). The same for
 * `%00` in a URL's path or query, which reached SQL as a parameter.
 */
import { pack } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unstorablePath } from '../../src/server/storable-text.js';
import { call, setup, type TestApp } from './helpers.js';

describe('unstorablePath', () => {
  it('finds the first NUL or lone surrogate, in values and keys; paired surrogates are text', () => {
    expect(unstorablePath({ a: ['ok', 'é😀', 1, null, { b: true }] })).toBeUndefined();
    expect(unstorablePath({ a: ['ok', 'x\u0000'] })).toEqual(['a', 1]);
    expect(unstorablePath({ a: { 'k\ud800': 1 } })).toEqual(['a', 'k\ud800']);
    expect(unstorablePath(['\udc00x'])).toEqual([0]);
    expect(unstorablePath(['x\ud83d'])).toEqual([0]);
    expect(unstorablePath([new Date(0), new Uint8Array([0])])).toBeUndefined();
  });
});

describe('bodies with text PostgreSQL cannot store', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setup();
  }, 60_000);
  afterAll(async () => t?.close());

  const refused = (pointer: string, format = 'json') => ({
    status: 400,
    code: 'ALERTBASE_SERIALIZATION_FAILED',
    detail: `cannot decode ${format}: the string at "${pointer}" holds U+0000 (NUL) or half of a surrogate pair, which cannot be stored (PostgreSQL refuses both)`,
  });

  it('refuses a NUL in a Prometheus alert with 400 and its pointer, and stores nothing', async () => {
    const res = await call(t.app, 'POST', '/api/v2/alerts', {
      key: t.keys.responder,
      raw: '[{"labels":{"alertname":"Fine"}},{"labels":{"alertname":"Nul"},"annotations":{"a":"x\\u0000y"}}]',
      contentType: 'application/json',
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject(refused('/1/annotations/a'));
    const stored = await call(t.app, 'GET', '/v1/alerts?limit=10', { key: t.keys.viewer });
    expect(stored.status).toBe(200);
    expect(stored.body.items).toEqual([]);
  });

  it('refuses a lone surrogate escape in a label name, and a NUL sent as MessagePack', async () => {
    const lone = await call(t.app, 'POST', '/v1/alerts', {
      key: t.keys.responder,
      raw: '[{"labels":{"alertname":"A","x\\ud800":"v"},"level":"high","priority":"P2"}]',
      contentType: 'application/json',
    });
    expect(lone.status).toBe(400);
    expect(lone.body).toMatchObject(refused('/0/labels/x\ud800'));
    const packed = await call(t.app, 'POST', '/v1/alerts', {
      key: t.keys.responder,
      raw: pack([{ labels: { alertname: 'N\u0000' }, level: 'high', priority: 'P2' }]),
      contentType: 'application/msgpack',
    });
    expect(packed.status).toBe(400);
    expect(packed.body).toMatchObject(refused('/0/labels/alertname', 'msgpack'));
  });

  it('takes escapes that are text: a paired surrogate, NUL written as an escaped backslash', async () => {
    const res = await call(t.app, 'POST', '/api/v2/alerts', {
      key: t.keys.responder,
      raw: '[{"labels":{"alertname":"Emoji\\ud83d\\ude00","path":"C:\\\\u0000"},"generatorURL":"http://p/graph?a=1\\u0026b=2"}]',
      contentType: 'application/json',
    });
    expect(res.status).toBe(200);
    expect(res.body.counts).toMatchObject({ created: 1 });
    const stored = await call(t.app, 'GET', '/v1/alerts?limit=10', { key: t.keys.viewer });
    expect(stored.body.items?.[0]?.labels).toEqual({ alertname: 'Emoji😀', path: 'C:\\u0000' });
  });

  it('refuses %00 in a path or a query with 400, on every route; other escapes pass', async () => {
    for (const url of [
      '/v1/alerts/a%00b',
      '/v1/rules/x%00y',
      '/v1/audit?actor=a%00',
      '/v1/alerts?label=a%3Db%00',
      '/api/v2/alerts?filter=alertname%3D%22a%00%22',
    ]) {
      const res = await call(t.app, 'GET', url, { key: t.keys.owner });
      expect(res.status, url).toBe(400);
      expect(res.body, url).toMatchObject({
        code: 'ALERTBASE_SERIALIZATION_FAILED',
        detail:
          'cannot decode url: it holds %00 (U+0000, NUL), which cannot be stored or searched for (PostgreSQL refuses it)',
      });
    }
    const fine = await call(t.app, 'GET', '/v1/alerts?label=a%3Db%2500', { key: t.keys.owner });
    expect(fine.status).toBe(200);
  });
});
