/**
 * Alert time series.
 *
 * 1. Points written per second through alertbase's writer and InfluxDB
 *    store (`createSeriesWriter` over `createInfluxSeriesStore`: line
 *    protocol checked and escaped per point, batches of 5,000, two writes in
 *    flight) against a raw client writing the same points: a minimal correct
 *    line-protocol formatter (tags escaped with one regular expression, no
 *    checks) inside its clock, POSTing the same batches two at a time to the
 *    HTTP API (the 1.x API has no client of its own to compare with; see
 *    docs/stores.md), into the same retention policy. A real influxd
 *    (Debian's 1.6) on loopback, one database per round, three interleaved
 *    rounds, median.
 * 2. `GET /v1/stats/alerts`'s query (by severity, hourly, over two days) on
 *    1,000,000 points: from InfluxDB against from PostgreSQL (PGlite in
 *    memory, and the PostgreSQL server at ALERTBASE_TEST_PG_URL, default
 *    postgres://postgres@127.0.0.1:5432/postgres, when it answers), median of
 *    five queries each, interleaved, every answer checked equal. The stores
 *    are filled directly, not through the writer (which (1) measures):
 *    InfluxDB with raw line-protocol batches, PostgreSQL with one
 *    `INSERT ... SELECT generate_series` computing the same points.
 *
 * ALERTBASE_BENCH_SERIES_POINTS changes the 1,000,000 (and the 100,000 of 1
 * when smaller).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createTestDatabase, type Database, openDatabase } from '../src/storage/index.js';
import {
  createInfluxSeriesStore,
  createPgSeriesStore,
  createSeriesWriter,
  type SeriesPoint,
  type SeriesStore,
  type StatsQuery,
} from '../src/storage/series/index.js';
import { findBinary } from '../test/e2e/processes.js';
import { INFLUXD_BIN, startInfluxd } from '../test/series/influxd.js';
import { type BenchRow, benchRow } from './lib.js';

const SUITE = 'series';
const QUERY_POINTS = Number(process.env.ALERTBASE_BENCH_SERIES_POINTS ?? 1_000_000);
const WRITE_POINTS = Math.min(100_000, QUERY_POINTS);
const BATCH = 5_000;
/** Writes in flight, the writer's and the raw client's. */
const CONCURRENCY = 2;
const DAY = 86_400_000;
const T0 = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
const ADMIN_URL =
  process.env.ALERTBASE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const KINDS = ['created', 'created', 'acknowledged', 'resolved', 'status'] as const;
const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

/** Point `k` of the bench's series; `fillPg` computes the same points in SQL. */
function pointOf(k: number): SeriesPoint {
  const kind = KINDS[k % KINDS.length] as (typeof KINDS)[number];
  return {
    kind,
    tenantId: 'acme',
    time: T0 + ((k * 7_919) % (2 * DAY)),
    rule: `rule-${k % 50}`,
    alertname: `Alert ${k % 200}, team=${k % 7}`,
    severity: SEVERITIES[k % 4] as string,
    status: kind === 'created' ? 'firing' : kind === 'status' ? 'acknowledged' : kind,
    count: 1,
    durationMs: kind === 'acknowledged' || kind === 'resolved' ? (k * 31) % 3_600_000 : null,
  };
}

const pointsOf = (n: number): SeriesPoint[] => Array.from({ length: n }, (_, k) => pointOf(k));

