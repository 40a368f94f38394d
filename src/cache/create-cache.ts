/**
 * The cache alertbase uses: L1 in this process, then L2 in Redis when
 * configured, with single flight on misses. Redis is a helper, never a
 * point of failure: a Redis error is a miss (counted), never an error.
 */

import { tenantKey } from './keys.js';
import { createMemoryDriver, type MemoryDriver } from './memory-driver.js';
import type { RedisDriver } from './redis-driver.js';
import { SingleFlight } from './single-flight.js';
import type { CacheStats } from './types.js';

/** Options of {@link createCache}. */
export interface CacheOptions {
  /** L1; default an in-process driver of 10,000 entries, 64 MiB, 300 s. */
  readonly l1?: MemoryDriver;
  /** L2, when Redis is configured. */
  readonly l2?: RedisDriver | undefined;
  /** Told of each failed Redis command (the read or write goes on without it). */
  readonly onL2Error?: (err: unknown) => void;
}

/** The two-level cache. */
export interface Cache {
  readonly l1: MemoryDriver;
  readonly l2: RedisDriver | undefined;
  /** The value from L1 only, synchronously (hot paths). */
  peek(tenantId: string, key: string): unknown;
  /** The value from L1, else from L2 (then kept in L1), else `undefined`. */
  get(tenantId: string, key: string): Promise<unknown>;
  /** Stores in L1 and L2. */
  set(tenantId: string, key: string, value: unknown, ttlSeconds?: number): Promise<void>;
  /** Forgets in L1 and L2. */
  delete(tenantId: string, key: string): Promise<void>;
  /**
   * The cached value, or `load()`'s (then cached, unless `undefined`).
   * Concurrent misses of one key share one load.
   */
  getOrLoad<T>(
    tenantId: string,
    key: string,
    load: () => Promise<T>,
    ttlSeconds?: number,
  ): Promise<T>;
  /** Counters since creation. */
  stats(): CacheStats;
  /** Closes both drivers (not the Redis connection, which its owner closes). */
  close(): Promise<void>;
}

/**
 * Creates the two-level cache.
 *
 * @example
 * ```ts
 * const cache = createCache({ l2: createRedisDriver({ redis, ttlSeconds: 300 }) });
 * const count = await cache.getOrLoad('acme', 'rules:count', () => repos.rules.count('acme'));
 * ```
 */
export function createCache(options: CacheOptions = {}): Cache {
  const l1 =
    options.l1 ??
    createMemoryDriver({ maxEntries: 10_000, maxBytes: 64 * 1_048_576, ttlSeconds: 300 });
  const l2 = options.l2;
  const flights = new SingleFlight<unknown>();
  const counts = { l1Hits: 0, l2Hits: 0, misses: 0, l2Errors: 0, loads: 0 };
  const l2Failed = (err: unknown): undefined => {
    counts.l2Errors++;
    options.onL2Error?.(err);
    return undefined;
  };
  const get = async (tenantId: string, key: string): Promise<unknown> => {
    const local = l1.peek(tenantId, key);
    if (local !== undefined) {
      counts.l1Hits++;
      return local;
    }
    if (l2 !== undefined) {
      const shared = await l2.get(tenantId, key).catch(l2Failed);
      if (shared !== undefined) {
        counts.l2Hits++;
        await l1.set(tenantId, key, shared);
        return shared;
      }
    }
    counts.misses++;
    return undefined;
  };
  const set = async (tenantId: string, key: string, value: unknown, ttlSeconds?: number) => {
    await l1.set(tenantId, key, value, ttlSeconds);
    await l2?.set(tenantId, key, value, ttlSeconds).catch(l2Failed);
  };
  return {
    l1,
    l2,
    peek: l1.peek,
    get,
    set,
    async delete(tenantId, key) {
      await l1.delete(tenantId, key);
      await l2?.delete(tenantId, key).catch(l2Failed);
    },
    async getOrLoad<T>(
      tenantId: string,
      key: string,
      load: () => Promise<T>,
      ttlSeconds?: number,
    ): Promise<T> {
      const local = l1.peek(tenantId, key);
      if (local !== undefined) {
        counts.l1Hits++;
        return local as T;
      }
      const value = await flights.run(tenantKey(tenantId, key), async () => {
        const cached = await get(tenantId, key);
        if (cached !== undefined) return cached;
        counts.loads++;
        const loaded = await load();
        if (loaded !== undefined) await set(tenantId, key, loaded, ttlSeconds);
        return loaded;
      });
      // The caller's load gave a T; a cached value was stored from a T under this key.
      return value as T;
    },
    stats: () => ({ ...counts }),
    async close() {
      await l1.close();
      await l2?.close();
    },
  };
}
