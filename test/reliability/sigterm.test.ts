/**
 * SIGTERM to `alertbase serve` (a real process) under ingest load: requests
 * in flight finish, new ones are refused (503 problem details or a refused
 * connection), the process exits within SHUTDOWN_GRACE_MS, and every
 * acknowledged alert is stored once. And a request that cannot finish does
 * not hold the process past the grace period.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditKeysOf, KeyRing } from '../../src/security/index.js';
import { lockFileOf, readDataDirLock } from '../../src/storage/data-dir-lock.js';
import { createRepositories, type Database, openDatabase } from '../../src/storage/index.js';
import {
  createServerDatabase,
  describeWithServer,
  type ServerDatabase,
} from '../storage/helpers/server.js';
import { type ServeProcess, startServeProcess } from './cli-process.js';
import { alertOf, type IngestLoad, sleep, startIngestLoad } from './ingest-load.js';

/** The installation's key ring, given to every process: the audit chains are sealed with it. */
const RING = KeyRing.generate('sigterm');
const RING_ENV = { ALERTBASE_ENCRYPTION_KEYS: RING.toText().trim() };

const GRACE_MS = 5_000;
const BIG = 2_000;

/** The owner key `alertbase serve` prints when it creates the demo tenant. */
async function demoKeyOf(serve: ServeProcess): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const key = /shown only this once[^\n]*\n\s+(\S+)\n/.exec(serve.output())?.[1];
    if (key !== undefined) return key;
    await sleep(100);
  }
  throw new Error(`no demo key in: ${serve.output()}`);
}

