/**
 * Several instances, one service: two `alertbase serve` processes on one
 * PostgreSQL database (and one Redis), driven alternately. A write through
 * one is read through the other at once with the query cache on; a request
 * rate is shared (exactly the limit passes, however the requests are split);
 * the schedulers of both act once (one webhook request per notification, a
 * silence applied and lifted once); and without Redis, reads stay fresh.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KeyRing } from '../../src/security/index.js';
import {
  dropPrefix,
  redisProbe,
  TEST_REDIS_URL,
  testPrefix,
  testRedis,
} from '../cache/helpers/redis.js';
import { startWebhookReceiver, type WebhookReceiver } from '../e2e/webhook-receiver.js';
import {
  createServerDatabase,
  describeWithServer,
  type ServerDatabase,
} from '../storage/helpers/server.js';
import { type ServeProcess, startServeProcess } from './cli-process.js';

const ADMIN_KEY = randomBytes(32).toString('hex');
const RING = KeyRing.generate('two');

/** What an answer carried. */
interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** One JSON request to an instance. */
async function call(
  base: string,
  method: string,
  path: string,
  key: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `fn` every 50 ms until it gives a value (≤ `ms`). */
async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A tenant of its own; its owner key. */
async function createTenant(
  base: string,
  settings: Record<string, unknown> = {},
): Promise<{ id: string; key: string }> {
  const id = `two-${randomBytes(5).toString('hex')}`;
  const r = await call(base, 'POST', '/v1/tenants', ADMIN_KEY, {
    id,
    name: id,
    tier: 'enterprise',
    settings: { timezone: 'UTC', levelPriorities: {}, allowPrivateNetworks: true, ...settings },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { id, key: String((r.body.owner_key as { key: string }).key) };
}

const names = (r: Reply): string[] =>
  ((r.body.items ?? r.body.data ?? []) as { name: string }[]).map((x) => x.name).sort();

/** Starts two instances on the database (and Redis, when given), side by side. */
async function startPair(
  database: ServerDatabase,
  root: string,
  redis: { readonly url: string; readonly prefix: string } | undefined,
): Promise<[ServeProcess, ServeProcess]> {
  const env = {
    DATABASE_URL: database.url,
    ...(redis === undefined ? {} : { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix }),
    ALERTBASE_ADMIN_KEY: ADMIN_KEY,
    ALERTBASE_ENCRYPTION_KEYS: RING.toText().trim(),
    ENABLE_QUERY_CACHE: 'true',
    NOTIFY_ALLOW_PRIVATE_NETWORKS: 'true',
    LOG_LEVEL: 'warn',
  };
  // Started at the same time: both migrate the same new database.
  const [a, b] = await Promise.allSettled([
    startServeProcess(env, root),
    startServeProcess(env, root),
  ]);
  if (a.status === 'rejected' || b.status === 'rejected') {
    if (a.status === 'fulfilled') await a.value.kill();
    if (b.status === 'fulfilled') await b.value.kill();
    throw a.status === 'rejected' ? a.reason : (b as PromiseRejectedResult).reason;
  }
  return [a.value, b.value];
}

/** A write through one instance is read through the other at once, rounds alternating. */
async function expectFreshReads(a: ServeProcess, b: ServeProcess): Promise<void> {
  const { key } = await createTenant(a.url);
  const expected: string[] = [];
  for (let round = 0; round < 6; round++) {
    const [writer, reader] = round % 2 === 0 ? [a, b] : [b, a];
    // Both read (and cache) the list before the write.
    expect(names(await call(reader.url, 'GET', '/v1/rules', key))).toEqual(expected);
    expect(names(await call(writer.url, 'GET', '/v1/rules', key))).toEqual(expected);
    const created = await call(writer.url, 'POST', '/v1/rules', key, {
      name: `rule ${round}`,
      level: 'high',
      priority: 'p2',
      condition: `cpu_usage > ${round}`,
      labels: { team: 'infra' },
    });
    expect(created.status).toBe(201);
    expected.push(`rule ${round}`);
    expected.sort();
    expect(names(await call(reader.url, 'GET', '/v1/rules', key))).toEqual(expected);
    // An update and a delete through the other instance, seen by the first.
    if (round === 4) {
      const id = String(created.body.id);
      const renamed = await call(reader.url, 'PATCH', `/v1/rules/${id}`, key, { name: 'renamed' });
      expect(renamed.status).toBe(200);
      expected.splice(expected.indexOf('rule 4'), 1, 'renamed');
      expected.sort();
      expect(names(await call(writer.url, 'GET', '/v1/rules', key))).toEqual(expected);
      expect((await call(writer.url, 'DELETE', `/v1/rules/${id}`, key)).status).toBe(200);
      const withRenamed = [...expected];
      expected.splice(expected.indexOf('renamed'), 1);
      expect(names(await call(reader.url, 'GET', '/v1/rules', key))).toEqual(expected);
      expect((await call(reader.url, 'POST', `/v1/rules/${id}/restore`, key)).status).toBe(200);
      expect(names(await call(writer.url, 'GET', '/v1/rules', key))).toEqual(withRenamed);
      expected.splice(0, expected.length, ...withRenamed);
    }
  }
}

/** Polls `path` on `s` with `key` until it answers `status`; the time it took, in ms. */
async function timeUntil(s: ServeProcess, key: string, status: number): Promise<number> {
  const start = performance.now();
  await waitFor(`${status}`, async () =>
    (await call(s.url, 'GET', '/v1/rules', key)).status === status ? true : undefined,
  );
  return performance.now() - start;
}

/**
 * A key revoked, a tenant suspended or its request rate changed through one
 * instance holds on the other at once (each instance keeps keys and tenants
 * in memory for a few seconds; a change is told to every instance).
 */
async function expectAuthChangesSeen(a: ServeProcess, b: ServeProcess): Promise<void> {
  const { id, key } = await createTenant(a.url);
  const issued = await call(a.url, 'POST', '/v1/keys', key, { name: 'reader', role: 'viewer' });
  expect(issued.status).toBe(201);
  const reader = String(issued.body.key);
  const readerId = String((issued.body.api_key as { id: string }).id);
  // B knows the key and the tenant (cached).
  expect((await call(b.url, 'GET', '/v1/rules', reader)).status).toBe(200);
  expect((await call(a.url, 'DELETE', `/v1/keys/${readerId}`, key)).status).toBe(200);
  expect(await timeUntil(b, reader, 401)).toBeLessThan(1_000);
  // The tenant's request rate lowered through A holds on B.
  expect((await call(b.url, 'GET', '/v1/rules', key)).headers.get('ratelimit-policy')).toMatch(
    /^"tenant";q=300000;/,
  );
  const limited = await call(a.url, 'PATCH', `/v1/tenants/${id}`, ADMIN_KEY, {
    settings: { timezone: 'UTC', levelPriorities: {}, quotas: { requestsPerMinute: 1_000 } },
  });
  expect(limited.status).toBe(200);
  const start = performance.now();
  await waitFor('the new rate on B', async () =>
    /^"tenant";q=1000;/.test(
      (await call(b.url, 'GET', '/v1/rules', key)).headers.get('ratelimit-policy') ?? '',
    )
      ? true
      : undefined,
  );
  expect(performance.now() - start).toBeLessThan(1_000);
  // Suspended through A: refused by B.
  expect((await call(a.url, 'POST', `/v1/tenants/${id}/suspend`, ADMIN_KEY)).status).toBe(200);
  expect(await timeUntil(b, key, 403)).toBeLessThan(1_000);
  expect((await call(b.url, 'POST', `/v1/tenants/${id}/activate`, ADMIN_KEY)).status).toBe(200);
  expect(await timeUntil(a, key, 200)).toBeLessThan(1_000);
}

describeWithServer('two instances on one PostgreSQL and one Redis', () => {
  // A key prefix of this run's own (REDIS_KEY_PREFIX).
  const prefix = testPrefix();
  let database: ServerDatabase;
  let root: string;
  let receiver: WebhookReceiver;
  let a: ServeProcess;
  let b: ServeProcess;
  beforeAll(async () => {
    if (!redisProbe.ok && process.env.CI === 'true') throw new Error(redisProbe.reason);
    database = await createServerDatabase();
    root = await mkdtemp(join(tmpdir(), 'alertbase-two-'));
    receiver = await startWebhookReceiver();
    [a, b] = await startPair(
      database,
      root,
      redisProbe.ok ? { url: TEST_REDIS_URL, prefix } : undefined,
    );
  }, 60_000);
  afterAll(async () => {
    await a?.kill();
    await b?.kill();
    if (redisProbe.ok) {
      // Only this run's keys: the Redis is shared.
      const redis = await testRedis();
      expect(await redis.keys(`${prefix}*`)).not.toEqual([]);
      await dropPrefix(redis, prefix);
      redis.disconnect();
    }
    await receiver?.close();
    await database?.drop();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('a write through one instance is read through the other at once (query cache on)', async () => {
    await expectFreshReads(a, b);
  }, 20_000);

  it('a key revoked, a tenant suspended or limited through one instance holds on the other at once', async () => {
    await expectAuthChangesSeen(a, b);
  }, 20_000);

  it.skipIf(!redisProbe.ok)(
    'a request rate is shared: 200 requests split over both against 40 a minute, exactly 40 pass',
    async () => {
      const { key } = await createTenant(a.url, { quotas: { requestsPerMinute: 40 } });
      const replies = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          call((i % 2 === 0 ? a : b).url, 'GET', '/v1/rules', key),
        ),
      );
      const passed = replies.filter((r) => r.status === 200);
      const refused = replies.filter((r) => r.status === 429);
      expect([passed.length, refused.length]).toEqual([40, 160]);
      expect(refused[0]?.body.code).toBe('ALERTBASE_RATE_LIMITED');
      expect(refused[0]?.headers.get('ratelimit-policy')).toMatch(/^"tenant";q=40;w=60/);
      // Both instances let some through and refused some.
      for (const parity of [0, 1]) {
        const mine = replies.filter((_, i) => i % 2 === parity).map((r) => r.status);
        expect(mine).toContain(429);
      }
    },
    20_000,
  );

  it('the schedulers of both act once: one webhook request per notification', async () => {
    const { key } = await createTenant(a.url);
    const imported = await call(
      b.url,
      'POST',
      '/v1/routing/import',
      key,
      {
        route: { receiver: 'hook', group_by: ['...'], group_wait: '0s', group_interval: '1h' },
        receivers: [{ name: 'hook', webhook_configs: [{ url: `${receiver.url}/hook/${key}` }] }],
      },
      {},
    );
    expect(imported.status).toBe(200);
    const count = 20;
    for (let i = 0; i < count; i++) {
      const sent = await call((i % 2 === 0 ? a : b).url, 'POST', '/api/v2/alerts', key, [
        { labels: { alertname: 'Twice', i: String(i) }, annotations: {} },
      ]);
      expect(sent.status).toBe(200);
    }
    const mine = () => receiver.received.filter((r) => r.path === `/hook/${key}`);
    await waitFor('every notification', async () =>
      mine().length >= count ? true : undefined,
    ).catch(async (err: unknown) => {
      // Say what became of the missing ones: not queued, pending, or failed.
      const l = await call(a.url, 'GET', '/v1/notifications?limit=100', key);
      const queued = (l.body.items ?? []) as { state: string; attempt_log: unknown[] }[];
      throw new Error(
        `${String(err)}: ${mine().length} received, ${queued.length} queued: ${JSON.stringify(
          queued.filter((n) => n.state !== 'delivered'),
        )}`,
      );
    });
    // Both schedulers keep polling: a second delivery would come now.
    await sleep(1_500);
    const ids = mine().map((r) => String(r.headers['webhook-id']));
    expect(ids).toHaveLength(count);
    expect(new Set(ids).size).toBe(count);
    const listed = await call(a.url, 'GET', '/v1/notifications?limit=100', key);
    const items = (listed.body.items ?? listed.body.data) as { state: string }[];
    expect(items.map((n) => n.state)).toEqual(Array(count).fill('delivered'));
  }, 30_000);

  it('the silence schedulers of both act once: an alert suppressed and released once', async () => {
    const { key } = await createTenant(b.url);
    const sent = await call(a.url, 'POST', '/v1/alerts', key, [
      { labels: { alertname: 'Quiet' }, level: 'high', priority: 'P2' },
    ]);
    expect(sent.status).toBe(200);
    const listed = await call(b.url, 'GET', '/v1/alerts', key);
    const id = String(((listed.body.items ?? listed.body.data) as { id: string }[])[0]?.id);
    const now = Date.now();
    const silence = await call(b.url, 'POST', '/v1/silences', key, {
      matchers: [{ name: 'alertname', value: 'Quiet', isRegex: false }],
      startsAt: new Date(now + 1_000).toISOString(),
      endsAt: new Date(now + 2_500).toISOString(),
      comment: 'two instances',
    });
    expect(silence.status).toBe(201);
    const statusOn = async (s: ServeProcess) =>
      String((await call(s.url, 'GET', `/v1/alerts/${id}`, key)).body.status);
    // Nobody asks in between: the schedulers apply the silence, then lift it.
    await waitFor('the silence to start', async () =>
      (await statusOn(a)) === 'suppressed' ? true : undefined,
    );
    expect(await statusOn(b)).toBe('suppressed');
    await waitFor('the silence to end', async () =>
      (await statusOn(b)) === 'firing' ? true : undefined,
    );
    expect(await statusOn(a)).toBe('firing');
    await sleep(500);
    const audit = await call(a.url, 'GET', `/v1/audit?entity_id=${id}`, key);
    const actions = ((audit.body.items ?? audit.body.data) as { details?: { action?: string } }[])
      .map((e) => e.details?.action)
      .filter((x) => x === 'suppress' || x === 'unsuppress');
    expect(actions).toEqual(['suppress', 'unsuppress']);
  }, 20_000);
});

describeWithServer('two instances on one PostgreSQL without Redis', () => {
  let database: ServerDatabase;
  let root: string;
  let a: ServeProcess;
  let b: ServeProcess;
  beforeAll(async () => {
    database = await createServerDatabase();
    root = await mkdtemp(join(tmpdir(), 'alertbase-two-pg-'));
    [a, b] = await startPair(database, root, undefined);
  }, 60_000);
  afterAll(async () => {
    await a?.kill();
    await b?.kill();
    await database?.drop();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('a write through one instance is read through the other at once (query cache on)', async () => {
    await expectFreshReads(a, b);
  }, 20_000);

  it('a key revoked, a tenant suspended or limited through one instance holds on the other at once', async () => {
    await expectAuthChangesSeen(a, b);
  }, 20_000);
});
