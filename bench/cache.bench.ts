/**
 * The cache layer and the limits against what they wrap or save:
 *
 * - L1 hit: `cache.peek(tenant, key)` against a raw `lru-cache` `get` of the same key.
 * - L2 hit: the Redis driver's `get` (GET + MessagePack decode) against a raw ioredis `GET`.
 * - A cached list (`GET /v1/rules`, 50 rules, `ENABLE_QUERY_CACHE` on) against the same list
 *   uncached; in process (`inject`), on PGlite.
 * - A request counted by the rate limiter against the same request not counted.
 *
 * The Redis rows need Redis at `ALERTBASE_TEST_REDIS_URL` (default 127.0.0.1:6379).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { LRUCache } from 'lru-cache';
import {
  connectRedis,
  createCache,
  createMemoryDriver,
  createRedisDriver,
} from '../src/cache/index.js';
import { loadConfig } from '../src/config/index.js';
import { buildApp } from '../src/server/app.js';
import { createTestDatabase } from '../src/storage/index.js';
import { createRepositories } from '../src/storage/repositories/index.js';
import { type BenchRow, benchRow, consume, measureThroughput, UNLIMITED_SETTINGS } from './lib.js';

const SUITE = 'cache';
const REDIS_URL = process.env.ALERTBASE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const VALUE = { id: 'r1', name: 'High CPU', labels: { team: 'infra' }, count: 12 };

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Ops/s of async functions, in interleaved rounds of `n` sequential calls; medians. */
async function measureAsync<K extends string>(
  fns: Readonly<Record<K, () => Promise<unknown>>>,
  n: number,
  rounds = 7,
): Promise<Record<K, number>> {
  const names = Object.keys(fns) as K[];
  for (const name of names) for (let i = 0; i < n; i++) consume(await fns[name]());
  const samples = new Map<K, number[]>(names.map((k) => [k, []]));
  for (let round = 0; round < rounds; round++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(j + round) % names.length] as K;
      const started = performance.now();
      for (let i = 0; i < n; i++) consume(await fns[name]());
      samples.get(name)?.push((n * 1_000) / (performance.now() - started));
    }
  }
  const out = {} as Record<K, number>;
  for (const name of names) out[name] = median(samples.get(name) ?? []);
  return out;
}

function l1Row(): BenchRow {
  const cache = createCache({
    l1: createMemoryDriver({ maxEntries: 10_000, maxBytes: 64 * 1_048_576, ttlSeconds: 300 }),
  });
  const raw = new LRUCache<string, object>({ max: 10_000, ttl: 300_000 });
  raw.set('{acme}:rules:list', VALUE);
  void cache.set('acme', 'rules:list', VALUE);
  // Both sides name the value by tenant and key, as a multi-tenant caller must.
  let tenant = 'acme';
  const name = 'rules:list';
  const r = measureThroughput({
    ours: () => cache.peek(tenant, name),
    raw: () => raw.get(`{${tenant}}:${name}`),
  });
  tenant = String(tenant);
  return benchRow({
    suite: SUITE,
    case: 'L1 hit: cache.peek(tenant, key) vs lru-cache get of the same tenant-scoped key',
    unit: 'ops/s',
    ours: r.ours.opsPerSec,
    baseline: r.raw.opsPerSec,
    baselineName: 'lru-cache',
  });
}

async function l2Row(): Promise<BenchRow | undefined> {
  const redis = await connectRedis(REDIS_URL, { readyTimeoutMs: 2_000 });
  if (redis.status !== 'ready') {
    redis.disconnect();
    process.stderr.write(`cache bench: Redis at ${REDIS_URL} is unavailable; no L2 row\n`);
    return undefined;
  }
  const prefix = `abbench:${randomBytes(4).toString('hex')}:`;
  try {
    const l2 = createRedisDriver({ redis, ttlSeconds: 300, prefix });
    await l2.set('acme', 'rules:list', VALUE);
    const key = l2.keyOf('acme', 'rules:list');
    const r = await measureAsync(
      { ours: () => l2.get('acme', 'rules:list'), raw: () => redis.getBuffer(key) },
      2_000,
    );
    return benchRow({
      suite: SUITE,
      case: 'L2 hit: Redis driver get (GET + MessagePack decode) vs raw ioredis GET',
      unit: 'ops/s',
      ours: r.ours,
      baseline: r.raw,
      baselineName: 'ioredis',
    });
  } finally {
    await redis.del(`${prefix}{acme}:rules:list`);
    redis.disconnect();
  }
}

async function appRows(): Promise<BenchRow[]> {
  const db = await createTestDatabase();
  const repos = createRepositories(db);
  await repos.tenants.create({ id: 'bench', name: 'Bench' }, 'bench');
  const key = (await repos.apiKeys.issue('bench', { name: 'b', role: 'editor' }, 'bench')).key;
  for (let i = 0; i < 50; i++) {
    await repos.alertRules.create(
      'bench',
      {
        name: `rule ${i}`,
        level: 'high',
        priority: 'p2',
        condition: `cpu_usage{instance="web-${i}"} > 80`,
        for: '5m',
        labels: { team: `team-${i % 5}` },
        annotations: { summary: `CPU above 80% on web-${i}` },
      },
      'bench',
    );
  }
  // Thousands of requests a minute: past the free tier's rates, which would answer 429.
  await repos.tenants.update('bench', { settings: UNLIMITED_SETTINGS }, 'bench');
  const on = (await loadConfig({ env: {}, cwd: '/nonexistent-alertbase-bench' })).config;
  const off = (
    await loadConfig({ env: { ENABLE_QUERY_CACHE: 'false' }, cwd: '/nonexistent-alertbase-bench' })
  ).config;
  const apps: FastifyInstance[] = [];
  const app = async (options: { config: typeof on; rateLimits?: boolean }) => {
    const built = await buildApp({ db, ...options });
    apps.push(built);
    return built;
  };
  const cached = await app({ config: on });
  const uncached = await app({ config: off });
  const limited = await app({ config: on });
  const unlimited = await app({ config: on, rateLimits: false });
  const get = (target: FastifyInstance) => async () => {
    const res = await target.inject({
      url: '/v1/rules',
      headers: { authorization: `Bearer ${key}` },
    });
    if (res.statusCode !== 200) throw new Error(`GET /v1/rules answered ${res.statusCode}`);
    return res.payload.length;
  };
  try {
    const lists = await measureAsync({ cached: get(cached), uncached: get(uncached) }, 100);
    const limits = await measureAsync({ limited: get(limited), unlimited: get(unlimited) }, 400);
    return [
      benchRow({
        suite: SUITE,
        case: 'GET /v1/rules (50 rules), query cache on vs off (in process, PGlite)',
        unit: 'ops/s',
        ours: lists.cached,
        baseline: lists.uncached,
        baselineName: 'uncached',
      }),
      benchRow({
        suite: SUITE,
        case: 'GET /v1/rules counted by the rate limiter (memory) vs not counted',
        unit: 'ops/s',
        ours: limits.limited,
        baseline: limits.unlimited,
        baselineName: 'no rate limit',
      }),
    ];
  } finally {
    for (const a of apps) await a.close();
    await db.close();
  }
}

export async function run(): Promise<BenchRow[]> {
  const rows = [l1Row()];
  const l2 = await l2Row();
  if (l2 !== undefined) rows.push(l2);
  rows.push(...(await appRows()));
  return rows;
}
