/**
 * L3, the query cache (`ENABLE_QUERY_CACHE`): list answers are served from
 * the cache until the tenant's data version moves, which every committed
 * write does, on any instance; never a stale list after a write.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache, createMemoryDriver } from '../../src/cache/index.js';
import { loadConfig } from '../../src/config/index.js';
import { buildApp } from '../../src/server/app.js';
import { createQueryCache } from '../../src/server/query-cache.js';
import { createTestDatabase, type Database } from '../../src/storage/index.js';
import { newIds } from '../../src/storage/repositories/ids.js';
import { dataVersionOf } from '../../src/storage/repositories/index.js';
import { describeWithRedis, dropPrefix, testPrefix, testRedis } from '../cache/helpers/redis.js';
import { call, RULE, setupOn, type TestApp } from './helpers.js';

const names = (r: Awaited<ReturnType<typeof call>>) =>
  (r.body.items ?? []).map((i) => i.name).sort();

/** A rule row written behind alertbase's back: no audit event, so no new data version. */
async function sneakRule(db: Database, name: string): Promise<void> {
  await db.withTenant('acme', async (tx) => {
    await tx.query(
      `INSERT INTO alert_rules (tenant_id, id, name, status, level, level_rank, labels, doc)
       SELECT tenant_id, $2, $1, status, level, level_rank, labels,
              jsonb_set(jsonb_set(doc, '{id}', to_jsonb($2::text)), '{name}', to_jsonb($1::text))
       FROM alert_rules WHERE tenant_id = 'acme' LIMIT 1`,
      [name, newIds(1)[0] ?? ''],
    );
  });
}

async function configWith(env: Record<string, string>) {
  return (await loadConfig({ env, cwd: '/nonexistent-alertbase-test' })).config;
}

describe('the query cache on one instance', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setupOn(await createTestDatabase());
  });
  afterAll(() => t.close());

  it('a write moves the data version, in its own transaction', async () => {
    const before = await dataVersionOf(t.db, 'acme');
    await call(t.app, 'POST', '/v1/rules', { key: t.keys.editor, body: { ...RULE, name: 'v' } });
    expect(await dataVersionOf(t.db, 'acme')).toBe(before + 1);
    expect(await dataVersionOf(t.db, 'globex')).toBeGreaterThan(0);
  });

  it('serves a repeated list from the cache, and a list after a write afresh', async () => {
    const first = await call(t.app, 'GET', '/v1/rules', { key: t.keys.viewer });
    expect(first.status).toBe(200);
    await sneakRule(t.db, 'sneaked');
    // Nothing committed through alertbase: the cached answer is served.
    const second = await call(t.app, 'GET', '/v1/rules', { key: t.keys.viewer });
    expect(names(second)).toEqual(names(first));
    expect(names(second)).not.toContain('sneaked');
    // A write: the very next list is fresh (and shows the sneaked row too).
    const created = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      body: { ...RULE, name: 'after' },
    });
    expect(created.status).toBe(201);
    const third = await call(t.app, 'GET', '/v1/rules', { key: t.keys.viewer });
    expect(names(third)).toEqual([...names(first), 'after', 'sneaked'].sort());
  });

  it('keeps one entry per query: an answer at a new version replaces the old one', async () => {
    const cache = createCache({
      l1: createMemoryDriver({ maxEntries: 1_000, maxBytes: 1_048_576, ttlSeconds: 300 }),
    });
    const queries = createQueryCache({ db: t.db, cache, enabled: true });
    let loads = 0;
    const answer = () =>
      queries.answer('acme', 'AlertRule', { limit: 7 }, async () => {
        loads++;
        return { loads };
      });
    for (let i = 0; i < 5; i++) {
      expect(await answer()).toEqual({ loads: i + 1 });
      expect(await answer()).toEqual({ loads: i + 1 });
      const created = await call(t.app, 'POST', '/v1/rules', {
        key: t.keys.editor,
        body: { ...RULE, name: `entry-${i}` },
      });
      expect(created.status).toBe(201);
    }
    expect(cache.l1.size).toBe(1);
    // Concurrent misses at one version share one load.
    const [a, b] = await Promise.all([answer(), answer()]);
    expect([a, b, loads]).toEqual([{ loads: 6 }, { loads: 6 }, 6]);
  });

  it('keeps queries apart: another filter or page size is another answer', async () => {
    const all = await call(t.app, 'GET', '/v1/rules', { key: t.keys.viewer });
    const one = await call(t.app, 'GET', '/v1/rules?limit=1', { key: t.keys.viewer });
    expect(one.body.items?.length).toBe(1);
    expect(all.body.items?.length).toBeGreaterThan(1);
  });

  it('keeps tenants apart', async () => {
    const other = await call(t.app, 'GET', '/v1/rules', { key: t.otherKey });
    expect(other.body.items).toEqual([]);
  });
});

