/**
 * The payload archive through the service: every ingest route's decoded
 * body is archived with who sent it, how and what became of it (accepted
 * with its rejected items, or rejected whole); `GET /v1/archive` lists and
 * fetches a tenant's own; `POST /v1/archive/replay` ingests a range again
 * through the same ingest, audited; `ARCHIVE_ENABLED=false` archives
 * nothing; a MongoDB that does not answer makes readiness `warn` and the
 * archive routes 503, while ingest goes on.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { type CallResult, call, setup, type TestApp } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The archive's page once it holds `n` entries (written behind: polled, at most 10 s). */
async function archived(t: TestApp, key: string, n: number, query = ''): Promise<CallResult> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const page = await call(t.app, 'GET', `/v1/archive?limit=100${query}`, { key });
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    if ((page.body.items?.length ?? 0) >= n || Date.now() > deadline) return page;
    await sleep(50);
  }
}

const alert = (name: string) => ({ labels: { alertname: name }, level: 'high', priority: 'P2' });

describe('payload archive: ingest, list, fetch, replay', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setup();
  }, 60_000);
  afterAll(async () => t?.close());

  it('archives an accepted request with its rejected items, as decoded', async () => {
    const body = [alert('Archived'), { labels: {}, level: 'high' }];
    const res = await call(t.app, 'POST', '/v1/alerts', {
      key: t.keys.responder,
      body,
      headers: { 'x-request-id': 'req-archive-1' },
    });
    expect(res.status).toBe(200);
    const page = await archived(t, t.keys.viewer, 1);
    expect(page.body.items).toHaveLength(1);
    const [summary] = page.body.items ?? [];
    expect(summary).toMatchObject({
      tenant_id: 'acme',
      request_id: 'req-archive-1',
      door: 'alerts',
      format: 'json',
      outcome: 'accepted',
      bytes: Buffer.byteLength(JSON.stringify(body)),
    });
    expect(summary?.key_id).toMatch(/^[0-9a-f-]{36}$/);
    const issues = summary?.issues as { index: number | null; code: string }[];
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.every((i) => i.index === 1)).toBe(true);
    expect(summary).not.toHaveProperty('body');
    const one = await call(t.app, 'GET', `/v1/archive/${String(summary?.id)}`, {
      key: t.keys.viewer,
    });
    expect(one.status).toBe(200);
    expect(one.body.body).toEqual(body);
  });

  it('archives every door and format: a gzip YAML batch, Prometheus, the webhook, a refused body', async () => {
    const yaml =
      'alerts:\n  - labels: { alertname: Yaml, "$where": "1", "a.b": x }\n    level: high\n    priority: P2\n';
    const zipped = gzipSync(Buffer.from(yaml));
    expect(
      (
        await call(t.app, 'POST', '/v1/alerts', {
          key: t.keys.responder,
          raw: zipped,
          contentType: 'application/yaml',
          headers: { 'content-encoding': 'gzip' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(t.app, 'POST', '/api/v2/alerts', {
          key: t.keys.responder,
          body: [{ labels: { alertname: 'Prom', instance: 'i-1' } }],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(t.app, 'POST', '/v1/webhooks/alertmanager', {
          key: t.keys.responder,
          body: { version: '4', status: 'firing', alerts: [] },
        })
      ).status,
    ).toBe(200);
    const refused = await call(t.app, 'POST', '/v1/alerts', {
      key: t.keys.responder,
      body: { nope: 1 },
    });
    expect(refused.status).toBe(422);
    const page = await archived(t, t.keys.viewer, 5);
    const [rejected, webhook, prom, yamlEntry] = page.body.items ?? [];
    expect(rejected).toMatchObject({ door: 'alerts', outcome: 'rejected', format: 'json' });
    expect(rejected?.issues).toEqual([
      expect.objectContaining({ index: null, code: 'invalid_type' }),
    ]);
    expect(webhook).toMatchObject({ door: 'alertmanager-webhook' });
    expect(prom).toMatchObject({ door: 'alertmanager-v2', outcome: 'accepted', issues: [] });
    expect(yamlEntry).toMatchObject({ door: 'alerts', format: 'yaml', bytes: zipped.byteLength });
    const fetched = await call(t.app, 'GET', `/v1/archive/${String(yamlEntry?.id)}`, {
      key: t.keys.viewer,
    });
    // The body after decompression and decoding: keys that look like operators are data.
    expect(fetched.body.body).toEqual({
      alerts: [
        { labels: { alertname: 'Yaml', $where: '1', 'a.b': 'x' }, level: 'high', priority: 'P2' },
      ],
    });
    const onlyRejected = await call(t.app, 'GET', '/v1/archive?outcome=rejected', {
      key: t.keys.viewer,
    });
    expect(onlyRejected.body.items?.map((i) => i.id)).toEqual([rejected?.id]);
    const yamlOnly = await call(t.app, 'GET', '/v1/archive?format=yaml&door=alerts', {
      key: t.keys.viewer,
    });
    expect(yamlOnly.body.items?.map((i) => i.id)).toEqual([yamlEntry?.id]);
  });

  it('archives a request refused for naming another tenant, with the error as its issue', async () => {
    const res = await call(t.app, 'POST', '/v1/alerts', {
      key: t.keys.responder,
      body: [{ ...alert('Foreign'), tenant_id: 'globex' }],
    });
    expect(res.status).toBe(403);
    // The refused body of the test before, and this one, newest first.
    const page = await archived(t, t.keys.viewer, 2, '&outcome=rejected&format=json&door=alerts');
    expect(page.body.items).toHaveLength(2);
    expect(page.body.items?.[0]?.issues).toEqual([
      expect.objectContaining({ index: null, pointer: '', code: 'ALERTBASE_TENANT_ISOLATION' }),
    ]);
    // Filed under the caller's tenant only.
    const theirs = await call(t.app, 'GET', '/v1/archive', { key: t.otherKey });
    expect(theirs.body.items).toEqual([]);
  });

  it('pages newest first by cursor; another tenant sees none of it', async () => {
    const first = await call(t.app, 'GET', '/v1/archive?limit=2', { key: t.keys.viewer });
    expect(first.body.items).toHaveLength(2);
    const second = await call(
      t.app,
      'GET',
      `/v1/archive?limit=2&cursor=${String(first.body.next_cursor)}`,
      { key: t.keys.viewer },
    );
    expect(second.body.items).toHaveLength(2);
    const ids = [...(first.body.items ?? []), ...(second.body.items ?? [])].map((i) => i.id);
    expect(new Set(ids).size).toBe(4);
    const theirs = await call(t.app, 'GET', '/v1/archive', { key: t.otherKey });
    expect(theirs.body.items).toEqual([]);
    const stolen = await call(t.app, 'GET', `/v1/archive/${String(ids[0])}`, { key: t.otherKey });
    expect(stolen.status).toBe(404);
    expect(stolen.body.code).toBe('ALERTBASE_RESOURCE_NOT_FOUND');
    // Reads of the archive are audited like reads of alerts (one `read` event per caller and route).
    await sleep(1_500);
    const reads = await t.db.withTenant('acme', (tx) =>
      tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = 'acme'
            AND doc->>'action' = 'read' AND doc->>'entityType' = 'PayloadArchive'`,
      ),
    );
    expect(reads.rows[0]?.n).toBeGreaterThan(0);
    const bad = await call(
      t.app,
      'GET',
      '/v1/archive?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z',
      {
        key: t.keys.viewer,
      },
    );
    expect(bad.status).toBe(422);
  });

  it('replays accepted payloads through the ingest: what changed, bounded, audited, not archived again', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const before = (await archived(t, t.keys.viewer, 5)).body.items?.length ?? 0;
    // Resolve the first archived alert: a replay makes it fire again (a new alert).
    const list = await call(t.app, 'GET', '/v1/alerts?label=alertname=Archived', {
      key: t.keys.viewer,
    });
    const id = String(list.body.items?.[0]?.id);
    expect(
      (await call(t.app, 'POST', `/v1/alerts/${id}/resolve`, { key: t.keys.responder })).status,
    ).toBe(200);
    expect(
      (await call(t.app, 'POST', '/v1/archive/replay', { key: t.keys.viewer, body: { from, to } }))
        .status,
    ).toBe(403);
    const partial = await call(t.app, 'POST', '/v1/archive/replay', {
      key: t.keys.responder,
      body: { from, to, limit: 1 },
    });
    expect(partial.status, JSON.stringify(partial.body)).toBe(200);
    expect(partial.body).toMatchObject({
      payloads: 1,
      refused: 0,
      counts: { created: 1, deduplicated: 0, resolved: 0, rejected: 1 },
    });
    expect(partial.body.next_from).toEqual(expect.any(String));
    const rest = await call(t.app, 'POST', '/v1/archive/replay', {
      key: t.keys.responder,
      body: { from: partial.body.next_from, to, outcome: 'all' },
    });
    expect(rest.status).toBe(200);
    // The YAML batch, Prometheus's, the webhook's; the two refused bodies are counted, not ingested.
    expect(rest.body).toMatchObject({ payloads: 3, refused: 2, next_from: null });
    // Prometheus's alert is still open (deduplicated); the YAML one's label names are not valid.
    expect(rest.body.counts).toEqual({ created: 0, deduplicated: 1, resolved: 0, rejected: 1 });
    await sleep(700);
    const after = await call(t.app, 'GET', '/v1/archive?limit=100', { key: t.keys.viewer });
    expect(after.body.items).toHaveLength(before);
    const audit = await t.db.withTenant('acme', (tx) =>
      tx.query<{ actor: string; details: Record<string, unknown> }>(
        `SELECT doc->>'actor' AS actor, doc->'details' AS details FROM audit_events
          WHERE tenant_id = 'acme' AND doc->>'entityType' = 'payload_archive' ORDER BY seq`,
      ),
    );
    expect(
      audit.rows.map((r) => [r.details.replay, r.details.payloads, r.details.refused]),
    ).toEqual([
      [true, 1, 0],
      [true, 3, 2],
    ]);
  });
});

describe('payload archive: JSON bodies as their text', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setup();
  }, 60_000);
  afterAll(async () => t?.close());

  it('stores a JSON body as the text received, byte for byte', async () => {
    // The text as sent: 12.50 keeps its scale (JSON.stringify of the decoded
    // 12.5 writes 12.5), 1e400 stays 1e400 (a double is Infinity), spacing and
    // key order stay. Other formats, and compressed JSON, are written out from
    // the decoded tree (made archivable): the gzip YAML batch of the suite above.
    const texts = {
      asText: '[{"labels":{"alertname":"AsText"},"level":"high","priority":"P2","value":12.50}]',
      huge: '[ {"priority":"P2", "labels":{"alertname":"Huge"},"level":"high","value":1e400} ]',
    };
    for (const [name, raw] of Object.entries(texts)) {
      const res = await call(t.app, 'POST', '/v1/alerts', {
        key: t.keys.responder,
        raw,
        contentType: 'application/json',
        headers: { 'x-request-id': `req-as-is-${name}` },
      });
      expect(res.status, name).toBe(200);
    }
    const deadline = Date.now() + 10_000;
    let rows: { request_id: string; body: string }[] = [];
    while (rows.length < 2 && Date.now() < deadline) {
      await sleep(50);
      rows = (
        await t.db.withTenant('acme', (tx) =>
          tx.query<{ request_id: string; body: string }>(
            "SELECT request_id, body_json AS body FROM payload_archive WHERE request_id LIKE 'req-as-is-%' ORDER BY request_id",
          ),
        )
      ).rows;
    }
    expect(rows.map((r) => r.request_id)).toEqual(['req-as-is-asText', 'req-as-is-huge']);
    expect(rows[0]?.body).toBe(texts.asText);
    expect(rows[1]?.body).toBe(texts.huge);
  });
});

describe('payload archive: switched off, and MongoDB away', () => {
  it('ARCHIVE_ENABLED=false archives nothing', async () => {
    const { config } = await loadConfig({
      env: { ARCHIVE_ENABLED: 'false' },
      cwd: '/nonexistent-alertbase-test',
    });
    const t = await setup({ config });
    try {
      const res = await call(t.app, 'POST', '/v1/alerts', {
        key: t.keys.responder,
        body: [alert('Off')],
      });
      expect(res.status).toBe(200);
      await sleep(700);
      const page = await call(t.app, 'GET', '/v1/archive', { key: t.keys.viewer });
      expect(page.body.items).toEqual([]);
    } finally {
      await t.close();
    }
  }, 60_000);

  it('a MongoDB that does not answer: ingest goes on, readiness warns, the archive answers 503', async () => {
    const { config } = await loadConfig({
      env: { MONGODB_URL: 'mongodb://127.0.0.1:9/alertbase' },
      cwd: '/nonexistent-alertbase-test',
    });
    const t = await setup({ config });
    try {
      const res = await call(t.app, 'POST', '/v1/alerts', {
        key: t.keys.responder,
        body: [alert('MongoAway')],
      });
      expect(res.status).toBe(200);
      const ready = await call(t.app, 'GET', '/health/ready');
      expect(ready.status).toBe(200);
      const health = JSON.parse(ready.raw.body) as Record<string, unknown>;
      expect(health.status).toBe('warn');
      const checks = health.checks as Record<string, { status: string; output?: string }[]>;
      expect(checks['archive:responseTime']?.[0]).toMatchObject({ status: 'warn' });
      expect(checks['archive:responseTime']?.[0]?.output).toContain(
        'MongoDB at mongodb://127.0.0.1:9/alertbase',
      );
      const page = await call(t.app, 'GET', '/v1/archive', { key: t.keys.viewer });
      expect(page.status).toBe(503);
      expect(page.body.code).toBe('ALERTBASE_STORAGE_ARCHIVE_UNAVAILABLE');
    } finally {
      await t.close();
    }
  }, 60_000);
});
