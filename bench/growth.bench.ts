/**
 * Growth: do requests cost the same as the history grows? One tenant's
 * alerts grow from 10,000 to `ALERTBASE_BENCH_GROWTH_SIZES` (default
 * 10,000, 100,000, 200,000), on PGlite (a data directory on disk) and on the
 * PostgreSQL server. At each size, in process through `inject`, query cache
 * off: the p50 of `GET /v1/alerts?limit=50`, a label filter, a status+level
 * filter, `GET /v1/alerts/:id` and `GET /v1/audit?limit=50`; the rate of
 * ingesting 2,000 new alerts through `POST /v1/alerts` (batches of 100) and
 * of resending them; the disk per stored alert and the process's RSS.
 *
 * The history is written by bulk SQL (`fillAlerts`, the shape ingest
 * writes), beyond what the ingest measurement itself stores. Nobody runs
 * `ANALYZE` by hand: after each step the maintenance pass runs until nothing
 * is due, as the service's maintenance scheduler does over a few ticks.
 * Each size is measured in turns with a reference: another database of the
 * same engine, in the same process, holding one tenant of the first size
 * (plus the alerts its own ingest measurements add); requests and ingest
 * batches alternate between the two, so the ratio of a size to the
 * reference does not depend on what the machine did while each was measured
 * (ratio 1.0 is flat; target at least 0.8, that is within 1.25×). After each
 * fill a `CHECKPOINT` writes the fill's pages out (see `settle`).
 */

import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config/index.js';
import { buildApp } from '../src/server/app.js';
import {
  createRepositories,
  type Database,
  openDatabase,
  runMaintenancePass,
} from '../src/storage/index.js';
import { fillAlerts } from '../test/storage/helpers/bulk-alerts.js';
import { createServerDatabase, server as serverProbe } from '../test/storage/helpers/server.js';
import { type BenchRow, benchRow, UNLIMITED_SETTINGS } from './lib.js';

const SUITE = 'growth';
const SIZES = (process.env.ALERTBASE_BENCH_GROWTH_SIZES ?? '10000,100000,200000')
  .split(',')
  .map(Number);
/** Tenants of the many-tenant step (each of SIZES[0] alerts); below 2, no such step. */
const TENANTS = Number(process.env.ALERTBASE_BENCH_GROWTH_TENANTS ?? '100');
/** Engines run, of `server` and `pglite`. */
const ENGINE_NAMES = (process.env.ALERTBASE_BENCH_GROWTH_ENGINES ?? 'server,pglite').split(',');
const TENANT = 'bench';
/** Bulk row numbers of the other tenants start here, apart from the bench tenant's. */
const OTHER_TENANTS_FROM = 10_000_000;
const REQUESTS = 41;
const WARM_UP = 3;
const INGEST_ALERTS = 2_000;
const INGEST_BATCH = 100;

/** The reads timed; `{id}` is an alert of the tenant. */
const READS = [
  ['list', '/v1/alerts?limit=50'],
  ['label filter', '/v1/alerts?limit=50&label=alertname=A7'],
  ['status+level filter', '/v1/alerts?limit=50&status=firing&level=critical'],
  ['get by id', '/v1/alerts/{id}'],
  ['audit page', '/v1/audit?limit=50'],
] as const;

/** Request timings of one database at one step. */
interface Timings {
  /** p50 per read, ms, in READS order. */
  readonly p50: number[];
  /** p50 of the database time of each read's statements, ms, in READS order. */
  readonly statementP50: number[];
  readonly ingestPerS: number;
  readonly resendPerS: number;
}

/** What one size measured, next to the reference measured in the same turns. */
interface Step extends Timings {
  readonly size: number;
  /** The reference database of about SIZES[0] alerts, measured interleaved with this step. */
  readonly reference: Timings;
  /** The reference tenant's alerts when it was measured. */
  readonly referenceSize: number;
  /** Disk used beyond the database with one alert. */
  readonly diskBytes: number;
  readonly rssMb: number;
}

