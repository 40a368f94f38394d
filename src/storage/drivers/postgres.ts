import type { QueryResult as PgQueryResult, Pool, PoolClient, types as pgTypes } from 'pg';
import { DEFAULTS } from '../../base/constants.js';
import { BaseDatabase, type BaseDatabaseOptions, type RawConnection } from '../base-database.js';
import { StorageError } from '../errors.js';
import type { PoolStats, QueryResult, SqlValue } from '../types.js';

/** Options of the PostgreSQL server engine. */
export interface PostgresDatabaseOptions extends BaseDatabaseOptions {
  /** `postgres://user:password@host:port/database?...` */
  readonly url: string;
  /** Connections in the pool; default `DEFAULTS.databasePoolSize`. */
  readonly poolSize?: number | undefined;
  /**
   * Longest wait for a pooled connection, a statement and a lock, ms; default
   * `DEFAULTS.databaseTimeoutMs` (see `OpenDatabaseOptions.timeoutMs`).
   */
  readonly timeoutMs?: number | undefined;
  /** `application_name` shown in `pg_stat_activity`; default `alertbase`. */
  readonly applicationName?: string | undefined;
}

/** OID of `int8`, which `pg` returns as a string and PGlite as a number. */
const INT8_OID = 20;

/** @internal Maps a `pg` result to the engine-neutral one. */
function toResult(result: PgQueryResult<Record<string, unknown>>): QueryResult {
  return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
}

/** @internal Runs statements on one pooled client. */
function connectionOf(client: PoolClient): RawConnection {
  return {
    query: async (sql, params, name) =>
      toResult(
        await (name === undefined
          ? client.query<Record<string, unknown>>(sql, [...params])
          : client.query<Record<string, unknown>>({ name, text: sql, values: [...params] })),
      ),
    exec: async (sql) => {
      await client.query(sql);
    },
  };
}

/**
 * The server engine: a `pg.Pool` of connections to PostgreSQL 15 or newer.
 *
 * Values are parsed as PGlite parses them (`int8` as `number`), so the same
 * code runs on both engines.
 */
export class PostgresDatabase extends BaseDatabase {
  readonly engine = 'postgres' as const;
  readonly #pool: Pool;

  private constructor(pool: Pool, options: PostgresDatabaseOptions) {
    super(options);
    this.#pool = pool;
  }

  /**
   * Creates the pool and checks that the server answers.
   *
   * @example
   * ```ts
   * const db = await PostgresDatabase.create({ url: 'postgres://app@db/alerts', poolSize: 20 });
   * ```
   */
  static async create(options: PostgresDatabaseOptions): Promise<PostgresDatabase> {
    let pg: typeof import('pg').default;
    try {
      pg = (await import('pg')).default;
    } catch (err) {
      /* v8 ignore next 5 -- only when the optional dependency is missing */
      throw new StorageError(
        'ALERTBASE_STORAGE_DRIVER_UNAVAILABLE',
        { driver: 'pg', reason: err instanceof Error ? err.message : String(err) },
        { cause: err },
      );
    }
    const baseParser = pg.types.getTypeParser;
    const getTypeParser = ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID ? Number : baseParser(oid, format)) as typeof pgTypes.getTypeParser;
    const timeoutMs = options.timeoutMs ?? DEFAULTS.databaseTimeoutMs;
    const pool = new pg.Pool({
      connectionString: options.url,
      // Bounded waits: while the server is unreachable or slow, a request fails
      // (503) instead of queueing behind the pool or a lock without end.
      connectionTimeoutMillis: timeoutMs,
      statement_timeout: timeoutMs,
      lock_timeout: timeoutMs,
      max: options.poolSize ?? DEFAULTS.databasePoolSize,
      application_name: options.applicationName ?? 'alertbase',
      types: { getTypeParser },
    });
    // An idle client that loses its connection is dropped by the pool; without
    // a listener the 'error' event would crash the process.
    pool.on('error', () => {});
    const db = new PostgresDatabase(pool, options);
    try {
      await db.query('SELECT 1');
    } catch (err) {
      await pool.end();
      throw err;
    }
    return db;
  }

  protected async rawQuery(
    sql: string,
    params: readonly SqlValue[],
    name?: string,
  ): Promise<QueryResult> {
    return toResult(
      await (name === undefined
        ? this.#pool.query<Record<string, unknown>>(sql, [...params])
        : this.#pool.query<Record<string, unknown>>({ name, text: sql, values: [...params] })),
    );
  }

  protected override rawPoolStats(): PoolStats {
    const pool = this.#pool;
    return {
      size: pool.totalCount,
      inUse: pool.totalCount - pool.idleCount,
      waiting: pool.waitingCount,
    };
  }

  protected async rawExec(sql: string): Promise<void> {
    await this.#pool.query(sql);
  }

  protected async rawTransaction<T>(
    fn: (conn: RawConnection) => Promise<T>,
    setup?: string,
  ): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    // The pool listens for errors of idle clients only: a connection that dies
    // while checked out would emit 'error' with no listener and crash the
    // process. The failing query rejects anyway; the client is destroyed below.
    const onError = (err: Error): void => {
      broken ??= err;
    };
    client.on('error', onError);
    try {
      // One round trip: a simple query may hold several statements.
      await client.query(setup === undefined ? 'BEGIN' : `BEGIN; ${setup}`);
      const result = await fn(connectionOf(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection is in an unknown state: destroy it instead of reusing it.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  protected async rawClose(): Promise<void> {
    await this.#pool.end();
  }
}
