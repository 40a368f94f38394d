/**
 * The quota of alerts a tenant may ingest per minute (`maxAlertsPerMinute`),
 * counted per batch in fixed windows by `rate-limiter-flexible`: in memory,
 * or in Redis (shared by every instance) with an in-memory insurance limiter
 * while Redis is away. A batch that would pass the quota is refused whole,
 * and its alerts are not counted.
 */
import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';

/** The verdict on one batch. */
export type IngestVerdict =
  | { readonly admitted: true }
  | {
      readonly admitted: false;
      /** Alerts already ingested in this window. */
      readonly current: number;
      /** Seconds until the window resets. */
      readonly retryAfterSeconds: number;
    };

/** Counts ingested alerts; see {@link createIngestQuota}. */
export interface IngestQuota {
  /** Admits `count` alerts of the tenant under `limit` a minute, or refuses them all. */
  admit(tenantId: string, count: number, limit: number): Promise<IngestVerdict>;
}

/** Options of {@link createIngestQuota}. */
export interface IngestQuotaOptions {
  readonly redis?: Redis | undefined;
  /** Before every Redis key. Default `ab:`. */
  readonly prefix?: string;
}

/**
 * Creates an {@link IngestQuota}; Redis keys are `<prefix>iq:{tenant}`.
 *
 * @example
 * ```ts
 * const verdict = await createIngestQuota().admit('acme', alerts.length, 600);
 * ```
 */
export function createIngestQuota(options: IngestQuotaOptions = {}): IngestQuota {
  const keyPrefix = `${options.prefix ?? 'ab:'}iq`;
  const limiters = new Map<number, RateLimiterAbstract>();
  const limiterOf = (points: number): RateLimiterAbstract => {
    let limiter = limiters.get(points);
    if (limiter === undefined) {
      if (limiters.size >= 1_000) limiters.clear();
      const memory = new RateLimiterMemory({ points, duration: 60, keyPrefix });
      limiter =
        options.redis === undefined
          ? memory
          : new RateLimiterRedis({
              storeClient: options.redis,
              points,
              duration: 60,
              keyPrefix,
              insuranceLimiter: memory,
              rejectIfRedisNotReady: true,
            });
      limiters.set(points, limiter);
    }
    return limiter;
  };
  return {
    async admit(tenantId, count, limit) {
      if (count <= 0) return { admitted: true };
      if (limit <= 0) return { admitted: false, current: 0, retryAfterSeconds: 60 };
      const limiter = limiterOf(limit);
      const key = `{${tenantId}}`;
      try {
        await limiter.consume(key, count);
        return { admitted: true };
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        // Refused whole: its alerts are not counted.
        await limiter.reward(key, count);
        return {
          admitted: false,
          current: Math.max(0, rejection.consumedPoints - count),
          retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1_000)),
        };
      }
    },
  };
}
