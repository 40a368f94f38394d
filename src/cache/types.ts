/** What every cache driver offers: values by tenant and key, each with a TTL. */

/**
 * A store of cached values, each owned by a tenant. Values are plain data
 * (what MessagePack encodes: objects, arrays, strings, numbers, booleans,
 * `null`, dates, bytes); `undefined` means "not cached". A value read from a
 * cache is shared: never change it.
 */
export interface CacheDriver {
  /** `memory` (L1, in this process) or `redis` (L2, shared by instances). */
  readonly kind: 'memory' | 'redis';
  /** The value under `key` of `tenantId`, or `undefined` (absent or expired). */
  get(tenantId: string, key: string): Promise<unknown>;
  /** Stores `value` for `ttlSeconds` (default: the driver's). */
  set(tenantId: string, key: string, value: unknown, ttlSeconds?: number): Promise<void>;
  /** Forgets one value. */
  delete(tenantId: string, key: string): Promise<void>;
  /** Releases what the driver holds (a Redis driver does not close a connection it was given). */
  close(): Promise<void>;
}

/** Counters of a cache, for metrics and tests. */
export interface CacheStats {
  /** Reads answered by the in-process cache. */
  readonly l1Hits: number;
  /** Reads answered by Redis. */
  readonly l2Hits: number;
  /** Reads answered by neither. */
  readonly misses: number;
  /** Redis commands that failed (Redis down or slow): answered as misses, never as errors. */
  readonly l2Errors: number;
  /** Loads made by `getOrLoad` (concurrent misses of one key count once). */
  readonly loads: number;
}