interface Engine {
  /** Its name in `ALERTBASE_BENCH_GROWTH_ENGINES`. */
  readonly key: string;
  readonly name: string;
  readonly open: () => Promise<{
    db: Database;
    diskBytes: () => Promise<number>;
    dispose: () => Promise<void>;
  }>;
}

/** Bytes under a directory (PGlite's data directory: tables, indexes, WAL). */
async function duBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

const ENGINES: Engine[] = [
  {
    key: 'server',
    name: 'PostgreSQL server',
    open: async () => {
      const database = await createServerDatabase();
      const db = await openDatabase({ url: database.url, timeoutMs: 600_000 });
      return {
        db,
        diskBytes: async () => {
          const { rows } = await db.query<{ n: string }>(
            'SELECT pg_database_size(current_database())::text AS n',
          );
          return Number(rows[0]?.n);
        },
        dispose: () => database.drop(),
      };
    },
  },
  {
    key: 'pglite',
    name: 'PGlite',
    open: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'alertbase-growth-'));
      const db = await openDatabase({ url: `file:${dir}`, timeoutMs: 600_000 });
      return {
        db,
        diskBytes: () => duBytes(dir),
        dispose: () => rm(dir, { recursive: true, force: true }),
      };
    },
  },
];

/**
 * Writes the bulk fill's dirty pages out before measuring: the fill puts in
 * seconds what a real history writes over months, and a checkpoint of gigabytes
 * running under the timed requests would measure the fill, not the size
 * (the server's `max_wal_size` is 1 GB; a 1,000,000-alert fill is 2.6 GB).
 */
async function settle(db: Database): Promise<void> {
  await db.exec('CHECKPOINT');
}

/** Runs passes until nothing is due, as the scheduler would over a few ticks. */
async function maintain(db: Database): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const action = await runMaintenancePass(db);
    if (action.kind === 'none' || action.kind === 'busy') return;
  }
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)] as number;
}

/**
 * The p50 of a read on each bench, the requests taking turns (one to each,
 * then again), so that whatever the machine does meanwhile falls on both
 * alike: of the whole request, and of the database time of its statements on
 * the tenant's data (`alerts`, `audit_events`; reported by `Database.onQuery`),
 * which the machine's other load disturbs less than a request's
 * serialization. `urls[b]` is bench `b`'s URL.
 */
