/**
 * Backups of alertbase's database. PGlite: its data directory as one
 * uncompressed tarball (PGlite's own `dumpDataDir()`, taken between
 * statements after a CHECKPOINT: what a restore opens is what the last
 * commit before it left, as after a crash, which PostgreSQL recovers from).
 * A PostgreSQL server: `pg_dump` in its custom format, restored with
 * `pg_restore`, both run as programs when installed.
 */
import { spawn } from 'node:child_process';
import { StorageError } from './errors.js';
import { redactUrl } from './open-database.js';
import type { Database } from './types.js';

/** A database that can write its data directory as a tarball (PGlite). */
export interface DumpableDatabase extends Database {
  dump(): Promise<Blob>;
}

/** Whether `db` is a PGlite database (it can dump its data directory). */
export function isDumpable(db: Database): db is DumpableDatabase {
  return db.engine === 'pglite' && typeof Reflect.get(db, 'dump') === 'function';
}

/**
 * A consistent backup of a PGlite database, while it serves: a CHECKPOINT
 * (so that little WAL needs replaying), then the data directory as a tarball,
 * taken while no statement runs.
 */
export async function backupPglite(db: DumpableDatabase): Promise<Blob> {
  await db.exec('CHECKPOINT');
  return db.dump();
}

/** @internal Runs a program to its end; its stderr is the reason of a failure. */
function run(program: string, args: readonly string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 8_192) stderr += chunk.toString();
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        new StorageError('ALERTBASE_STORAGE_BACKUP_FAILED', {
          what,
          reason:
            err.code === 'ENOENT'
              ? `${program} is not installed (the PostgreSQL client tools: postgresql-client)`
              : err.message,
        }),
      );
    });
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else {
        reject(
          new StorageError('ALERTBASE_STORAGE_BACKUP_FAILED', {
            what,
            reason: `${program} ended with ${code ?? signal}: ${stderr.trim()}`,
          }),
        );
      }
    });
  });
}

/**
 * `pg_dump --format=custom` of the database `url` names, into `file`.
 *
 * @throws StorageError `ALERTBASE_STORAGE_BACKUP_FAILED` when pg_dump is
 * missing or fails (its message says why).
 */
export function pgDump(url: string, file: string, program = 'pg_dump'): Promise<void> {
  return run(
    program,
    ['--format=custom', '--no-owner', `--file=${file}`, `--dbname=${url}`],
    `backup of ${redactUrl(url)}`,
  );
}

/**
 * `pg_restore` of a `pg_dump --format=custom` file into the (empty) database
 * `url` names, stopping at the first error.
 *
 * @throws StorageError `ALERTBASE_STORAGE_BACKUP_FAILED` when pg_restore is
 * missing or fails.
 */
export function pgRestore(url: string, file: string, program = 'pg_restore'): Promise<void> {
  return run(
    program,
    ['--no-owner', '--exit-on-error', '--single-transaction', `--dbname=${url}`, file],
    `restore into ${redactUrl(url)}`,
  );
}
