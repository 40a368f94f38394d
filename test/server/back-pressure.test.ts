/**
 * Back-pressure: past MAX_MEMORY_USAGE_MB of heap, 503
 * ALERTBASE_SERVER_OVERLOADED with Retry-After; probes still answer; and
 * back to normal by itself once under the limit.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { useBackPressure } from '../../src/server/back-pressure.js';
import { createTestDatabase } from '../../src/storage/index.js';
import { call, setupOn } from './helpers.js';

describe('back-pressure', () => {
  it('answers 503 problem+json with Retry-After past MAX_MEMORY_USAGE_MB; probes still answer', async () => {
    // 1 MiB: any heap is past it.
    const { config } = await loadConfig({
      env: { MAX_MEMORY_USAGE_MB: '1' },
      cwd: '/nonexistent-alertbase-test',
    });
    const t = await setupOn(await createTestDatabase(), { config });
    try {
      // The first sample is taken a sampling interval after start.
      await new Promise((r) => setTimeout(r, 1_200));
      const r = await call(t.app, 'GET', '/v1/rules', { key: t.keys.viewer });
      expect(r.status).toBe(503);
      expect(r.headers['retry-after']).toBe('5');
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.body.code).toBe('ALERTBASE_SERVER_OVERLOADED');
      expect((await t.app.inject({ url: '/health/live' })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('recovers by itself once the heap is under the limit again', async () => {
    const app = Fastify();
    const heapMb = Math.ceil(process.memoryUsage().heapUsed / 1_048_576);
    await useBackPressure(app, { maxMemoryUsageMb: heapMb + 64, sampleIntervalMs: 50 });
    app.get('/x', async () => 'ok');
    await app.ready();
    try {
      expect((await app.inject({ url: '/x' })).statusCode).toBe(200);
      // Hold ~128 MiB more: past the limit.
      let ballast: number[][] | undefined = Array.from({ length: 128 }, () =>
        new Array<number>(131_072).fill(1.5),
      );
      await new Promise((r) => setTimeout(r, 200));
      expect(ballast.length).toBe(128);
      expect((await app.inject({ url: '/x' })).statusCode).toBe(503);
      ballast = undefined;
      expect(ballast).toBeUndefined();
      // A full collection now, rather than whenever V8 would run one.
      setFlagsFromString('--expose-gc');
      (runInNewContext('gc') as () => void)();
      let status = 503;
      for (let i = 0; i < 100 && status === 503; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await app.inject({ url: '/x' })).statusCode;
      }
      expect(status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
