import type { QueryResult as PgQueryResult, Pool, PoolClient, types as pgTypes } from 'pg';
import { DEFAULTS } from '../../base/constants.js';
import { BaseDatabase, type BaseDatabaseOptions, type RawConnection } from '../base-database.js';
import { StorageError } from '../errors.js';
import type { ChannelSubscription, PoolStats, QueryResult, SqlValue } from '../types.js';

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

  readonly #options: PostgresDatabaseOptions;
  readonly #pg: typeof import('pg').default;
  readonly #subscriptions = new Set<ChannelSubscription>();

  private constructor(
    pool: Pool,
    options: PostgresDatabaseOptions,
    driver: typeof import('pg').default,
  ) {
    super(options);
    this.#pool = pool;
    this.#options = options;
    this.#pg = driver;
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
    const db = new PostgresDatabase(pool, options, pg);
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
      max: this.#options.poolSize ?? DEFAULTS.databasePoolSize,
    };
  }

  protected async rawExec(sql: string): Promise<void> {
    await this.#pool.query(sql);
  }

  protected async rawTransaction<T>(
    fn: (conn: RawConnection) => Promise<T>,
    setup?: string,
    tail?: () => string | undefined,
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
      // One round trip: the statements left for the commit, then COMMIT. If
      // one fails the rest are skipped and the transaction is rolled back below.
      const last = tail?.();
      await client.query(last === undefined ? 'COMMIT' : `${last};\nCOMMIT`);
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

  /**
   * A dedicated connection that runs `LISTEN` (a pooled one would be handed
   * to other statements). When it fails it is replaced, with a back-off of
   * up to 2 s, and `onReset` is called once the new one listens: what was
   * notified in between is lost.
   */
  protected async rawListen(
    channel: string,
    onMessage: (payload: string) => void,
    onReset: () => void,
  ): Promise<ChannelSubscription> {
    let client: import('pg').Client | undefined;
    let live = false;
    let closed = false;
    let retry: NodeJS.Timeout | undefined;
    let delay = 100;
    const connect = async (): Promise<void> => {
      const next = new this.#pg.Client({
        connectionString: this.#options.url,
        connectionTimeoutMillis: this.#options.timeoutMs ?? DEFAULTS.databaseTimeoutMs,
        application_name: `${this.#options.applicationName ?? 'alertbase'}:listen`,
        keepAlive: true,
      });
      const lost = (): void => {
        if (client !== next) return;
        live = false;
        client = undefined;
        next.removeAllListeners('notification');
        void next.end().catch(() => {});
        schedule();
      };
      next.on('error', lost);
      next.on('end', lost);
      next.on('notification', (message) => {
        if (message.channel === channel) onMessage(message.payload ?? '');
      });
      client = next;
      try {
        await next.connect();
        await next.query(`LISTEN ${channel}`);
      } catch (err) {
        lost();
        throw err;
      }
      if (closed) {
        await next.end().catch(() => {});
        return;
      }
      live = true;
      delay = 100;
    };
    const schedule = (): void => {
      if (closed || retry !== undefined) return;
      retry = setTimeout(() => {
        retry = undefined;
        connect().then(onReset, () => {});
      }, delay);
      retry.unref();
      delay = Math.min(delay * 2, 2_000);
    };
    try {
      await connect();
    } catch (err) {
      closed = true;
      if (retry !== undefined) clearTimeout(retry);
      throw err;
    }
    const subscription: ChannelSubscription = {
      get live() {
        return live;
      },
      close: async () => {
        if (closed) return;
        closed = true;
        live = false;
        if (retry !== undefined) clearTimeout(retry);
        this.#subscriptions.delete(subscription);
        const current = client;
        client = undefined;
        await current?.end().catch(() => {});
      },
    };
    this.#subscriptions.add(subscription);
    return subscription;
  }

  protected async rawClose(): Promise<void> {
    await Promise.all([...this.#subscriptions].map((s) => s.close()));
    await this.#pool.end();
  }
}
