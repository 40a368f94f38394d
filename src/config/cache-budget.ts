import type { AlertbaseConfig } from './schema.js';

/** The share of `MAX_MEMORY_USAGE_MB` the in-process cache (L1) may hold. */
export const L1_MEMORY_SHARE = 0.25;

/** Entries the in-process cache (L1) holds at most. */
export const L1_MAX_ENTRIES = 10_000;

/** What the in-process cache may hold, by the configuration. */
export interface CacheBudget {
  /** Entries at most. */
  readonly maxEntries: number;
  /** Bytes at most: a quarter of `MAX_MEMORY_USAGE_MB`. */
  readonly maxBytes: number;
  /** `CACHE_TTL_SECONDS`. */
  readonly ttlSeconds: number;
}

/**
 * The in-process cache's bounds: a quarter of `MAX_MEMORY_USAGE_MB`, 10,000
 * entries, entries kept `CACHE_TTL_SECONDS`.
 *
 * @example
 * ```ts
 * createMemoryDriver(cacheBudgetOf(config));
 * ```
 */
export function cacheBudgetOf(config: AlertbaseConfig): CacheBudget {
  return {
    maxEntries: L1_MAX_ENTRIES,
    maxBytes: Math.floor(config.performance.maxMemoryUsageMb * 1_048_576 * L1_MEMORY_SHARE),
    ttlSeconds: config.performance.cacheTtl,
  };
}
