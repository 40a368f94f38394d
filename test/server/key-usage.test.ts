/**
 * API keys' `lastUsedAt` over HTTP: written after the response, at most once
 * per `DURATIONS.apiKeyLastUsedIntervalMs` per key (in one process and
 * across processes), never for an expired or revoked key, never as a new
 * version or an audit event, and a failure to write never fails the request.
 *
 * Apps with their own clock are built over the test database; closing one
 * waits for the uses it is writing, so what is stored afterwards is final.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DURATIONS } from '../../src/base/constants.js';
import { loadConfig } from '../../src/config/index.js';
import { type BuildAppOptions, buildApp } from '../../src/server/app.js';
import type { AuthBackend, KeyRecord } from '../../src/server/auth.js';
import { call, setup, type TestApp } from './helpers.js';

const INTERVAL = DURATIONS.apiKeyLastUsedIntervalMs;
const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

let t: TestApp;
beforeAll(async () => {
  t = await setup();
});
afterAll(() => t.close());

/** A key of `acme` issued for one test. */
async function issue(
  name: string,
  expiresAt: Date | null = null,
): Promise<{ id: string; key: string }> {
  const { apiKey, key } = await t.repos.apiKeys.issue(
    'acme',
    { name, role: 'viewer', expiresAt },
    'test',
  );
  return { id: apiKey.id, key };
}

/** What is stored of a key: the document, its `last_used_at` column and the row's version. */
async function stored(id: string) {
  const apiKey = await t.repos.apiKeys.get('acme', id, { includeDeleted: true });
  const { rows } = await t.db.withTenant('acme', (tx) =>
    tx.query<{ last_used_at: Date | null; updated_at: Date; version: number }>(
      'SELECT last_used_at, updated_at, version FROM api_keys WHERE tenant_id = $1 AND id = $2',
      ['acme', id],
    ),
  );
  const row = rows[0];
  if (row === undefined) throw new Error(`no key ${id}`);
  return {
    lastUsedAt: apiKey.lastUsedAt,
    column: row.last_used_at,
    updatedAt: apiKey.updatedAt,
    rowUpdatedAt: row.updated_at,
    version: row.version,
    createdAt: apiKey.createdAt,
  };
}

/** The real backend, with every `recordKeyUse` call and its outcome counted. */
function countingBackend(): { backend: AuthBackend; calls: { at: Date; wrote: unknown }[] } {
  const calls: { at: Date; wrote: unknown }[] = [];
  const backend: AuthBackend = {
    findKey: (key) => t.repos.apiKeys.findByKey(key),
    tenantIsActive: async (id) => (await t.repos.tenants.find(id))?.status === 'active',
    recordKeyUse: async (record: KeyRecord, when: Date, minIntervalMs: number) => {
      const wrote = await t.repos.apiKeys.recordUse(
        record.tenantId,
        record.id,
        when,
        minIntervalMs,
      );
      calls.push({ at: when, wrote });
      return wrote;
    },
  };
  return { backend, calls };
}

/** An app over the test database whose clock reads `clock.now`. */
async function appWithClock(
  clock: { now: Date },
  options: Partial<BuildAppOptions> = {},
): Promise<FastifyInstance> {
  const { config } = await loadConfig({ env: {}, cwd: '/nonexistent-alertbase-test' });
  return buildApp({ db: t.db, config, now: () => clock.now, ...options });
}

