/**
 * The permission matrix is the one source of who may do what: every route
 * of the app is walked for every role, for a scoped (ingest-only) key and
 * for the platform key, and each answer must be what the matrix says:
 * 403 `ALERTBASE_AUTH_FORBIDDEN` exactly where it does not allow.
 * `GET /v1/permissions` shows the same matrix, and docs/api.md holds its
 * table as generated.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../src/base/enums/index.js';
import type { RouteRequirement } from '../../src/server/auth.js';
import {
  PERMISSION_MATRIX,
  PERMISSION_NAMES,
  permissionTable,
} from '../../src/server/permission-matrix.js';
import { allows, isPermission } from '../../src/server/roles.js';
import { ADMIN_KEY, call, type TestApp } from '../server/helpers.js';
import { onEveryEngine } from './engines.js';

const ROLES: readonly Role[] = ['owner', 'admin', 'editor', 'responder', 'viewer'];

/** A URL of the route with its parameters filled with an id that exists nowhere (the event stream ends at once). */
const urlOf = (route: RouteRequirement): string =>
  route.url === '/v1/events'
    ? '/v1/events?timeout=0'
    : route.url.replace(/:[A-Za-z_]+/g, 'matrix-missing-id');

async function answer(t: TestApp, route: RouteRequirement, key: string) {
  return call(t.app, route.method as 'GET' | 'POST' | 'PATCH' | 'DELETE', urlOf(route), {
    key,
    ...(['POST', 'PATCH', 'PUT'].includes(route.method)
      ? { raw: '{}', contentType: 'application/json' }
      : {}),
  });
}

const forbidden = (r: { status: number; body: Record<string, unknown> }): boolean =>
  r.status === 403 && r.body.code === 'ALERTBASE_AUTH_FORBIDDEN';

