/**
 * Planner statistics and vacuum that alertbase owns where nothing else does.
 *
 * PGlite has no autovacuum, and a server may run with `autovacuum = off`:
 * then after a bulk ingest the planner keeps the estimates of an empty table
 * and a keyset page of 50 alerts becomes a bitmap scan of the whole tenant
 * plus a sort. A maintenance pass reads `pg_stat_user_tables` and, like
 * autovacuum with its default thresholds, runs `ANALYZE` of a table whose
 * rows changed by more than `50 + 10%` of its size since its last analyze,
 * or (PGlite only) `VACUUM` of a table with more than `50 + 20%` dead rows,
 * more than `1000 + 20%` rows inserted since its last vacuum (which sets the
 * visibility map that index-only scans need, and the hint bits, on tables
 * that only grow: the audit trail, the time series), or whose oldest
 * unfrozen transaction id is more than 200 million transactions old (the
 * vacuum that keeps PostgreSQL from stopping writes before its transaction
 * ids wrap around, which the server's autovacuum runs even when off).
 * One table per pass, so a pass holds PGlite's single connection for one
 * statement only. Only one process acts at a time: the pass takes an
 * advisory lock and does nothing when another holds it.
 */
import type { Database, SqlClient } from './types.js';

/** The advisory lock's key (`hashtext` of it). */
export const MAINTENANCE_LOCK = 'alertbase:maintenance';

/** How long a server's `ANALYZE` may run, ms (the pool's statement timeout is for requests). */
export const ANALYZE_TIMEOUT_MS = 60_000;

/** Thresholds of a pass; the defaults are PostgreSQL's autovacuum defaults. */
export interface MaintenanceThresholds {
  /** Rows changed before a table is analyzed, plus the scale factor's share (default 50). */
  readonly analyzeThreshold?: number;
  /** Share of the table's rows changed before it is analyzed (default 0.1). */
  readonly analyzeScaleFactor?: number;
  /** Dead rows before a table is vacuumed, plus the scale factor's share (default 50). */
  readonly vacuumThreshold?: number;
  /** Share of the table's rows dead before it is vacuumed (default 0.2). */
  readonly vacuumScaleFactor?: number;
  /** Rows inserted before a table is vacuumed, plus the scale factor's share (default 1,000). */
  readonly vacuumInsertThreshold?: number;
  /** Share of the table's rows inserted before it is vacuumed (default 0.2). */
  readonly vacuumInsertScaleFactor?: number;
  /** Age of the table's oldest unfrozen transaction id before it is vacuumed (default 200,000,000). */
  readonly freezeMaxAge?: number;
}

/** One table's counters, as `pg_stat_user_tables` and `pg_class` report them. */
export interface TableActivity {
  /** The table's name, quoted as a SQL identifier when needed (`regclass` text). */
  readonly table: string;
  /** Rows the planner believes the table holds (`pg_class.reltuples`; 0 when never analyzed). */
  readonly estimatedRows: number;
  /**
   * Never analyzed (`reltuples` is -1) yet holding data: statistics counters
   * start from zero after a crash or an upgrade, so the counts alone would
   * never bring such a table to its threshold. Optional: false when absent.
   */
  readonly unanalyzedWithData?: boolean;
  /** Rows inserted, updated or deleted since the last analyze. */
  readonly modifiedSinceAnalyze: number;
  /** Dead row versions a vacuum would reclaim. */
  readonly deadRows: number;
  /** HOT updates since the statistics were reset (`n_tup_hot_upd`); absent: not known. */
  readonly hotUpdates?: number;
  /** Rows inserted since the last vacuum (`n_ins_since_vacuum`); absent: not known. */
  readonly insertedSinceVacuum?: number;
  /** Transactions since the table's oldest unfrozen one (`age(relfrozenxid)`); absent: not known. */
  readonly xidAge?: number;
}

/**
 * What one process saw of each table at its last analyze: the HOT-update
 * counter then, and the latest modification count. Kept by the maintenance
 * scheduler for its lifetime; see {@link discountHotUpdates}.
 */
export type HotUpdateLedger = Map<string, { hotAtAnalyze: number; modified: number }>;

/**
 * Takes the HOT updates since a table's last analyze out of its modification
 * count. A heartbeat moves `ends_at` and `last_received_at` only, columns no
 * index holds, so PostgreSQL updates the row in place (HOT): nothing the
 * planner's statistics are about changes, yet every one counts towards
 * `n_mod_since_analyze`. Under Prometheus's resends that count crossed the
 * analyze threshold of `alerts` every ~25 s, and each `ANALYZE` holds PGlite's
 * one connection while requests wait (the soak: resend p99 about 4× that of
 * the same service with maintenance off). New rows, deletions and updates
 * that change an indexed column (status, level) still count in full.
 *
 * A table first seen, or analyzed by someone else since (its count went
 * down), counts every modification until this process analyzes it:
 * the ledger records the HOT counter at that analyze.
 */
