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

/**
 * @internal Wraps a driver error as `ALERTBASE_STORAGE_QUERY_FAILED`.
 * Keeps the constraint and table names; never the parameters or `detail`,
 * which may quote row values.
 */
export function toStorageError(err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  const sqlState = sqlStateOf(err);
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
