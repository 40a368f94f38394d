/**
 * The PostgreSQL server taken away mid-ingest (through a TCP proxy the test
 * controls: the shared server keeps running) and held up by another
 * session's lock: requests get 503 problem details with Retry-After within
 * bounded time, `/health/ready` fails, the service recovers by itself, and
 * every acknowledged alert is stored exactly once.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { auditKeysOf, KeyRing } from '../../src/security/index.js';
import { type RunningServer, startServer } from '../../src/server/start-server.js';
import { createRepositories, openDatabase } from '../../src/storage/index.js';
import {
  createServerDatabase,
  describeWithServer,
  type ServerDatabase,
} from '../storage/helpers/server.js';
import { type IngestLoad, type Outcome, sleep, startIngestLoad } from './ingest-load.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/** The server's key ring: it seals the audit chain verified at the end. */
const RING = KeyRing.generate('faults');

const TENANT = 'faults';
const TIMEOUT_MS = 800;

/** Starts alertbase on `databaseUrl` with a tenant and its responder key. */
async function serve(databaseUrl: string): Promise<{ server: RunningServer; key: string }> {
  const { config } = await loadConfig({
    env: { DATABASE_URL: databaseUrl, DATABASE_TIMEOUT_MS: String(TIMEOUT_MS) },
    cwd: '/nonexistent-alertbase-faults',
  });
  const server = await startServer({
    config,
    env: {},
    port: 0,
    host: '127.0.0.1',
    logger: false,
    demoTenant: false,
    print: () => {},
    handleSignals: false,
    keyRing: RING,
  });
  const repos = createRepositories(server.db, { auditKeys: auditKeysOf(RING) });
  if ((await repos.tenants.find(TENANT)) === undefined) {
    await repos.tenants.create({ id: TENANT, name: 'Faults', tier: 'enterprise' }, 'test');
  }
  const issued = await repos.apiKeys.issue(TENANT, { name: 'sender', role: 'responder' }, 'test');
  return { server, key: issued.key };
}

/** `seq` → rows stored, read past the service (superuser, no row-level security). */
async function storedSeqs(url: string, name: string): Promise<Map<number, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ seq: string; n: number }>(
      "SELECT labels->>'seq' AS seq, count(*)::int AS n FROM alerts WHERE tenant_id = $1 AND labels->>'alertname' = $2 GROUP BY 1",
      [TENANT, name],
    );
    return new Map(rows.map((r) => [Number(r.seq), r.n]));
  } finally {
    await client.end();
  }
}

/** Every acknowledged alert stored, none twice, and the audit trail whole. */
async function expectNothingLost(url: string, load: IngestLoad, name: string): Promise<void> {
  const stored = await storedSeqs(url, name);
  const acked = load.acked();
  expect(acked.length).toBeGreaterThan(0);
  expect(acked.filter((seq) => stored.get(seq) !== 1)).toEqual([]);
  expect([...stored.values()].filter((n) => n !== 1)).toEqual([]);
  const db = await openDatabase({ url, migrate: false });
  try {
    expect(
      (await createRepositories(db, { auditKeys: auditKeysOf(RING) }).audit.verify(TENANT)).ok,
    ).toBe(true);
  } finally {
    await db.close();
  }
}

/** What an unavailable database must look like to a client. */
function expectRetryable(refused: readonly Outcome[]): void {
  expect(refused.length).toBeGreaterThan(0);
  for (const o of refused) {
    expect([o.status, o.code, o.contentType?.split(';')[0], o.retryAfter]).toEqual([
      503,
      'ALERTBASE_STORAGE_UNAVAILABLE',
      'application/problem+json',
      '5',
    ]);
  }
}

async function ready(url: string): Promise<number> {
  const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(10_000) });
  return res.status;
}

