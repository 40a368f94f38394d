/**
 * `GET /metrics` and what it counts, each observability setting doing what
 * it says, and the real output passing `promtool check metrics`.
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { buildApp } from '../../src/server/app.js';
import { itemEntryBytes } from '../../src/server/json-item-memo.js';
import { MAPPED_ENTRY_BYTES, postableMemoKeys } from '../../src/server/routes/resend-keys.js';
import { startServer } from '../../src/server/start-server.js';
import { createTestDatabase } from '../../src/storage/index.js';
import { validationEntryBytes } from '../../src/storage/repositories/validation-memo.js';
import { describeWithBinary } from '../e2e/helpers.js';
import { call, RULE, setup, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await setup();
});
afterAll(() => t.close());

/** The value of one sample line (`name{labels} value`), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const scrape = async (app = t.app, headers: Record<string, string> = {}) =>
  app.inject({ url: '/metrics', headers });

const ALERT = [{ labels: { alertname: 'MetricsTest', severity: 'warning' } }];

describe('GET /metrics', () => {
  it("answers Prometheus's text format with what the requests did", async () => {
    expect((await call(t.app, 'GET', '/v1/rules', { key: t.keys.viewer })).status).toBe(200);
    expect(
      (await call(t.app, 'POST', '/api/v2/alerts', { key: t.keys.responder, body: ALERT })).status,
    ).toBe(200);
    expect(
      (await call(t.app, 'POST', '/api/v2/alerts', { key: t.keys.responder, body: ALERT })).status,
    ).toBe(200);
    expect(
      (await call(t.app, 'POST', '/v1/rules/validate', { key: t.keys.viewer, body: RULE })).status,
    ).toBe(200);
    await call(t.app, 'GET', '/v1/rules/nope', { key: t.keys.viewer });

    const res = await scrape();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = res.body;
    expect(
      sample(
        text,
        'alertbase_http_requests_total{route="/api/v2/alerts",method="POST",status_class="2xx"}',
      ),
    ).toBe(2);
    // The route template, never the id.
    expect(
      sample(
        text,
        'alertbase_http_requests_total{route="/v1/rules/:id",method="GET",status_class="4xx"}',
      ),
    ).toBe(1);
    expect(text).not.toContain('/v1/rules/nope');
    expect(
      sample(
        text,
        'alertbase_http_request_duration_seconds_count{route="/v1/rules",method="GET",status_class="2xx"}',
      ),
    ).toBe(1);
    expect(sample(text, 'alertbase_ingest_alerts_total{tenant="acme",outcome="created"}')).toBe(1);
    expect(
      sample(text, 'alertbase_ingest_alerts_total{tenant="acme",outcome="deduplicated"}'),
    ).toBe(1);
    expect(
      sample(text, 'alertbase_serialization_bytes_total{format="json",direction="decode"}'),
    ).toBeGreaterThan(0);
    expect(
      sample(
        text,
        'alertbase_serialization_duration_seconds_count{format="json",direction="encode"}',
      ),
    ).toBeGreaterThanOrEqual(4);
    expect(
      sample(text, 'alertbase_validation_duration_seconds_count{model="AlertRule",level="syntax"}'),
    ).toBe(1);
    expect(text).toMatch(
      /^alertbase_db_query_duration_seconds_count\{statement="[a-z_]+",engine="pglite"\} \d+/m,
    );
    expect(sample(text, 'alertbase_database_up{engine="pglite"}')).toBe(1);
    expect(
      sample(text, 'alertbase_db_pool_connections{engine="pglite",state="in_use"}'),
    ).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'alertbase_db_pool_waiting{engine="pglite"}')).toBe(0);
    expect(sample(text, 'alertbase_memory_limit_bytes')).toBe(512 * 1024 * 1024);
    expect(sample(text, 'alertbase_ingest_memo_limit_bytes')).toBe(128 * 1024 * 1024);
    expect(sample(text, 'alertbase_ingest_memo_start_overs_total')).toBe(0);
    expect(sample(text, 'alertbase_ingest_memo_refused_total')).toBe(0);
    // The alert posted is open: the heartbeat index holds it, under a quarter of 512 MiB.
    expect(sample(text, 'alertbase_ingest_heartbeat_index_entries')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'alertbase_ingest_heartbeat_index_limit_entries')).toBe(298_261);
    // The first post was stored by one ingest transaction; the second, a
    // resend with nothing changed, was answered from the heartbeat index.
    expect(sample(text, 'alertbase_ingest_transactions_total')).toBe(1);
    expect(sample(text, 'alertbase_ingest_transaction_batches_total')).toBe(1);
    expect(sample(text, 'alertbase_ingest_transaction_alerts_total')).toBe(1);
    expect(sample(text, 'alertbase_ingest_transaction_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'alertbase_memory_used_ratio')).toBeGreaterThan(0);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
    // The hooks other layers report through are there, at zero.
    expect(text).toContain('# TYPE alertbase_cache_lookups_total counter');
    expect(text).toContain('# TYPE alertbase_notifications_total counter');
    expect(sample(text, 'alertbase_notification_queue_oldest_age_seconds')).toBe(0);
  });

  it('reports what the memos of resends hold: each of the three charged once for a new alert, none for its resend', async () => {
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const alert = {
      labels: { alertname: 'MemoMetrics', instance: 'a:9100' },
      annotations: { summary: 'down' },
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt,
      generatorURL: 'http://p:9090/graph',
    };
    const held = async () => sample((await scrape()).body, 'alertbase_ingest_memo_bytes') ?? 0;
    const before = await held();
    const post = (body: unknown) =>
      call(t.app, 'POST', '/api/v2/alerts', { key: t.keys.responder, body: [body] });
    expect((await post(alert)).status).toBe(200);
    const charged = (await held()) - before;
    // The wire's item (its bytes without the end's value), the route's mapping
    // and ingest's validated entry (its key holds the tenant's level overrides,
    // none set: {}), all in the one budget.
    const key = postableMemoKeys([alert], {})[0] ?? '';
    const size = JSON.stringify(alert).length - endsAt.length;
    expect(charged).toBe(itemEntryBytes(size) + MAPPED_ENTRY_BYTES + validationEntryBytes(key));
    const resend = { ...alert, endsAt: new Date(Date.now() + 3_660_000).toISOString() };
    expect((await post(resend)).body).toMatchObject({ counts: { deduplicated: 1 } });
    expect((await held()) - before).toBe(charged);
  });

  it('reports the live rows, dead rows and size of each table', async () => {
    // Resends written before they are answered: no heartbeat lands during the test.
    const { config } = await loadConfig({
      env: { INGEST_HEARTBEAT_WINDOW_MS: '0' },
      cwd: '/nonexistent-alertbase-test',
    });
    const own = await setup({ config });
    const stats = async () => {
      const text = (await scrape(own.app)).body;
      return {
        live: sample(text, 'alertbase_table_live_rows{table="alerts"}'),
        dead: sample(text, 'alertbase_table_dead_rows{table="alerts"}'),
        bytes: sample(text, 'alertbase_table_size_bytes{table="alerts"}'),
      };
    };
    const before = await stats();
    const body = [1, 2, 3].map((i) => ({ labels: { alertname: 'TableStats', n: String(i) } }));
    const res = await call(own.app, 'POST', '/api/v2/alerts', { key: own.keys.responder, body });
    expect(res.status).toBe(200);
    const counted = await own.db.query<{ n: number; bytes: string }>(
      `SELECT count(*)::int AS n, pg_total_relation_size('alerts')::text AS bytes FROM alerts`,
    );
    const afterInsert = await stats();
    expect(afterInsert.live).toBe(counted.rows[0]?.n);
    expect(afterInsert.live).toBe((before.live ?? Number.NaN) + 3);
    expect(afterInsert.bytes).toBe(Number(counted.rows[0]?.bytes));
    // Every update leaves one dead version until a vacuum.
    await own.db.query(
      `UPDATE alerts SET duplicate_count = duplicate_count + 1 WHERE labels->>'alertname' = 'TableStats'`,
    );
    expect((await stats()).dead).toBe((afterInsert.dead ?? Number.NaN) + 3);
    await own.db.exec('VACUUM alerts');
    expect((await stats()).dead).toBe(0);
    await own.close();
  });

  it('answers OpenMetrics when Accept asks, and the text format after it is unchanged', async () => {
    const open = await scrape(t.app, {
      accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
    });
    expect(open.headers['content-type']).toBe(
      'application/openmetrics-text; version=1.0.0; charset=utf-8',
    );
    expect(open.body.endsWith('# EOF\n')).toBe(true);
    expect(open.body).toContain('# TYPE alertbase_http_requests counter');
    expect(open.body).toMatch(/^alertbase_http_requests_total\{/m);
    // prom-client renames counters while it writes OpenMetrics: the names are restored.
    const text = (await scrape()).body;
    expect(text).toContain('# TYPE alertbase_http_requests_total counter');
    expect(text).not.toContain('# EOF');
    // Concurrent scrapes of both formats do not mix.
    const both = await Promise.all([
      scrape(t.app, { accept: 'application/openmetrics-text' }),
      scrape(),
      scrape(t.app, { accept: 'application/openmetrics-text' }),
      scrape(),
    ]);
    expect(both.map((r) => r.body.endsWith('# EOF\n'))).toEqual([true, false, true, false]);
    expect(both[1]?.body).toContain('# TYPE alertbase_http_requests_total counter');
  });

  it("returns X-Request-Id: the caller's when it is a plain token, a new one otherwise", async () => {
    const given = await t.app.inject({
      url: '/health/live',
      headers: { 'x-request-id': 'trace-42.a:b_c' },
    });
    expect(given.headers['x-request-id']).toBe('trace-42.a:b_c');
    const forged = await t.app.inject({
      url: '/v1/nothing',
      headers: { 'x-request-id': 'a b\tc' },
    });
    expect(forged.statusCode).toBe(404);
    expect(forged.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(forged.body)).toMatchObject({
      instance: '/v1/nothing',
      requestId: forged.headers['x-request-id'],
    });
    const long = await t.app.inject({
      url: '/metrics',
      headers: { 'x-request-id': 'x'.repeat(129) },
    });
    expect(long.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

/** A configuration with these environment variables. */
const configWith = async (env: Record<string, string>) =>
  (await loadConfig({ env, cwd: '/nonexistent-alertbase-test' })).config;

