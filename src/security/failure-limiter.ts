import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** Whether a key (an address, a key prefix) may try again, and when. */
export type FailureVerdict =
  | { readonly blocked: false }
  | { readonly blocked: true; readonly retryAfterMs: number };

/**
 * Counts failures (of authentication) per key within a window and blocks a
 * key that has too many. A small interface so the store can change: in
 * memory here (one process); Redis when instances share it.
 */
export interface FailureLimiter {
  /** Is `key` blocked now? */
  check(key: string): Promise<FailureVerdict>;
  /** Records one failure of `key`; the verdict after it. */
  fail(key: string): Promise<FailureVerdict>;
}

/** Options of {@link createMemoryFailureLimiter}. */
export interface FailureLimiterOptions {
  /** Failures allowed within the window; the next one blocks. */
  readonly maxFailures: number;
  /** The window, seconds. */
  readonly windowSeconds: number;
  /** How long a key stays blocked, seconds. */
  readonly blockSeconds: number;
}

/**
 * A {@link FailureLimiter} in this process's memory (`rate-limiter-flexible`'s
 * `RateLimiterMemory`): expired entries are dropped by the library's timers.
 *
 * @example
 * ```ts
 * const limiter = createMemoryFailureLimiter({ maxFailures: 20, windowSeconds: 60, blockSeconds: 60 });
 * if ((await limiter.check(ip)).blocked) reply.code(429);
 * else if (!ok) await limiter.fail(ip);
 * ```
 */
export function createMemoryFailureLimiter(options: FailureLimiterOptions): FailureLimiter {
  const limiter = new RateLimiterMemory({
    points: options.maxFailures,
    duration: options.windowSeconds,
    blockDuration: options.blockSeconds,
  });
  return {
    async check(key) {
      const state = await limiter.get(key);
      if (state === null || state.consumedPoints <= options.maxFailures) return { blocked: false };
      return { blocked: true, retryAfterMs: Math.max(state.msBeforeNext, 1) };
    },
    async fail(key) {
      try {
        await limiter.consume(key);
        return { blocked: false };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          return { blocked: true, retryAfterMs: Math.max(rejection.msBeforeNext, 1) };
        }
        throw rejection;
      }
    },
  };
}
