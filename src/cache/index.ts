/**
 * Caching: L1 in process (`lru-cache`), L2 in Redis (`ioredis`, loaded on
 * first use), single flight, and the Redis connection alertbase shares with
 * the rate limiters.
 */
export { type Cache, type CacheOptions, createCache } from './create-cache.js';
export { tenantKey } from './keys.js';
export {
  createMemoryDriver,
  type MemoryDriver,
  type MemoryDriverOptions,
} from './memory-driver.js';
export {
  connectRedis,
  FAIL_FAST_REDIS_OPTIONS,
  type RedisConnectionOptions,
  waitReady,
} from './redis-connection.js';
export { createRedisDriver, type RedisDriver, type RedisDriverOptions } from './redis-driver.js';
export { SingleFlight } from './single-flight.js';
export type { CacheDriver, CacheStats } from './types.js';