export function discountHotUpdates(
  tables: readonly TableActivity[],
  ledger: HotUpdateLedger,
): TableActivity[] {
  return tables.map((t) => {
    if (t.hotUpdates === undefined) return t;
    const seen = ledger.get(t.table);
    if (seen === undefined || t.modifiedSinceAnalyze < seen.modified) {
      ledger.set(t.table, { hotAtAnalyze: t.hotUpdates, modified: t.modifiedSinceAnalyze });
      return t;
    }
    seen.modified = t.modifiedSinceAnalyze;
    const hot = Math.max(0, t.hotUpdates - seen.hotAtAnalyze);
    return { ...t, modifiedSinceAnalyze: Math.max(0, t.modifiedSinceAnalyze - hot) };
  });
}

/** Notes in `ledger` that `table` was just analyzed, with its counters as read before. */
function noteAnalyzed(ledger: HotUpdateLedger, tables: readonly TableActivity[], table: string) {
  const t = tables.find((x) => x.table === table);
  if (t?.hotUpdates !== undefined) ledger.set(table, { hotAtAnalyze: t.hotUpdates, modified: 0 });
}

/**
 * Whether the server's autovacuum is on; `undefined` on PGlite, which has no
 * autovacuum whatever its setting says (alertbase's pass does its work there).
 */
export async function autovacuumEnabled(db: Database): Promise<boolean | undefined> {
  if (db.engine === 'pglite') return undefined;
  const { rows } = await db.query<{ on: boolean }>(
    "SELECT current_setting('autovacuum') = 'on' AS on",
  );
  return rows[0]?.on === true;
}

/** What a pass did. */
export type MaintenanceAction =
  | { readonly kind: 'analyze' | 'vacuum'; readonly table: string }
  | { readonly kind: 'none' }
  | { readonly kind: 'busy' };

/**
 * Sends this connection's pending statistics with the end of the next
 * transaction: a backend otherwise sends them at most once a second, so
 * PGlite's single connection would show its own latest writes late.
 */
export async function flushStatistics(db: SqlClient): Promise<void> {
  await db.query('SELECT pg_stat_force_next_flush()');
}

/** Reads the counters of the current schema's tables. */
export async function readTableActivity(db: SqlClient): Promise<TableActivity[]> {
  const { rows } = await db.query<{
    table: string;
    estimated: number;
    modified: string;
    dead: string;
    hot: string;
    inserted: string;
    xid_age: string;
    unanalyzed: boolean;
  }>(
    `SELECT s.relid::regclass::text AS table, greatest(c.reltuples, 0)::float8 AS estimated,
            s.n_mod_since_analyze::text AS modified, s.n_dead_tup::text AS dead,
            s.n_tup_hot_upd::text AS hot, s.n_ins_since_vacuum::text AS inserted,
            (CASE WHEN c.relkind IN ('r', 'm', 't') THEN age(c.relfrozenxid) ELSE 0 END)::text
              AS xid_age,
            (c.reltuples < 0 AND pg_relation_size(s.relid) > 0) AS unanalyzed
       FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
      WHERE s.schemaname = current_schema()
      ORDER BY s.relid`,
  );
  return rows.map((r) => ({
    table: r.table,
    estimatedRows: r.estimated,
    modifiedSinceAnalyze: Number(r.modified),
    deadRows: Number(r.dead),
    hotUpdates: Number(r.hot),
    insertedSinceVacuum: Number(r.inserted),
    xidAge: Number(r.xid_age),
    unanalyzedWithData: r.unanalyzed,
  }));
}

/** One table's rows and size, as `pg_stat_user_tables` and `pg_total_relation_size` report them. */
export interface TableFootprint {
  /** The table's name (`regclass` text). */
  readonly table: string;
  /** Live rows (`n_live_tup`). */
  readonly liveRows: number;
  /** Dead row versions a vacuum would reclaim (`n_dead_tup`). */
  readonly deadRows: number;
  /** Heap, indexes and TOAST, bytes (`pg_total_relation_size`). */
  readonly totalBytes: number;
}

/**
 * Rows and size of the current schema's tables, this connection's latest
 * writes included (flushed first, as a pass does): what `/metrics` reports
 * as `alertbase_table_*`.
 */
export async function readTableFootprint(db: SqlClient): Promise<TableFootprint[]> {
  await flushStatistics(db);
  const { rows } = await db.query<{ table: string; live: string; dead: string; bytes: string }>(
    `SELECT relid::regclass::text AS table, n_live_tup::text AS live, n_dead_tup::text AS dead,
            pg_total_relation_size(relid)::text AS bytes
       FROM pg_stat_user_tables
      WHERE schemaname = current_schema()
      ORDER BY relid`,
  );
  return rows.map((r) => ({
    table: r.table,
    liveRows: Number(r.live),
    deadRows: Number(r.dead),
    totalBytes: Number(r.bytes),
  }));
}