/** Load, a big batch in flight, SIGTERM; returns what the clients saw and how it ended. */
async function terminateUnderLoad(serve: ServeProcess) {
  const key = await demoKeyOf(serve);
  const load = startIngestLoad({ url: serve.url, key, writers: 8, name: 'Term' });
  await sleep(1_500);
  // A batch big enough to be in flight for a while when the signal comes.
  const big = fetch(`${serve.url}/v1/alerts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(Array.from({ length: BIG }, (_, i) => alertOf(i, 'TermBig'))),
    signal: AbortSignal.timeout(30_000),
  }).then(async (res) => ({
    status: res.status,
    body: (await res.json()) as { counts?: { created?: number } },
  }));
  await sleep(40);
  const signalAt = performance.now();
  serve.signal('SIGTERM');
  const ended = await serve.exited;
  const exitMs = performance.now() - signalAt;
  await sleep(200);
  await load.stop();
  return { load, big: await big, ended, exitMs, signalAt };
}

/** Every acknowledged alert is stored once; the audit chain verifies. */
async function expectNothingLost(db: Database, load: IngestLoad): Promise<void> {
  const { rows } = await db.withTenant('demo', (tx) =>
    tx.query<{ name: string; seq: string; n: number }>(
      "SELECT labels->>'alertname' AS name, labels->>'seq' AS seq, count(*)::int AS n FROM alerts GROUP BY 1, 2",
    ),
  );
  const term = new Map(rows.filter((r) => r.name === 'Term').map((r) => [Number(r.seq), r.n]));
  expect(load.acked().filter((seq) => term.get(seq) !== 1)).toEqual([]);
  // A request that saw its connection end was not done: the server answers
  // every request it has read before it closes the connection. (One sent on a
  // kept-alive connection that the server had not read yet when it closed is
  // reset: the client retries it, as Prometheus and Alertmanager do.)
  const dropped = load.outcomes.filter((o) => o.status === 0).map((o) => o.seq);
  expect(dropped.filter((seq) => term.has(seq))).toEqual([]);
  expect(rows.filter((r) => r.n !== 1)).toEqual([]);
  expect(rows.filter((r) => r.name === 'TermBig')).toHaveLength(BIG);
  expect(
    (await createRepositories(db, { auditKeys: auditKeysOf(RING) }).audit.verify('demo')).ok,
  ).toBe(true);
}

function expectCleanShutdown(result: Awaited<ReturnType<typeof terminateUnderLoad>>): void {
  const { load, big, ended, exitMs, signalAt } = result;
  expect(ended).toEqual({ code: 0, signal: null });
  expect(exitMs).toBeLessThan(GRACE_MS);
  // The batch in flight when the signal came was finished and acknowledged.
  expect([big.status, big.body.counts?.created]).toEqual([200, BIG]);
  const outcomes = load.outcomes;
  expect(load.acked().length).toBeGreaterThan(0);
  expect(outcomes.some((o) => o.status === 200 && o.answeredAt > signalAt)).toBe(true);
  // Refused: 503 problem details with Retry-After, or no connection at all. Never a 500.
  for (const o of outcomes.filter((x) => x.status !== 200 && x.status !== 0)) {
    expect([o.status, o.code, o.retryAfter]).toEqual([503, 'ALERTBASE_SERVER_SHUTTING_DOWN', '5']);
  }
}

describe('SIGTERM under load: PGlite', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'alertbase-term-'));
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('finishes in-flight requests, refuses new ones, exits in time, loses nothing', async () => {
    const dataDir = join(root, 'data');
    const serve = await startServeProcess(
      { ...RING_ENV, ALERTBASE_DATA_DIR: dataDir, SHUTDOWN_GRACE_MS: String(GRACE_MS) },
      root,
    );
    let result: Awaited<ReturnType<typeof terminateUnderLoad>>;
    try {
      result = await terminateUnderLoad(serve);
    } finally {
      await serve.kill();
    }
    expectCleanShutdown(result);
    // Closed cleanly: the directory's lock is released.
    expect(await readDataDirLock(lockFileOf(dataDir))).toBeUndefined();
    const db = await openDatabase({ dataDir });
    try {
      await expectNothingLost(db, result.load);
    } finally {
      await db.close();
    }
  }, 120_000);
});

describeWithServer('SIGTERM under load: PostgreSQL server', () => {
  let database: ServerDatabase;
  let root: string;
  beforeAll(async () => {
    database = await createServerDatabase();
    root = await mkdtemp(join(tmpdir(), 'alertbase-term-pg-'));
  });
  afterAll(async () => {
    await database?.drop();
    await rm(root, { recursive: true, force: true });
  });

  it('finishes in-flight requests, refuses new ones, exits in time, loses nothing', async () => {
    const serve = await startServeProcess(
      { ...RING_ENV, DATABASE_URL: database.url, SHUTDOWN_GRACE_MS: String(GRACE_MS) },
      root,
    );
    let result: Awaited<ReturnType<typeof terminateUnderLoad>>;
    try {
      result = await terminateUnderLoad(serve);
    } finally {
      await serve.kill();
    }
    expectCleanShutdown(result);
    const db = await openDatabase({ url: database.url });
    try {
      await expectNothingLost(db, result.load);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('exits (code 1) at the end of the grace period when a request cannot finish', async () => {
    const serve = await startServeProcess(
      {
        ...RING_ENV,
        DATABASE_URL: database.url,
        SHUTDOWN_GRACE_MS: '1000',
        DATABASE_TIMEOUT_MS: '60000',
      },
      root,
    );
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE alerts IN ACCESS EXCLUSIVE MODE');
      // The demo tenant exists (the test before made it): a key of its own.
      const db = await openDatabase({ url: database.url, migrate: false });
      const { key } = await createRepositories(db, { auditKeys: auditKeysOf(RING) })
        .apiKeys.issue('demo', { name: 'stuck', role: 'responder' }, 'test')
        .finally(() => db.close());
      const stuck = fetch(`${serve.url}/v1/alerts`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify([alertOf(1, 'Stuck')]),
        signal: AbortSignal.timeout(30_000),
      }).then(
        (res) => res.status,
        () => 0,
      );
      await sleep(300);
      const signalAt = performance.now();
      serve.signal('SIGTERM');
      const ended = await serve.exited;
      const exitMs = performance.now() - signalAt;
      expect(ended).toEqual({ code: 1, signal: null });
      expect(exitMs).toBeGreaterThanOrEqual(900);
      expect(exitMs).toBeLessThan(5_000);
      // Not acknowledged: the client saw the connection end, not a 200.
      expect(await stuck).toBe(0);
    } finally {
      await holder.query('ROLLBACK').catch(() => {});
      await holder.end();
      await serve.kill();
    }
  }, 120_000);
});
