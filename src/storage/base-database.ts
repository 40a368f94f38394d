import { StorageError, toStorageError } from './errors.js';
import type {
  ChannelSubscription,
  Database,
  EngineKind,
  PlannerMethod,
  PoolStats,
  QueryListener,
  QueryOptions,
  QueryResult,
  SqlRow,
  SqlValue,
  TenantTransactionOptions,
  TransactionClient,
} from './types.js';

/** The role tenant-scoped transactions run as (created by the migrations). */
export const APP_ROLE = 'alertbase_app';

/** The setting row-level security policies read the current tenant from. */
export const TENANT_SETTING = 'app.tenant_id';

/** The planner methods `withTenant` may turn off (the names go into SQL text). */
const PLANNER_METHODS: ReadonlySet<string> = new Set<PlannerMethod>([
  'enable_sort',
  'enable_incremental_sort',
  'enable_bitmapscan',
  'enable_seqscan',
  'enable_hashjoin',
  'enable_material',
]);

/**
 * @internal A string as an SQL literal, quoted as PostgreSQL's own
 * `quote_literal` does (`'` doubled; with a backslash, an `E''` string with
 * backslashes doubled).
 */
export function sqlLiteral(value: string): string {
  const quoted = value.replaceAll("'", "''");
  return value.includes('\\') ? `E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}

/** @internal What a driver provides: one connection's raw statements. */
export interface RawConnection {
  query(sql: string, params: readonly SqlValue[], name?: string): Promise<QueryResult>;
  exec(sql: string): Promise<void>;
}

/** @internal Options every driver passes through to the base. */
export interface BaseDatabaseOptions {
  /** Role `withTenant` switches to; default {@link APP_ROLE}. */
  readonly appRole?: string;
  /** A first query listener. */
  readonly onQuery?: QueryListener;
}

/** @internal Where a statement runs, for the query event. */
interface StatementScope {
  readonly inTransaction: boolean;
  readonly tenantId: string | undefined;
  readonly name?: string | undefined;
}

const OUTSIDE: StatementScope = { inTransaction: false, tenantId: undefined };

/** @internal The scope of one statement, with its prepared-statement name. */
function named(scope: StatementScope, options: QueryOptions | undefined): StatementScope {
  return options?.name === undefined ? scope : { ...scope, name: options.name };
}

/**
 * @internal The engine-independent half of a {@link Database}: closed checks,
 * error wrapping, timing events, transaction clients and `withTenant`.
 * A driver supplies the raw statements.
 */
export abstract class BaseDatabase implements Database {
  abstract readonly engine: EngineKind;
  readonly #listeners = new Set<QueryListener>();
  readonly #appRole: string;
  #closed = false;
  /** Statements and transactions under way (outside transactions' own statements). */
  #active = 0;

  protected constructor(options: BaseDatabaseOptions) {
    this.#appRole = options.appRole ?? APP_ROLE;
    if (options.onQuery !== undefined) this.#listeners.add(options.onQuery);
  }

  /** Runs a statement on any free connection. */
  protected abstract rawQuery(
    sql: string,
    params: readonly SqlValue[],
    name?: string,
  ): Promise<QueryResult>;
  /** Runs a script on any free connection. */
  protected abstract rawExec(sql: string): Promise<void>;
  /**
   * Runs `fn` between BEGIN and COMMIT/ROLLBACK on one connection; `setup`,
   * a statement without parameters, runs right after BEGIN (a server driver
   * sends both in one round trip), and `tail()`, asked once `fn` has
   * returned, right before COMMIT (sent with it; see
   * `TransactionClient.atCommit`).
   */
  protected abstract rawTransaction<T>(
    fn: (conn: RawConnection) => Promise<T>,
    setup?: string,
    tail?: () => string | undefined,
  ): Promise<T>;
  /** Releases the engine's resources. */
  protected abstract rawClose(): Promise<void>;
  /** Subscribes to `NOTIFY channel` (see {@link Database.listen}). */
  protected abstract rawListen(
    channel: string,
    onMessage: (payload: string) => void,
    onReset: () => void,
  ): Promise<ChannelSubscription>;
  /**
   * The pool's counters, for a driver with a pool; by default one connection
   * that runs one thing at a time, the rest waiting (PGlite).
   */
  protected rawPoolStats(active: number): PoolStats {
    return { size: 1, inUse: Math.min(active, 1), waiting: Math.max(active - 1, 0), max: 1 };
  }

  poolStats(): PoolStats {
    return this.rawPoolStats(this.#active);
  }

  get closed(): boolean {
    return this.#closed;
  }

  async query<Row extends SqlRow = SqlRow>(
    sql: string,
    params: readonly SqlValue[] = [],
    options?: QueryOptions,
  ): Promise<QueryResult<Row>> {
    this.#assertOpen();
    return (await this.#counted(() =>
      this.#timed(sql, named(OUTSIDE, options), () => this.rawQuery(sql, params, options?.name)),
    )) as QueryResult<Row>;
  }

  async exec(sql: string): Promise<void> {
    this.#assertOpen();
    await this.#counted(() =>
      this.#timed(sql, OUTSIDE, async () => {
        await this.rawExec(sql);
        return { rows: [], rowCount: 0 };
      }),
    );
  }

  transaction<T>(fn: (tx: TransactionClient) => Promise<T>): Promise<T> {
    return this.#transaction(undefined, fn);
  }

  withTenant<T>(
    tenantId: string,
    fn: (tx: TransactionClient) => Promise<T>,
    options: TenantTransactionOptions = {},
  ): Promise<T> {
    if (typeof tenantId !== 'string' || tenantId.trim() === '' || tenantId.includes('\0')) {
      return Promise.reject(
        new StorageError('ALERTBASE_STORAGE_TENANT_REQUIRED', {
          reason: tenantId.includes?.('\0')
            ? 'the tenant id holds a NUL character'
            : 'the tenant id is empty',
        }),
      );
    }
    // Both settings are local to this transaction; sent with BEGIN, in one
    // round trip, so they are literals (escaped as PostgreSQL's own quoting).
    let setup = `SELECT set_config('role', ${sqlLiteral(this.#appRole)}, true), set_config('${TENANT_SETTING}', ${sqlLiteral(tenantId)}, true)`;
    if (options.advisoryLock !== undefined) {
      setup += `, pg_advisory_xact_lock(hashtext(${sqlLiteral(options.advisoryLock)}))`;
    }
    for (const method of options.plannerOff ?? []) {
      if (!PLANNER_METHODS.has(method)) {
        return Promise.reject(new TypeError(`withTenant: unknown planner method ${method}`));
      }
      setup += `, set_config('${method}', 'off', true)`;
    }
    return this.#transaction(tenantId, fn, setup);
  }

  async listen(
    channel: string,
    onMessage: (payload: string) => void,
    onReset: () => void = () => {},
  ): Promise<ChannelSubscription> {
    this.#assertOpen();
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) {
      throw new TypeError(`listen: invalid channel name ${JSON.stringify(channel)}`);
    }
    return this.rawListen(channel, onMessage, onReset);
  }

  onQuery(listener: QueryListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.rawClose();
  }

  async #counted<T>(run: () => Promise<T>): Promise<T> {
    this.#active++;
    try {
      return await run();
    } finally {
      this.#active--;
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StorageError('ALERTBASE_STORAGE_CLOSED', { what: 'database' });
  }

  async #transaction<T>(
    tenantId: string | undefined,
    fn: (tx: TransactionClient) => Promise<T>,
    setup?: string,
  ): Promise<T> {
    this.#assertOpen();
    const scope: StatementScope = { inTransaction: true, tenantId };
    let fnError: unknown;
    const atCommit: string[] = [];
    this.#active++;
    try {
      return await this.rawTransaction(
        async (conn) => {
          let done = false;
          const assertActive = (): void => {
            if (done) throw new StorageError('ALERTBASE_STORAGE_CLOSED', { what: 'transaction' });
          };
          const tx: TransactionClient = {
            tenantId,
            query: async <Row extends SqlRow = SqlRow>(
              sql: string,
              params: readonly SqlValue[] = [],
              options?: QueryOptions,
            ) => {
              assertActive();
              return (await this.#timed(sql, named(scope, options), () =>
                conn.query(sql, params, options?.name),
              )) as QueryResult<Row>;
            },
            exec: async (sql: string) => {
              assertActive();
              await this.#timed(sql, scope, async () => {
                await conn.exec(sql);
                return { rows: [], rowCount: 0 };
              });
            },
            atCommit: (sql: string) => {
              assertActive();
              atCommit.push(sql);
            },
          };
          try {
            return await fn(tx);
          } catch (err) {
            fnError = err;
            throw err;
          } finally {
            done = true;
          }
        },
        setup,
        () => (atCommit.length === 0 ? undefined : atCommit.join(';\n')),
      );
    } catch (err) {
      // What `fn` threw passes through unchanged; BEGIN/COMMIT/connect failures are wrapped.
      throw err === fnError ? err : toStorageError(err);
    } finally {
      this.#active--;
    }
  }

  async #timed(
    sql: string,
    scope: StatementScope,
    run: () => Promise<QueryResult>,
  ): Promise<QueryResult> {
    const start = performance.now();
    try {
      const result = await run();
      this.#emit(sql, scope, performance.now() - start, result.rowCount, undefined);
      return result;
    } catch (err) {
      const wrapped = toStorageError(err);
      this.#emit(sql, scope, performance.now() - start, 0, wrapped.sqlState ?? 'unknown');
      throw wrapped;
    }
  }

  #emit(
    sql: string,
    scope: StatementScope,
    durationMs: number,
    rowCount: number,
    errorSqlState: string | undefined,
  ): void {
    if (this.#listeners.size === 0) return;
    const event = {
      engine: this.engine,
      sql,
      name: scope.name,
      durationMs,
      rowCount,
      inTransaction: scope.inTransaction,
      tenantId: scope.tenantId,
      errorSqlState,
    };
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A metrics hook must never fail the statement it observes.
      }
    }
  }
}
