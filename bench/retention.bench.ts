/**
 * Retention at scale, on PGlite (in memory) and the PostgreSQL server:
 *
 * - audit: one month of 200,000 audit events of a tenant past its retention,
 *   removed by `purgeExpiredAudit` when the month's partition holds only
 *   that tenant (cut + partition dropped) against the same 200,000 events in
 *   a month shared with a tenant that keeps its rows (cut + row-by-row
 *   deletes in batches of 1,000, one transaction each), in the same run.
 * - alerts (not partitioned, see docs/storage.md): 100,000 resolved alerts
 *   past retention removed by `purgeExpired` (batches of 1,000, one
 *   transaction each) against one `DELETE` statement of the same rows.
 *
 * Rows are written with SQL (`generate_series`), with documents of the size
 * the service writes; only the removal is timed. Sizes:
 * `ALERTBASE_BENCH_AUDIT_EVENTS`, `ALERTBASE_BENCH_ALERTS`. Needs the server
 * at ALERTBASE_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres);
 * without it only PGlite runs.
 */

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  auditPartitionOf,
  createTestDatabase,
  type Database,
  ensureAuditPartitions,
  openDatabase,
  purgeExpiredAudit,
} from '../src/storage/index.js';
import { purgeExpired } from '../src/storage/retention.js';
import { type BenchRow, benchRow } from './lib.js';

const SUITE = 'retention';
const EVENTS = Number(process.env.ALERTBASE_BENCH_AUDIT_EVENTS ?? 200_000);
const ALERTS = Number(process.env.ALERTBASE_BENCH_ALERTS ?? 100_000);
const ADMIN_URL =
  process.env.ALERTBASE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DAY = 86_400_000;

/**
 * As the owner, acting as `tenant` (the policies of the parent tables apply to
 * it too), without the pool's statement timeout (bulk writes, the one DELETE).
 */
async function asTenant(db: Database, tenant: string, sql: string, params: unknown[] = []) {
  return db.transaction(async (tx) => {
    await tx.exec('SET LOCAL statement_timeout = 0');
    await tx.query("SELECT set_config('app.tenant_id', $1, true)", [tenant]);
    return tx.query(sql, params as string[]);
  });
}

async function tenant(db: Database, id: string): Promise<void> {
  await asTenant(
    db,
    id,
    "INSERT INTO tenants (tenant_id, name, status, doc) VALUES ($1::text, $1::text, 'active', jsonb_build_object('id', $1::text))",
    [id],
  );
}

/** `count` chain entries of `tenant` from position `from`, spread over `[start, start + spanMs)`. */
async function auditRows(
  db: Database,
  id: string,
  from: number,
  count: number,
  start: Date,
  spanMs: number,
): Promise<void> {
  for (let b = 0; b < count; b += 50_000) {
    const n = Math.min(50_000, count - b);
    await asTenant(
      db,
      id,
      `INSERT INTO audit_events (tenant_id, seq, id, actor, action, resource_type, resource_id, result,
                                 prev_hash, hash, created_at, doc)
       SELECT $1, s, 'ev' || s, 'user:bench', 'update', 'AlertRule', 'rule-' || (s % 500), 'success',
              md5((s - 1)::text) || md5((s - 1)::text), md5(s::text) || md5(s::text), t,
              jsonb_build_object('tenantId', $1::text, 'seq', s, 'id', 'ev' || s, 'at', t, 'actor', 'user:bench',
                'action', 'update', 'entityType', 'AlertRule', 'entityId', 'rule-' || (s % 500),
                'before', md5(s::text) || md5(s::text), 'after', md5((s + 1)::text) || md5((s + 1)::text),
                'result', 'success', 'details', '{}'::jsonb, 'keyId', 'k1',
                'prevHash', md5((s - 1)::text) || md5((s - 1)::text), 'hash', md5(s::text) || md5(s::text))
         FROM (SELECT s, $3::timestamptz + (s - $2::bigint) * ($4::float8 / $5::bigint) * interval '1 millisecond' AS t
                 FROM generate_series($2::bigint, $2::bigint + $6::bigint - 1) s) g`,
      [id, from + b, start, spanMs, count, n],
    );
  }
}

