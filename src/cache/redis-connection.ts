/**
 * The Redis connection (ioredis, loaded on first use), set to fail fast: a
 * command sent while Redis is away fails at once instead of queueing
 * (ioredis's defaults wait more than a minute), so callers fall back to the
 * in-process cache, the database and the in-memory insurance limiter, while
 * ioredis reconnects in the background.
 */
import type { Redis } from 'ioredis';

/** Options of {@link connectRedis}. */
export interface RedisConnectionOptions {
  /** Milliseconds to wait for the first connection before going on without Redis. Default 2,000. */
  readonly readyTimeoutMs?: number;
  /** Milliseconds a command may take before it fails. Default 1,000. */
  readonly commandTimeoutMs?: number;
  /** Told of connection errors (ioredis keeps reconnecting). */
  readonly onError?: (err: Error) => void;
}

/** alertbase's ioredis settings: fail fast, reconnect forever, bounded back-off. */
export const FAIL_FAST_REDIS_OPTIONS = Object.freeze({
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 1_000,
  commandTimeout: 1_000,
  enableAutoPipelining: true,
  retryStrategy: (attempt: number) => Math.min(attempt * 100, 2_000),
});

/**
 * Connects to Redis at `url` and waits (a bounded time) for it to be ready;
 * when it is not, returns the client anyway: it keeps reconnecting, and
 * commands fail fast meanwhile.
 *
 * @example
 * ```ts
 * const redis = await connectRedis('redis://127.0.0.1:6379/0');
 * await redis.ping();
 * redis.disconnect();
 * ```
 */
export async function connectRedis(
  url: string,
  options: RedisConnectionOptions = {},
): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    ...FAIL_FAST_REDIS_OPTIONS,
    commandTimeout: options.commandTimeoutMs ?? FAIL_FAST_REDIS_OPTIONS.commandTimeout,
  });
  client.on('error', (err: Error) => options.onError?.(err));
  await waitReady(client, options.readyTimeoutMs ?? 2_000);
  return client;
}

/** Resolves when `client` is ready or after `timeoutMs`, whichever is first. */
export function waitReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = (): void => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.on('ready', onReady);
  });
}