onEveryEngine('the permission matrix', (fixtures) => {
  const tenantRoutes = (): RouteRequirement[] =>
    fixtures().app.routeRequirements.filter(
      // Logout is harmless to walk, but would end nothing; the rest change nothing with a missing id.
      (r) => r.requires !== 'public' && r.requires !== 'platform',
    );

  it('knows every route and what it requires; each tenant requirement is in the matrix', () => {
    const t = fixtures();
    const routes = t.app.routeRequirements;
    expect(routes.length).toBeGreaterThan(50);
    for (const r of routes) {
      expect(r.requires === 'public' || r.requires === 'platform' || isPermission(r.requires)).toBe(
        true,
      );
    }
    // Every permission of the matrix guards at least one route.
    const used = new Set(routes.map((r) => r.requires));
    for (const p of PERMISSION_NAMES) expect(used.has(p)).toBe(true);
    expect(
      routes.some(
        (r) => r.method === 'POST' && r.url === '/v1/auth/login' && r.requires === 'public',
      ),
    ).toBe(true);
  });

  it('every route × role answers as the matrix says', async () => {
    const t = fixtures();
    let checked = 0;
    for (const route of tenantRoutes()) {
      for (const role of ROLES) {
        const r = await answer(t, route, t.keys[role]);
        const allowed = allows(role, route.requires as keyof typeof PERMISSION_MATRIX);
        expect
          .soft(
            forbidden(r),
            `${role} ${route.method} ${route.url} → ${r.status} ${String(r.body.code)}`,
          )
          .toBe(!allowed);
        if (allowed) expect.soft(r.status, `${role} ${route.method} ${route.url}`).not.toBe(401);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(200);
  }, 120_000);

  it('a scoped ingest-only key does what its scope says and nothing else, and cannot mint wider keys', async () => {
    const t = fixtures();
    const issued = await call(t.app, 'POST', '/v1/keys', {
      key: t.keys.admin,
      body: { name: 'prometheus-ingest', role: 'responder', permissions: ['alerts:ingest'] },
    });
    expect(issued.status).toBe(201);
    expect((issued.body.api_key as Record<string, unknown>).permissions).toEqual(['alerts:ingest']);
    const key = String(issued.body.key);
    for (const route of tenantRoutes()) {
      const r = await answer(t, route, key);
      expect
        .soft(forbidden(r), `scoped ${route.method} ${route.url} → ${r.status}`)
        .toBe(route.requires !== 'alerts:ingest');
    }
    const ingest = await call(t.app, 'POST', '/api/v2/alerts', {
      key,
      body: [{ labels: { alertname: 'ScopedIngest' } }],
    });
    expect(ingest.status).toBe(200);
    const mine = await call(t.app, 'GET', '/v1/permissions', { key: t.keys.viewer });
    expect(mine.status).toBe(200);
    // A scope outside the role, or unknown, is refused; so is a wider key from a scoped admin key.
    const outside = await call(t.app, 'POST', '/v1/keys', {
      key: t.keys.admin,
      body: { name: 'x', role: 'viewer', permissions: ['read', 'rules:write', 'nope:nope'] },
    });
    expect(outside.status).toBe(422);
    expect((outside.body.errors as { pointer: string }[]).map((e) => e.pointer)).toEqual([
      '/permissions/1',
      '/permissions/2',
    ]);
    const scopedAdmin = String(
      (
        await call(t.app, 'POST', '/v1/keys', {
          key: t.keys.admin,
          body: { name: 'key-manager', role: 'admin', permissions: ['keys:manage', 'read'] },
        })
      ).body.key,
    );
    const wider = await call(t.app, 'POST', '/v1/keys', {
      key: scopedAdmin,
      body: { name: 'escalate', role: 'editor' },
    });
    expect(wider.status).toBe(403);
    expect(wider.body.code).toBe('ALERTBASE_AUTH_FORBIDDEN');
    const narrower = await call(t.app, 'POST', '/v1/keys', {
      key: scopedAdmin,
      body: { name: 'reader', role: 'viewer' },
    });
    expect(narrower.status).toBe(201);
    const scopedUsers = String(
      (
        await call(t.app, 'POST', '/v1/keys', {
          key: t.keys.admin,
          body: { name: 'user-manager', role: 'admin', permissions: ['users:manage'] },
        })
      ).body.key,
    );
    const person = await call(t.app, 'POST', '/v1/users', {
      key: scopedUsers,
      body: {
        email: 'escalation@example.com',
        role: 'editor',
        password: 'Correct-Horse-Battery-42',
      },
    });
    expect(person.status).toBe(403);
    // The scope cannot be changed afterwards.
    const id = String((issued.body.api_key as { id: string }).id);
    const record = await t.repos.apiKeys.get('acme', id);
    await expect(
      t.repos.apiKeys.update('acme', id, { permissions: null }, 'test'),
    ).rejects.toMatchObject({
      code: 'ALERTBASE_VALIDATION_FAILED',
    });
    expect(record.permissions).toEqual(['alerts:ingest']);
  }, 120_000);

  it('the platform key is refused on every tenant route', async () => {
    const t = fixtures();
    for (const route of tenantRoutes()) {
      const r = await answer(t, route, ADMIN_KEY);
      expect.soft(forbidden(r), `platform ${route.method} ${route.url}`).toBe(true);
    }
  }, 60_000);

  it('GET /v1/permissions shows the matrix and the caller’s permissions', async () => {
    const t = fixtures();
    const r = await call(t.app, 'GET', '/v1/permissions', { key: t.keys.responder });
    expect(r.status).toBe(200);
    expect(r.body.roles).toEqual(ROLES);
    expect(r.body.permissions).toEqual(
      PERMISSION_NAMES.map((name) => ({
        name,
        ...PERMISSION_MATRIX[name],
        roles: [...PERMISSION_MATRIX[name].roles],
      })),
    );
    expect(r.body.caller).toEqual({
      role: 'responder',
      scoped: false,
      permissions: ['read', 'alerts:ingest', 'alerts:transition'],
    });
  });
});

describe('docs', () => {
  it('docs/api.md holds the matrix table as generated', async () => {
    const doc = await readFile(join(import.meta.dirname, '../../docs/api.md'), 'utf8');
    expect(doc).toContain(permissionTable());
  });
});
