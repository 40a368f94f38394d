/**
 * L3: answers of list endpoints, cached when `ENABLE_QUERY_CACHE` is on,
 * under the tenant's data version (`cacheVersionOf`: the head of its audit
 * chain and its write counters, moved in the same transaction as every
 * write). A read costs one query (two primary-key reads) for the version,
 * then the answer comes from L1 or L2
 * (Redis, shared by instances); after any committed write, on any instance,
 * the version differs and the next read queries afresh.
 *
 * One entry per query, holding the version it was answered at: a new answer
 * replaces the old one. (With the version in the key instead, every write
 * left one dead entry per query read since, kept until TTL or LRU: a 150-s
 * soak of ingests and lists grew the heap by 21 MiB of stale pages.)
 */
import { contentHash } from '../base/utils/canonical-json.js';
import { type Cache, SingleFlight } from '../cache/index.js';
import type { Database } from '../storage/index.js';
import { cacheVersionOf } from '../storage/repositories/index.js';

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
  const flights = new SingleFlight<unknown>();
  return {
    enabled,
    async answer<T>(tenantId: string, resource: string, query: unknown, load: () => Promise<T>) {
      if (!enabled) return load();
      const version = await cacheVersionOf(db, tenantId);
      const key = `q:${resource}:${contentHash(query)}`;
      const hit = await cache.get(tenantId, key);
      if (isEntry(hit) && hit.version === version) return hit.answer as T;
      // Concurrent misses of one query at one version make one load.
      const answer = await flights.run(`${tenantId}\u0000${key}\u0000${version}`, async () => {
        const loaded = await load();
        const entry: Entry = { version, answer: loaded };
        await cache.set(tenantId, key, entry);
        return loaded;
      });
      // This flight's load gave a T: the flight key holds the resource and query.
      return answer as T;
    },
  };
}

/** What one query's entry holds. */
interface Entry {
  readonly version: string;
  readonly answer: unknown;
}

function isEntry(value: unknown): value is Entry {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof Reflect.get(value, 'version') === 'string' &&
    Reflect.has(value, 'answer')
  );
}
