/**
 * The PostgreSQL server taken away mid-ingest (through a TCP proxy the test
 * controls: the shared server keeps running) and held up by another
 * session's lock: requests get 503 problem details with Retry-After within
 * bounded time, `/health/ready` fails, the service recovers by itself, and
 * every acknowledged alert is stored exactly once.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { openDatabase } from '../../src/storage/index.js';
import {
  createServerDatabase,
  describeWithServer,
  type ServerDatabase,
} from '../storage/helpers/server.js';
import { expectNothingLost, expectRetryable, ready, serve, TIMEOUT_MS } from './fault-helpers.js';
import { sleep, startIngestLoad } from './ingest-load.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

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
        // Long enough for the requests sent after the cut to be answered before the
        // restore: the ones in flight at the cut wait out the timeout first, and their
        // writers send again only then (a loaded machine stretches both waits).
        await sleep(TIMEOUT_MS * 3);
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
