/**
 * The request log: one JSON line per request with its id (the caller's
 * `X-Request-Id` or a new one), route, status, tenant and key id, and never
 * a key, a password or a query string. Everything the app logged during the
 * test is scanned for every secret the test used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createLogger, LOG_REDACT_PATHS, prettyLogLine } from '../../src/observability/index.js';
import { buildApp } from '../../src/server/app.js';
import { createTestDatabase, type Database } from '../../src/storage/index.js';
import { createRepositories } from '../../src/storage/repositories/index.js';
import { call } from './helpers.js';

const ADMIN_KEY = 'log-test-Admin-key-7f3a';
const DB_PASSWORD = 'pg-Password-91c2';
const METRICS_KEY = 'log-test-Metrics-key-55e1';
const SLACK_SECRET = 'slack-Secret-path-0d9b';
const BASIC_PASSWORD = 'basic-Password-3e77';

const lines: string[] = [];
let db: Database;
let app: Awaited<ReturnType<typeof buildApp>>;
let ownerKey: string;
let viewerKey: string;
let viewerId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const { config } = await loadConfig({
    env: {
      ALERTBASE_ADMIN_KEY: ADMIN_KEY,
      METRICS_KEY,
      DATABASE_URL: `postgres://alertbase:${DB_PASSWORD}@db.example:5432/alerts`,
    },
    cwd: '/nonexistent-alertbase-test',
  });
  app = await buildApp({
    db,
    config,
    adminKeys: [ADMIN_KEY],
    logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }),
  });
  const repos = createRepositories(db);
  await repos.tenants.create({ id: 'acme', name: 'Acme' }, 'test');
  ownerKey = (await repos.apiKeys.issue('acme', { name: 'owner', role: 'owner' }, 'test')).key;
  const viewer = await repos.apiKeys.issue('acme', { name: 'viewer', role: 'viewer' }, 'test');
  viewerKey = viewer.key;
  viewerId = viewer.apiKey.id;
});
afterAll(async () => {
  await app.close();
  await db.close();
});

/** The parsed log lines that say "request completed". */
const completed = () =>
  lines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e.msg === 'request completed');

describe('request log', () => {
  it('logs each request once with its id, route, status, tenant and key id', async () => {
    lines.length = 0;
    const res = await call(app, 'GET', '/v1/rules?api_key=in-the-query', {
      key: viewerKey,
      headers: { 'x-request-id': 'trace-log-1' },
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('trace-log-1');
    const entries = completed();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      level: 30,
      reqId: 'trace-log-1',
      method: 'GET',
      route: '/v1/rules',
      path: '/v1/rules',
      status: 200,
      tenant: 'acme',
      keyId: viewerId,
    });
    expect(typeof entries[0]?.durationMs).toBe('number');
    expect(lines.join('')).not.toContain('in-the-query');
  });

  it('logs no tenant for a public route or a platform key', async () => {
    lines.length = 0;
    await call(app, 'GET', '/health/live');
    await call(app, 'GET', '/v1/tenants/acme', { key: ADMIN_KEY });
    const [live, tenants] = completed();
    expect(live).toMatchObject({ route: '/health/live', status: 200 });
    expect(live?.tenant).toBeUndefined();
    expect(tenants).toMatchObject({ route: '/v1/tenants/:id', status: 200 });
    expect(tenants?.keyId).toBeUndefined();
  });

  it('never logs a key or a password, whatever the request did', async () => {
    lines.length = 0;
    await call(app, 'GET', '/v1/rules', { key: ownerKey });
    await call(app, 'GET', '/v1/rules', { key: `${ownerKey}x` });
    await call(app, 'GET', '/v1/rules', {
      headers: { authorization: `Basic ${Buffer.from(`u:${BASIC_PASSWORD}`).toString('base64')}` },
    });
    await call(app, 'GET', '/v1/tenants/acme', { key: ADMIN_KEY });
    await call(app, 'POST', '/v1/channels', {
      key: ownerKey,
      body: {
        name: 'ops',
        config: {
          type: 'slack',
          webhookUrl: `https://hooks.slack.com/services/T0/B0/${SLACK_SECRET}`,
        },
      },
    });
    await call(app, 'POST', '/v1/channels', {
      key: ownerKey,
      body: { name: 'bad', config: { type: 'slack', webhookUrl: `not a url ${SLACK_SECRET}` } },
    });
    await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_KEY}` } });
    await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_KEY}y` } });
    // Keys pasted into a path: the path is logged with them masked.
    await call(app, 'GET', `/v1/alerts/${ownerKey}`, { key: ownerKey });
    await call(app, 'GET', `/v1/tenants/${ADMIN_KEY}`, { key: ADMIN_KEY });
    // Something did get logged: one line for each of the 10 requests.
    expect(completed()).toHaveLength(10);
    expect(completed().at(-1)).toMatchObject({ path: '/v1/tenants/[redacted]', status: 404 });
    const everything = lines.join('');
    for (const secret of [
      ownerKey,
      viewerKey,
      ADMIN_KEY,
      DB_PASSWORD,
      METRICS_KEY,
      SLACK_SECRET,
      BASIC_PASSWORD,
      Buffer.from(`u:${BASIC_PASSWORD}`).toString('base64'),
    ]) {
      expect(everything, `a log line holds ${secret.slice(0, 6)}…`).not.toContain(secret);
    }
  });

  it('redacts secret-named fields and credential headers whoever logs them', () => {
    const out: string[] = [];
    const log = createLogger({ write: (l) => out.push(l) });
    log.info(
      {
        req: { headers: { authorization: 'Bearer abc-secret-1', host: 'h' } },
        user: { password: 'abc-secret-2', name: 'n' },
        channel: { token: 'abc-secret-3' },
      },
      'x',
    );
    expect(out.join('')).not.toMatch(/abc-secret/);
    expect(JSON.parse(out[0] ?? '{}')).toMatchObject({
      req: { headers: { authorization: '[redacted]', host: 'h' } },
      user: { password: '[redacted]', name: 'n' },
    });
    expect(LOG_REDACT_PATHS).toContain('*.password');
  });
});

describe('readable lines (a terminal)', () => {
  it('writes time, level, request id, message and fields', () => {
    const out: string[] = [];
    const log = createLogger({ pretty: true, write: (l) => out.push(l) });
    log
      .child({ reqId: 'r-1' })
      .info({ status: 200, path: '/v1/rules', note: 'a b' }, 'request completed');
    expect(out[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}\[r-1\] request completed status=200 path=\/v1\/rules note="a b"\n$/,
    );
    log.error({ err: new Error('boom') }, 'failed');
    expect(out[1]).toMatch(/ERROR failed err="boom"\n {4}Error: boom\n {4,}at /);
  });

  it('passes through what is not a JSON object, and bounds long values', () => {
    expect(prettyLogLine('plain text\n')).toBe('plain text\n');
    expect(prettyLogLine('[1,2]\n')).toBe('[1,2]\n');
    const long = prettyLogLine(
      JSON.stringify({ level: 40, time: 0, msg: 'm', big: 'x'.repeat(500) }),
    );
    expect(long).toBe(`00:00:00.000 WARN  m big=${'x'.repeat(200)}…\n`);
  });
});