const median = (v: number[]): number =>
  [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;

/** What a raw client does: `,`, `=` and spaces of tags escaped, nothing checked. */
const escapeRaw = (text: string): string => text.replace(/[,= ]/g, '\\$&');

/**
 * A minimal correct line of a point, as a raw client writes it: the tags in
 * key order, integer fields, a nanosecond timestamp made unique per point
 * (`seq`), as the store does.
 */
function rawLine(p: SeriesPoint, seq: number): string {
  let line = `alert_${p.kind}`;
  if (p.alertname !== null) line += `,alertname=${escapeRaw(p.alertname)}`;
  if (p.rule !== null) line += `,rule=${escapeRaw(p.rule)}`;
  if (p.severity !== null) line += `,severity=${escapeRaw(p.severity)}`;
  line += `,status=${escapeRaw(p.status)},tenant=${escapeRaw(p.tenantId)} count=${p.count}i`;
  if (p.durationMs !== null) line += `,duration_ms=${p.durationMs}i`;
  return `${line} ${p.time}${String(seq % 1_000_000).padStart(6, '0')}`;
}

/** Formats and POSTs `points` in batches, `CONCURRENCY` at a time, into the free tier's policy. */
async function rawWrite(url: string, db: string, points: readonly SeriesPoint[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < points.length) {
      const from = next;
      next += BATCH;
      const lines: string[] = [];
      const to = Math.min(points.length, from + BATCH);
      for (let k = from; k < to; k++) lines.push(rawLine(points[k] as SeriesPoint, k));
      const res = await fetch(`${url}/write?db=${db}&rp=alertbase_free&precision=ns`, {
        method: 'POST',
        body: lines.join('\n'),
      });
      const text = await res.text();
      if (res.status !== 204) throw new Error(`raw write: ${res.status} ${text}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/**
 * Fills `alert_series` with `pointsOf(n)`, computed in one statement (the
 * same expressions as `pointOf`, the same `to_timestamp` as the store).
 */
async function fillPg(db: Database, n: number): Promise<void> {
  await db.withTenant('acme', (tx) =>
    tx.query(
      `INSERT INTO alert_series (tenant_id, at, kind, rule, alertname, severity, status, count, duration_ms)
       SELECT 'acme', to_timestamp(($1::bigint + (k * 7919) % (2 * $2::bigint)) / 1000.0), kind,
              'rule-' || k % 50, 'Alert ' || k % 200 || ', team=' || k % 7,
              (ARRAY['critical', 'high', 'medium', 'low'])[k % 4 + 1],
              CASE kind WHEN 'created' THEN 'firing' WHEN 'status' THEN 'acknowledged' ELSE kind END,
              1,
              CASE WHEN kind IN ('acknowledged', 'resolved') THEN (k * 31) % 3600000 END
         FROM (SELECT k, (ARRAY['created', 'created', 'acknowledged', 'resolved', 'status'])[k % 5 + 1] AS kind
                 FROM generate_series(0::bigint, $3::bigint - 1) AS k) AS s`,
      [T0, DAY, n],
    ),
  );
  await db.query('ANALYZE alert_series');
}

/** A PostgreSQL server's scratch database, or `undefined` (and why, on stderr) when none answers. */
async function serverDatabase(): Promise<{ db: Database; drop: () => Promise<void> } | undefined> {
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch {
    process.stderr.write(`bench series: no PostgreSQL at ${ADMIN_URL}: server row skipped\n`);
    return undefined;
  }
  const name = `alertbase_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), poolSize: 2, timeoutMs: 600_000 });
  return {
    db,
    drop: async () => {
      await db.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

export async function run(): Promise<BenchRow[]> {
  const bin = await findBinary(INFLUXD_BIN);
  if (bin === undefined) throw new Error('influxd is not installed (Debian package influxdb)');
  const influxd = await startInfluxd(bin);
  const rows: BenchRow[] = [];
  const note = (what: string): boolean => process.stderr.write(`bench series: ${what}\n`);
  try {
    const points = pointsOf(WRITE_POINTS);
    const ours: number[] = [];
    const raw: number[] = [];
    for (let round = 0; round < 3; round++) {
      // alertbase: the writer over the store.
      {
        const store = createInfluxSeriesStore({ url: `${influxd.url}/ours${round}` });
        await store.ping();
        await store.write(points.slice(0, 1)); // creates the database and policies
        const writer = createSeriesWriter({ store, batchSize: BATCH, maxBuffer: WRITE_POINTS });
        const started = performance.now();
        writer.record(points);
        await writer.close(600_000);
        ours.push(WRITE_POINTS / ((performance.now() - started) / 1000));
        if (writer.stats().written !== WRITE_POINTS) throw new Error('points were dropped');
      }
      // Raw: the same points formatted and POSTed in the same batches, as many at a time.
      {
        const db = `raw${round}`;
        // The same database, retention policies and first point as ours: only the client differs.
        await createInfluxSeriesStore({ url: `${influxd.url}/${db}` }).write(points.slice(0, 1));
        const started = performance.now();
        await rawWrite(influxd.url, db, points);
        raw.push(WRITE_POINTS / ((performance.now() - started) / 1000));
      }
    }
    note(`write ${median(ours).toFixed(0)}/s, raw ${median(raw).toFixed(0)}/s`);
    rows.push(
      benchRow({
        suite: SUITE,
        case: `${WRITE_POINTS.toLocaleString('en')} points to InfluxDB 1.6, batches of ${BATCH}, ${CONCURRENCY} in flight (ours: writer + store, lines checked and escaped; raw: minimal formatter, timed too)`,
        unit: 'items/s',
        ours: median(ours),
        baseline: median(raw),
        baselineName: 'InfluxDB HTTP API, raw',
      }),
    );

    // 2. The statistics query on QUERY_POINTS points, each store filled directly.
    const q: StatsQuery = {
      tenantId: 'acme',
      by: 'severity',
      step: '1h',
      from: T0,
      to: T0 + 2 * DAY,
    };
    const influx = createInfluxSeriesStore({ url: `${influxd.url}/query` });
    await influx.stats(q); // creates the database and policies
    let filled = performance.now();
    await rawWrite(influxd.url, 'query', pointsOf(QUERY_POINTS));
    note(`InfluxDB filled in ${((performance.now() - filled) / 1000).toFixed(1)} s`);
    const expected = JSON.stringify(await influx.stats(q));
    const compare = async (pgStore: SeriesStore, name: string): Promise<void> => {
      if (JSON.stringify(await pgStore.stats(q)) !== expected) {
        throw new Error(`InfluxDB and ${name} answered differently`);
      }
      const fromInflux: number[] = [];
      const fromPg: number[] = [];
      for (let k = 0; k < 5; k++) {
        let started = performance.now();
        await influx.stats(q);
        fromInflux.push(performance.now() - started);
        started = performance.now();
        await pgStore.stats(q);
        fromPg.push(performance.now() - started);
      }
      note(
        `${name}: InfluxDB ${median(fromInflux).toFixed(0)} ms, ${median(fromPg).toFixed(0)} ms`,
      );
      rows.push(
        benchRow({
          suite: SUITE,
          case: `GET /v1/stats/alerts query on ${QUERY_POINTS.toLocaleString('en')} points (by severity, hourly, 2 days): InfluxDB 1.6 against ${name}; same answer`,
          unit: 'ms',
          ours: median(fromInflux),
          baseline: median(fromPg),
          baselineName: `alertbase on ${name}`,
        }),
      );
    };
    const server = await serverDatabase();
    if (server !== undefined) {
      try {
        filled = performance.now();
        await fillPg(server.db, QUERY_POINTS);
        note(`PostgreSQL server filled in ${((performance.now() - filled) / 1000).toFixed(1)} s`);
        await compare(createPgSeriesStore(server.db), 'PostgreSQL 15 (server)');
      } finally {
        await server.drop();
      }
    }
    const db = await createTestDatabase();
    try {
      filled = performance.now();
      await fillPg(db, QUERY_POINTS);
      note(`PGlite filled in ${((performance.now() - filled) / 1000).toFixed(1)} s`);
      await compare(createPgSeriesStore(db), 'PostgreSQL (PGlite)');
    } finally {
      await db.close();
    }
  } finally {
    await influxd.close();
  }
  return rows;
}
