/**
 * Request rates per tenant and per key: exact under concurrency, on one
 * instance, across two instances sharing Redis, and with Redis away.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../src/cache/index.js';
import { createTestDatabase } from '../../src/storage/index.js';
import { describeWithRedis, dropPrefix, testPrefix, testRedis } from '../cache/helpers/redis.js';
import { call, setupOn, type TestApp } from './helpers.js';

const SETTINGS = { timezone: 'UTC', levelPriorities: {}, allowPrivateNetworks: false };

async function limitAcme(t: TestApp, quotas: Record<string, number>): Promise<void> {
  await t.repos.tenants.update('acme', { settings: { ...SETTINGS, quotas } }, 'test');
}

/** Sends `count` concurrent GET /v1/rules, spread over `apps`; the statuses, counted. */
async function burst(apps: readonly TestApp[], key: string, count: number) {
  const replies = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      call((apps[i % apps.length] as TestApp).app, 'GET', '/v1/rules', { key }),
    ),
  );
  const statuses = new Map<number, number>();
  for (const r of replies) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  return { replies, statuses };
}

describe('rate limits in memory (one instance)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setupOn(await createTestDatabase());
  });
  afterAll(() => t.close());

  it('sends the tier policy on every tenant request', async () => {
    const r = await call(t.app, 'GET', '/v1/rules', { key: t.otherKey });
    expect(r.status).toBe(200);
    // globex is on the enterprise tier: 300,000 a minute for the tenant, 150,000 for a key.
    expect(r.headers['ratelimit-policy']).toBe('"tenant";q=300000;w=60, "key";q=150000;w=60');
    expect(r.headers.ratelimit).toMatch(/^"tenant";r=299999;t=(59|60), "key";r=149999;t=(59|60)$/);
  });

  it('1,000 concurrent requests against a tenant limit of 100: exactly 100 pass', async () => {
    await limitAcme(t, { requestsPerMinute: 100 });
    const { replies, statuses } = await burst([t], t.keys.viewer, 1_000);
    expect(statuses.get(200)).toBe(100);
    expect(statuses.get(429)).toBe(900);
    const refused = replies.find((r) => r.status === 429);
    expect(refused?.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused?.body.code).toBe('ALERTBASE_RATE_LIMITED');
    expect(refused?.headers['ratelimit-policy']).toBe('"tenant";q=100;w=60, "key";q=150000;w=60');
    const retryAfter = Number(refused?.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused?.headers.ratelimit).toMatch(/^"tenant";r=0;t=\d+/);
    // Another tenant is not held back.
    expect((await call(t.app, 'GET', '/v1/rules', { key: t.otherKey })).status).toBe(200);
    // Platform administrators are not counted.
    expect(
      (await call(t.app, 'GET', '/v1/tenants/acme', { key: 'test-platform-admin-key' })).status,
    ).toBe(200);
  });
});

describe('per-key limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setupOn(await createTestDatabase());
  });
  afterAll(() => t.close());

  it('a key past its own limit is refused while the tenant’s other keys go on', async () => {
    await limitAcme(t, { keyRequestsPerMinute: 5 });
    const { statuses, replies } = await burst([t], t.keys.viewer, 8);
    expect(statuses.get(200)).toBe(5);
    expect(statuses.get(429)).toBe(3);
    const refused = replies.find((r) => r.status === 429);
    expect(refused?.body.code).toBe('ALERTBASE_RATE_LIMITED');
    expect(refused?.headers.ratelimit).toMatch(/, "key";r=0;t=\d+$/);
    expect((await call(t.app, 'GET', '/v1/rules', { key: t.keys.editor })).status).toBe(200);
  });

  it('a limit of 0 refuses every request', async () => {
    await t.repos.tenants.update(
      'globex',
      { settings: { ...SETTINGS, quotas: { requestsPerMinute: 0 } } },
      'test',
    );
    const r = await call(t.app, 'GET', '/v1/rules', { key: t.otherKey });
    // globex was not read by this app before: its tenant cache holds nothing old.
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('60');
  });
});

describeWithRedis('rate limits shared through Redis', () => {
  let redis: Redis;
  const prefix = testPrefix();
  beforeAll(async () => {
    redis = await testRedis(30_000);
  });
  afterAll(async () => {
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('two instances on one database and one Redis: 1,000 concurrent requests, limit 100, exactly 100 pass', async () => {
    const db = await createTestDatabase();
    const a = await setupOn(db, { redis, redisPrefix: prefix });
    // The second instance: its own app (own memory) on the same database and Redis.
    const { buildApp } = await import('../../src/server/app.js');
    const { loadConfig } = await import('../../src/config/index.js');
    const { config } = await loadConfig({ env: {}, cwd: '/nonexistent-alertbase-test' });
    const other = await testRedis(30_000);
    const bApp = await buildApp({ db, config, redis: other, redisPrefix: prefix });
    const b: TestApp = { ...a, app: bApp, close: () => bApp.close() };
    try {
      await limitAcme(a, { requestsPerMinute: 100 });
      const { statuses } = await burst([a, b], a.keys.viewer, 1_000);
      expect(statuses.get(200)).toBe(100);
      expect(statuses.get(429)).toBe(900);
      const keys = await redis.keys(`${prefix}rl:*`);
      expect(keys.sort()).toEqual(expect.arrayContaining([`${prefix}rl:tenant:{acme}`]));
      expect(Number(await redis.get(`${prefix}rl:tenant:{acme}`))).toBe(1_000);
    } finally {
      await bApp.close();
      other.disconnect();
      await a.close();
    }
  });
});

describe('rate limits with Redis away', () => {
  it('the in-memory insurance limiter counts meanwhile, exactly, and fast', async () => {
    const dead = await connectRedis('redis://127.0.0.1:1', { readyTimeoutMs: 100 });
    const t = await setupOn(await createTestDatabase(), { redis: dead });
    try {
      await limitAcme(t, { requestsPerMinute: 100 });
      const started = performance.now();
      const { statuses } = await burst([t], t.keys.viewer, 300);
      expect(statuses.get(200)).toBe(100);
      expect(statuses.get(429)).toBe(200);
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      await t.close();
      dead.disconnect();
    }
  });
});
