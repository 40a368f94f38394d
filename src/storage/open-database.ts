import { DEFAULTS } from '../base/constants.js';
import type { DataDirLock } from './data-dir-lock.js';
import { StorageError } from './errors.js';
import { assertIsolation } from './isolation-check.js';
import { migrate } from './migrate.js';
import type { Database, Migration, QueryListener } from './types.js';

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /**
   * Where the data is: `postgres://` or `postgresql://` (a server, through a
   * pool), `memory://` (PGlite in memory), `file:<dir>` (PGlite on disk).
   * Default: PGlite in `dataDir`.
   */
  readonly url?: string | undefined;
  /** PGlite's directory when no `url` is given; default `DEFAULTS.dataDir`. */
  readonly dataDir?: string | undefined;
  /** Connections in a server pool; default `DEFAULTS.databasePoolSize`. */
  readonly poolSize?: number | undefined;
  /**
   * How long a PostgreSQL server may keep a request waiting, ms: for a pooled
   * connection (`connectionTimeoutMillis`), for a statement
   * (`statement_timeout`) and for a row or table lock (`lock_timeout`). A
   * wait past it fails as `ALERTBASE_STORAGE_UNAVAILABLE` (HTTP 503).
   * Default `DEFAULTS.databaseTimeoutMs`; migrations are not bounded by it.
   * PGlite (one connection in this process) has no such waits.
   */
  readonly timeoutMs?: number | undefined;
  /** PGlite: the data directory's lock, already taken (see `lockDataDir`); default taken on open. */
  readonly lock?: DataDirLock | undefined;
  /** Apply pending migrations on open; default `true`. */
  readonly migrate?: boolean | undefined;
  /** Run {@link assertIsolation} on open; default: the value of `migrate`. */
  readonly selfCheck?: boolean | undefined;
  /** The role tenant transactions run as; default `alertbase_app`. */
  readonly appRole?: string | undefined;
  /**
   * PGlite: called once the engine has been asked to start (its WebAssembly
   * compiles on other threads from then on); `alertbase serve` loads the app
   * meanwhile. Not called for a PostgreSQL server.
   */
  readonly onStart?: (() => void) | undefined;
  /**
   * PGlite: run it in a worker thread (`'worker'`), off the event loop, or on
   * the calling thread (`'main'`, the default). Ignored for a PostgreSQL server.
   */
  readonly pgliteThread?: 'main' | 'worker' | undefined;
  /** A per-statement timing listener (see `Database.onQuery`). */
  readonly onQuery?: QueryListener | undefined;
  /** @internal Migrations to apply instead of alertbase's own (tests). */
  readonly migrations?: readonly Migration[] | undefined;
}

/** Where a database URL points. */
export type DatabaseTarget =
  | { readonly engine: 'pglite'; readonly dataDir: string | undefined }
  | { readonly engine: 'postgres'; readonly url: string };

/** Hides the password of a URL, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * Tells which engine and location a URL names (no I/O).
 *
 * @throws StorageError `ALERTBASE_STORAGE_URL_INVALID` for another scheme.
 * @example
 * ```ts
 * resolveDatabaseTarget({ url: 'memory://' });        // { engine: 'pglite', dataDir: undefined }
 * resolveDatabaseTarget({ dataDir: '/var/lib/ab' });  // { engine: 'pglite', dataDir: '/var/lib/ab' }
 * ```
 */
export function resolveDatabaseTarget(
  options: Pick<OpenDatabaseOptions, 'url' | 'dataDir'>,
): DatabaseTarget {
  const { url } = options;
  if (url === undefined || url === '') {
    return { engine: 'pglite', dataDir: options.dataDir ?? DEFAULTS.dataDir };
  }
  if (/^postgres(ql)?:\/\//i.test(url)) return { engine: 'postgres', url };
  if (/^memory:(\/\/)?$/i.test(url)) return { engine: 'pglite', dataDir: undefined };
  if (/^file:/i.test(url)) {
    const dataDir = url.startsWith('file://') ? new URL(url).pathname : url.slice('file:'.length);
    if (dataDir !== '') return { engine: 'pglite', dataDir: decodeURIComponent(dataDir) };
  }
  throw new StorageError('ALERTBASE_STORAGE_URL_INVALID', {
    url: redactUrl(url),
    reason: 'expected postgres://, postgresql://, memory:// or file:<directory>',
  });
}

/**
 * Opens a database: PGlite (embedded) or a PostgreSQL server, chosen by
 * `url`; the driver is loaded only then. Applies pending migrations and
 * runs the isolation self-check unless told not to.
 *
 * @example
 * ```ts
 * const db = await openDatabase({ url: process.env.DATABASE_URL, poolSize: 20 });
 * await db.withTenant('acme', (tx) => tx.query('SELECT * FROM alerts LIMIT 10'));
 * await db.close();
 * ```
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const target = resolveDatabaseTarget(options);
  const base = {
    ...(options.appRole === undefined ? {} : { appRole: options.appRole }),
    ...(options.onQuery === undefined ? {} : { onQuery: options.onQuery }),
  };
  // The PGlite thread `alertbase serve` may have started early is of use only
  // to PGlite in its thread, which takes it (pglite-early.ts).
  if (target.engine === 'postgres' || options.pgliteThread !== 'worker') {
    const { stopEarlyPgliteThread } = await import('./drivers/pglite-early.js');
    await stopEarlyPgliteThread();
  }
  let db: Database;
  if (target.engine === 'postgres') {
    const { PostgresDatabase } = await import('./drivers/postgres.js');
    db = await PostgresDatabase.create({
      ...base,
      url: target.url,
      poolSize: options.poolSize,
      timeoutMs: options.timeoutMs,
    });
  } else {
    const pgliteOptions = {
      ...base,
      dataDir: target.dataDir,
      lock: options.lock,
      onStart: options.onStart,
    };
    if (options.pgliteThread === 'worker') {
      const { PgliteWorkerDatabase } = await import('./drivers/pglite-worker.js');
      db = await PgliteWorkerDatabase.create(pgliteOptions);
    } else {
      const { PgliteDatabase } = await import('./drivers/pglite.js');
      db = await PgliteDatabase.create(pgliteOptions);
    }
  }
  const shouldMigrate = options.migrate ?? true;
  try {
    if (shouldMigrate) await migrate(db, { migrations: options.migrations });
    if (options.selfCheck ?? shouldMigrate) await assertIsolation(db, { appRole: options.appRole });
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
