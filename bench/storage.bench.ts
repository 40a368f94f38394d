/**
 * Batch ingest: 100,000 Prometheus-like alerts in batches of 1,000 through
 * `AlertRepository.ingest` (validate with the Alert model's schema,
 * fingerprint, de-duplicating upsert, one hash-chained audit event per batch,
 * a transaction per batch) against a raw `pg` multi-row INSERT of the same
 * rows (precomputed: no validation, no de-duplication, no audit) into the
 * same table, in the same run. Then the same on PGlite (in memory) against a
 * raw multi-row INSERT through PGlite.
 *
 * Then the payload archive's cost on ingest: the same service (built
 * in-process on PGlite in memory) taking 20,000 Prometheus alerts through
 * `POST /api/v2/alerts` in batches of 100, 8 requests in flight, with the
 * archive on and with `ARCHIVE_ENABLED=false`, in the same run (each
 * measured twice, interleaved, the better kept). The time with the archive
 * runs until the archive holds every request (its write-behind drained), so
 * the rate counts the archive's writes, not only the answers.
 *
 * Needs the PostgreSQL server at ALERTBASE_TEST_PG_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres); without it only PGlite runs.
 * ALERTBASE_BENCH_ARCHIVE_ALERTS changes the 20,000.
 */

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { AlertLevel } from '../src/base/enums/index.js';
import { fingerprint } from '../src/base/utils/fingerprint.js';
import { newId } from '../src/base/utils/ids.js';
import { loadConfig } from '../src/config/index.js';
import { buildApp } from '../src/server/index.js';
import {
  createRepositories,
  createTestDatabase,
  type Database,
  openDatabase,
} from '../src/storage/index.js';
import { type BenchRow, benchRow, UNLIMITED_SETTINGS } from './lib.js';

const SUITE = 'storage';
const TOTAL = 100_000;
const BATCH = 1_000;
const ADMIN_URL =
  process.env.ALERTBASE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** What a sender posts: distinct alerts, as Prometheus sends them. */
function makeAlerts(): Record<string, unknown>[] {
  // Firing: Prometheus sends endsAt a few evaluation intervals ahead.
  const startsAt = new Date(Date.now() - 600_000).toISOString();
  const endsAt = new Date(Date.now() + 3_600_000).toISOString();
  return Array.from({ length: TOTAL }, (_, i) => ({
    labels: { alertname: 'HighCPU', instance: `web-${i}:9100`, job: 'node', severity: 'warning' },
    annotations: { summary: `CPU high on web-${i}`, description: 'CPU above 80% for 5 minutes' },
    level: 'high',
    priority: 'P2',
    startsAt,
    endsAt,
    generatorURL: 'http://prometheus.example.com/graph?g0.expr=cpu',
    value: 93,
  }));
}

const COLUMNS =
  'tenant_id, id, fingerprint, status, level, level_rank, labels, annotations, starts_at, ends_at, last_received_at, duplicate_count, version, created_at, updated_at, doc';

/** The rows the raw insert writes: what ingest stores, computed before timing. */
function rawRows(tenantId: string, alerts: readonly Record<string, unknown>[]): unknown[][] {
  const now = new Date();
  return alerts.map((a) => {
    const labels = a.labels as Record<string, string>;
    const id = newId();
    const doc = { ...a, id, tenantId, status: 'firing', duplicateCount: 0, version: 1 };
    return [
      tenantId,
      id,
      fingerprint(labels),
      'firing',
      a.level,
      AlertLevel.rank(a.level as AlertLevel),
      JSON.stringify(labels),
      JSON.stringify(a.annotations),
      a.startsAt,
      a.endsAt,
      now,
      0,
      1,
      now,
      now,
      JSON.stringify(doc),
    ];
  });
}