/**
 * The one action a pass should take: the table furthest past its threshold,
 * vacuum only when `vacuum` is allowed. Pure.
 */
export function chooseMaintenance(
  tables: readonly TableActivity[],
  thresholds: MaintenanceThresholds = {},
  vacuum = true,
): MaintenanceAction {
  const analyzeBase = thresholds.analyzeThreshold ?? 50;
  const analyzeScale = thresholds.analyzeScaleFactor ?? 0.1;
  const vacuumBase = thresholds.vacuumThreshold ?? 50;
  const vacuumScale = thresholds.vacuumScaleFactor ?? 0.2;
  const insertBase = thresholds.vacuumInsertThreshold ?? 1_000;
  const insertScale = thresholds.vacuumInsertScaleFactor ?? 0.2;
  const freezeMaxAge = thresholds.freezeMaxAge ?? 200_000_000;
  let best: MaintenanceAction = { kind: 'none' };
  let bestOver = 1;
  for (const t of tables) {
    // A table with data and no statistics at all counts as just past its threshold.
    const analyzeOver = Math.max(
      t.modifiedSinceAnalyze / (analyzeBase + analyzeScale * t.estimatedRows),
      t.unanalyzedWithData === true ? 1.000_001 : 0,
    );
    if (analyzeOver > bestOver) {
      best = { kind: 'analyze', table: t.table };
      bestOver = analyzeOver;
    }
    if (!vacuum) continue;
    const vacuumOver = Math.max(
      t.deadRows / (vacuumBase + vacuumScale * t.estimatedRows),
      (t.insertedSinceVacuum ?? 0) / (insertBase + insertScale * t.estimatedRows),
      (t.xidAge ?? 0) / freezeMaxAge,
    );
    if (vacuumOver > bestOver) {
      best = { kind: 'vacuum', table: t.table };
      bestOver = vacuumOver;
    }
  }
  return best;
}

/**
 * One maintenance pass: at most one `ANALYZE` or `VACUUM` of one table.
 *
 * On PGlite (one connection, one process per data directory) it takes the
 * session lock `pg_try_advisory_lock` around the statement, and vacuums too.
 * On a server, whose pool gives no connection to hold a session lock on, it
 * takes `pg_try_advisory_xact_lock` in a transaction and analyzes in it;
 * `VACUUM` cannot run in a transaction and is left to the server's autovacuum.
 *
 * @param ledger what this process saw at its last analyzes: pass the same
 *   map to every pass of one scheduler so that HOT updates (heartbeats) do not
 *   count towards an analyze ({@link discountHotUpdates}); a new map counts
 *   every modification.
 * @returns what it did; `busy` when another process holds the lock.
 * @example
 * ```ts
 * const done = await runMaintenancePass(db);
 * // { kind: 'analyze', table: 'alerts' }
 * ```
 */
export async function runMaintenancePass(
  db: Database,
  thresholds: MaintenanceThresholds = {},
  ledger: HotUpdateLedger = new Map(),
): Promise<MaintenanceAction> {
  if (db.engine === 'pglite') {
    const { rows } = await db.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock(hashtext($1)) AS ok',
      [MAINTENANCE_LOCK],
    );
    if (rows[0]?.ok !== true) return { kind: 'busy' };
    try {
      await flushStatistics(db);
      const tables = await readTableActivity(db);
      const action = chooseMaintenance(discountHotUpdates(tables, ledger), thresholds, true);
      if (action.kind === 'analyze' || action.kind === 'vacuum') {
        await db.exec(`${action.kind === 'analyze' ? 'ANALYZE' : 'VACUUM'} ${action.table}`);
        if (action.kind === 'analyze') noteAnalyzed(ledger, tables, action.table);
      }
      return action;
    } finally {
      await db.query('SELECT pg_advisory_unlock(hashtext($1))', [MAINTENANCE_LOCK]);
    }
  }
  await flushStatistics(db);
  return db.transaction(async (tx): Promise<MaintenanceAction> => {
    const { rows } = await tx.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok',
      [MAINTENANCE_LOCK],
    );
    if (rows[0]?.ok !== true) return { kind: 'busy' };
    const tables = await readTableActivity(tx);
    const action = chooseMaintenance(discountHotUpdates(tables, ledger), thresholds, false);
    if (action.kind === 'analyze') {
      noteAnalyzed(ledger, tables, action.table);
      // The pool's statement timeout (DATABASE_TIMEOUT_MS) is for requests; an
      // ANALYZE samples at most 30,000 rows, bounded here by its own limit.
      await tx.query("SELECT set_config('statement_timeout', $1, true)", [
        String(ANALYZE_TIMEOUT_MS),
      ]);
      await tx.exec(`ANALYZE ${action.table}`);
    }
    return action;
  });
}