/** `count` resolved alerts of `tenant` that ended 30 days ago, as ingest stores them. */
async function resolvedAlerts(db: Database, id: string, count: number): Promise<void> {
  for (let b = 0; b < count; b += 50_000) {
    const n = Math.min(50_000, count - b);
    await asTenant(
      db,
      id,
      `INSERT INTO alerts (tenant_id, id, fingerprint, status, level, level_rank, labels, annotations,
                           starts_at, ends_at, created_at, updated_at, doc)
       SELECT $1, 'al' || g, lpad(to_hex(g), 16, '0'), 'resolved', 'high', 3, l, a,
              now() - interval '31 days', now() - interval '30 days', now() - interval '31 days',
              now() - interval '30 days',
              jsonb_build_object('id', 'al' || g, 'tenantId', $1::text, 'status', 'resolved', 'labels', l,
                'annotations', a, 'level', 'high', 'priority', 'P2', 'duplicateCount', 0, 'version', 2)
         FROM (SELECT g, jsonb_build_object('alertname', 'HighCPU', 'instance', 'web-' || g || ':9100',
                        'job', 'node', 'severity', 'warning') AS l,
                      jsonb_build_object('summary', 'CPU high on web-' || g,
                        'description', 'CPU above 80% for 5 minutes') AS a
                 FROM generate_series($2::int, $2::int + $3::int - 1) g) x`,
      [id, b, n],
    );
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Both comparisons on one freshly migrated database. */
async function measure(db: Database, engine: string): Promise<BenchRow[]> {
  const now = new Date();
  // Two past months: A holds only the dropping tenant, B also one that keeps its rows.
  const monthA = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 3, 1));
  const monthB = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1));
  await ensureAuditPartitions(db, monthA, 3);
  const span = 27 * DAY;
  for (const id of ['by-partition', 'by-row', 'keeper', 'alerts-ours', 'alerts-raw']) {
    await tenant(db, id);
  }
  await auditRows(db, 'by-partition', 0, EVENTS, monthA, span);
  await auditRows(db, 'by-partition', EVENTS, 10, now, 1_000);
  await auditRows(db, 'by-row', 0, EVENTS, monthB, span);
  await auditRows(db, 'by-row', EVENTS, 10, now, 1_000);
  await auditRows(db, 'keeper', 0, 10, monthB, 1_000);
  await resolvedAlerts(db, 'alerts-ours', ALERTS);
  await resolvedAlerts(db, 'alerts-raw', ALERTS);
  // As the maintenance pass would after such a load (without the pool's timeout).
  await db.transaction((tx) => tx.exec('SET LOCAL statement_timeout = 0; ANALYZE'));

  const cutoff = new Date(now.getTime() - DAY);
  const options = { maxRows: EVENTS * 2, now };
  const partitionMs = await timed(async () => {
    const r = await purgeExpiredAudit(db, new Map([['by-partition', cutoff]]), options);
    if (!r.partitionsDropped.includes(auditPartitionOf(monthA).name) || r.rowsDeleted !== 0)
      throw new Error(`bench: expected one partition dropped, got ${JSON.stringify(r)}`);
  });
  const rowMs = await timed(async () => {
    const r = await purgeExpiredAudit(db, new Map([['by-row', cutoff]]), options);
    if (r.partitionsDropped.length !== 0 || r.rowsDeleted !== EVENTS)
      throw new Error(`bench: expected ${EVENTS} rows deleted, got ${r.rowsDeleted}`);
  });

  const alertCutoff = new Date(now.getTime() - 7 * DAY);
  const oursMs = await timed(async () => {
    const r = await purgeExpired(db, 'alerts-ours', alertCutoff, { maxRows: ALERTS * 2 });
    if (r.alerts !== ALERTS) throw new Error(`bench: purged ${r.alerts} alerts of ${ALERTS}`);
  });
  const rawMs = await timed(async () => {
    const r = await asTenant(
      db,
      'alerts-raw',
      `DELETE FROM alerts WHERE tenant_id = $1 AND status IN ('resolved', 'expired')
          AND COALESCE(ends_at, updated_at) < $2::timestamptz`,
      ['alerts-raw', alertCutoff],
    );
    if (r.rowCount !== ALERTS) throw new Error(`bench: deleted ${r.rowCount} alerts`);
  });
  return [
    benchRow({
      suite: SUITE,
      case: `${engine}: a month of ${EVENTS.toLocaleString('en')} audit events past retention, removed by dropping its partition (cut + DROP)`,
      unit: 'ms',
      ours: partitionMs,
      baseline: rowMs,
      baselineName: 'the same events deleted row by row (cut + batches of 1,000)',
    }),
    benchRow({
      suite: SUITE,
      case: `${engine}: ${ALERTS.toLocaleString('en')} resolved alerts past retention, purgeExpired (batches of 1,000, a transaction each)`,
      unit: 'ms',
      ours: oursMs,
      baseline: rawMs,
      baselineName: 'one DELETE statement',
    }),
  ];
}

async function serverRows(): Promise<BenchRow[]> {
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch {
    process.stderr.write(`[bench retention] no PostgreSQL at ${ADMIN_URL}: server rows skipped\n`);
    return [];
  }
  const name = `alertbase_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), poolSize: 2 });
  try {
    return await measure(db, 'PostgreSQL server');
  } finally {
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/** The suite's rows: the server's, then PGlite's. */
export async function run(): Promise<BenchRow[]> {
  const rows = await serverRows();
  const db = await createTestDatabase();
  try {
    rows.push(...(await measure(db, 'PGlite')));
  } finally {
    await db.close();
  }
  return rows;
}
