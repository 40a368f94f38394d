/** When a failed delivery is tried again: exponential backoff with jitter. */

/** Options of {@link retryDelayMs}. */
export interface BackoffOptions {
  /** Delay after the first failure, before jitter (ms). */
  readonly baseMs: number;
  /** The longest delay (ms). */
  readonly maxMs: number;
}

/** alertbase's default backoff: 1 s, doubling, at most 5 minutes. */
export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ baseMs: 1_000, maxMs: 300_000 });

/**
 * The delay before attempt `attempt + 1` after `attempt` failures: `baseMs`
 * doubled per failure, capped at `maxMs`, then spread over its upper half
 * (`random` in [0, 1)) so that receivers that failed together are not
 * retried together; a receiver's `Retry-After` is a floor.
 *
 * @example
 * ```ts
 * retryDelayMs(3, DEFAULT_BACKOFF, 0.5); // 3000: 4 s spread over [2 s, 4 s)
 * ```
 */
export function retryDelayMs(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: number = Math.random(),
  retryAfterMs = 0,
): number {
  const exp = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, Math.min(30, attempt - 1)));
  const jittered = Math.round(exp / 2 + (exp / 2) * random);
  return Math.max(jittered, Math.min(retryAfterMs, options.maxMs * 4));
}
