/**
 * `alertbase serve` with REDIS_URL: rates counted in Redis; with Redis
 * unreachable it starts anyway, says so once, and keeps serving.
 */

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startServer } from '../../src/server/start-server.js';
import { createTestDatabase } from '../../src/storage/index.js';
import { createRepositories } from '../../src/storage/repositories/index.js';
import { describeWithRedis, TEST_REDIS_URL, testRedis } from '../cache/helpers/redis.js';

/** A tenant of this run only: its Redis keys collide with no other run's. */
const TENANT = `rt-${randomBytes(6).toString('hex')}`;

async function serve(env: Record<string, string>, printed: string[]) {
  const db = await createTestDatabase();
  const repos = createRepositories(db);
  await repos.tenants.create({ id: TENANT, name: 'Redis run' }, 'test');
  const { key } = await repos.apiKeys.issue(TENANT, { name: 'v', role: 'viewer' }, 'test');
  const server = await startServer({
    config: (await loadConfig({ env, cwd: '/nonexistent-alertbase-test' })).config,
    port: 0,
    host: '127.0.0.1',
    database: db,
    logger: false,
    demoTenant: false,
    print: (line) => printed.push(line),
    handleSignals: false,
  });
  return { server, key };
}

describe('serve with Redis unreachable', () => {
  it('starts, says so once, and serves with limits counted in memory', async () => {
    const printed: string[] = [];
    const { server, key } = await serve({ REDIS_URL: 'redis://127.0.0.1:1/0' }, printed);
    try {
      const res = await fetch(`${server.url}/v1/rules`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-policy')).toBe('"tenant";q=3000;w=60, "key";q=1500;w=60');
      expect(printed.filter((l) => l.startsWith('Redis: ')).length).toBe(1);
    } finally {
      await server.close();
    }
  });
});

describeWithRedis('serve with REDIS_URL', () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = await testRedis();
  });
  afterAll(() => redis.disconnect());

  it('counts request rates in Redis', async () => {
    const printed: string[] = [];
    const { server, key } = await serve({ REDIS_URL: TEST_REDIS_URL }, printed);
    try {
      await redis.del(`ab:rl:tenant:{${TENANT}}`);
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${server.url}/v1/rules`, {
          headers: { authorization: `Bearer ${key}` },
        });
        expect(res.status).toBe(200);
      }
      expect(Number(await redis.get(`ab:rl:tenant:{${TENANT}}`))).toBe(3);
      expect(printed.some((l) => l.startsWith('Redis: '))).toBe(false);
    } finally {
      await server.close();
      // The per-key count expires with its 60 s window.
      await redis.del(`ab:rl:tenant:{${TENANT}}`);
    }
  });
});
