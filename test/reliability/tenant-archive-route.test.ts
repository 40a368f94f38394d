/**
 * A tenant moved between two running deployments through the API: exported
 * from one, imported into the other, where its own API key works and its
 * alerts, rules and channels are there.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, call, setup, type TestApp } from '../server/helpers.js';

describe('moving a tenant through /v1/admin/tenants', () => {
  let source: TestApp;
  let target: TestApp;
  let key: string;
  let archive: Buffer;

  beforeAll(async () => {
    source = await setup();
    // The same key ring: encrypted channel secrets travel as stored.
    target = await setup({ keyRing: source.keyRing });
    await source.repos.tenants.create(
      { id: 'initech', name: 'Initech', tier: 'enterprise' },
      'test',
    );
    key = (await source.repos.apiKeys.issue('initech', { name: 'ops', role: 'owner' }, 'test')).key;
    const alerts = Array.from({ length: 40 }, (_, i) => ({
      labels: { alertname: 'DiskFull', instance: `db-${i}` },
    }));
    expect((await call(source.app, 'POST', '/api/v2/alerts', { key, body: alerts })).status).toBe(
      200,
    );
    const channel = await call(source.app, 'POST', '/v1/channels', {
      key,
      body: {
        name: 'pager',
        config: { type: 'pagerduty', routingKey: 'R0utingKey0123456789abcdefABCDEF' },
      },
    });
    expect([channel.status, channel.body.detail]).toEqual([201, undefined]);
  });
  afterAll(async () => {
    await source?.close();
    await target?.close();
  });

  it('exports the tenant as gzip-compressed newline-delimited JSON, to the platform administrator only', async () => {
    expect(
      (await call(source.app, 'GET', '/v1/admin/tenants/initech/export', { key })).status,
    ).toBe(403);
    const res = await call(source.app, 'GET', '/v1/admin/tenants/initech/export', {
      key: ADMIN_KEY,
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/gzip');
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="tenant-initech.alertbase.ndjson.gz"',
    );
    archive = Buffer.from(res.raw.rawPayload);
    const lines = gunzipSync(archive).toString('utf8').trim().split('\n');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ tenant: 'initech', version: 1 });
    expect(JSON.parse(lines.at(-1) ?? '{}').rows.alerts).toBe(40);
  });

  it('answers 400 for a tenant that does not exist', async () => {
    const res = await call(source.app, 'GET', '/v1/admin/tenants/nobody/export', {
      key: ADMIN_KEY,
    });
    expect([res.status, res.body.code]).toEqual([400, 'ALERTBASE_STORAGE_ARCHIVE_INVALID']);
  });

  it('imports it into the other deployment, where the tenant’s own key works', async () => {
    expect((await call(target.app, 'GET', '/v1/alerts', { key })).status).toBe(401);
    const res = await call(target.app, 'POST', '/v1/admin/tenants/import', {
      key: ADMIN_KEY,
      raw: archive,
      contentType: 'application/gzip',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ tenant: 'initech', rows: { alerts: 40, tenants: 1 } });
    const alerts = await call(target.app, 'GET', '/v1/alerts?limit=100', { key });
    expect(alerts.status).toBe(200);
    expect((alerts.body.items as unknown[]).length).toBe(40);
    const channels = await call(target.app, 'GET', '/v1/channels', { key });
    expect((channels.body.items as { name: string }[]).map((c) => c.name)).toEqual(['pager']);
    const audit = await call(target.app, 'GET', '/v1/audit/verify', { key });
    expect([audit.status, audit.body.ok]).toEqual([200, true]);
  });

  it('refuses it a second time (409) and a tenant key (403)', async () => {
    const again = await call(target.app, 'POST', '/v1/admin/tenants/import', {
      key: ADMIN_KEY,
      raw: archive,
      contentType: 'application/gzip',
    });
    expect([again.status, again.body.code]).toEqual([409, 'ALERTBASE_RESOURCE_ALREADY_EXISTS']);
    const tenantKey = await call(target.app, 'POST', '/v1/admin/tenants/import', {
      key: target.keys.owner,
      raw: archive,
      contentType: 'application/gzip',
    });
    expect(tenantKey.status).toBe(403);
  });

  it('reads uncompressed newline-delimited JSON too, and refuses a damaged archive with 400', async () => {
    const text = gunzipSync(archive)
      .toString('utf8')
      .replaceAll('"initech"', '"initech2"')
      .replaceAll('"tenant_id":"initech"', '"tenant_id":"initech2"');
    const truncated = text.trim().split('\n').slice(0, -1).join('\n');
    const cut = await call(target.app, 'POST', '/v1/admin/tenants/import', {
      key: ADMIN_KEY,
      raw: truncated,
      contentType: 'application/x-ndjson',
    });
    expect([cut.status, cut.body.code]).toEqual([400, 'ALERTBASE_STORAGE_ARCHIVE_INVALID']);
    const corrupt = Buffer.from(gzipSync(Buffer.from(text)));
    corrupt.fill(0, 40, 80);
    const bad = await call(target.app, 'POST', '/v1/admin/tenants/import', {
      key: ADMIN_KEY,
      raw: corrupt,
      contentType: 'application/gzip',
    });
    expect([bad.status, bad.body.code]).toEqual([400, 'ALERTBASE_STORAGE_ARCHIVE_INVALID']);
    const plain = await call(target.app, 'POST', '/v1/admin/tenants/import', {
      key: ADMIN_KEY,
      raw: text,
      contentType: 'application/x-ndjson',
    });
    expect([plain.status, plain.body.tenant]).toEqual([201, 'initech2']);
  });
});