describe('observability settings', () => {
  it('METRICS_ENABLED=false: no /metrics, the service works', async () => {
    const app = await buildApp({
      db: t.db,
      config: await configWith({ METRICS_ENABLED: 'false' }),
    });
    try {
      expect((await scrape(app)).statusCode).toBe(404);
      expect((await app.inject({ url: '/health/live' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('METRICS_KEY: a scrape without it, or with another, is 401', async () => {
    const app = await buildApp({
      db: t.db,
      config: await configWith({ METRICS_KEY: 'scrape-me' }),
    });
    try {
      const none = await scrape(app);
      expect(none.statusCode).toBe(401);
      expect(JSON.parse(none.body).code).toBe('ALERTBASE_AUTH_UNAUTHENTICATED');
      expect((await scrape(app, { authorization: 'Bearer other' })).statusCode).toBe(401);
      expect((await scrape(app, { authorization: 'Basic c2NyYXBlLW1l' })).statusCode).toBe(401);
      const ok = await scrape(app, { authorization: 'Bearer scrape-me' });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('alertbase_http_requests_total');
      // Documented in OpenAPI as needing a bearer token.
      const doc = await app.inject({ url: '/docs/json' });
      expect(doc.statusCode).toBe(200);
      expect(
        (doc.json() as { paths: Record<string, { get?: { security?: unknown } }> }).paths[
          '/metrics'
        ]?.get?.security,
      ).toEqual([{ apiKey: [] }]);
    } finally {
      await app.close();
    }
  });

  it('METRICS_TENANT_LIMIT: tenants past the limit are counted as "other"', async () => {
    const app = await buildApp({
      db: t.db,
      config: await configWith({ METRICS_TENANT_LIMIT: '1' }),
    });
    try {
      await call(app, 'POST', '/api/v2/alerts', { key: t.keys.responder, body: ALERT });
      await call(app, 'POST', '/api/v2/alerts', { key: t.otherKey, body: ALERT });
      const text = (await scrape(app)).body;
      expect(text).toMatch(/^alertbase_ingest_alerts_total\{tenant="acme",outcome="\w+"\} 1$/m);
      expect(text).toMatch(
        /^alertbase_ingest_alerts_total\{tenant="other",outcome="created"\} 1$/m,
      );
      expect(text).not.toContain('tenant="globex"');
    } finally {
      await app.close();
    }
  });

  it('MAX_MEMORY_USAGE_MB and RESPONSE_TIME_THRESHOLD_MS: ready warns (200), never fails, past them', async () => {
    const app = await buildApp({
      db: t.db,
      config: await configWith({ MAX_MEMORY_USAGE_MB: '1', RESPONSE_TIME_THRESHOLD_MS: '1' }),
    });
    try {
      // The OpenAPI document (~500 KB of JSON) takes well over 1 ms to answer.
      for (let i = 0; i < 3; i++) await app.inject({ url: '/docs/json' });
      const ready = await app.inject({ url: '/health/ready' });
      expect(ready.statusCode).toBe(200);
      const body = JSON.parse(ready.body) as {
        status: string;
        checks: Record<string, { status: string; observedValue: number; output?: string }[]>;
      };
      expect(body.status).toBe('warn');
      expect(body.checks['memory:utilization']?.[0]?.status).toBe('warn');
      expect(body.checks['memory:utilization']?.[0]?.output).toContain('MAX_MEMORY_USAGE_MB');
      expect(body.checks['http:responseTime']?.[0]?.status).toBe('warn');
      expect(body.checks['http:responseTime']?.[0]?.observedValue).toBeGreaterThan(1);
      expect(body.checks['database:responseTime']?.[0]?.status).toBe('pass');
      const text = (await scrape(app)).body;
      expect(sample(text, 'alertbase_memory_limit_bytes')).toBe(1024 * 1024);
      // A quarter of it bounds the memos of resends, another the heartbeat index.
      expect(sample(text, 'alertbase_ingest_memo_limit_bytes')).toBe(256 * 1024);
      expect(sample(text, 'alertbase_ingest_heartbeat_index_limit_entries')).toBe(582);
    } finally {
      await app.close();
    }
  });

  it('METRICS_PORT: /metrics on its own port (with METRICS_KEY), not on the service port', async () => {
    const db = await createTestDatabase();
    const printed: string[] = [];
    const server = await startServer({
      config: await configWith({ METRICS_PORT: '0', METRICS_KEY: 'port-key' }),
      env: {},
      port: 0,
      host: '127.0.0.1',
      database: db,
      logger: false,
      demoTenant: false,
      print: (line) => printed.push(line),
      handleSignals: false,
    });
    try {
      const metricsUrl = server.metricsUrl ?? '';
      expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(new URL(metricsUrl).port).not.toBe(String(server.port));
      expect(printed).toContain(`Metrics: ${metricsUrl}`);
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
      expect((await fetch(metricsUrl)).status).toBe(401);
      const res = await fetch(metricsUrl, { headers: { authorization: 'Bearer port-key' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(await res.text()).toContain('alertbase_database_up{engine="pglite"} 1');
      const open = await fetch(metricsUrl, {
        headers: { authorization: 'Bearer port-key', accept: 'application/openmetrics-text' },
      });
      expect((await open.text()).endsWith('# EOF\n')).toBe(true);
      const head = await fetch(metricsUrl, {
        method: 'HEAD',
        headers: { authorization: 'Bearer port-key' },
      });
      expect(head.status).toBe(200);
      expect((await fetch(metricsUrl.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

await describeWithBinary('promtool check metrics on the real output', 'promtool', (promtool) => {
  it('finds no problem in the text format', async () => {
    await call(t.app, 'POST', '/api/v2/alerts', { key: t.keys.responder, body: ALERT });
    const text = (await scrape()).body;
    const child = execFile(promtool, ['check', 'metrics']);
    const done = new Promise<{ code: number | null; out: string }>((resolve) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr?.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.on('close', (code) => resolve({ code, out }));
    });
    child.stdin?.end(text);
    const { code, out } = await done;
    expect(out).toBe('');
    expect(code).toBe(0);
  });

  it('is what promtool reports a problem in when a name breaks the conventions', async () => {
    // The check itself can fail: a counter without _total is reported.
    const bad = '# HELP bad_counter x\n# TYPE bad_counter counter\nbad_counter 1\n';
    const child = execFile(promtool, ['check', 'metrics']);
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin?.end(bad);
    expect(await done).not.toBe(0);
  });
});