async function p50Ms(
  benches: readonly Bench[],
  urls: readonly string[],
): Promise<{ request: number; statement: number }[]> {
  const times = benches.map((): number[] => []);
  const statements = benches.map((): number[] => []);
  let inRequest = 0;
  const stops = benches.map((bench) =>
    bench.db.onQuery((event) => {
      if (/\bFROM (alerts|audit_events)\b/.test(event.sql)) inRequest += event.durationMs;
    }),
  );
  try {
    for (let i = 0; i < REQUESTS + WARM_UP; i++) {
      for (const [b, bench] of benches.entries()) {
        inRequest = 0;
        const url = urls[b] as string;
        const start = performance.now();
        const res = await bench.app.inject({
          url,
          headers: { authorization: `Bearer ${bench.reader}` },
        });
        const elapsed = performance.now() - start;
        if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}`);
        if (i >= WARM_UP) {
          times[b]?.push(elapsed);
          statements[b]?.push(inRequest);
        }
      }
    }
  } finally {
    for (const stop of stops) stop();
  }
  return benches.map((_, b) => ({
    request: median(times[b] as number[]),
    statement: median(statements[b] as number[]),
  }));
}

function newAlert(round: number, i: number): Record<string, unknown> {
  return {
    labels: { alertname: `Ingest${i % 20}`, instance: `web-${round}-${i}:9100`, job: 'node' },
    annotations: { summary: `CPU high on web-${i}` },
    level: i % 5 === 0 ? 'critical' : 'high',
    priority: 'P2',
  };
}

/**
 * Items per second of `POST /v1/alerts` of `alerts[b]` into each bench, the
 * batches taking turns between the benches; each bench's rate counts only
 * the time of its own batches.
 */
async function ingestRates(
  benches: readonly Bench[],
  alerts: readonly (readonly Record<string, unknown>[])[],
): Promise<number[]> {
  const spent = benches.map(() => 0);
  const longest = Math.max(...alerts.map((list) => list.length));
  for (let k = 0; k < longest; k += INGEST_BATCH) {
    for (const [b, bench] of benches.entries()) {
      const batch = (alerts[b] as readonly Record<string, unknown>[]).slice(k, k + INGEST_BATCH);
      if (batch.length === 0) continue;
      const start = performance.now();
      const res = await bench.app.inject({
        method: 'POST',
        url: '/v1/alerts',
        headers: { authorization: `Bearer ${bench.writer}` },
        payload: batch,
      });
      spent[b] = (spent[b] as number) + (performance.now() - start);
      if (res.statusCode !== 200) throw new Error(`POST /v1/alerts answered ${res.statusCode}`);
    }
  }
  return benches.map((_, b) => (alerts[b]?.length ?? 0) / ((spent[b] as number) / 1000));
}

/** An engine's database with the bench tenant, its keys and the app; `close` disposes of all. */
interface Bench {
  readonly db: Database;
  readonly app: FastifyInstance;
  readonly reader: string;
  readonly writer: string;
  readonly diskBytes: () => Promise<number>;
  /** The bench tenant's alerts stored so far. */
  stored: number;
  /** Ingest rounds so far (each ingests INGEST_ALERTS new alerts). */
  rounds: number;
  readonly close: () => Promise<void>;
}

async function setUp(engine: Engine): Promise<Bench> {
  const { db, diskBytes, dispose } = await engine.open();
  const repos = createRepositories(db);
  await repos.tenants.create({ id: TENANT, name: 'Bench', settings: UNLIMITED_SETTINGS }, 'bench');
  const reader = (await repos.apiKeys.issue(TENANT, { name: 'r', role: 'viewer' }, 'bench')).key;
  const writer = (await repos.apiKeys.issue(TENANT, { name: 'w', role: 'editor' }, 'bench')).key;
  const { config } = await loadConfig({
    env: { ENABLE_QUERY_CACHE: 'false', MAX_MEMORY_USAGE_MB: '8192' },
    cwd: '/nonexistent-alertbase-bench',
  });
  const app = await buildApp({ db, config, rateLimits: false });
  const bench: Bench = {
    db,
    app,
    reader,
    writer,
    diskBytes,
    stored: 0,
    rounds: 0,
    close: async () => {
      await app.close();
      await db.close();
      await dispose();
    },
  };
  // The template of the bulk rows: one alert stored by ingest.
  await ingestRates([bench], [[newAlert(-1, 0)]]);
  bench.stored = 1;
  return bench;
}

/** Bulk rows of the bench tenant until `size` minus the next ingest's alerts, then a checkpoint. */
async function fillTo(bench: Bench, size: number): Promise<void> {
  const bulk = size - bench.stored - INGEST_ALERTS;
  if (bulk <= 0) return;
  await fillAlerts(bench.db, {
    tenantId: TENANT,
    rows: bulk,
    offset: bench.stored,
    templateTenant: TENANT,
  });
  bench.stored += bulk;
  await settle(bench.db);
}

/** An alert of the tenant from the middle of its history, for the get by id. */
async function middleId(bench: Bench): Promise<string> {
  const { rows } = await bench.db.query<{ id: string }>(
    'SELECT id FROM alerts WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY created_at LIMIT 1 OFFSET $2',
    [TENANT, Math.floor(bench.stored / 2)],
  );
  return rows[0]?.id ?? '';
}

/**
 * One step's measurement of `subject` and `reference` taking turns, once
 * their histories are written: ingest of `INGEST_ALERTS` new alerts into
 * each and their resend, then the reads. Measured in turns rather than one
 * size after the other, the ratio of the two does not hinge on what the
 * machine did at the time of each size (a first measurement on a quiet
 * machine and a second on a busy one read as growth).
 */
async function measure(
  subject: Bench,
  reference: Bench,
  size: number,
  idleDiskBytes: number,
): Promise<Step> {
  const benches = [subject, reference];
  for (const bench of benches) await maintain(bench.db);
  const fresh = benches.map((bench) =>
    Array.from({ length: INGEST_ALERTS }, (_, i) => newAlert(bench.rounds, i)),
  );
  const ingest = await ingestRates(benches, fresh);
  const resend = await ingestRates(benches, fresh);
  for (const bench of benches) {
    bench.stored += INGEST_ALERTS;
    bench.rounds += 1;
    await maintain(bench.db);
  }
  const ids = [await middleId(subject), await middleId(reference)];
  const timings = benches.map(
    (_, b): Timings => ({
      p50: [],
      statementP50: [],
      ingestPerS: ingest[b] as number,
      resendPerS: resend[b] as number,
    }),
  );
  for (const [, url] of READS) {
    const measured = await p50Ms(
      benches,
      ids.map((id) => url.replace('{id}', id)),
    );
    for (const [b, timing] of timings.entries()) {
      timing.p50.push(measured[b]?.request as number);
      timing.statementP50.push(measured[b]?.statement as number);
    }
  }
  return {
    ...(timings[0] as Timings),
    size,
    reference: timings[1] as Timings,
    referenceSize: reference.stored,
    diskBytes: (await subject.diskBytes()) - idleDiskBytes,
    rssMb: process.memoryUsage().rss / 2 ** 20,
  };
}

/** One tenant's alerts grow through SIZES, each size measured in turns with `reference`. */
async function grow(
  engine: Engine,
  reference: Bench,
): Promise<{ steps: Step[]; idleRssMb: number; idleDiskBytes: number }> {
  const bench = await setUp(engine);
  try {
    const idleRssMb = process.memoryUsage().rss / 2 ** 20;
    const idleDiskBytes = await bench.diskBytes();
    const steps: Step[] = [];
    for (const size of SIZES) {
      await fillTo(bench, size);
      steps.push(await measure(bench, reference, size, idleDiskBytes));
      process.stderr.write(`growth ${engine.name} ${size}: ${JSON.stringify(steps.at(-1))}\n`);
    }
    return { steps, idleRssMb, idleDiskBytes };
  } finally {
    await bench.close();
  }
}

/**
 * TENANTS tenants of SIZES[0] alerts each, in a fresh database: the bench
 * tenant is written and measured as at the first size of {@link grow}, in
 * turns with `reference`; the others are bulk rows (numbered apart from the
 * bench tenant's) written first. The step's `size` is every tenant's alerts.
 */
async function growTenants(engine: Engine, reference: Bench): Promise<Step> {
  const bench = await setUp(engine);
  try {
    const idleDiskBytes = await bench.diskBytes();
    const perTenant = SIZES[0] as number;
    const repos = createRepositories(bench.db);
    for (let t = 1; t < TENANTS; t++) {
      const tenantId = `other-${t}`;
      await repos.tenants.create(
        { id: tenantId, name: tenantId, settings: UNLIMITED_SETTINGS },
        'bench',
      );
      await fillAlerts(bench.db, {
        tenantId,
        rows: perTenant,
        offset: OTHER_TENANTS_FROM + t * perTenant,
        templateTenant: TENANT,
      });
    }
    await fillTo(bench, perTenant);
    const step = await measure(bench, reference, TENANTS * perTenant, idleDiskBytes);
    process.stderr.write(`growth ${engine.name} ${TENANTS} tenants: ${JSON.stringify(step)}\n`);
    return step;
  } finally {
    await bench.close();
  }
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** The rows comparing `step` with its reference, measured in the same turns. */
function stepRows(engine: Engine, step: Step, at: string): BenchRow[] {
  const where = `${engine.name}, in process, query cache off, maintenance passes on`;
  const base = `one tenant of ${count(step.referenceSize)} (another database), in turns`;
  const { reference } = step;
  const rows: BenchRow[] = [];
  for (const [r, [name, url]] of READS.entries()) {
    rows.push(
      benchRow({
        suite: SUITE,
        case: `${name} (GET ${url}) p50 ${at} (${where})`,
        unit: 'ms',
        ours: step.p50[r] as number,
        baseline: reference.p50[r] as number,
        baselineName: base,
      }),
      benchRow({
        suite: SUITE,
        case: `${name}: database time of its statements, p50 ${at} (${engine.name})`,
        unit: 'ms',
        ours: step.statementP50[r] as number,
        baseline: reference.statementP50[r] as number,
        baselineName: base,
      }),
    );
  }
  rows.push(
    benchRow({
      suite: SUITE,
      case: `ingest of ${count(INGEST_ALERTS)} new alerts (POST /v1/alerts, ${INGEST_BATCH} per request) ${at} (${where})`,
      unit: 'items/s',
      ours: step.ingestPerS,
      baseline: reference.ingestPerS,
      baselineName: base,
    }),
    benchRow({
      suite: SUITE,
      case: `resend of the same ${count(INGEST_ALERTS)} alerts ${at} (${where})`,
      unit: 'items/s',
      ours: step.resendPerS,
      baseline: reference.resendPerS,
      baselineName: base,
    }),
  );
  return rows;
}

/** Disk and RSS rows of a step; `what` says where its alerts are. */
function footprintRows(
  engine: Engine,
  step: Step,
  first: Step,
  what: string,
  idle: { rssMb: number; diskBytes: number },
): BenchRow[] {
  const pglite = engine.key === 'pglite';
  return [
    benchRow({
      suite: SUITE,
      case: `disk per stored alert at ${what} (${engine.name}: ${pglite ? 'data directory, WAL included' : 'pg_database_size'}, beyond the database with one alert (${(idle.diskBytes / 2 ** 20).toFixed(0)} MB): + ${(step.diskBytes / 2 ** 20).toFixed(0)} MB)`,
      unit: 'bytes',
      ours: step.diskBytes / step.size,
      baseline: first.diskBytes / first.size,
      baselineName: `same at ${count(first.size)}`,
    }),
    benchRow({
      suite: SUITE,
      case: `RSS of the process at ${what} (${engine.name}${pglite ? ', the database in process' : ', memory of the server processes not counted'})`,
      unit: 'MB',
      ours: step.rssMb,
      baseline: idle.rssMb,
      baselineName: 'idle, one alert stored',
    }),
  ];
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const engine of ENGINES) {
    if (!ENGINE_NAMES.includes(engine.key)) continue;
    if (engine.key === 'server' && !serverProbe.ok) continue;
    const reference = await setUp(engine);
    try {
      await fillTo(reference, SIZES[0] as number);
      const { steps, idleRssMb, idleDiskBytes } = await grow(engine, reference);
      const idle = { rssMb: idleRssMb, diskBytes: idleDiskBytes };
      const first = steps[0] as Step;
      for (const step of steps) {
        rows.push(...stepRows(engine, step, `at ${count(step.size)} alerts`));
      }
      for (const step of steps) {
        rows.push(...footprintRows(engine, step, first, `${count(step.size)} alerts`, idle));
      }
      if (TENANTS > 1) {
        const many = await growTenants(engine, reference);
        const of = `${TENANTS} tenants × ${count(first.size)} alerts`;
        rows.push(
          ...stepRows(engine, many, `for one tenant of ${of}`),
          ...footprintRows(engine, many, first, of, idle),
        );
      }
    } finally {
      await reference.close();
    }
  }
  return rows;
}