describeWithServer('database faults on the PostgreSQL server', () => {
  let database: ServerDatabase;
  beforeAll(async () => {
    database = await createServerDatabase();
    // Migrated once here, straight to the server: the suites below start on a ready schema.
    const db = await openDatabase({ url: database.url });
    await db.close();
  }, 60_000);
  afterAll(async () => database?.drop());

  describe('the database goes away mid-ingest and comes back', () => {
    let proxy: TcpProxy;
    let server: RunningServer;
    let key: string;
    beforeAll(async () => {
      const target = new URL(database.url);
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
      const viaProxy = new URL(database.url);
      viaProxy.host = `127.0.0.1:${proxy.port}`;
      ({ server, key } = await serve(viaProxy.toString()));
    }, 60_000);
    afterAll(async () => {
      await server?.close();
      await proxy?.close();
    });

    for (const mode of ['refuse', 'blackhole'] as const) {
      it(`answers 503 + Retry-After while it is away (${mode}), recovers, loses nothing`, async () => {
        const name = `Fault-${mode}`;
        const load = startIngestLoad({ url: server.url, key, writers: 6, name, pauseMs: 5 });
        await sleep(600);
        proxy.cut(mode);
        const cutAt = performance.now();
        await sleep(300);
        expect(await ready(server.url)).toBe(503);
        await sleep(TIMEOUT_MS * 2);
        proxy.restore();
        const restoredAt = performance.now();
        // Recovered without a restart: readiness and writes come back.
        let readyAgain = 0;
        for (let i = 0; i < 50 && readyAgain !== 200; i++) {
          readyAgain = await ready(server.url);
          if (readyAgain !== 200) await sleep(100);
        }
        expect(readyAgain).toBe(200);
        await sleep(600);
        await load.stop();

        const all = load.outcomes;
        // Never a 500, a dropped connection or a hang: 200 or 503 only.
        expect([...new Set(all.map((o) => o.status))].sort()).toEqual([200, 503]);
        expectRetryable(all.filter((o) => o.status === 503));
        // Bounded: no request waited much longer than the database timeout.
        const slowest = Math.max(...all.map((o) => o.answeredAt - o.sentAt));
        expect(slowest).toBeLessThan(TIMEOUT_MS * 4);
        const during = all.filter((o) => o.sentAt > cutAt + 50 && o.answeredAt < restoredAt);
        expect(during.length).toBeGreaterThan(0);
        expect(during.every((o) => o.status === 503)).toBe(true);
        expect(all.some((o) => o.status === 200 && o.sentAt > restoredAt + 200)).toBe(true);
        await expectNothingLost(database.url, load, name);
      }, 60_000);
    }
  });

  describe('the database is slow: another session holds a lock', () => {
    let server: RunningServer;
    let key: string;
    beforeAll(async () => {
      ({ server, key } = await serve(database.url));
    }, 60_000);
    afterAll(async () => server?.close());

    it('answers 503 within the timeout, piles up no connections, and serves again once released', async () => {
      const holder = new pg.Client({ connectionString: database.url });
      await holder.connect();
      const name = 'Slow';
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE alerts IN ACCESS EXCLUSIVE MODE');
      const load = startIngestLoad({ url: server.url, key, writers: 30, name });
      try {
        await sleep(TIMEOUT_MS * 3);
        const { rows } = await holder.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'alertbase'",
        );
        // The pool's size (10) bounds the connections, however many requests wait.
        expect(rows[0]?.n).toBeLessThanOrEqual(10);
        expect(server.db.poolStats?.().size ?? 99).toBeLessThanOrEqual(10);
      } finally {
        await holder.query('ROLLBACK').catch(() => {});
        await holder.end();
      }
      await sleep(500);
      const heldOutcomes = load.outcomes.length;
      await sleep(500);
      await load.stop();
      const all = load.outcomes;
      expectRetryable(all.slice(0, heldOutcomes).filter((o) => o.status !== 200));
      expect(all.slice(0, heldOutcomes).filter((o) => o.status === 503).length).toBeGreaterThan(29);
      // Bounded waits: pool wait plus lock wait, each at most the timeout.
      const slowest = Math.max(...all.map((o) => o.answeredAt - o.sentAt));
      expect(slowest).toBeLessThan(TIMEOUT_MS * 4);
      expect(all.slice(heldOutcomes).some((o) => o.status === 200)).toBe(true);
      expect(server.db.poolStats?.().waiting ?? 99).toBe(0);
      await expectNothingLost(database.url, load, name);
    }, 60_000);
  });
});
