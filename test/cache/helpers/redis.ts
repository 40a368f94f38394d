import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, it } from 'vitest';
import { connectRedis } from '../../../src/cache/index.js';

/** The Redis the tests use. */
export const TEST_REDIS_URL = process.env.ALERTBASE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

async function probe(): Promise<{ ok: true } | { ok: false; reason: string }> {
  const client = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    await client.ping();
    return { ok: true };
  } catch (err) {
    return {
      ok: false,
      reason: `Redis at ${TEST_REDIS_URL} is unavailable (${err instanceof Error ? err.message : String(err)})`,
    };
  } finally {
    client.disconnect();
  }
}

/** Probed once per test file. */
export const redisProbe = await probe();

/**
 * `describe` for tests that need Redis: fails in CI (`CI=true`) when it is
 * absent, skipped with the reason elsewhere (like `describeWithServer`).
 */
export function describeWithRedis(name: string, fn: () => void): void {
  if (redisProbe.ok) {
    describe(name, fn);
    return;
  }
  const { reason } = redisProbe;
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs Redis', () => {
        throw new Error(`${reason}; CI=true requires it`);
      });
    });
    return;
  }
  process.stderr.write(`[alertbase] skipping "${name}": ${reason}\n`);
  describe.skip(`${name} (skipped: ${reason})`, fn);
}

/** A key prefix of its own for one test run: parallel runs never share keys. */
export function testPrefix(): string {
  return `abtest:${randomBytes(6).toString('hex')}:`;
}

/**
 * A fail-fast connection to the test Redis (close it with `disconnect()`).
 * `commandTimeoutMs`: tests of exactness under a burst raise it, so that a
 * loaded test machine (the in-process database answering 1,000 requests)
 * does not time commands out and switch to the per-instance insurance limiter.
 */
export function testRedis(commandTimeoutMs?: number): Promise<Redis> {
  return connectRedis(TEST_REDIS_URL, commandTimeoutMs === undefined ? {} : { commandTimeoutMs });
}

/** Deletes every key under `prefix` (after a test run). */
export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}
