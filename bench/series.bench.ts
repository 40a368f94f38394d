/**
 * Alert time series.
 *
 * 1. Points written per second through alertbase's writer and InfluxDB
 *    store (`createSeriesWriter` over `createInfluxSeriesStore`: line
 *    protocol built and escaped per point, batches of 5,000) against the raw
 *    HTTP API writing the same points, pre-formatted, in the same batches
 *    (the 1.x API has no client of its own to compare with; see
 *    docs/stores.md), into the same retention policy. A real influxd (Debian's 1.6) on loopback, one
 *    database per round, three interleaved rounds, median.
 * 2. `GET /v1/stats/alerts`'s query (by severity, hourly, over two days) on
 *    1,000,000 points: from InfluxDB against from PostgreSQL (PGlite in
 *    memory), median of five queries each, both answers checked equal.
 *
 * ALERTBASE_BENCH_SERIES_POINTS changes the 1,000,000 (and the 100,000 of 1
 * when smaller).
 */
import { performance } from 'node:perf_hooks';
import { createTestDatabase } from '../src/storage/index.js';
import {
  createInfluxSeriesStore,
  createPgSeriesStore,
  createSeriesWriter,
  formatLine,
  type SeriesPoint,
} from '../src/storage/series/index.js';
import { findBinary } from '../test/e2e/processes.js';
import { INFLUXD_BIN, startInfluxd } from '../test/series/influxd.js';
import { type BenchRow, benchRow } from './lib.js';

const SUITE = 'series';
const QUERY_POINTS = Number(process.env.ALERTBASE_BENCH_SERIES_POINTS ?? 1_000_000);
const WRITE_POINTS = Math.min(100_000, QUERY_POINTS);
const BATCH = 5_000;
const DAY = 86_400_000;
const T0 = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;

const KINDS = ['created', 'created', 'acknowledged', 'resolved', 'status'] as const;
const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

function pointsOf(n: number): SeriesPoint[] {
  return Array.from({ length: n }, (_, k) => {
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
  });
}

const median = (v: number[]): number =>
  [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;

export async function run(): Promise<BenchRow[]> {
  const bin = await findBinary(INFLUXD_BIN);
  if (bin === undefined) throw new Error('influxd is not installed (Debian package influxdb)');
  const influxd = await startInfluxd(bin);
  const rows: BenchRow[] = [];
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
      // Raw: the same points as line protocol, formatted beforehand, POSTed in the same batches.
      {
        const db = `raw${round}`;
        // The same database, retention policies and first point as ours: only the client differs.
        await createInfluxSeriesStore({ url: `${influxd.url}/${db}` }).write(points.slice(0, 1));
        const lines = points.map((p, k) =>
          formatLine({
            measurement: `alert_${p.kind}`,
            tags: {
              tenant: p.tenantId,
              rule: p.rule,
              alertname: p.alertname,
              severity: p.severity,
              status: p.status,
            },
            fields: { count: p.count, duration_ms: p.durationMs },
            timeNs: `${p.time}${String(k % 1_000_000).padStart(6, '0')}`,
          }),
        );
        const started = performance.now();
        for (let i = 0; i < lines.length; i += BATCH) {
          const res = await fetch(`${influxd.url}/write?db=${db}&rp=alertbase_free&precision=ns`, {
            method: 'POST',
            body: lines.slice(i, i + BATCH).join('\n'),
          });
          await res.arrayBuffer();
          if (res.status !== 204) throw new Error(`raw write: ${res.status}`);
        }
        raw.push(WRITE_POINTS / ((performance.now() - started) / 1000));
      }
    }
    rows.push(
      benchRow({
        suite: SUITE,
        case: `${WRITE_POINTS.toLocaleString('en')} points to InfluxDB 1.6, batches of ${BATCH} (ours: writer + store, escaping included; raw: pre-formatted lines)`,
        unit: 'items/s',
        ours: median(ours),
        baseline: median(raw),
        baselineName: 'InfluxDB HTTP API, raw',
      }),
    );

    // 2. The statistics query on QUERY_POINTS points.
    const note = (what: string): boolean => process.stderr.write(`bench series: ${what}\n`);
    note(`write ${median(ours).toFixed(0)}/s, raw ${median(raw).toFixed(0)}/s`);
    const many = pointsOf(QUERY_POINTS);
    const influx = createInfluxSeriesStore({ url: `${influxd.url}/query` });
    const writer = createSeriesWriter({ store: influx, batchSize: BATCH, maxBuffer: QUERY_POINTS });
    writer.record(many);
    await writer.close(600_000);
    note('InfluxDB filled');
    const db = await createTestDatabase();
    try {
      const pg = createPgSeriesStore(db);
      for (let i = 0; i < many.length; i += 20_000) await pg.write(many.slice(i, i + 20_000));
      await db.query('ANALYZE alert_series');
      note('PostgreSQL filled');
      const q = {
        tenantId: 'acme',
        by: 'severity',
        step: '1h',
        from: T0,
        to: T0 + 2 * DAY,
      } as const;
      const time = async (f: () => Promise<unknown>): Promise<number> => {
        const times: number[] = [];
        for (let k = 0; k < 5; k++) {
          const started = performance.now();
          await f();
          times.push(performance.now() - started);
        }
        return median(times);
      };
      const a = JSON.stringify(await influx.stats(q));
      const b = JSON.stringify(await pg.stats(q));
      if (a !== b) throw new Error('InfluxDB and PostgreSQL answered differently');
      const fromInflux = await time(() => influx.stats(q));
      const fromPg = await time(() => pg.stats(q));
      rows.push(
        benchRow({
          suite: SUITE,
          case: `GET /v1/stats/alerts query on ${QUERY_POINTS.toLocaleString('en')} points (by severity, hourly, 2 days): InfluxDB 1.6 against PostgreSQL (PGlite); same answer`,
          unit: 'ms',
          ours: fromInflux,
          baseline: fromPg,
          baselineName: 'alertbase on PostgreSQL (PGlite)',
        }),
      );
    } finally {
      await db.close();
    }
  } finally {
    await influxd.close();
  }
  return rows;
}