describe('lastUsedAt', () => {
  it('is null for a fresh key, then the time of the request; list and get show it', async () => {
    const { id, key } = await issue('fresh');
    const fresh = await call(t.app, 'GET', `/v1/keys/${id}`, { key: t.keys.admin });
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ id, name: 'fresh', last_used_at: null });
    const created = await stored(id);
    expect(created.lastUsedAt).toBeNull();
    expect(created.column).toBeNull();

    const before = Date.now();
    const res = await call(t.app, 'GET', '/v1/rules', { key });
    const after = Date.now();
    expect(res.status).toBe(200);
    await vi.waitFor(async () => expect((await stored(id)).lastUsedAt).not.toBeNull());

    const used = await stored(id);
    const usedAt = used.lastUsedAt?.getTime() ?? Number.NaN;
    expect(usedAt).toBeGreaterThanOrEqual(before);
    expect(usedAt).toBeLessThanOrEqual(after);
    expect(used.column?.getTime()).toBe(usedAt);
    // A use is not a change: same version and updatedAt, no audit event.
    expect(used.version).toBe(1);
    expect(used.updatedAt).toEqual(created.updatedAt);
    expect(used.rowUpdatedAt).toEqual(created.rowUpdatedAt);
    expect((await t.repos.audit.list('acme', { entityId: id })).map((e) => e.action)).toEqual([
      'key.create',
    ]);

    const iso = new Date(usedAt).toISOString();
    const got = await call(t.app, 'GET', `/v1/keys/${id}`, { key: t.keys.admin });
    expect(got.body.last_used_at).toBe(iso);
    const listed = await call(t.app, 'GET', '/v1/keys?limit=1000', { key: t.keys.admin });
    expect(listed.status).toBe(200);
    expect(listed.body.items?.find((k) => k.id === id)?.last_used_at).toBe(iso);
  });

  it('GET /v1/keys/{id} needs keys:manage and answers 404 for an unknown id', async () => {
    const { id } = await issue('hidden');
    const asEditor = await call(t.app, 'GET', `/v1/keys/${id}`, { key: t.keys.editor });
    expect(asEditor.status).toBe(403);
    expect(asEditor.body.code).toBe('ALERTBASE_AUTH_FORBIDDEN');
    const otherTenant = await call(t.app, 'GET', `/v1/keys/${id}`, { key: t.otherKey });
    expect(otherTenant.status).toBe(404);
    expect(otherTenant.body.code).toBe('ALERTBASE_RESOURCE_NOT_FOUND');
    expect(JSON.stringify(otherTenant.body)).not.toContain('hidden');
  });

  it('is written at most once per interval per key, judged from the stored value too', async () => {
    const { id, key } = await issue('interval');
    const created = await stored(id);
    const clock = { now: at(0) };

    // One process: the first request writes; later ones within the interval do not.
    const first = countingBackend();
    let app = await appWithClock(clock, { authBackend: first.backend });
    for (const ms of [0, 1_000, 30_000, INTERVAL - 1]) {
      clock.now = at(ms);
      expect((await call(app, 'GET', '/v1/rules', { key })).status).toBe(200);
    }
    // Concurrent requests of one key write once, too.
    const burst = await Promise.all(
      Array.from({ length: 10 }, () => call(app, 'GET', '/v1/rules', { key })),
    );
    expect(burst.map((r) => r.status)).toEqual(Array(10).fill(200));
    await app.close();
    expect(first.calls).toEqual([{ at: at(0), wrote: true }]);
    let now = await stored(id);
    expect(now.lastUsedAt).toEqual(at(0));
    expect(now.column).toEqual(at(0));
    expect(now.version).toBe(1);
    expect(now.updatedAt).toEqual(created.updatedAt);

    // Another process (nothing in memory) sees the stored use and does not write either.
    const second = countingBackend();
    clock.now = at(INTERVAL / 2);
    app = await appWithClock(clock, { authBackend: second.backend });
    expect((await call(app, 'GET', '/v1/rules', { key })).status).toBe(200);
    await app.close();
    expect(second.calls).toEqual([]);
    expect((await stored(id)).lastUsedAt).toEqual(at(0));

    // Once the interval has passed, the next request writes again.
    const third = countingBackend();
    clock.now = at(INTERVAL);
    app = await appWithClock(clock, { authBackend: third.backend });
    expect((await call(app, 'GET', '/v1/rules', { key })).status).toBe(200);
    clock.now = at(INTERVAL + 1_000);
    expect((await call(app, 'GET', '/v1/rules', { key })).status).toBe(200);
    await app.close();
    expect(third.calls).toEqual([{ at: at(INTERVAL), wrote: true }]);
    now = await stored(id);
    expect(now.lastUsedAt).toEqual(at(INTERVAL));
    expect(now.column).toEqual(at(INTERVAL));
    expect(now.version).toBe(1);
    expect(now.updatedAt).toEqual(created.updatedAt);
    expect((await t.repos.audit.list('acme', { entityId: id })).map((e) => e.action)).toEqual([
      'key.create',
    ]);
  });

  it('is recorded for a request the role refuses: the key did authenticate', async () => {
    const { id, key } = await issue('refused');
    const clock = { now: at(0) };
    const app = await appWithClock(clock);
    const res = await call(app, 'POST', '/v1/rules', { key, body: { name: 'x' } });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('ALERTBASE_AUTH_FORBIDDEN');
    await app.close();
    expect((await stored(id)).lastUsedAt).toEqual(at(0));
  });

  it('is never written for an expired key', async () => {
    const { id, key } = await issue('expired', new Date(Date.now() - 60_000));
    const counted = countingBackend();
    const app = await appWithClock({ now: new Date() }, { authBackend: counted.backend });
    const res = await call(app, 'GET', '/v1/rules', { key });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('ALERTBASE_AUTH_UNAUTHENTICATED');
    await app.close();
    expect(counted.calls).toEqual([]);
    expect((await stored(id)).lastUsedAt).toBeNull();
  });

  it('is never written for a key that expired while cached', async () => {
    const expiresAt = at(INTERVAL);
    const { id, key } = await issue('expiring', expiresAt);
    const clock = { now: at(0) };
    const counted = countingBackend();
    const app = await appWithClock(clock, {
      authBackend: counted.backend,
      keyCacheTtlMs: 3_600_000,
    });
    expect((await call(app, 'GET', '/v1/rules', { key })).status).toBe(200);
    clock.now = at(INTERVAL + 1);
    const res = await call(app, 'GET', '/v1/rules', { key });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('ALERTBASE_AUTH_UNAUTHENTICATED');
    await app.close();
    expect(counted.calls).toEqual([{ at: at(0), wrote: true }]);
    expect((await stored(id)).lastUsedAt).toEqual(at(0));
  });

  it('is never written for a revoked key: through this process or another', async () => {
    const { id, key } = await issue('revoked-here');
    const clock = { now: at(0) };
    let app = await appWithClock(clock);
    expect((await call(app, 'GET', '/v1/rules', { key })).status).toBe(200);
    const revoked = await call(app, 'DELETE', `/v1/keys/${id}`, { key: t.keys.admin });
    expect(revoked.status).toBe(200);
    clock.now = at(2 * INTERVAL);
    const refused = await call(app, 'GET', '/v1/rules', { key });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('ALERTBASE_AUTH_UNAUTHENTICATED');
    await app.close();
    expect((await stored(id)).lastUsedAt).toEqual(at(0));

    // Revoked by another process while this one still trusts its cached record
    // (the change not yet told to it: a raw write tells nobody): the request
    // passes (the documented cache window), the write does not.
    const other = await issue('revoked-elsewhere');
    const counted = countingBackend();
    clock.now = at(0);
    app = await appWithClock(clock, { authBackend: counted.backend, keyCacheTtlMs: 3_600_000 });
    expect((await call(app, 'GET', '/v1/rules', { key: other.key })).status).toBe(200);
    await t.db.withTenant('acme', (tx) =>
      tx.query(
        `UPDATE api_keys SET status = 'revoked', doc = jsonb_set(doc, '{revokedAt}', to_jsonb(now()))
          WHERE tenant_id = 'acme' AND id = $1`,
        [other.id],
      ),
    );
    clock.now = at(2 * INTERVAL);
    expect((await call(app, 'GET', '/v1/rules', { key: other.key })).status).toBe(200);
    await app.close();
    expect(counted.calls).toEqual([
      { at: at(0), wrote: true },
      { at: at(2 * INTERVAL), wrote: false },
    ]);
    const after = await stored(other.id);
    expect(after.lastUsedAt).toEqual(at(0));
    expect(after.column).toEqual(at(0));
  });

  it('closing the app waits for the uses being written', async () => {
    const { id, key } = await issue('slow');
    const { backend } = countingBackend();
    const app = await appWithClock(
      { now: at(0) },
      {
        authBackend: {
          ...backend,
          recordKeyUse: async (record, when, minIntervalMs) => {
            await new Promise((resolve) => setTimeout(resolve, 200));
            return backend.recordKeyUse(record, when, minIntervalMs);
          },
        },
      },
    );
    expect((await call(app, 'GET', '/v1/rules', { key })).status).toBe(200);
    expect((await stored(id)).lastUsedAt).toBeNull();
    await app.close();
    expect((await stored(id)).lastUsedAt).toEqual(at(0));
  });

  it('a failure to write never fails the request, and is logged', async () => {
    const { id, key } = await issue('unrecorded');
    const logged: { level: string; obj: unknown; msg: unknown }[] = [];
    const app = await appWithClock(
      { now: at(0) },
      {
        logger: capturingLogger(logged),
        authBackend: {
          findKey: (plain) => t.repos.apiKeys.findByKey(plain),
          tenantIsActive: async () => true,
          recordKeyUse: () => Promise.reject(new Error('database is read-only')),
        },
      },
    );
    const res = await call(app, 'GET', '/v1/rules', { key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], next_cursor: null });
    await app.close();
    const warnings = logged.filter((e) => e.msg === 'could not record the use of an API key');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.level).toBe('warn');
    expect(warnings[0]?.obj).toMatchObject({
      keyId: id,
      tenantId: 'acme',
      err: { message: 'database is read-only' },
    });
    expect((await stored(id)).lastUsedAt).toBeNull();
  });
});

/** A logger that keeps what is logged (Fastify takes any pino-shaped object). */
function capturingLogger(entries: { level: string; obj: unknown; msg: unknown }[]) {
  const log =
    (level: string) =>
    (obj: unknown, msg?: unknown): void => {
      entries.push({ level, obj, msg });
    };
  const logger = {
    level: 'info',
    fatal: log('fatal'),
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    trace: log('trace'),
    silent: () => {},
    child: () => logger,
  };
  return logger as unknown as FastifyBaseLogger;
}
