import type { PGlite, Results, Transaction } from '@electric-sql/pglite';
import { BaseDatabase, type BaseDatabaseOptions, type RawConnection } from '../base-database.js';
import { type DataDirLock, lockDataDir } from '../data-dir-lock.js';
import { StorageError } from '../errors.js';
import type { QueryResult, SqlValue } from '../types.js';

/** Options of the embedded PGlite engine. */
export interface PgliteDatabaseOptions extends BaseDatabaseOptions {
  /** Directory the database lives in; `undefined` keeps it in memory. */
  readonly dataDir?: string | undefined;
  /** A `dumpDataDir()` tarball to start from instead of running initdb. */
  readonly loadDataDir?: Blob | undefined;
  /**
   * The directory's lock, already taken (see `lockDataDir`); the database
   * releases it on close. Default: taken on open, so that a second process
   * gets `ALERTBASE_STORAGE_DATA_DIR_LOCKED` instead of corrupting the directory.
   */
  readonly lock?: DataDirLock | undefined;
}

/** @internal Maps a PGlite result to the engine-neutral one. */
function toResult(result: Results<Record<string, unknown>>): QueryResult {
  return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
}

/** @internal Loads PGlite and the extensions the schema needs, on first use. */
async function loadPglite(): Promise<{
  PGlite: typeof PGlite;
  extensions: { btree_gin: import('@electric-sql/pglite').Extension };
}> {
  try {
    const [core, btree] = await Promise.all([
      import('@electric-sql/pglite'),
      import('@electric-sql/pglite/contrib/btree_gin'),
    ]);
    return { PGlite: core.PGlite, extensions: { btree_gin: btree.btree_gin } };
  } catch (err) {
    /* v8 ignore next 5 -- only when the optional dependency is missing */
    throw new StorageError(
      'ALERTBASE_STORAGE_DRIVER_UNAVAILABLE',
      { driver: '@electric-sql/pglite', reason: err instanceof Error ? err.message : String(err) },
      { cause: err },
    );
  }
}

/**
 * The embedded engine: PostgreSQL compiled to WASM, in this process.
 *
 * It has one connection: statements and transactions run one at a time, in
 * the order they were asked for. Its roles do not isolate (any SQL can
 * `SET ROLE postgres`), so row-level security here guards against
 * application bugs, not against SQL run by an attacker.
 */
export class PgliteDatabase extends BaseDatabase {
  readonly engine = 'pglite' as const;
  readonly #pg: PGlite;
  readonly #lock: DataDirLock | undefined;

  private constructor(pg: PGlite, options: PgliteDatabaseOptions, lock: DataDirLock | undefined) {
    super(options);
    this.#pg = pg;
    this.#lock = lock;
  }

  /**
   * Opens (or creates) a PGlite database.
   *
   * @example
   * ```ts
   * const db = await PgliteDatabase.create({ dataDir: './data' });
   * ```
   */
  static async create(options: PgliteDatabaseOptions = {}): Promise<PgliteDatabase> {
    const { PGlite, extensions } = await loadPglite();
    const lock =
      options.dataDir === undefined
        ? undefined
        : (options.lock ?? (await lockDataDir(options.dataDir)));
    try {
      const pg = await PGlite.create({
        extensions,
        ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
        ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir }),
      });
      return new PgliteDatabase(pg, options, lock);
    } catch (err) {
      await lock?.release();
      throw err;
    }
  }

  /** Writes the whole data directory as an uncompressed tarball (a template). */
  async dump(): Promise<Blob> {
    return this.#pg.dumpDataDir('none');
  }

  protected async rawQuery(sql: string, params: readonly SqlValue[]): Promise<QueryResult> {
    return toResult(await this.#pg.query<Record<string, unknown>>(sql, [...params]));
  }

  protected async rawExec(sql: string): Promise<void> {
    await this.#pg.exec(sql);
  }

  protected rawTransaction<T>(fn: (conn: RawConnection) => Promise<T>, setup?: string): Promise<T> {
    return this.#pg.transaction(async (tx: Transaction) => {
      if (setup !== undefined) await tx.exec(setup);
      return fn({
        query: async (sql, params) =>
          toResult(await tx.query<Record<string, unknown>>(sql, [...params])),
        exec: async (sql) => {
          await tx.exec(sql);
        },
      });
    });
  }

  protected async rawClose(): Promise<void> {
    try {
      await this.#pg.close();
    } finally {
      await this.#lock?.release();
    }
  }
}
