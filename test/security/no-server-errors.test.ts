/**
 * Every documented route, sent what a careless or hostile client sends,
 * answers 4xx (or 2xx), never 5xx: odd values in each path and query
 * parameter (`%00`, huge and negative numbers, impossible dates, long
 * strings, SQL), bodies of every JSON type and shape, and MessagePack and
 * YAML bodies carrying what JSON cannot (64-bit integers, bytes, dates,
 * maps, non-finite numbers). The routes come from the OpenAPI document, so
 * a new route is covered when it is documented. Its scratch runs found
 * `%00` in URLs (500 from PostgreSQL), the JSON `null` on `POST /v1/channels`
 * (500 from the URL check) and `[null]` on `POST /api/v2/alerts` (500 from
 * the resend memo).
 */
import { Packr } from 'msgpackr';
import { expect, it } from 'vitest';
import { call, type TestApp } from '../server/helpers.js';
import { onEveryEngine } from './engines.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Spec = {
  paths?: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
};

const ODD_VALUES = [
  '-1',
  '0',
  '1e309',
  '99999999999999999999',
  'x'.repeat(3_000),
  '😀',
  '9999-99-99',
  '2026-13-45T99:99:99Z',
  '[]',
  'null',
  "'; DROP TABLE alerts;--",
  'a,b,,c',
  'NaN',
  '\u0000',
  '../..',
];

const deep = (n: number): unknown => (n === 0 ? 'x' : { a: deep(n - 1) });

const JSON_BODIES: unknown[] = [
  null,
  0,
  'x',
  [],
  {},
  [[]],
  [null],
  { labels: [] },
  { name: 1e308 },
  { name: '😀'.repeat(300) },
  { id: 'x', tenant_id: 'acme' },
  { starts_at: '9999-12-31T23:59:59Z', ends_at: '0000-01-01T00:00:00Z' },
  { matchers: [{ name: 'a', value: '(', isRegex: true }] },
  { expr: 'up{'.repeat(200) },
  deep(40),
  Array.from({ length: 1_001 }, () => ({})),
  { for: '-5m', duration: '99999999999999999999d' },
];

const packr = new Packr({ useRecords: false, int64AsType: 'bigint' });
const PACKED_VALUES: unknown[] = [
  2n ** 63n - 1n,
  new Uint8Array([1, 2, 3]),
  new Date(0),
  Number.NaN,
  Number.POSITIVE_INFINITY,
  new Map([[1, 2]]),
];
const shapesOf = (v: unknown): unknown[] => [
  v,
  [v],
  { name: v },
  [{ labels: { alertname: 'A', x: v }, level: v, starts_at: v }],
  { config: { url: v } },
  { matchers: [{ name: 'a', value: v }] },
];

const YAML_BODIES = [
  'a: !!binary aGVsbG8=',
  '- labels: {alertname: 2026-01-01}\n  level: high\n  priority: P2',
  'name: !!int 99999999999999999999999',
  'a: .inf',
];

async function routesOf(t: TestApp): Promise<[Method, string, string[]][]> {
  const spec = (await call(t.app, 'GET', '/docs/json', { key: null })).body as Spec;
  const routes: [Method, string, string[]][] = [];
  for (const [path, ops] of Object.entries(spec.paths ?? {})) {
    for (const [method, op] of Object.entries(ops)) {
      const upper = method.toUpperCase();
      if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(upper)) continue;
      const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      routes.push([upper as Method, path, query]);
    }
  }
  return routes;
}

onEveryEngine('no 5xx from hostile input', (fixtures) => {
  it('on every documented route', async () => {
    const t = fixtures();
    const routes = await routesOf(t);
    expect(routes.length).toBeGreaterThan(50);
    const failures: string[] = [];
    let sent = 0;
    const send = async (
      method: Method,
      url: string,
      body: { raw: string | Buffer; contentType: string } | undefined,
    ) => {
      sent++;
      const res = await call(t.app, method, url, { key: t.keys.owner, ...body });
      if (res.status >= 500) {
        failures.push(
          `${method} ${url.slice(0, 120)} ${body?.contentType ?? ''} → ${res.status} ${String(res.body.code)}`,
        );
      }
    };
    for (const [method, path, query] of routes) {
      for (const v of ODD_VALUES) {
        const e = encodeURIComponent(v);
        const url = `${path.replace(/\{[^}]+\}/g, e)}${query.length > 0 ? `?${query.map((q) => `${q}=${e}`).join('&')}` : ''}`;
        await send(method, url, undefined);
      }
      if (method === 'GET' || method === 'DELETE') continue;
      const url = path.replace(/\{[^}]+\}/g, '0193a000-0000-7000-8000-000000000000');
      for (const b of JSON_BODIES) {
        await send(method, url, { raw: JSON.stringify(b), contentType: 'application/json' });
      }
      for (const v of PACKED_VALUES) {
        for (const s of shapesOf(v)) {
          await send(method, url, { raw: packr.pack(s), contentType: 'application/msgpack' });
        }
      }
      for (const y of YAML_BODIES)
        await send(method, url, { raw: y, contentType: 'application/yaml' });
    }
    expect(sent).toBeGreaterThan(2_000);
    expect(failures).toEqual([]);
  }, 120_000);
});
