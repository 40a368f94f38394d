/**
 * One contract for every cache driver, run against the in-process driver
 * and against the real Redis (like the storage engines' shared suites).
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CacheDriver, createMemoryDriver, createRedisDriver } from '../../src/cache/index.js';
import { describeWithRedis, dropPrefix, testPrefix, testRedis } from './helpers/redis.js';

function contract(make: () => CacheDriver): void {
  let driver: CacheDriver;
  beforeAll(() => {
    driver = make();
  });

  it('returns what was stored, as plain data (dates and bytes kept)', async () => {
    const value = {
      name: 'cpu',
      count: 3,
      ratio: 0.5,
      on: true,
      none: null,
      list: [1, 'two', { three: 3 }],
      at: new Date('2026-12-03T07:00:00.123Z'),
      bytes: new Uint8Array([1, 2, 3]),
    };
    await driver.set('acme', 'k1', value);
    const read = (await driver.get('acme', 'k1')) as typeof value;
    expect(read.name).toBe('cpu');
    expect(read.list).toEqual([1, 'two', { three: 3 }]);
    expect(read.at).toBeInstanceOf(Date);
    expect(read.at.toISOString()).toBe('2026-12-03T07:00:00.123Z');
    expect([...read.bytes]).toEqual([1, 2, 3]);
    expect(read.none).toBeNull();
  });

  it('keeps scalars, null and empty values', async () => {
    await driver.set('acme', 'zero', 0);
    await driver.set('acme', 'null', null);
    await driver.set('acme', 'empty', '');
    await driver.set('acme', 'list', []);
    expect(await driver.get('acme', 'zero')).toBe(0);
    expect(await driver.get('acme', 'null')).toBeNull();
    expect(await driver.get('acme', 'empty')).toBe('');
    expect(await driver.get('acme', 'list')).toEqual([]);
  });

  it('answers undefined for a key never stored', async () => {
    expect(await driver.get('acme', 'never')).toBeUndefined();
  });

  it('keeps tenants apart: one key name, two tenants, two values', async () => {
    await driver.set('acme', 'shared', 'of acme');
    await driver.set('globex', 'shared', 'of globex');
    expect(await driver.get('acme', 'shared')).toBe('of acme');
    expect(await driver.get('globex', 'shared')).toBe('of globex');
    await driver.delete('acme', 'shared');
    expect(await driver.get('acme', 'shared')).toBeUndefined();
    expect(await driver.get('globex', 'shared')).toBe('of globex');
  });

  it('a tenant id cannot forge another tenant’s key: ids that are not slugs are refused', async () => {
    await driver.set('a', 'b}:c', 'tricky');
    await expect(driver.get('a}:b', 'c')).rejects.toThrow(TypeError);
    await expect(driver.set('a}', 'c', 1)).rejects.toThrow(TypeError);
    expect(await driver.get('a', 'b}:c')).toBe('tricky');
  });

  it('overwrites and deletes', async () => {
    await driver.set('acme', 'k2', 1);
    await driver.set('acme', 'k2', 2);
    expect(await driver.get('acme', 'k2')).toBe(2);
    await driver.delete('acme', 'k2');
    expect(await driver.get('acme', 'k2')).toBeUndefined();
    await driver.delete('acme', 'k2');
  });

  it('expires a value after its TTL', async () => {
    await driver.set('acme', 'short', 'soon gone', 1);
    expect(await driver.get('acme', 'short')).toBe('soon gone');
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await driver.get('acme', 'short')).toBeUndefined();
  });

  it('a TTL of 0 stores nothing (and drops what was there)', async () => {
    await driver.set('acme', 'k3', 'kept');
    await driver.set('acme', 'k3', 'not kept', 0);
    expect(await driver.get('acme', 'k3')).toBeUndefined();
  });
}

describe('cache driver contract: memory', () => {
  contract(() => createMemoryDriver({ maxEntries: 1_000, maxBytes: 1_048_576, ttlSeconds: 60 }));
});

describeWithRedis('cache driver contract: redis', () => {
  let redis: Redis;
  const prefix = testPrefix();
  beforeAll(async () => {
    redis = await testRedis();
  });
  afterAll(async () => {
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });
  contract(() => createRedisDriver({ redis, ttlSeconds: 60, prefix }));

  it('keys are hash-tagged by tenant and values are MessagePack', async () => {
    const driver = createRedisDriver({ redis, ttlSeconds: 60, prefix });
    await driver.set('acme', 'rules:count', 12);
    expect(driver.keyOf('acme', 'rules:count')).toBe(`${prefix}{acme}:rules:count`);
    const raw = await redis.getBuffer(`${prefix}{acme}:rules:count`);
    expect(raw).toEqual(Buffer.from([12]));
    const ttl = await redis.ttl(`${prefix}{acme}:rules:count`);
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('refuses a prefix with braces (it would change the hash tag)', () => {
    expect(() => createRedisDriver({ redis, ttlSeconds: 60, prefix: 'x{y}' })).toThrow(TypeError);
  });
});
