import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectRedis,
  createCache,
  createMemoryDriver,
  createRedisDriver,
  SingleFlight,
} from '../../src/cache/index.js';
import { describeWithRedis, dropPrefix, testPrefix, testRedis } from './helpers/redis.js';

const l1 = () => createMemoryDriver({ maxEntries: 100, maxBytes: 100_000, ttlSeconds: 60 });

describe('createCache (L1 only)', () => {
  it('single flight: 100 concurrent misses of one key make one load', async () => {
    const cache = createCache({ l1: l1() });
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 20));
      return { rules: 7 };
    };
    const results = await Promise.all(
      Array.from({ length: 100 }, () => cache.getOrLoad('acme', 'count', load)),
    );
    expect(loads).toBe(1);
    expect(results.every((r) => r.rules === 7)).toBe(true);
    expect(await cache.getOrLoad('acme', 'count', load)).toEqual({ rules: 7 });
    expect(loads).toBe(1);
    expect(cache.stats()).toMatchObject({ loads: 1, misses: 1 });
  });

  it('a failed load is shared by its waiters, not cached, and the next call loads again', async () => {
    const cache = createCache({ l1: l1() });
    let calls = 0;
    const failing = async (): Promise<number> => {
      calls++;
      throw new Error('database away');
    };
    const all = await Promise.allSettled([
      cache.getOrLoad('acme', 'k', failing),
      cache.getOrLoad('acme', 'k', failing),
    ]);
    expect(all.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    expect(await cache.getOrLoad('acme', 'k', async () => 5)).toBe(5);
  });

  it('an undefined load result is not cached', async () => {
    const cache = createCache({ l1: l1() });
    let loads = 0;
    const load = async () => {
      loads++;
      return undefined;
    };
    await cache.getOrLoad('acme', 'k', load);
    await cache.getOrLoad('acme', 'k', load);
    expect(loads).toBe(2);
  });

  it('set, peek, get and delete', async () => {
    const cache = createCache();
    await cache.set('acme', 'k', [1, 2]);
    expect(cache.peek('acme', 'k')).toEqual([1, 2]);
    expect(await cache.get('acme', 'k')).toEqual([1, 2]);
    await cache.delete('acme', 'k');
    expect(await cache.get('acme', 'k')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ l1Hits: 1, misses: 1, l2Hits: 0 });
    await cache.close();
  });

  it('L1 stays within its byte bound, dropping the least recently used', async () => {
    const small = createMemoryDriver({ maxEntries: 1_000, maxBytes: 2_000, ttlSeconds: 60 });
    for (let i = 0; i < 100; i++) await small.set('acme', `k${i}`, 'x'.repeat(100));
    expect(small.bytes).toBeLessThanOrEqual(2_000);
    expect(small.size).toBeLessThan(20);
    expect(small.peek('acme', 'k0')).toBeUndefined();
    expect(small.peek('acme', 'k99')).toBe('x'.repeat(100));
    // A value larger than the whole cache is not kept.
    await small.set('acme', 'huge', 'x'.repeat(5_000));
    expect(small.peek('acme', 'huge')).toBeUndefined();
  });

  it('L1 stays within its entry bound and clears one tenant', async () => {
    const few = createMemoryDriver({ maxEntries: 3, maxBytes: 100_000, ttlSeconds: 60 });
    for (const k of ['a', 'b', 'c', 'd']) await few.set('acme', k, k);
    expect(few.size).toBe(3);
    await few.set('globex', 'a', 'g');
    few.clearTenant('acme');
    expect(few.size).toBe(1);
    expect(few.peek('globex', 'a')).toBe('g');
    few.clear();
    expect(few.size).toBe(0);
  });
});

describe('createCache with a dead Redis', () => {
  let dead: Redis;
  beforeAll(async () => {
    // Nothing listens on port 1: the connection is refused, again and again.
    dead = await connectRedis('redis://127.0.0.1:1', { readyTimeoutMs: 200 });
  });
  afterAll(() => dead.disconnect());

  it('fails fast: reads are misses and writes land in L1, counted as L2 errors', async () => {
    const errors: unknown[] = [];
    const cache = createCache({
      l1: l1(),
      l2: createRedisDriver({ redis: dead, ttlSeconds: 60 }),
      onL2Error: (err) => errors.push(err),
    });
    const started = performance.now();
    expect(await cache.get('acme', 'k')).toBeUndefined();
    expect(await cache.getOrLoad('acme', 'k', async () => 'from the database')).toBe(
      'from the database',
    );
    expect(await cache.get('acme', 'k')).toBe('from the database');
    expect(performance.now() - started).toBeLessThan(500);
    expect(cache.stats().l2Errors).toBeGreaterThanOrEqual(2);
    expect(errors.length).toBe(cache.stats().l2Errors);
  });
});

describeWithRedis('createCache with Redis', () => {
  let redis: Redis;
  const prefix = testPrefix();
  beforeAll(async () => {
    redis = await testRedis();
  });
  afterAll(async () => {
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('a value stored by one instance is read by another from L2, then from its L1', async () => {
    const a = createCache({ l1: l1(), l2: createRedisDriver({ redis, ttlSeconds: 60, prefix }) });
    const b = createCache({ l1: l1(), l2: createRedisDriver({ redis, ttlSeconds: 60, prefix }) });
    await a.set('acme', 'list', [{ id: 'r1' }]);
    expect(await b.get('acme', 'list')).toEqual([{ id: 'r1' }]);
    expect(await b.get('acme', 'list')).toEqual([{ id: 'r1' }]);
    expect(b.stats()).toMatchObject({ l2Hits: 1, l1Hits: 1, misses: 0 });
    await a.delete('acme', 'list');
    expect(await a.l2?.get('acme', 'list')).toBeUndefined();
  });

  it('reconnects by itself: a client made while Redis was unreachable works once it is reached', async () => {
    const client = await connectRedis('redis://127.0.0.1:6379/0', { readyTimeoutMs: 2_000 });
    try {
      expect(client.status).toBe('ready');
      // Drop the connection as a Redis restart would; ioredis reconnects.
      client.stream.destroy();
      await expect(client.get(`${prefix}x`)).rejects.toThrow();
      await new Promise<void>((resolve) => client.once('ready', () => resolve()));
      expect(await client.get(`${prefix}x`)).toBeNull();
    } finally {
      client.disconnect();
    }
  });
});

describe('SingleFlight', () => {
  it('runs one load per key at a time and forgets it when done', async () => {
    const flights = new SingleFlight<number>();
    let n = 0;
    const p1 = flights.run('k', async () => ++n);
    const p2 = flights.run('k', async () => ++n);
    const p3 = flights.run('other', async () => ++n);
    expect(flights.size).toBe(2);
    expect([await p1, await p2, await p3]).toEqual([1, 1, 2]);
    expect(flights.size).toBe(0);
    expect(await flights.run('k', async () => ++n)).toBe(3);
  });
});