/** One multi-row INSERT statement per batch. */
async function rawInsert(
  query: (sql: string, params: unknown[]) => Promise<unknown>,
  rows: readonly unknown[][],
): Promise<number> {
  const start = performance.now();
  for (let b = 0; b < rows.length; b += BATCH) {
    const chunk = rows.slice(b, b + BATCH);
    const width = chunk[0]?.length ?? 0;
    const values = chunk.map(
      (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`,
    );
    await query(`INSERT INTO alerts (${COLUMNS}) VALUES ${values.join(', ')}`, chunk.flat());
  }
  return TOTAL / ((performance.now() - start) / 1_000);
}

/** Our ingest, a transaction per batch. */
async function ours(
  db: Database,
  tenantId: string,
  alerts: readonly Record<string, unknown>[],
): Promise<number> {
  const repos = createRepositories(db);
  const start = performance.now();
  for (let b = 0; b < alerts.length; b += BATCH) {
    const result = await repos.alerts.ingest(tenantId, alerts.slice(b, b + BATCH), 'bench');
    if (result.counts.created !== Math.min(BATCH, alerts.length - b))
      throw new Error('bench: ingest lost alerts');
  }
  return TOTAL / ((performance.now() - start) / 1_000);
}

async function serverRows(alerts: readonly Record<string, unknown>[]): Promise<BenchRow[]> {
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch {
    process.stderr.write(`[bench storage] no PostgreSQL at ${ADMIN_URL}: server rows skipped\n`);
    return [];
  }
  const name = `alertbase_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), poolSize: 4 });
  const raw = new pg.Pool({ connectionString: url.toString(), max: 1 });
  // DROP DATABASE ... WITH (FORCE) below can reach a connection that end() is
  // still closing: its error must not crash the suite.
  raw.on('error', () => {});
  try {
    const repos = createRepositories(db);
    await repos.tenants.create({ id: 'bench-ours', name: 'ours' }, 'bench');
    await repos.tenants.create({ id: 'bench-raw', name: 'raw' }, 'bench');
    const rows = rawRows('bench-raw', alerts);
    const rawRate = await rawInsert((sql, params) => raw.query(sql, params), rows);
    const ourRate = await ours(db, 'bench-ours', alerts);
    return [
      benchRow({
        suite: SUITE,
        case: 'ingest 100k alerts in batches of 1,000 into PostgreSQL (validate + fingerprint + dedup upsert + audit; raw does none)',
        unit: 'items/s',
        ours: ourRate,
        baseline: rawRate,
        baselineName: 'raw pg multi-row INSERT',
      }),
    ];
  } finally {
    await db.close();
    await raw.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function pgliteRows(alerts: readonly Record<string, unknown>[]): Promise<BenchRow[]> {
  const db = await createTestDatabase();
  try {
    const repos = createRepositories(db);
    await repos.tenants.create({ id: 'bench-ours', name: 'ours' }, 'bench');
    await repos.tenants.create({ id: 'bench-raw', name: 'raw' }, 'bench');
    const rows = rawRows('bench-raw', alerts);
    const rawRate = await rawInsert((sql, params) => db.query(sql, params as never), rows);
    const ourRate = await ours(db, 'bench-ours', alerts);
    return [
      benchRow({
        suite: SUITE,
        case: 'ingest 100k alerts in batches of 1,000 into PGlite in memory (same work as above)',
        unit: 'items/s',
        ours: ourRate,
        baseline: rawRate,
        baselineName: 'raw multi-row INSERT through PGlite',
      }),
    ];
  } finally {
    await db.close();
  }
}

/**
 * Alerts per run. The clock stops when the archive holds every request, so
 * the write of the last archive batch is a fixed tail: at 20,000 alerts (a
 * run of about 2 s on the server) it alone cost 10–25% of the rate.
 */
const ARCHIVE_ALERTS = Number(process.env.ALERTBASE_BENCH_ARCHIVE_ALERTS ?? 100_000);
const ARCHIVE_BATCH = 100;
const ARCHIVE_CONCURRENCY = 8;

/** A fresh database and how to drop it. */
type Opener = () => Promise<{ db: Database; drop: () => Promise<void> }>;

/** Alerts per second through `POST /api/v2/alerts` of a fresh app, the archive on or off. */
async function ingestOverHttp(open: Opener, archive: boolean, run: number): Promise<number> {
  const { db, drop } = await open();
  const { config } = await loadConfig({
    // PGlite in memory holds the 100,000 alerts in the process: above the
    // default memory guard (512 MB), which would shed requests with 503.
    env: { ARCHIVE_ENABLED: String(archive), MAX_MEMORY_USAGE_MB: '8192' },
    cwd: '/nonexistent-alertbase-bench',
  });
  const app = await buildApp({ db, config, rateLimits: false });
  try {
    const repos = createRepositories(db);
    await repos.tenants.create(
      { id: 'bench', name: 'bench', tier: 'enterprise', settings: UNLIMITED_SETTINGS },
      'bench',
    );
    const { key } = await repos.apiKeys.issue('bench', { name: 'p', role: 'responder' }, 'bench');
    const bodies = Array.from({ length: ARCHIVE_ALERTS / ARCHIVE_BATCH }, (_, b) =>
      JSON.stringify(
        Array.from({ length: ARCHIVE_BATCH }, (_, i) => ({
          labels: { alertname: 'HighCPU', instance: `web-${run}-${b}-${i}:9100`, job: 'node' },
          annotations: { summary: 'CPU high', description: 'CPU above 80% for 5 minutes' },
        })),
      ),
    );
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const start = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < bodies.length) {
        const payload = bodies[next++] as string;
        const res = await app.inject({ method: 'POST', url: '/api/v2/alerts', headers, payload });
        if (res.statusCode !== 200) throw new Error(`bench: ingest answered ${res.statusCode}`);
      }
    };
    await Promise.all(Array.from({ length: ARCHIVE_CONCURRENCY }, worker));
    if (archive) {
      // Until the archive holds every request: its writes are part of the cost.
      for (;;) {
        const { rows } = await db.withTenant('bench', (tx) =>
          tx.query<{ n: number }>('SELECT count(*)::int AS n FROM payload_archive'),
        );
        if ((rows[0]?.n ?? 0) >= bodies.length) break;
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    return ARCHIVE_ALERTS / ((performance.now() - start) / 1_000);
  } finally {
    await app.close();
    await db.close();
    await drop();
  }
}

/** PGlite in memory. */
const pglite: Opener = async () => ({ db: await createTestDatabase(), drop: async () => {} });

/** A new database on the PostgreSQL server, or `undefined` without one. */
async function serverOpener(): Promise<Opener | undefined> {
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch {
    return undefined;
  } finally {
    await admin.end().catch(() => {});
  }
  return async () => {
    const name = `alertbase_bench_${randomBytes(4).toString('hex')}`;
    const run = async (sql: string) => {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    await run(`CREATE DATABASE ${name}`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    return {
      db: await openDatabase({ url: url.toString(), poolSize: 8 }),
      drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    };
  };
}

/** The archive on against off on one engine, interleaved, the better of two each. */
async function archiveRow(open: Opener, engine: string): Promise<BenchRow> {
  let on = 0;
  let off = 0;
  for (let run = 0; run < 2; run++) {
    off = Math.max(off, await ingestOverHttp(open, false, run));
    on = Math.max(on, await ingestOverHttp(open, true, run));
  }
  return benchRow({
    suite: SUITE,
    case: `ingest ${ARCHIVE_ALERTS / 1_000}k alerts over HTTP (POST /api/v2/alerts, batches of ${ARCHIVE_BATCH}) on ${engine}, payload archive on (until written)`,
    unit: 'items/s',
    ours: on,
    baseline: off,
    baselineName: 'the same with ARCHIVE_ENABLED=false',
  });
}

/** The payload archive's cost on ingest: on the PostgreSQL server (when it answers) and PGlite. */
export async function archiveRows(): Promise<BenchRow[]> {
  const server = await serverOpener();
  if (server === undefined) {
    process.stderr.write(
      `[bench storage] no PostgreSQL at ${ADMIN_URL}: archive server row skipped\n`,
    );
  }
  return [
    ...(server === undefined ? [] : [await archiveRow(server, 'the PostgreSQL server')]),
    await archiveRow(pglite, 'PGlite in memory'),
  ];
}

/** Runs the suite (see the file comment). */
export async function run(): Promise<BenchRow[]> {
  const alerts = makeAlerts();
  return [...(await serverRows(alerts)), ...(await pgliteRows(alerts)), ...(await archiveRows())];
}
