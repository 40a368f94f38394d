/**
 * Request rates per tenant and per API key, counted in fixed windows by
 * `rate-limiter-flexible`: in this process's memory, or in Redis (shared by
 * every instance, exact under concurrency: Redis counts atomically). With
 * Redis away, an in-memory insurance limiter counts meanwhile (each
 * instance on its own) and Redis takes over again once reconnected.
 */
import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';

/** The scopes a request is counted in. */
export type RatePolicyName = 'tenant' | 'key';

/** Where one policy stands after a request (the IETF `RateLimit` fields). */
export interface RatePolicyState {
  readonly name: RatePolicyName;
  /** Requests allowed per window (`q`). */
  readonly limit: number;
  /** The window, seconds (`w`). */
  readonly windowSeconds: number;
  /** Requests left in this window (`r`). */
  readonly remaining: number;
  /** Seconds until the window resets (`t`). */
  readonly resetSeconds: number;
}

/** The verdict on one request. */
export interface RateVerdict {
  readonly allowed: boolean;
  /** Each policy's state, tenant first. */
  readonly policies: readonly RatePolicyState[];
  /** The policy that refused the request, when refused. */
  readonly limitedBy: RatePolicyState | undefined;
}

/** One request to count. */
export interface RateRequest {
  readonly tenantId: string;
  readonly keyId: string;
  /** Requests per window of the whole tenant. */
  readonly tenantLimit: number;
  /** Requests per window of this key. */
  readonly keyLimit: number;
}

/** Counts requests; see {@link createRequestLimiter}. */
export interface RequestLimiter {
  /** Where counts are kept: `redis` (shared, with memory insurance) or `memory`. */
  readonly store: 'redis' | 'memory';
  /** The window, seconds. */
  readonly windowSeconds: number;
  /** Counts one request against its tenant and its key. */
  consume(request: RateRequest): Promise<RateVerdict>;
}

/** Options of {@link createRequestLimiter}. */
export interface RequestLimiterOptions {
  /** Count in Redis (shared by instances); absent: in memory. */
  readonly redis?: Redis | undefined;
  /** Before every Redis key. Default `ab:`. */
  readonly prefix?: string;
  /** The window, seconds. Default 60. */
  readonly windowSeconds?: number;
}

/** Distinct limits kept at most (tenants override limits; a few values in practice). */
const MAX_LIMITERS = 1_000;

/**
 * Creates a {@link RequestLimiter}. Redis keys are
 * `<prefix>rl:<scope>:{tenant}[:key]`, hash-tagged by tenant.
 *
 * @example
 * ```ts
 * const limiter = createRequestLimiter({ redis });
 * const verdict = await limiter.consume({ tenantId: 'acme', keyId: 'k1', tenantLimit: 100, keyLimit: 50 });
 * if (!verdict.allowed) reply.code(429);
 * ```
 */
export function createRequestLimiter(options: RequestLimiterOptions = {}): RequestLimiter {
  const windowSeconds = options.windowSeconds ?? 60;
  const prefix = options.prefix ?? 'ab:';
  const { redis } = options;
  const limiters = new Map<string, RateLimiterAbstract>();
  const limiterOf = (scope: RatePolicyName, points: number): RateLimiterAbstract => {
    const id = `${scope}:${points}`;
    let limiter = limiters.get(id);
    if (limiter === undefined) {
      if (limiters.size >= MAX_LIMITERS) limiters.clear();
      // Limiters of one scope share their keys: a changed limit keeps the count.
      const keyPrefix = `${prefix}rl:${scope}`;
      const memory = new RateLimiterMemory({ points, duration: windowSeconds, keyPrefix });
      limiter =
        redis === undefined
          ? memory
          : new RateLimiterRedis({
              storeClient: redis,
              points,
              duration: windowSeconds,
              keyPrefix,
              insuranceLimiter: memory,
              rejectIfRedisNotReady: true,
            });
      limiters.set(id, limiter);
    }
    return limiter;
  };
  const count = async (
    scope: RatePolicyName,
    key: string,
    limit: number,
  ): Promise<{ allowed: boolean; state: RatePolicyState }> => {
    const state = (res: RateLimiterRes): RatePolicyState => ({
      name: scope,
      limit,
      windowSeconds,
      remaining: Math.max(0, limit - res.consumedPoints),
      resetSeconds: Math.max(0, Math.ceil(res.msBeforeNext / 1_000)),
    });
    if (limit <= 0) {
      return {
        allowed: false,
        state: { name: scope, limit, windowSeconds, remaining: 0, resetSeconds: windowSeconds },
      };
    }
    try {
      return { allowed: true, state: state(await limiterOf(scope, limit).consume(key)) };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return { allowed: false, state: state(rejection) };
      throw rejection;
    }
  };
  return {
    store: redis === undefined ? 'memory' : 'redis',
    windowSeconds,
    async consume(request) {
      const [tenant, key] = await Promise.all([
        count('tenant', `{${request.tenantId}}`, request.tenantLimit),
        count('key', `{${request.tenantId}}:${request.keyId}`, request.keyLimit),
      ]);
      const limitedBy = !tenant.allowed ? tenant.state : !key.allowed ? key.state : undefined;
      return { allowed: limitedBy === undefined, policies: [tenant.state, key.state], limitedBy };
    },
  };
}

/**
 * The IETF `RateLimit-Policy` and `RateLimit` header values of a verdict
 * (draft-ietf-httpapi-ratelimit-headers: `"tenant";q=100;w=60` and
 * `"tenant";r=42;t=17`).
 *
 * @example
 * ```ts
 * const { policy, state } = rateLimitHeaders(verdict);
 * reply.header('ratelimit-policy', policy).header('ratelimit', state);
 * ```
 */
export function rateLimitHeaders(verdict: RateVerdict): { policy: string; state: string } {
  return {
    policy: verdict.policies.map((p) => `"${p.name}";q=${p.limit};w=${p.windowSeconds}`).join(', '),
    state: verdict.policies
      .map((p) => `"${p.name}";r=${p.remaining};t=${p.resetSeconds}`)
      .join(', '),
  };
}
