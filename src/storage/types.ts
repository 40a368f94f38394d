/**
 * The small SQL interface every alertbase store is written against.
 *
 * Two engines implement it with the same SQL: PGlite (PostgreSQL compiled to
 * WASM, in process) and a PostgreSQL server through a `pg` pool.
 */

/**
 * A value that can be bound to a `$n` parameter.
 *
 * Plain objects are sent as JSON (cast the parameter: `$1::jsonb`); arrays of
 * scalars become PostgreSQL arrays (`$1::text[]`).
 */
export type SqlValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Date
  | Uint8Array
  | readonly SqlValue[]
  | { readonly [key: string]: unknown };

/** A row as returned by a query: column name → parsed value. */
export type SqlRow = Record<string, unknown>;

/**
 * The result of one statement.
 *
 * Both engines parse values the same way: `int2`/`int4`/`int8`/`float` as
 * `number` (cast with `::text` what may exceed 2^53), `numeric` as `string`,
 * `json`/`jsonb` as parsed JSON, `timestamptz` as `Date`, arrays as arrays.
 */
export interface QueryResult<Row extends SqlRow = SqlRow> {
  /** Rows returned (empty for statements without `RETURNING`). */
  readonly rows: Row[];
  /** Rows returned, or changed by `INSERT`/`UPDATE`/`DELETE`. */
  readonly rowCount: number;
}

/** Per-statement options of {@link SqlClient.query}. */
export interface QueryOptions {
  /**
   * Name of a prepared statement. On a server the text is parsed and planned
   * once per connection and reused by name (`pg`'s named queries); one name
   * must always carry the same text. PGlite, in process, parses every call
   * and ignores it. Reported in {@link QueryEvent.name}.
   */
  readonly name?: string | undefined;
}

/** Something that runs SQL: a database, or one transaction of it. */
export interface SqlClient {
  /**
   * Runs one statement with `$1..$n` parameters.
   *
   * @throws StorageError `ALERTBASE_STORAGE_QUERY_FAILED` carrying the SQLSTATE.
   * @example
   * ```ts
   * const { rows } = await tx.query<{ id: string }>(
   *   'SELECT id FROM alerts WHERE status = $1 AND labels @> $2::jsonb',
   *   ['firing', { severity: 'critical' }],
   * );
   * ```
   */
  query<Row extends SqlRow = SqlRow>(
    sql: string,
    params?: readonly SqlValue[],
    options?: QueryOptions,
  ): Promise<QueryResult<Row>>;
  /** Runs a script of several statements, without parameters (DDL, migrations). */
  exec(sql: string): Promise<void>;
}

/** The client passed to a transaction's function; valid only until it returns. */
export interface TransactionClient extends SqlClient {
  /** The tenant set for this transaction by `withTenant`, if any. */
  readonly tenantId: string | undefined;
  /**
   * Runs `sql`, statements without parameters (values written with
   * `sqlLiteral`), as the transaction's last work, sent with its COMMIT: one
   * round trip on a server (and one message to a PGlite thread) instead of
   * one more per statement. For statements whose result nobody reads (a
   * notification, a counter). A failure fails the commit, which rolls back.
   */
  atCommit(sql: string): void;
}

/** Which engine a database runs on. */
export type EngineKind = 'pglite' | 'postgres';

/** One finished statement, as reported to query listeners (for metrics). */
export interface QueryEvent {
  /** The engine that ran it. */
  readonly engine: EngineKind;
  /** The SQL text (never the parameters, which may hold secrets). */
  readonly sql: string;
  /** The prepared statement's name, when the query gave one. */
  readonly name: string | undefined;
  /** Wall time from sending the statement to its result, in milliseconds. */
  readonly durationMs: number;
  /** Rows returned or changed; 0 when it failed. */
  readonly rowCount: number;
  /** Whether it ran inside a transaction. */
  readonly inTransaction: boolean;
  /** The tenant of the surrounding `withTenant`, if any. */
  readonly tenantId: string | undefined;
  /** The SQLSTATE (or `'unknown'`) when the statement failed. */
  readonly errorSqlState: string | undefined;
}

/** Connections of a database's pool, for metrics. */
export interface PoolStats {
  /** Connections open. */
  readonly size: number;
  /** Connections running a statement or a transaction. */
  readonly inUse: number;
  /** Statements and transactions waiting for a connection. */
  readonly waiting: number;
  /** Connections the pool may open (1 for PGlite, which runs one thing at a time). */
  readonly max: number;
}

