import { createHash } from 'node:crypto';
import { StorageError, toStorageError } from './errors.js';
import { MIGRATIONS } from './migrations/list.js';
import type { Database, Migration, TransactionClient } from './types.js';

/** The table applied migrations are recorded in (not a tenant table). */
export const MIGRATIONS_TABLE = 'alertbase_migrations';

/**
 * Key of the transaction-level advisory lock every migration step takes, so
 * that two processes starting at once apply each migration exactly once.
 * (`'aler'` in ASCII.)
 */
export const MIGRATION_LOCK_KEY = 0x616c6572;

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** The migrations to apply; default: alertbase's own ({@link MIGRATIONS}). */
  readonly migrations?: readonly Migration[] | undefined;
}

/** What {@link migrate} did. */
export interface MigrateResult {
  /** Ids applied by this call, in order. */
  readonly applied: readonly number[];
  /** Ids that were already applied (checksums verified). */
  readonly alreadyApplied: readonly number[];
}

/** The SHA-256 (hex) of a migration's SQL, as recorded when it is applied. */
export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

/** @internal Refuses a list whose ids are not 1, 2, 3, ... in order. */
function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((m, index) => {
    if (m.id !== index + 1) {
      throw new StorageError('ALERTBASE_STORAGE_MIGRATION_FAILED', {
        id: m.id,
        name: m.name,
        reason: `migration ids must be 1, 2, 3, ... in order; expected ${index + 1}`,
      });
    }
  });
}

/** @internal Serializes migration steps across processes. */
async function lock(tx: TransactionClient): Promise<void> {
  // A migration may rewrite a large table and wait for another instance's
  // step: the request timeouts of the pool (DATABASE_TIMEOUT_MS) do not apply.
  await tx.exec('SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0');
  await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
}

interface AppliedRow extends Record<string, unknown> {
  readonly id: number;
  readonly name: string;
  readonly checksum: string;
}

/** @internal Throws unless an applied migration matches the known one. */
function verify(row: AppliedRow, known: Migration | undefined): void {
  if (known === undefined) {
    throw new StorageError('ALERTBASE_STORAGE_MIGRATION_UNKNOWN', { id: row.id, name: row.name });
  }
  const current = checksumOf(known.sql);
  if (row.checksum !== current) {
    throw new StorageError('ALERTBASE_STORAGE_MIGRATION_CHECKSUM', {
      id: row.id,
      name: row.name,
      applied: row.checksum,
      current,
    });
  }
}

/**
 * Applies the migrations not yet applied, in order, each in its own
 * transaction, and records each with the SHA-256 of its SQL.
 *
 * Every step holds a transaction-level advisory lock
 * ({@link MIGRATION_LOCK_KEY}), so concurrent callers (two processes
 * starting at once) wait for each other and each migration runs once.
 *
 * @throws StorageError `ALERTBASE_STORAGE_MIGRATION_CHECKSUM` when an applied
 *   migration's SQL changed; `ALERTBASE_STORAGE_MIGRATION_UNKNOWN` when the
 *   database has a migration this version does not know;
 *   `ALERTBASE_STORAGE_MIGRATION_FAILED` when a script fails (nothing of it stays).
 * @example
 * ```ts
 * const { applied } = await migrate(db);
 * ```
 */
export async function migrate(db: Database, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrations = options.migrations ?? MIGRATIONS;
  assertOrdered(migrations);
  const byId = new Map(migrations.map((m) => [m.id, m]));

  const done = await db.transaction(async (tx) => {
    await lock(tx);
    await tx.exec(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
  id integer PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  duration_ms integer NOT NULL
)`);
    const { rows } = await tx.query<AppliedRow>(
      `SELECT id, name, checksum FROM ${MIGRATIONS_TABLE} ORDER BY id`,
    );
    for (const row of rows) verify(row, byId.get(row.id));
    return new Set(rows.map((r) => r.id));
  });

  const applied: number[] = [];
  const alreadyApplied: number[] = [];
  for (const migration of migrations) {
    if (done.has(migration.id)) {
      alreadyApplied.push(migration.id);
      continue;
    }
    const ran = await db.transaction(async (tx) => {
      await lock(tx);
      // Another process may have applied it while this one waited for the lock.
      const { rows } = await tx.query<AppliedRow>(
        `SELECT id, name, checksum FROM ${MIGRATIONS_TABLE} WHERE id = $1`,
        [migration.id],
      );
      const existing = rows[0];
      if (existing !== undefined) {
        verify(existing, migration);
        return false;
      }
      const start = performance.now();
      try {
        await tx.exec(migration.sql);
      } catch (err) {
        const cause = toStorageError(err);
        throw new StorageError(
          'ALERTBASE_STORAGE_MIGRATION_FAILED',
          { id: migration.id, name: migration.name, reason: cause.message },
          { cause, ...(cause.sqlState === undefined ? {} : { sqlState: cause.sqlState }) },
        );
      }
      await tx.query(
        `INSERT INTO ${MIGRATIONS_TABLE} (id, name, checksum, duration_ms) VALUES ($1, $2, $3, $4)`,
        [
          migration.id,
          migration.name,
          checksumOf(migration.sql),
          Math.round(performance.now() - start),
        ],
      );
      return true;
    });
    (ran ? applied : alreadyApplied).push(migration.id);
  }
  return { applied, alreadyApplied };
}
