/**
 * Planner statistics after a bulk ingest, on both engines: the maintenance
 * pass analyzes `alerts`, and the list statement's plan becomes an index scan
 * of `alerts_created_idx` bounded by its LIMIT. Plans and estimates only,
 * never timings.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMaintenanceScheduler } from '../../src/server/maintenance-scheduler.js';
import {
  chooseMaintenance,
  createRepositories,
  createTestDatabase,
  type Database,
  discountHotUpdates,
  flushStatistics,
  MAINTENANCE_LOCK,
  openDatabase,
  type Repositories,
  readTableActivity,
  runMaintenancePass,
} from '../../src/storage/index.js';
import { createServerDatabase, describeWithServer, type ServerDatabase } from './helpers/server.js';

const ROWS = 20_000;
const BATCH = 5_000;

/** The statement `AlertRepository.list` runs for a first page of 50 (see `ModelRepository.list`). */
function listSql(order: 'asc' | 'desc'): string {
  const dir = order === 'asc' ? '' : ' DESC';
  return `SELECT doc, id, to_json(created_at) #>> '{}' AS ts FROM alerts
    WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY created_at${dir}, id${dir} LIMIT $2`;
}

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Index Name'?: string;
  readonly 'Scan Direction'?: string;
  readonly Plans?: readonly PlanNode[];
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

