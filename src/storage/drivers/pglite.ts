import type { PGlite, Results, Transaction } from '@electric-sql/pglite';
import { BaseDatabase, type BaseDatabaseOptions, type RawConnection } from '../base-database.js';
import type { DataDirLock } from '../data-dir-lock.js';
import type { DiskSpaceGuard } from '../disk-space.js';
import { StorageError } from '../errors.js';
import type { ChannelSubscription, QueryResult, SqlValue } from '../types.js';
import { guardDirectory, subscription } from './pglite-directory.js';
import { type PgliteProtocol, PgliteStatements } from './pglite-thread.js';

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
  /**
   * Free space kept on the directory's file system, bytes: below it every
   * statement (and the open) fails with `ALERTBASE_STORAGE_DISK_FULL`
   * instead of PGlite hanging on a full disk. Default 64 MiB.
   */
  readonly minFreeBytes?: number | undefined;
  /**
   * Called once PGlite has been asked to start: its WebAssembly compiles on
   * other threads from then on, so a caller can go on with CPU work of its own.
   */
  readonly onStart?: (() => void) | undefined;
}

/** @internal Maps a PGlite result to the engine-neutral one. */
function toResult(result: Results<Record<string, unknown>>): QueryResult {
  return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
}

/** @internal Loads PGlite and the extensions the schema needs, on first use. */
async function loadPglite(): Promise<{
  PGlite: typeof PGlite;
  protocol: PgliteProtocol;
  extensions: { btree_gin: import('@electric-sql/pglite').Extension };
}> {
  try {
    const [core, btree] = await Promise.all([
      import('@electric-sql/pglite'),
      import('@electric-sql/pglite/contrib/btree_gin'),
    ]);
    return { PGlite: core.PGlite, protocol: core, extensions: { btree_gin: btree.btree_gin } };
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
  /** Statements with a name run prepared (see `PgliteStatements`). */
  readonly #named: PgliteStatements;
  readonly #lock: DataDirLock | undefined;
  readonly #space: DiskSpaceGuard | undefined;

  private constructor(
    pg: PGlite,
    protocol: PgliteProtocol,
    options: PgliteDatabaseOptions,
    lock: DataDirLock | undefined,
    space: DiskSpaceGuard | undefined,
  ) {
    super(options);
    this.#pg = pg;
    this.#named = new PgliteStatements(pg, protocol);
    this.#lock = lock;
    this.#space = space;
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
    const { PGlite, protocol, extensions } = await loadPglite();
    const { lock, space } = await guardDirectory(options);
    try {
      const creating = PGlite.create({
        extensions,
        ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
        ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir }),
      });
      options.onStart?.();
      const pg = await creating;
      return new PgliteDatabase(pg, protocol, options, lock, space);
    } catch (err) {
      await lock?.release();
      throw err;
    }
  }

  /** Writes the whole data directory as an uncompressed tarball (a template). */
  async dump(): Promise<Blob> {
    return this.#pg.dumpDataDir('none');
  }

  protected async rawQuery(
    sql: string,
    params: readonly SqlValue[],
    name?: string,
  ): Promise<QueryResult> {
    await this.#space?.assert();
    return toResult(
      name === undefined
        ? await this.#pg.query<Record<string, unknown>>(sql, [...params])
        : await this.#named.query(name, sql, params, false),
    );
  }

  protected async rawExec(sql: string): Promise<void> {
    await this.#space?.assert();
    await this.#pg.exec(sql);
  }

  protected async rawTransaction<T>(
    fn: (conn: RawConnection) => Promise<T>,
    setup?: string,
    tail?: () => string | undefined,
  ): Promise<T> {
    await this.#space?.assert();
    return this.#pg.transaction(async (tx: Transaction) => {
      if (setup !== undefined) await tx.exec(setup);
      const result = await fn({
        query: async (sql, params, name) =>
          toResult(
            name === undefined
              ? await tx.query<Record<string, unknown>>(sql, [...params])
              : await this.#named.query(name, sql, params, true),
          ),
        exec: async (sql) => {
          await tx.exec(sql);
        },
      });
      const last = tail?.();
      if (last !== undefined) await tx.exec(last);
      return result;
    });
  }

  protected async rawListen(
    channel: string,
    onMessage: (payload: string) => void,
  ): Promise<ChannelSubscription> {
    return subscription(await this.#pg.listen(channel, onMessage), () => this.closed);
  }

  protected async rawClose(): Promise<void> {
    try {
      await this.#pg.close();
    } finally {
      await this.#lock?.release();
    }
  }
}
