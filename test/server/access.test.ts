/**
 * Authentication, the role table, the tenancy rule and tenant management.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/base/enums/index.js';
import { allows, type Permission } from '../../src/server/roles.js';
import { ADMIN_KEY, call, RULE, setup, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await setup();
});
afterAll(() => t.close());

const MISSING = '01a220fc-0000-7000-8000-000000000000';

describe('authentication', () => {
  it('refuses a request without a key, with a challenge', async () => {
    const res = await call(t.app, 'GET', '/v1/rules', { key: null });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('ALERTBASE_AUTH_UNAUTHENTICATED');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it.each([
    ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['an unknown key', { authorization: `Bearer ab_acme_${'0'.repeat(48)}` }],
    ['a key that is not an alertbase key', { authorization: 'Bearer hunter2' }],
    ['an empty header', { authorization: ' ' }],
  ])('refuses %s', async (_name, headers) => {
    const res = await call(t.app, 'GET', '/v1/rules', { key: null, headers });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('ALERTBASE_AUTH_UNAUTHENTICATED');
  });

  it('refuses an expired key', async () => {
    const { key } = await t.repos.apiKeys.issue(
      'acme',
      { name: 'old', role: 'viewer', expiresAt: new Date(Date.now() - 60_000) },
      'test',
    );
    const res = await call(t.app, 'GET', '/v1/rules', { key });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('ALERTBASE_AUTH_UNAUTHENTICATED');
  });

  it('refuses a revoked key, and only admins revoke', async () => {
    const issued = await call(t.app, 'POST', '/v1/keys', {
      key: t.keys.admin,
      body: { name: 'ci', role: 'responder' },
    });
    expect(issued.status).toBe(201);
    const key = String(issued.body.key);
    const id = String((issued.body.api_key as { id: string }).id);
    expect(JSON.stringify(issued.body.api_key)).not.toContain(key.slice(-20));
    expect((await call(t.app, 'GET', '/v1/alerts', { key })).status).toBe(200);
    expect((await call(t.app, 'DELETE', `/v1/keys/${id}`, { key: t.keys.editor })).status).toBe(
      403,
    );
    const revoked = await call(t.app, 'DELETE', `/v1/keys/${id}`, { key: t.keys.admin });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).toEqual(expect.any(String));
    const after = await call(t.app, 'GET', '/v1/alerts', { key });
    expect(after.status).toBe(401);
    const list = await call(t.app, 'GET', '/v1/keys?status=revoked', { key: t.keys.admin });
    expect(list.status).toBe(200);
    expect(list.body.items?.map((k) => k.id)).toEqual([id]);
    expect(JSON.stringify(list.body)).not.toMatch(/[0-9a-f]{64}/);
  });

  it('lets a key issue keys of its role or below, never above', async () => {
    const above = await call(t.app, 'POST', '/v1/keys', {
      key: t.keys.admin,
      body: { name: 'x', role: 'owner' },
    });
    expect(above.status).toBe(403);
    expect(above.body.code).toBe('ALERTBASE_AUTH_FORBIDDEN');
    const bad = await call(t.app, 'POST', '/v1/keys', {
      key: t.keys.owner,
      body: { name: '', role: 'wizard', expires_at: 'soon' },
    });
    expect(bad.status).toBe(422);
    expect((bad.body.errors as { pointer: string }[]).map((e) => e.pointer).sort()).toEqual([
      '/expiresAt',
      '/name',
      '/role',
    ]);
  });
});

describe('the role table', () => {
  const ROUTES: readonly [
    Permission,
    'GET' | 'POST' | 'PATCH' | 'DELETE',
    string,
    number,
    unknown?,
  ][] = [
    ['read', 'GET', '/v1/rules', 200],
    ['read', 'GET', `/v1/alerts/${MISSING}`, 404],
    ['read', 'GET', '/v1/audit', 200],
    ['alerts:ingest', 'POST', '/v1/alerts', 200, []],
    ['alerts:ingest', 'POST', '/api/v2/alerts', 200, []],
    ['alerts:transition', 'POST', `/v1/alerts/${MISSING}/acknowledge`, 404],
    ['alerts:transition', 'POST', `/v1/alerts/${MISSING}/resolve`, 404],
    ['rules:write', 'PATCH', `/v1/rules/${MISSING}`, 404, { name: 'x' }],
    ['rules:write', 'POST', '/v1/rules/import', 415],
    ['channels:write', 'DELETE', `/v1/channels/${MISSING}`, 404],
    ['silences:write', 'PATCH', `/v1/silences/${MISSING}`, 404, { comment: 'x' }],
    ['keys:manage', 'GET', '/v1/keys', 200],
  ];
  const ROLES: readonly Role[] = ['owner', 'admin', 'editor', 'responder', 'viewer'];
  const cases = ROLES.flatMap((role) =>
    ROUTES.map(([permission, method, url, ok, body]) => ({
      role,
      permission,
      method,
      url,
      ok,
      body,
    })),
  );

  it.each(cases)('$role → $method $url', async ({ role, permission, method, url, ok, body }) => {
    const res = await call(t.app, method, url, {
      key: t.keys[role],
      ...(body === undefined ? {} : { body }),
    });
    if (allows(role, permission)) {
      expect(res.status).toBe(ok);
    } else {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('ALERTBASE_AUTH_FORBIDDEN');
    }
  });

  it('keeps tenant keys out of tenant management, and the platform key out of tenant data', async () => {
    const asOwner = await call(t.app, 'GET', '/v1/tenants/acme', { key: t.keys.owner });
    expect(asOwner.status).toBe(403);
    expect(asOwner.body.code).toBe('ALERTBASE_AUTH_FORBIDDEN');
    const asAdmin = await call(t.app, 'GET', '/v1/rules', { key: ADMIN_KEY });
    expect(asAdmin.status).toBe(403);
    expect(asAdmin.body.code).toBe('ALERTBASE_AUTH_FORBIDDEN');
  });
});

describe('tenancy', () => {
  it('refuses a body that names another tenant', async () => {
    const rule = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      body: { ...RULE, tenant_id: 'globex' },
    });
    expect(rule.status).toBe(403);
    expect(rule.body.code).toBe('ALERTBASE_TENANT_ISOLATION');
    const batch = await call(t.app, 'POST', '/v1/alerts', {
      key: t.keys.responder,
      body: [{ labels: { alertname: 'a' }, level: 'low', priority: 'P4', tenantId: 'globex' }],
    });
    expect(batch.status).toBe(403);
    expect(batch.body.code).toBe('ALERTBASE_TENANT_ISOLATION');
    const envelope = await call(t.app, 'POST', '/v1/alerts', {
      key: t.keys.responder,
      body: { tenant_id: 'globex', alerts: [] },
    });
    expect(envelope.status).toBe(403);
    const own = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      body: { ...RULE, name: 'own tenant named', tenantId: 'acme' },
    });
    expect(own.status).toBe(201);
    expect(own.body.tenant_id).toBe('acme');
  });

  it("answers 404 for another tenant's ids, for reads and writes", async () => {
    const created = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      body: { ...RULE, name: 'secret rule' },
    });
    const id = String(created.body.id);
    for (const [method, url, body] of [
      ['GET', `/v1/rules/${id}`, undefined],
      ['PATCH', `/v1/rules/${id}`, { name: 'stolen' }],
      ['DELETE', `/v1/rules/${id}`, undefined],
    ] as const) {
      const res = await call(t.app, method, url, {
        key: t.otherKey,
        ...(body === undefined ? {} : { body }),
      });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('ALERTBASE_RESOURCE_NOT_FOUND');
    }
    const list = await call(t.app, 'GET', '/v1/rules', { key: t.otherKey });
    expect(list.body.items).toEqual([]);
    expect((await call(t.app, 'GET', `/v1/rules/${id}`, { key: t.keys.viewer })).body.name).toBe(
      'secret rule',
    );
  });
});

describe('tenants (platform administrator)', () => {
  it('creates a tenant with an owner key that works at once', async () => {
    const res = await call(t.app, 'POST', '/v1/tenants', {
      key: ADMIN_KEY,
      body: { id: 'initech', name: 'Initech', tier: 'standard' },
    });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe('/v1/tenants/initech');
    expect((res.body.tenant as { tier: string }).tier).toBe('standard');
    const key = String((res.body.owner_key as { key: string }).key);
    expect((await call(t.app, 'GET', '/v1/rules', { key })).status).toBe(200);
    const again = await call(t.app, 'POST', '/v1/tenants', {
      key: ADMIN_KEY,
      body: { id: 'initech', name: 'X' },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ALERTBASE_RESOURCE_ALREADY_EXISTS');
    const reserved = await call(t.app, 'POST', '/v1/tenants', {
      key: ADMIN_KEY,
      body: { id: 'platform', name: 'X' },
    });
    expect(reserved.status).toBe(409);
  });

  it('validates, reads and updates tenants with If-Match', async () => {
    const bad = await call(t.app, 'POST', '/v1/tenants', {
      key: ADMIN_KEY,
      body: { id: 'Not A Slug', name: '', settings: { timezone: 'Mars/Olympus' } },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('ALERTBASE_VALIDATION_FAILED');
    expect((bad.body.errors as { pointer: string }[]).map((e) => e.pointer).sort()).toEqual([
      '/id',
      '/name',
      '/settings/timezone',
    ]);
    const got = await call(t.app, 'GET', '/v1/tenants/acme', { key: ADMIN_KEY });
    expect(got.status).toBe(200);
    expect(got.headers.etag).toBe('"1"');
    const stale = await call(t.app, 'PATCH', '/v1/tenants/acme', {
      key: ADMIN_KEY,
      body: { tier: 'enterprise' },
      headers: { 'if-match': '"7"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('ALERTBASE_RESOURCE_PRECONDITION_FAILED');
    expect(stale.body.currentVersion).toBe(1);
    const ok = await call(t.app, 'PATCH', '/v1/tenants/acme', {
      key: ADMIN_KEY,
      body: { tier: 'enterprise', settings: { levelPriorities: { high: 'P1' } } },
      headers: { 'if-match': '"1"' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.tier).toBe('enterprise');
    expect(ok.headers.etag).toBe('"2"');
    expect((await call(t.app, 'GET', '/v1/tenants/nobody', { key: ADMIN_KEY })).status).toBe(404);
  });

  it('suspends a tenant: its keys are refused until it is activated', async () => {
    const suspended = await call(t.app, 'POST', '/v1/tenants/globex/suspend', { key: ADMIN_KEY });
    expect(suspended.status).toBe(200);
    expect(suspended.body.status).toBe('suspended');
    const refused = await call(t.app, 'GET', '/v1/rules', { key: t.otherKey });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('ALERTBASE_AUTH_FORBIDDEN');
    expect(
      (await call(t.app, 'POST', '/v1/tenants/globex/activate', { key: ADMIN_KEY })).status,
    ).toBe(200);
    expect((await call(t.app, 'GET', '/v1/rules', { key: t.otherKey })).status).toBe(200);
  });
});
