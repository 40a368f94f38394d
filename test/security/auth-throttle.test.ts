/**
 * Failed authentication is throttled per client address and per key prefix
 * (429 ALERTBASE_RATE_LIMITED with Retry-After), and unknown keys are
 * remembered for a few seconds so that they do not reach the database.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_THROTTLE } from '../../src/base/constants.js';
import { createMemoryFailureLimiter } from '../../src/security/index.js';
import { setup, type TestApp } from '../server/helpers.js';

const randomKey = (tenant = 'acme'): string => `ab_${tenant}_${randomBytes(24).toString('hex')}`;

function get(t: TestApp, key: string, remoteAddress: string) {
  return t.app.inject({
    method: 'GET',
    url: '/v1/rules',
    remoteAddress,
    headers: { authorization: `Bearer ${key}` },
  });
}

describe('failed authentication is throttled', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setup();
  });
  afterAll(() => t.close());

  it('per client address: after the allowed failures, 429 with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < AUTH_THROTTLE.maxFailures + 5; i++) {
      statuses.push((await get(t, randomKey(), '10.0.0.1')).statusCode);
    }
    expect(statuses.slice(0, AUTH_THROTTLE.maxFailures)).toEqual(
      Array(AUTH_THROTTLE.maxFailures).fill(401),
    );
    expect(statuses.slice(AUTH_THROTTLE.maxFailures)).toEqual(Array(5).fill(429));
    const blocked = await get(t, randomKey(), '10.0.0.1');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toMatchObject({ code: 'ALERTBASE_RATE_LIMITED', status: 429 });
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(AUTH_THROTTLE.blockSeconds);
    // Another address is not held back by this one's failures.
    expect((await get(t, randomKey(), '10.0.0.2')).statusCode).toBe(401);
  });

  it('a key already known good still works from a blocked address; an unchecked one waits', async () => {
    expect((await get(t, t.keys.viewer, '10.0.0.3')).statusCode).toBe(200);
    for (let i = 0; i <= AUTH_THROTTLE.maxFailures; i++) await get(t, randomKey(), '10.0.0.3');
    expect((await get(t, t.keys.viewer, '10.0.0.3')).statusCode).toBe(200);
    expect((await get(t, t.keys.editor, '10.0.0.3')).statusCode).toBe(429);
  });

  it('per key prefix: guesses of one key from many addresses are blocked too', async () => {
    const stem = `ab_globex_${'3f9c0a1b'}`;
    const statuses: number[] = [];
    for (let i = 0; i < AUTH_THROTTLE.maxFailures + 2; i++) {
      statuses.push(
        (await get(t, `${stem}${randomBytes(20).toString('hex')}`, `10.1.0.${i}`)).statusCode,
      );
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((s) => s === 401)).toHaveLength(AUTH_THROTTLE.maxFailures);
    // The tenant's real key (another prefix) is unaffected.
    expect((await get(t, t.otherKey, '10.1.1.1')).statusCode).toBe(200);
  });
});

describe('unknown keys are cached negatively', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setup();
  });
  afterAll(() => t.close());

  it('the same unknown key reaches the database once within the cache time', async () => {
    const lookups: string[] = [];
    const stop = t.db.onQuery((event) => {
      if (event.sql.includes('key_prefix')) lookups.push(event.sql);
    });
    try {
      const key = randomKey();
      for (let i = 0; i < 5; i++) expect((await get(t, key, '10.2.0.1')).statusCode).toBe(401);
      expect(lookups).toHaveLength(1);
      await get(t, randomKey(), '10.2.0.1');
      expect(lookups).toHaveLength(2);
    } finally {
      stop();
    }
  });
});

describe('the memory failure limiter', () => {
  it('blocks after maxFailures within the window and says for how long', async () => {
    const limiter = createMemoryFailureLimiter({
      maxFailures: 2,
      windowSeconds: 60,
      blockSeconds: 30,
    });
    expect(await limiter.check('a')).toEqual({ blocked: false });
    expect(await limiter.fail('a')).toEqual({ blocked: false });
    expect(await limiter.fail('a')).toEqual({ blocked: false });
    const third = await limiter.fail('a');
    expect(third.blocked).toBe(true);
    const now = await limiter.check('a');
    expect(now.blocked && now.retryAfterMs).toBeGreaterThan(29_000);
    expect(await limiter.check('b')).toEqual({ blocked: false });
  });
});
