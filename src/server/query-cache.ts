/**
 * L3: answers of list endpoints, cached when `ENABLE_QUERY_CACHE` is on,
 * under the tenant's data version (`dataVersionOf`: the head of its audit
 * chain, moved in the same transaction as every write). A read costs one
 * primary-key query for the version, then the answer comes from L1 or L2
 * (Redis, shared by instances); after any committed write, on any instance,
 * the version differs and the next read queries afresh. Entries of old
 * versions are never read again and leave by TTL and LRU.
 */
import { contentHash } from '../base/utils/canonical-json.js';
import type { Cache } from '../cache/index.js';
import type { Database } from '../storage/index.js';
import { dataVersionOf } from '../storage/repositories/index.js';

/** Cached list answers; see the module comment. */
export interface QueryCache {
  /** Whether answers are cached (`ENABLE_QUERY_CACHE`). */
  readonly enabled: boolean;
  /**
   * The answer of `load` for this tenant, resource and query: from the cache
   * when it was stored at the tenant's current data version. The answer must
   * be plain data (what MessagePack encodes).
   */
  answer<T>(tenantId: string, resource: string, query: unknown, load: () => Promise<T>): Promise<T>;
}

/** Options of {@link createQueryCache}. */
export interface QueryCacheOptions {
  readonly db: Database;
  readonly cache: Cache;
  readonly enabled: boolean;
}

/**
 * Creates the query cache.
 *
 * @example
 * ```ts
 * const page = await queryCache.answer(tenantId, 'AlertRule', query, async () => wirePage(AlertRule, await repo.list(tenantId, options)));
 * ```
 */
export function createQueryCache(options: QueryCacheOptions): QueryCache {
  const { db, cache, enabled } = options;
  return {
    enabled,
    async answer<T>(tenantId: string, resource: string, query: unknown, load: () => Promise<T>) {
      if (!enabled) return load();
      const version = await dataVersionOf(db, tenantId);
      // The version in the key: a write anywhere makes every older entry unreachable.
      return cache.getOrLoad(tenantId, `q:${resource}:${version}:${contentHash(query)}`, load);
    },
  };
}