describe('ENABLE_QUERY_CACHE=false', () => {
  it('every list queries the database', async () => {
    const db = await createTestDatabase();
    const t = await setupOn(db, { config: await configWith({ ENABLE_QUERY_CACHE: 'false' }) });
    try {
      await call(t.app, 'POST', '/v1/rules', { key: t.keys.editor, body: RULE });
      await call(t.app, 'GET', '/v1/rules', { key: t.keys.viewer });
      await sneakRule(db, 'sneaked');
      const r = await call(t.app, 'GET', '/v1/rules', { key: t.keys.viewer });
      expect(names(r)).toContain('sneaked');
    } finally {
      await t.close();
    }
  });
});

async function twoInstances(redis?: Redis, prefix?: string) {
  const db = await createTestDatabase();
  const shared = redis === undefined ? {} : { redis, redisPrefix: prefix };
  const a = await setupOn(db, shared);
  const b = await buildApp({ db, config: await configWith({}), ...shared });
  const close = async (): Promise<void> => {
    await b.close();
    await a.close();
  };
  return { a, b, close };
}

async function neverStaleAcrossInstances(redis?: Redis, prefix?: string) {
  const { a, b, close } = await twoInstances(redis, prefix);
  try {
    await call(a.app, 'POST', '/v1/rules', { key: a.keys.editor, body: RULE });
    for (let i = 0; i < 5; i++) {
      // Both instances cache the list; a write through one; both list it at once.
      const seenA = names(await call(a.app, 'GET', '/v1/rules', { key: a.keys.viewer }));
      const seenB = names(await call(b, 'GET', '/v1/rules', { key: a.keys.viewer }));
      expect(seenB).toEqual(seenA);
      const writer = i % 2 === 0 ? b : a.app;
      const r = await call(writer, 'POST', '/v1/rules', {
        key: a.keys.editor,
        body: { ...RULE, name: `rule ${i}` },
      });
      expect(r.status).toBe(201);
      expect(names(await call(a.app, 'GET', '/v1/rules', { key: a.keys.viewer }))).toContain(
        `rule ${i}`,
      );
      expect(names(await call(b, 'GET', '/v1/rules', { key: a.keys.viewer }))).toContain(
        `rule ${i}`,
      );
    }
  } finally {
    await close();
  }
}

describe('two instances on one database, without Redis', () => {
  it('a write through either instance is seen by the next list on both', async () => {
    await neverStaleAcrossInstances();
  });
});

describeWithRedis('two instances on one database and one Redis', () => {
  let redis: Redis;
  const prefix = testPrefix();
  beforeAll(async () => {
    redis = await testRedis();
  });
  afterAll(async () => {
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('a write through either instance is seen by the next list on both; answers live in Redis', async () => {
    await neverStaleAcrossInstances(redis, prefix);
    const keys = await redis.keys(`${prefix}{acme}:q:AlertRule:*`);
    expect(keys.length).toBeGreaterThan(0);
  });
});