/** The plan's nodes, explained as the app role inside `withTenant`. */
async function planOf(db: Database, tenantId: string, order: 'asc' | 'desc'): Promise<PlanNode[]> {
  return db.withTenant(tenantId, async (tx) => {
    const { rows } = await tx.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (FORMAT JSON) ${listSql(order)}`,
      [tenantId, 51],
    );
    const plan = rows[0]?.['QUERY PLAN'][0].Plan;
    if (plan === undefined) throw new Error('no plan');
    return nodesOf(plan);
  });
}

function usesCreatedIndex(nodes: readonly PlanNode[]): boolean {
  return (
    nodes.some(
      (n) => n['Node Type'] === 'Index Scan' && n['Index Name'] === 'alerts_created_idx',
    ) && !nodes.some((n) => n['Node Type'] === 'Sort' || n['Node Type'] === 'Bitmap Heap Scan')
  );
}

function alert(i: number): Record<string, unknown> {
  return {
    labels: { alertname: `A${i % 200}`, instance: `host-${i}`, job: 'api' },
    annotations: { summary: `alert ${i}` },
    level: i % 7 === 0 ? 'critical' : 'high',
    priority: 'P2',
    startsAt: '2026-01-01T00:00:00Z',
  };
}

function maintenanceSuite(open: () => Promise<{ db: Database; dispose: () => Promise<void> }>) {
  let db: Database;
  let dispose: () => Promise<void> = async () => {};
  let repos: Repositories;
  const tenant = 'growth';

  beforeAll(async () => {
    ({ db, dispose } = await open());
    repos = createRepositories(db);
    await repos.tenants.create({ id: tenant, name: 'Growth' }, 'admin');
    await repos.tenants.create({ id: 'other', name: 'Other' }, 'admin');
    await repos.alerts.ingest('other', [alert(0)], 'key:seed');
    // Everything analyzed now, as a freshly migrated database would be after a first pass.
    await db.exec('ANALYZE');
    for (let start = 0; start < ROWS; start += BATCH) {
      const batch = Array.from({ length: BATCH }, (_, k) => alert(start + k));
      const { counts } = await repos.alerts.ingest(tenant, batch, 'key:seed');
      expect(counts.created).toBe(BATCH);
    }
  }, 300_000);
  afterAll(async () => {
    await db?.close();
    await dispose();
  });

  it('sees the ingest in the counters and analyzes alerts first', async () => {
    const before = await planOf(db, tenant, 'desc');
    // Estimates of an almost empty table: the tenant's rows are fetched whole and sorted.
    expect(usesCreatedIndex(before)).toBe(false);
    const action = await runMaintenancePass(db);
    expect(action).toEqual({ kind: 'analyze', table: 'alerts' });
    const { rows } = await db.query<{ reltuples: number; columns: string[] }>(
      `SELECT c.reltuples::float8 AS reltuples,
              ARRAY(SELECT s.attname::text FROM pg_stats s
                     WHERE s.tablename = 'alerts' AND s.schemaname = current_schema()
                     ORDER BY s.attname) AS columns
         FROM pg_class c WHERE c.oid = 'alerts'::regclass`,
    );
    expect(rows[0]?.reltuples).toBeGreaterThanOrEqual(ROWS);
    // Statistics for what statements filter and sort on; none for the document and the
    // annotations (migration 0013: sorting their sample was most of the ANALYZE).
    const columns = rows[0]?.columns ?? [];
    expect(columns).toEqual(
      expect.arrayContaining(['created_at', 'fingerprint', 'labels', 'status', 'tenant_id']),
    );
    expect(columns).not.toContain('doc');
    expect(columns).not.toContain('annotations');
    expect(columns).toHaveLength(16);
    const activity = (await readTableActivity(db)).find((t) => t.table === 'alerts');
    expect(activity?.estimatedRows).toBeGreaterThanOrEqual(ROWS);
  }, 120_000);

  it('plans a page of 50 as an index scan of alerts_created_idx, both orders', async () => {
    for (const order of ['asc', 'desc'] as const) {
      const nodes = await planOf(db, tenant, order);
      expect(usesCreatedIndex(nodes)).toBe(true);
      const scan = nodes.find((n) => n['Index Name'] === 'alerts_created_idx');
      expect(scan?.['Scan Direction']).toBe(order === 'asc' ? 'Forward' : 'Backward');
    }
  });

  it('does nothing more once the statistics are fresh', async () => {
    let action = await runMaintenancePass(db);
    // Other tables the ingest wrote (audit, outbox) may be due once each, and on PGlite
    // the tables that grew are vacuumed once (insert threshold); then nothing.
    const seen = new Set<string>();
    for (let i = 0; i < 20 && action.kind !== 'none'; i++) {
      if (action.kind === 'analyze' || action.kind === 'vacuum') {
        expect(action.kind === 'analyze' || db.engine === 'pglite').toBe(true);
        const key = `${action.kind} ${action.table}`;
        expect(seen.has(key)).toBe(false);
        seen.add(key);
      }
      expect(action).not.toEqual({ kind: 'analyze', table: 'alerts' });
      action = await runMaintenancePass(db);
    }
    expect(action).toEqual({ kind: 'none' });
  }, 120_000);
}

describe('maintenance: PGlite', () => {
  maintenanceSuite(async () => ({ db: await createTestDatabase(), dispose: async () => {} }));

  it('vacuums a table with many dead rows', async () => {
    const db = await createTestDatabase();
    try {
      await db.exec('CREATE TABLE churn (id int PRIMARY KEY, n int)');
      await db.exec('INSERT INTO churn SELECT g, 0 FROM generate_series(1, 2000) g');
      await db.exec('ANALYZE');
      await db.exec('DELETE FROM churn WHERE id <= 1000');
      // 1,000 dead rows are past 50 + 20% of 2,000; analyze is held back by its scale factor of 1.
      const action = await runMaintenancePass(db, { analyzeScaleFactor: 1 });
      expect(action).toEqual({ kind: 'vacuum', table: 'churn' });
      const churn = (await readTableActivity(db)).find((t) => t.table === 'churn');
      expect(churn?.deadRows).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('vacuums a table that only grows, so that index-only scans read no heap', async () => {
    const db = await createTestDatabase();
    try {
      await db.exec('CREATE TABLE grows (id int PRIMARY KEY, n int)');
      await db.exec('INSERT INTO grows SELECT g, g FROM generate_series(1, 20000) g');
      await db.exec('ANALYZE grows');
      const heapFetches = async () => {
        const { rows } = await db.query<Record<string, string>>(
          'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT id FROM grows WHERE id > 10',
        );
        const lines = rows.map((r) => Object.values(r)[0] as string);
        expect(lines[0]).toContain('Index Only Scan');
        return Number(/Heap Fetches: (\d+)/.exec(lines.join('\n'))?.[1]);
      };
      await db.exec('SET enable_seqscan = off');
      await db.exec('SET enable_bitmapscan = off');
      // Never vacuumed: the visibility map is empty, every row is fetched from the heap.
      expect(await heapFetches()).toBe(19_990);
      await flushStatistics(db);
      const grows = (await readTableActivity(db)).find((x) => x.table === 'grows');
      expect(grows?.insertedSinceVacuum).toBe(20_000);
      expect(grows?.xidAge).toBeGreaterThan(0);
      // Analyze is held back by its scale factor of 1, as in the test above.
      expect(await runMaintenancePass(db, { analyzeScaleFactor: 1 })).toEqual({
        kind: 'vacuum',
        table: 'grows',
      });
      expect(await heapFetches()).toBe(0);
      await flushStatistics(db);
      const after = (await readTableActivity(db)).find((x) => x.table === 'grows');
      expect(after?.insertedSinceVacuum).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('HOT updates (heartbeats) do not count towards an analyze for a scheduler; other changes do', async () => {
    const db = await createTestDatabase();
    try {
      // `v` is in no index: updating it is a HOT update, as a heartbeat's ends_at is.
      await db.exec('CREATE TABLE beats (id int PRIMARY KEY, v int) WITH (fillfactor = 50)');
      await db.exec('INSERT INTO beats SELECT g, 0 FROM generate_series(1, 200) g');
      await db.exec('ANALYZE');
      const ledger = new Map();
      // Passes until nothing is due (the inserts may be counted after that ANALYZE).
      let first = await runMaintenancePass(db, {}, ledger);
      for (let i = 0; i < 10 && first.kind !== 'none'; i++) {
        first = await runMaintenancePass(db, {}, ledger);
      }
      expect(first).toEqual({ kind: 'none' });
      for (let i = 0; i < 5; i++) await db.exec('UPDATE beats SET v = v + 1');
      await db.query('SELECT pg_stat_force_next_flush()');
      const beats = (await readTableActivity(db)).find((t) => t.table === 'beats');
      expect(beats?.modifiedSinceAnalyze).toBe(1_000);
      expect(beats?.hotUpdates).toBeGreaterThanOrEqual(900);
      // 1,000 updates, (nearly) all HOT: held back for the scheduler's ledger...
      expect(await runMaintenancePass(db, { vacuumScaleFactor: 100 }, ledger)).toEqual({
        kind: 'none',
      });
      // ...counted in full by a pass without one.
      expect(await runMaintenancePass(db, { vacuumScaleFactor: 100 })).toEqual({
        kind: 'analyze',
        table: 'beats',
      });
      await db.exec('INSERT INTO beats SELECT g, 0 FROM generate_series(201, 300) g');
      expect(await runMaintenancePass(db, { vacuumScaleFactor: 100 }, ledger)).toEqual({
        kind: 'analyze',
        table: 'beats',
      });
    } finally {
      await db.close();
    }
  });

  it('analyzes a table whose counters were lost (never analyzed, holds rows)', async () => {
    const db = await createTestDatabase();
    try {
      await db.exec('CREATE TABLE kept (id int PRIMARY KEY)');
      await db.exec('INSERT INTO kept SELECT generate_series(1, 30)');
      // As after a crash: the counters start from zero, the rows are there.
      await db.query('SELECT pg_stat_reset()');
      let action = await runMaintenancePass(db);
      for (let i = 0; i < 30 && action.kind !== 'none'; i++) {
        if ('table' in action && action.table === 'kept') break;
        action = await runMaintenancePass(db);
      }
      expect(action).toEqual({ kind: 'analyze', table: 'kept' });
      const { rows } = await db.query<{ n: number }>(
        `SELECT reltuples::int AS n FROM pg_class WHERE oid = 'kept'::regclass`,
      );
      expect(rows[0]?.n).toBe(30);
    } finally {
      await db.close();
    }
  });

  it('runs passes from the scheduler until stopped', async () => {
    const db = await createTestDatabase();
    try {
      await db.exec('CREATE TABLE grow (id int PRIMARY KEY)');
      await db.exec('ANALYZE');
      await db.exec('INSERT INTO grow SELECT generate_series(1, 500)');
      const seen: string[] = [];
      const errors: unknown[] = [];
      const scheduler = startMaintenanceScheduler(db, {
        tickMs: 10,
        onAction: (a) => seen.push(`${a.kind}:${'table' in a ? a.table : ''}`),
        onError: (err) => errors.push(err),
      });
      for (let i = 0; i < 200 && !seen.includes('analyze:grow'); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      await scheduler.stop();
      await scheduler.stop();
      expect(seen).toContain('analyze:grow');
      expect(errors).toEqual([]);
      const { rows } = await db.query<{ n: number }>(
        `SELECT reltuples::int AS n FROM pg_class WHERE oid = 'grow'::regclass`,
      );
      expect(rows[0]?.n).toBe(500);
    } finally {
      await db.close();
    }
  });

  it('reports a failed pass and goes on', async () => {
    const db = await createTestDatabase();
    await db.close();
    const errors: unknown[] = [];
    const scheduler = startMaintenanceScheduler(db, { tickMs: 5, onError: (e) => errors.push(e) });
    for (let i = 0; i < 100 && errors.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    await scheduler.stop();
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });
});

describeWithServer('maintenance: PostgreSQL server', () => {
  let server: ServerDatabase | undefined;
  maintenanceSuite(async () => {
    server = await createServerDatabase();
    const current = server;
    return { db: await openDatabase({ url: current.url }), dispose: () => current.drop() };
  });

  it('does nothing while another instance holds the lock, and never vacuums', async () => {
    if (server === undefined) throw new Error('no server database');
    const db = await openDatabase({ url: server.url });
    const holder = new pg.Client({ connectionString: server.url });
    await holder.connect();
    try {
      await db.exec('CREATE TABLE churn (id int PRIMARY KEY)');
      await db.exec('INSERT INTO churn SELECT generate_series(1, 2000)');
      await db.exec('ANALYZE churn');
      await db.exec('DELETE FROM churn');
      await holder.query('SELECT pg_advisory_lock(hashtext($1))', [MAINTENANCE_LOCK]);
      expect(await runMaintenancePass(db)).toEqual({ kind: 'busy' });
      await holder.query('SELECT pg_advisory_unlock(hashtext($1))', [MAINTENANCE_LOCK]);
      // 2,000 dead rows are past vacuum's threshold too, but a server vacuums itself.
      expect(await runMaintenancePass(db)).toEqual({ kind: 'analyze', table: 'churn' });
      expect(await runMaintenancePass(db)).toEqual({ kind: 'none' });
    } finally {
      await holder.end();
      await db.close();
    }
  });
});

describe('discountHotUpdates', () => {
  const at = (modified: number, hot: number) => [
    {
      table: 'a',
      estimatedRows: 1_000,
      modifiedSinceAnalyze: modified,
      deadRows: 0,
      hotUpdates: hot,
    },
  ];
  it('counts every change of a table first seen, then only what is not a HOT update', () => {
    const ledger = new Map();
    expect(discountHotUpdates(at(500, 10_000), ledger)[0]?.modifiedSinceAnalyze).toBe(500);
    // 300 more changes, 280 of them HOT: 500 + 20.
    expect(discountHotUpdates(at(800, 10_280), ledger)[0]?.modifiedSinceAnalyze).toBe(520);
  });
  it('starts over when the table was analyzed by someone else (its count went down)', () => {
    const ledger = new Map([['a', { hotAtAnalyze: 0, modified: 800 }]]);
    expect(discountHotUpdates(at(40, 10_300), ledger)[0]?.modifiedSinceAnalyze).toBe(40);
    expect(discountHotUpdates(at(60, 10_320), ledger)[0]?.modifiedSinceAnalyze).toBe(40);
  });
  it('leaves a table without a HOT counter as it is', () => {
    const table = { table: 'b', estimatedRows: 0, modifiedSinceAnalyze: 9, deadRows: 0 };
    expect(discountHotUpdates([table], new Map())).toEqual([table]);
  });
});

describe('chooseMaintenance', () => {
  const t = (table: string, estimatedRows: number, modified: number, dead: number) => ({
    table,
    estimatedRows,
    modifiedSinceAnalyze: modified,
    deadRows: dead,
  });

  it('follows autovacuum default thresholds: 50 + 10% to analyze, 50 + 20% to vacuum', () => {
    expect(chooseMaintenance([t('a', 1_000, 150, 0)])).toEqual({ kind: 'none' });
    expect(chooseMaintenance([t('a', 1_000, 151, 0)])).toEqual({ kind: 'analyze', table: 'a' });
    expect(chooseMaintenance([t('a', 1_000, 0, 250)])).toEqual({ kind: 'none' });
    expect(chooseMaintenance([t('a', 1_000, 0, 251)])).toEqual({ kind: 'vacuum', table: 'a' });
    expect(chooseMaintenance([t('a', 1_000, 0, 251)], {}, false)).toEqual({ kind: 'none' });
  });

  it('vacuums a table that only grows: 1,000 + 20% inserted since its last vacuum, as autovacuum', () => {
    const grown = (inserted: number) => ({
      ...t('log', 10_000, 0, 0),
      insertedSinceVacuum: inserted,
    });
    expect(chooseMaintenance([grown(3_000)])).toEqual({ kind: 'none' });
    expect(chooseMaintenance([grown(3_001)])).toEqual({ kind: 'vacuum', table: 'log' });
    expect(chooseMaintenance([grown(3_001)], {}, false)).toEqual({ kind: 'none' });
    expect(
      chooseMaintenance([grown(501)], { vacuumInsertThreshold: 0, vacuumInsertScaleFactor: 0.05 }),
    ).toEqual({
      kind: 'vacuum',
      table: 'log',
    });
  });

  it('vacuums a table whose oldest unfrozen transaction is past 200 million, before the others', () => {
    const old = (xidAge: number) => ({ ...t('old', 1_000, 0, 0), xidAge });
    expect(chooseMaintenance([old(200_000_000)])).toEqual({ kind: 'none' });
    expect(chooseMaintenance([old(200_000_001)])).toEqual({ kind: 'vacuum', table: 'old' });
    // Ten times past its age, it comes before a table just as far past its analyze threshold.
    expect(chooseMaintenance([t('busy', 0, 499, 0), old(2_000_000_000)])).toEqual({
      kind: 'vacuum',
      table: 'old',
    });
    expect(chooseMaintenance([old(1_000)], { freezeMaxAge: 999 })).toEqual({
      kind: 'vacuum',
      table: 'old',
    });
  });

  it('analyzes a table with data that was never analyzed, whatever its counters say', () => {
    expect(chooseMaintenance([{ ...t('a', 0, 0, 0), unanalyzedWithData: true }])).toEqual({
      kind: 'analyze',
      table: 'a',
    });
    // Any table past its threshold comes first.
    expect(
      chooseMaintenance([{ ...t('a', 0, 0, 0), unanalyzedWithData: true }, t('b', 0, 100, 0)]),
    ).toEqual({ kind: 'analyze', table: 'b' });
  });

  it('picks the table furthest past its threshold', () => {
    const tables = [t('small', 0, 100, 0), t('big', 0, 10_000, 0), t('dead', 0, 0, 5_000)];
    expect(chooseMaintenance(tables)).toEqual({ kind: 'analyze', table: 'big' });
    expect(chooseMaintenance(tables, { analyzeThreshold: 1_000 })).toEqual({
      kind: 'vacuum',
      table: 'dead',
    });
  });
});
