/**
 * L2: Redis, shared by every instance. Keys are `<prefix>{tenant}:key` (the
 * braces keep a tenant on one Redis Cluster slot); values are MessagePack
 * (alertbase's codec, with its decode limits).
 */
import type { Redis } from 'ioredis';
import { msgpackCodec } from '../base/serializers/msgpack.js';
import { CODEC_CONTEXT } from './codec-context.js';
import { tenantKey } from './keys.js';
import type { CacheDriver } from './types.js';

/** Options of {@link createRedisDriver}. */
export interface RedisDriverOptions {
  /** A connected client (`connectRedis`); the driver does not close it. */
  readonly redis: Redis;
  /** Default TTL, seconds (`CACHE_TTL_SECONDS`); 0 keeps nothing. */
  readonly ttlSeconds: number;
  /** Put before every key: several deployments (or test runs) can share one Redis. Default `ab:`. No braces. */
  readonly prefix?: string;
}

/** The Redis driver. */
export interface RedisDriver extends CacheDriver {
  readonly kind: 'redis';
  /** The full Redis key of a value. */
  keyOf(tenantId: string, key: string): string;
}

/**
 * A {@link CacheDriver} on Redis. Its commands reject when Redis is away
 * (the connection fails fast); `createCache` turns that into a miss.
 *
 * @example
 * ```ts
 * const l2 = createRedisDriver({ redis: await connectRedis(url), ttlSeconds: 300 });
 * await l2.set('acme', 'rules:count', 12);
 * ```
 */
export function createRedisDriver(options: RedisDriverOptions): RedisDriver {
  const prefix = options.prefix ?? 'ab:';
  if (/[{}]/.test(prefix)) throw new TypeError('a Redis key prefix holds no braces');
  const { redis } = options;
  const keyOf = (tenantId: string, key: string): string => prefix + tenantKey(tenantId, key);
  return {
    kind: 'redis',
    keyOf,
    async get(tenantId, key) {
      const bytes = await redis.getBuffer(keyOf(tenantId, key));
      return bytes === null ? undefined : msgpackCodec.decode(bytes, CODEC_CONTEXT);
    },
    async set(tenantId, key, value, ttlSeconds) {
      const ttl = ttlSeconds ?? options.ttlSeconds;
      const name = keyOf(tenantId, key);
      if (ttl <= 0) {
        await redis.del(name);
        return;
      }
      const bytes = msgpackCodec.encode(value, CODEC_CONTEXT);
      await redis.set(
        name,
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        'EX',
        ttl,
      );
    },
    async delete(tenantId, key) {
      await redis.del(keyOf(tenantId, key));
    },
    async close() {},
  };
}
