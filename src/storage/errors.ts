import {
  AlertbaseError,
  type AlertbaseErrorOptions,
  type CodesOf,
  type ErrorContext,
} from '../base/exceptions/index.js';

/**
 * An error of the storage layer. Driver errors are wrapped in one with code
 * `ALERTBASE_STORAGE_QUERY_FAILED`; the PostgreSQL SQLSTATE is in `sqlState`
 * (e.g. `42501` for a row-level security violation, `23505` for a unique one).
 *
 * @example
 * ```ts
 * try { await tx.query('INSERT ...'); }
 * catch (err) { if (err instanceof StorageError && err.sqlState === '23505') ... }
 * ```
 */
export class StorageError extends AlertbaseError {
  /** The PostgreSQL SQLSTATE, when the database reported one. */
  readonly sqlState: string | undefined;

  constructor(
    code: CodesOf<'STORAGE'>,
    context: ErrorContext,
    options: AlertbaseErrorOptions & { readonly sqlState?: string } = {},
  ) {
    super(code, context, options);
    this.sqlState = options.sqlState;
  }
}

/** @internal Reads a string property of an unknown error object. */
function stringProp(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const prop: unknown = Reflect.get(value, key);
  return typeof prop === 'string' ? prop : undefined;
}

/** @internal The SQLSTATE of a driver error (pg and PGlite both use `code`). */
export function sqlStateOf(err: unknown): string | undefined {
  const code = stringProp(err, 'code');
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Socket errors: the server is unreachable or the connection broke. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs that say "not now" rather than "this request is wrong": class 08
 * (connection exception), 53 (insufficient resources: disk full, out of
 * memory, too many connections), 57P01–57P03 (the server shuts down, crashed,
 * is starting), 57014 (`statement_timeout` reached), 55P03 (`lock_timeout`
 * reached).
 */
function isTransientSqlState(state: string): boolean {
  return (
    state.startsWith('08') ||
    state.startsWith('53') ||
    state === '57P01' ||
    state === '57P02' ||
    state === '57P03' ||
    state === '57014' ||
    state === '55P03'
  );
}

/** `pg`'s own messages for a connection that is gone or could not be had in time. */
const DRIVER_UNAVAILABLE =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended|Query read timeout/i;

/**
 * @internal Why a driver error means the database is unavailable or too slow
 * (a retry later may succeed); `undefined` when it is a failure of the request.
 */
export function unavailableReason(err: unknown): string | undefined {
  const code = stringProp(err, 'code');
  if (code !== undefined && NETWORK_CODES.has(code)) return `network: ${code}`;
  const sqlState = sqlStateOf(err);
  if (sqlState !== undefined && isTransientSqlState(sqlState)) return `SQLSTATE ${sqlState}`;
  const message = err instanceof Error ? err.message : '';
  if (DRIVER_UNAVAILABLE.test(message)) return `connection: ${message}`;
  return undefined;
}

/**
 * @internal Wraps a driver error: `ALERTBASE_STORAGE_UNAVAILABLE` (HTTP 503)
 * when the database is unreachable, shutting down or too slow (see
 * {@link unavailableReason}), else `ALERTBASE_STORAGE_QUERY_FAILED`.
 * Keeps the constraint and table names; never the parameters or `detail`,
 * which may quote row values.
 */
export function toStorageError(err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  const unavailable = unavailableReason(err);
  const sqlState = sqlStateOf(err);
  if (unavailable !== undefined) {
    return new StorageError(
      'ALERTBASE_STORAGE_UNAVAILABLE',
      { reason: unavailable },
      { cause: err, ...(sqlState === undefined ? {} : { sqlState }) },
    );
  }
  const constraint = stringProp(err, 'constraint');
  const table = stringProp(err, 'table');
  const reason = err instanceof Error ? err.message : String(err);
  return new StorageError(
    'ALERTBASE_STORAGE_QUERY_FAILED',
    {
      sqlState: sqlState ?? 'unknown',
      reason,
      ...(constraint === undefined ? {} : { constraint }),
      ...(table === undefined ? {} : { table }),
    },
    { cause: err, ...(sqlState === undefined ? {} : { sqlState }) },
  );
}

/** Whether an error says the database is unavailable or too slow (`ALERTBASE_STORAGE_UNAVAILABLE`). */
export function isUnavailable(err: unknown): boolean {
  return err instanceof StorageError && err.code === 'ALERTBASE_STORAGE_UNAVAILABLE';
}
