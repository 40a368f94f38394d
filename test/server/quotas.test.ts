/**
 * Quotas per tier, overridable in a tenant's settings: creations past a
 * limit answer 403 ALERTBASE_TENANT_QUOTA_EXCEEDED with the quota, its
 * limit and the current use; GET /v1/tenants/{id}/usage reports them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { buildApp } from '../../src/server/app.js';
import { withinQuota } from '../../src/server/quotas.js';
import { TenantCache } from '../../src/server/tenant-cache.js';
import { createRepositories, createTestDatabase, openDatabase } from '../../src/storage/index.js';
import {
  createServerDatabase,
  describeWithServer,
  type ServerDatabase,
} from '../storage/helpers/server.js';
import { ADMIN_KEY, call, RULE, setupOn, type TestApp } from './helpers.js';

const SETTINGS = { timezone: 'UTC', levelPriorities: {}, allowPrivateNetworks: false };

describe('quotas', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setupOn(await createTestDatabase());
    // acme holds five keys (one per role) already.
    await t.repos.tenants.update(
      'acme',
      { settings: { ...SETTINGS, quotas: { maxRules: 2, maxApiKeys: 6, maxChannels: 0 } } },
      'test',
    );
  });
  afterAll(() => t.close());

  it('refuses the rule past maxRules with the quota, the limit and the current use', async () => {
    for (const name of ['one', 'two']) {
      const r = await call(t.app, 'POST', '/v1/rules', {
        key: t.keys.editor,
        body: { ...RULE, name },
      });
      expect(r.status).toBe(201);
    }
    const refused = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      body: { ...RULE, name: 'three' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      code: 'ALERTBASE_TENANT_QUOTA_EXCEEDED',
      quota: 'rules',
      limit: 2,
      current: 2,
    });
    // Another tenant, on its tier's quota (enterprise: 5,000 rules), is not held back.
    expect(
      (
        await call(t.app, 'POST', '/v1/rules', {
          key: t.otherKey,
          body: { ...RULE, name: 'three' },
        })
      ).status,
    ).toBe(201);
  });

  it('a creation with a cold tenant cache completes on PGlite (the tenant is read before the transaction)', async () => {
    // PGlite has one connection: a tenant read begun inside the quota's
    // transaction would wait for that transaction forever.
    const db = await createTestDatabase();
    try {
      const repos = createRepositories(db);
      await repos.tenants.create({ id: 'cold', name: 'Cold' }, 'test');
      const ctx = { db, tenants: new TenantCache(repos.tenants), now: () => new Date() };
      const created = await Promise.race([
        withinQuota(ctx, 'cold', 'rules', (options) =>
          repos.alertRules.create('cold', { ...RULE, name: 'cold' }, 'test', options),
        ),
        new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000).unref()),
      ]);
      expect(created).not.toBe('hung');
      expect((await repos.alertRules.list('cold')).items.map((r) => r.name)).toEqual(['cold']);
    } finally {
      await db.close();
    }
  });

  it('a deleted rule frees its place', async () => {
    const list = await call(t.app, 'GET', '/v1/rules', { key: t.keys.viewer });
    const id = String(list.body.items?.[0]?.id);
    expect((await call(t.app, 'DELETE', `/v1/rules/${id}`, { key: t.keys.editor })).status).toBe(
      200,
    );
    const r = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      body: { ...RULE, name: 'three' },
    });
    expect(r.status).toBe(201);
  });

  it('counts API keys (not revoked) against maxApiKeys', async () => {
    const issue = (name: string) =>
      call(t.app, 'POST', '/v1/keys', { key: t.keys.owner, body: { name, role: 'viewer' } });
    expect((await issue('sixth')).status).toBe(201);
    const refused = await issue('seventh');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ quota: 'apiKeys', limit: 6, current: 6 });
  });

  it('a quota of 0 refuses every creation', async () => {
    const r = await call(t.app, 'POST', '/v1/channels', {
      key: t.keys.admin,
      body: { name: 'ops', type: 'webhook', config: { url: 'https://hooks.example.com/x' } },
    });
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ quota: 'channels', limit: 0, current: 0 });
  });

  it('GET /v1/tenants/{id}/usage: the use and the quotas in effect', async () => {
    const r = await call(t.app, 'GET', '/v1/tenants/acme/usage', { key: t.keys.viewer });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      tenant_id: 'acme',
      tier: 'enterprise',
      usage: { rules: 2, channels: 0, silences: 0, api_keys: 6 },
      quotas: {
        max_rules: 2,
        max_channels: 0,
        max_api_keys: 6,
        max_silences: 10_000,
        requests_per_minute: 300_000,
      },
    });
    // Another tenant's usage does not exist for this caller.
    const other = await call(t.app, 'GET', '/v1/tenants/globex/usage', { key: t.keys.viewer });
    expect(other.status).toBe(404);
  });
});

describe('the silence quota on the Alertmanager API', () => {
  it('POST /api/v2/silences past maxSilences answers 403; replacing a silence does not count', async () => {
    const t = await setupOn(await createTestDatabase());
    try {
      await t.repos.tenants.update(
        'acme',
        { settings: { ...SETTINGS, quotas: { maxSilences: 1 } } },
        'test',
      );
      const silence = (comment: string) => ({
        matchers: [{ name: 'alertname', value: 'X', isRegex: false, isEqual: true }],
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        createdBy: 'test',
        comment,
      });
      const first = await call(t.app, 'POST', '/api/v2/silences', {
        key: t.keys.editor,
        body: silence('one'),
      });
      expect(first.status).toBe(200);
      const second = await call(t.app, 'POST', '/api/v2/silences', {
        key: t.keys.editor,
        body: silence('two'),
      });
      expect(second.status).toBe(403);
      expect(second.body).toMatchObject({ quota: 'silences', limit: 1, current: 1 });
      const replaced = await call(t.app, 'POST', '/api/v2/silences', {
        key: t.keys.editor,
        body: { ...silence('one, longer'), id: first.body.silenceID },
      });
      expect(replaced.status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('alerts ingested per minute', () => {
  it('a batch past maxAlertsPerMinute is refused whole (403, Retry-After) and not counted', async () => {
    const t = await setupOn(await createTestDatabase());
    try {
      await t.repos.tenants.update(
        'acme',
        { settings: { ...SETTINGS, quotas: { maxAlertsPerMinute: 5 } } },
        'test',
      );
      const alerts = (n: number, from: number) =>
        Array.from({ length: n }, (_, i) => ({ labels: { alertname: `Q${from + i}` } }));
      const ingest = (body: unknown) =>
        call(t.app, 'POST', '/api/v2/alerts', { key: t.keys.responder, body });
      expect((await ingest(alerts(3, 0))).status).toBe(200);
      const refused = await ingest(alerts(3, 3));
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({
        code: 'ALERTBASE_TENANT_QUOTA_EXCEEDED',
        quota: 'alertsPerMinute',
        limit: 5,
        current: 3,
      });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // The refused batch was not counted: two more fit.
      expect((await ingest(alerts(2, 6))).status).toBe(200);
      expect((await ingest(alerts(1, 8))).status).toBe(403);
      // The /v1 ingest counts against the same quota.
      const v1 = await call(t.app, 'POST', '/v1/alerts', {
        key: t.keys.responder,
        body: [{ labels: { alertname: 'V1' }, level: 'high' }],
      });
      expect(v1.status).toBe(403);
      // Another tenant is not held back.
      expect(
        (await call(t.app, 'POST', '/api/v2/alerts', { key: t.otherKey, body: alerts(6, 0) }))
          .status,
      ).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('the channels an Alertmanager import creates count against maxChannels', () => {
  it('refuses an import that would pass the limit, and creates nothing', async () => {
    const t = await setupOn(await createTestDatabase());
    try {
      await t.repos.tenants.update(
        'acme',
        { settings: { ...SETTINGS, quotas: { maxChannels: 2 } } },
        'test',
      );
      const config = (receivers: string[]) =>
        JSON.stringify({
          route: { receiver: receivers[0] },
          receivers: receivers.map((name) => ({
            name,
            webhook_configs: [{ url: `https://hooks.example.com/${name}` }],
          })),
        });
      const importing = (receivers: string[]) =>
        call(t.app, 'POST', '/v1/routing/import', {
          key: t.keys.editor,
          raw: config(receivers),
          contentType: 'application/yaml',
        });
      const refused = await importing(['a', 'b', 'c']);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ quota: 'channels', limit: 2, current: 0 });
      const channels = await call(t.app, 'GET', '/v1/channels', { key: t.keys.viewer });
      expect(channels.body.items).toEqual([]);
      expect((await importing(['a', 'b'])).status).toBe(200);
      // Importing again updates the same two channels: nothing new to count.
      expect((await importing(['a', 'b'])).status).toBe(200);
      const third = await importing(['a', 'b', 'c']);
      expect(third.body).toMatchObject({ quota: 'channels', limit: 2, current: 2 });
    } finally {
      await t.close();
    }
  });
});

describeWithServer('quotas under concurrency (PostgreSQL server, two instances)', () => {
  let database: ServerDatabase;
  beforeAll(async () => {
    database = await createServerDatabase();
  });
  afterAll(async () => database?.drop());

  it('60 concurrent creations against a limit of 7, spread over two instances: exactly 7 pass', async () => {
    const t = await setupOn(await openDatabase({ url: database.url }));
    const db2 = await openDatabase({ url: database.url });
    const { config } = await loadConfig({ env: {}, cwd: '/nonexistent-alertbase-test' });
    const second = await buildApp({
      db: db2,
      config,
      adminKeys: [ADMIN_KEY],
      keyRing: t.keyRing,
    });
    try {
      await t.repos.tenants.update(
        'acme',
        { settings: { ...SETTINGS, quotas: { maxRules: 7, maxSilences: 3 } } },
        'test',
      );
      const answers = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          call(i % 2 === 0 ? t.app : second, 'POST', '/v1/rules', {
            key: t.keys.editor,
            body: { ...RULE, name: `race-${i}` },
          }),
        ),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(7);
      expect(statuses.filter((s) => s === 403)).toHaveLength(53);
      const silences = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          call(i % 2 === 0 ? t.app : second, 'POST', '/api/v2/silences', {
            key: t.keys.editor,
            body: {
              matchers: [{ name: 'alertname', value: `X${i}`, isRegex: false, isEqual: true }],
              startsAt: new Date(Date.now() - 60_000).toISOString(),
              endsAt: new Date(Date.now() + 3_600_000).toISOString(),
              createdBy: 'test',
              comment: `race ${i}`,
            },
          }),
        ),
      );
      expect(silences.filter((s) => s.status === 200)).toHaveLength(3);
      const usage = await call(t.app, 'GET', '/v1/tenants/acme/usage', { key: t.keys.viewer });
      expect(usage.body.usage).toMatchObject({ rules: 7, silences: 3 });
    } finally {
      await second.close();
      await db2.close();
      await t.close();
    }
  }, 60_000);
});
