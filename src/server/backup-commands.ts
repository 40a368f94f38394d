/**
 * `alertbase backup` and `alertbase restore`. PGlite: the data directory as
 * a tarball, taken through the running server's API when one holds the
 * directory (`GET /v1/admin/backup`, with `ALERTBASE_ADMIN_KEY`), else by
 * opening it; restored into an empty directory, then opened once (the
 * migrations and the isolation self-check run). A PostgreSQL server:
 * `pg_dump` / `pg_restore` in the custom format.
 */
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadConfig } from '../config/index.js';
import { backupPglite, isDumpable, pgDump, pgRestore } from '../storage/backup.js';
import { lockDataDir } from '../storage/data-dir-lock.js';
import { StorageError } from '../storage/errors.js';
import { openDatabase } from '../storage/index.js';
import { type CommandIo, runningServerOf } from './commands.js';
import { seedDataDir } from './data-dir.js';

/** Options of `alertbase backup`. */
export interface BackupCommandOptions {
  /** The file written (PGlite: a tarball; PostgreSQL: pg_dump's custom format). */
  readonly out: string;
  readonly config?: string | undefined;
}

/** Options of `alertbase restore`. */
export interface RestoreCommandOptions {
  /** A file `alertbase backup` wrote. */
  readonly from: string;
  /** Replace a PGlite data directory that holds data. */
  readonly force?: boolean | undefined;
  readonly config?: string | undefined;
}

const failed = (what: string, reason: string): StorageError =>
  new StorageError('ALERTBASE_STORAGE_BACKUP_FAILED', { what, reason });

/** Whether a directory exists with something in it. */
async function holdsData(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0;
  } catch {
    return false;
  }
}

/** Writes `bytes` beside `file` and renames it into place: no half-written backup. */
async function writeWhole(file: string, bytes: Uint8Array): Promise<void> {
  const partial = `${file}.partial-${process.pid}`;
  try {
    await writeFile(partial, bytes);
    await rename(partial, file);
  } finally {
    await rm(partial, { force: true });
  }
}

/**
 * `alertbase backup --out FILE`: a consistent backup while the service runs.
 *
 * @returns how the backup was taken: `api` (through the running server),
 * `pglite` (the directory opened here) or `pg_dump`.
 */
export async function runBackup(
  options: BackupCommandOptions,
  io: CommandIo,
): Promise<'api' | 'pglite' | 'pg_dump'> {
  const { config } = await loadConfig({ env: io.env, cwd: io.cwd, configFile: options.config });
  const out = resolve(io.cwd, options.out);
  const url = config.storage.databaseUrl;
  if (url !== undefined) {
    await pgDump(url, out);
    io.stdout.write(
      `Backup of the PostgreSQL database written to ${out} (pg_dump custom format)\n`,
    );
    return 'pg_dump';
  }
  const { dataDir } = config.storage;
  const server = await runningServerOf(config);
  if (server !== undefined) {
    const res = await fetch(`${server.url}/v1/admin/backup`, {
      headers: { authorization: `Bearer ${server.adminKey}` },
      signal: AbortSignal.timeout(600_000),
    });
    if (res.status !== 200) {
      throw failed(
        `backup through the running server at ${server.url}`,
        `it answered ${res.status}: ${(await res.text()).slice(0, 500)}`,
      );
    }
    await writeWhole(out, new Uint8Array(await res.arrayBuffer()));
    io.stdout.write(
      `Backup of ${resolve(dataDir)} taken by the running server at ${server.url}, written to ${out}\n`,
    );
    return 'api';
  }
  if (!(await holdsData(dataDir))) {
    throw failed(`backup of ${resolve(dataDir)}`, 'there is no data directory there');
  }
  const lock = await lockDataDir(dataDir, {
    holder: 'alertbase backup',
    advice:
      'set ALERTBASE_ADMIN_KEY to a platform administrator key of that server to back it up through its API while it runs, or stop it',
  });
  try {
    const db = await openDatabase({ dataDir, lock, migrate: false });
    try {
      if (!isDumpable(db)) throw failed('backup', 'the database cannot dump its directory');
      await writeWhole(out, new Uint8Array(await (await backupPglite(db)).arrayBuffer()));
    } finally {
      await db.close();
    }
  } finally {
    await lock.release();
  }
  io.stdout.write(`Backup of ${resolve(dataDir)} written to ${out}\n`);
  return 'pglite';
}

/**
 * `alertbase restore --from FILE [--force]`: PGlite: into the configured
 * data directory, which must be empty (or `--force`: replaced) and not in
 * use; PostgreSQL: into the database `DATABASE_URL` names, which must be
 * empty. The restored database is then opened once: migrations newer than
 * the backup are applied and the isolation self-check runs.
 */
export async function runRestore(options: RestoreCommandOptions, io: CommandIo): Promise<void> {
  const { config } = await loadConfig({ env: io.env, cwd: io.cwd, configFile: options.config });
  const from = resolve(io.cwd, options.from);
  const url = config.storage.databaseUrl;
  if (url !== undefined) {
    await pgRestore(url, from);
    const db = await openDatabase({ url, timeoutMs: config.storage.databaseTimeoutMs });
    await db.close();
    io.stdout.write(`Restored ${from} into the PostgreSQL database (pg_restore)\n`);
    return;
  }
  const { dataDir } = config.storage;
  const lock = await lockDataDir(dataDir, {
    holder: 'alertbase restore',
    advice: 'stop it first: a restore replaces its data directory',
  });
  try {
    if (await holdsData(dataDir)) {
      if (options.force !== true) {
        throw failed(
          `restore into ${resolve(dataDir)}`,
          'the directory holds data: move it away, or pass --force to replace it',
        );
      }
      await rm(dataDir, { recursive: true, force: true });
    }
    const bytes = await readFile(from);
    await seedDataDir(dataDir, async () => new Blob([bytes]));
    const db = await openDatabase({ dataDir, lock });
    await db.close();
  } finally {
    await lock.release();
  }
  io.stdout.write(`Restored ${from} into ${resolve(dataDir)}\n`);
}