/** Called after every statement; exceptions it throws are ignored. */
export type QueryListener = (event: QueryEvent) => void;

/** Options of {@link Database.withTenant}. */
export interface TenantTransactionOptions {
  /**
   * Takes `pg_advisory_xact_lock(hashtext(advisoryLock))` with the settings,
   * before `fn` runs, held until the transaction ends: the statements of `fn`
   * see everything committed by the previous holder.
   */
  readonly advisoryLock?: string | undefined;
  /**
   * Planner settings local to the transaction (`set_config(name, 'off', true)`),
   * sent with the other settings: `enable_sort` off, say, for a keyset page
   * that must walk an index in order whatever the statistics say.
   */
  readonly plannerOff?: readonly PlannerMethod[] | undefined;
}

/** Planner methods a transaction may turn off (see {@link TenantTransactionOptions.plannerOff}). */
export type PlannerMethod =
  | 'enable_sort'
  | 'enable_incremental_sort'
  | 'enable_bitmapscan'
  | 'enable_seqscan'
  | 'enable_hashjoin'
  | 'enable_material';

/**
 * An open database: one engine, its connections, and tenant-scoped transactions.
 *
 * `query`/`exec` on the database itself run as the connecting user (the table
 * owner, which row-level security does not restrict when it is a superuser):
 * use them for administration and migrations only. Serve tenant data through
 * {@link Database.withTenant}.
 */
export interface Database extends SqlClient {
  /** The engine behind it. */
  readonly engine: EngineKind;
  /** Whether `close()` was called. */
  readonly closed: boolean;
  /**
   * Runs `fn` in a transaction: `COMMIT` when it resolves, `ROLLBACK` when it
   * throws (the error is rethrown).
   */
  transaction<T>(fn: (tx: TransactionClient) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in a transaction as the application role with the tenant set,
   * so row-level security limits every statement to that tenant's rows.
   *
   * Both settings are transaction-local (`set_config(..., true)`): they end
   * with the transaction, so a pooled connection never carries a tenant or the
   * role into the next request.
   *
   * @throws StorageError `ALERTBASE_STORAGE_TENANT_REQUIRED` for an empty tenant id.
   * @example
   * ```ts
   * const open = await db.withTenant('acme', (tx) =>
   *   tx.query('SELECT count(*)::int AS n FROM alerts WHERE status <> $1', ['resolved']),
   * );
   * ```
   */
  withTenant<T>(
    tenantId: string,
    fn: (tx: TransactionClient) => Promise<T>,
    options?: TenantTransactionOptions,
  ): Promise<T>;
  /** Adds a listener for per-statement timing; returns a function that removes it. */
  onQuery(listener: QueryListener): () => void;
  /**
   * Receives the payloads of `NOTIFY channel` (`pg_notify`) from every
   * session of the database, in the order their transactions committed. On
   * a server a dedicated connection listens; when it is lost it reconnects
   * by itself and calls `onReset` (notifications sent meanwhile are lost).
   * `channel` is a plain lowercase identifier.
   *
   * @example
   * ```ts
   * const sub = await db.listen('alertbase_alert_changes', (payload) => console.log(payload));
   * await db.query("SELECT pg_notify('alertbase_alert_changes', 'hello')");
   * await sub.close();
   * ```
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    onReset?: () => void,
  ): Promise<ChannelSubscription>;
  /** The pool's connections now (metrics); absent on a database that has no pool to report. */
  poolStats?(): PoolStats;
  /** Closes every connection. Further calls fail with `ALERTBASE_STORAGE_CLOSED`. */
  close(): Promise<void>;
}

/** A subscription of {@link Database.listen}. */
export interface ChannelSubscription {
  /** Whether the subscription currently receives notifications (false while a server connection is lost). */
  readonly live: boolean;
  /** Stops listening. */
  close(): Promise<void>;
}

/** One numbered schema change. */
export interface Migration {
  /** Position in the order of application: 1, 2, 3, ... */
  readonly id: number;
  /** Short kebab-case name, recorded beside the id. */
  readonly name: string;
  /** The SQL script; it runs in one transaction. Never edit it once released. */
  readonly sql: string;
}
