/**
 * One process per PGlite data directory. PGlite is PostgreSQL in this
 * process, without a postmaster: two processes that open one directory each
 * write its files as if alone, and corrupt it. So whoever opens a directory
 * first writes a lock file beside it (`<dataDir>.lock`, not inside, so that a
 * `dumpDataDir()` backup never carries it) holding its pid; a second opener
 * gets `ALERTBASE_STORAGE_DATA_DIR_LOCKED` naming that pid. A lock whose
 * process is gone (a crash, `kill -9`) is stale and taken over.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { StorageError } from './errors.js';

/** What a lock file says about its holder. */
export interface DataDirLockInfo {
  readonly pid: number;
  readonly hostname: string;
  /** What holds it: `alertbase serve`, `alertbase admin create-key`, a library user. */
  readonly holder: string;
  /** When it was taken, RFC 3339. */
  readonly since: string;
  /** Where the holder serves its API, once it listens (`alertbase serve`). */
  readonly url?: string | undefined;
}

/** A held lock on a data directory. */
export interface DataDirLock {
  /** The lock file. */
  readonly path: string;
  readonly info: DataDirLockInfo;
  /** Records where the holder serves its API (so that a second opener can say so). */
  announce(url: string): Promise<void>;
  /** Removes the lock file, if it is still this process's. Idempotent. */
  release(): Promise<void>;
}

/** Options of {@link lockDataDir}. */
export interface LockDataDirOptions {
  /** What takes the lock, for the message a second opener gets; default `alertbase`. */
  readonly holder?: string | undefined;
  /** What a second opener should do instead; default: stop the holder. */
  readonly advice?: string | undefined;
}

/** The lock file of a data directory: beside it, `<dataDir>.lock`. */
export function lockFileOf(dataDir: string): string {
  return `${resolve(dataDir)}.lock`;
}

/** @internal Whether a process with this pid runs on this machine. */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** @internal The lock file's holder; `undefined` when it is absent or unreadable (garbage). */
export async function readDataDirLock(path: string): Promise<DataDirLockInfo | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { pid, hostname: host, holder, since, url } = parsed as Record<string, unknown>;
    if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
    return {
      pid,
      hostname: typeof host === 'string' ? host : '',
      holder: typeof holder === 'string' ? holder : 'alertbase',
      since: typeof since === 'string' ? since : '',
      ...(typeof url === 'string' ? { url } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Whether the holder is gone: same machine and no such process (or a garbage file). */
function isStale(info: DataDirLockInfo | undefined): boolean {
  if (info === undefined) return true;
  if (info.hostname !== '' && info.hostname !== hostname()) return false;
  return !processIsAlive(info.pid);
}

/** Writes `info` to `path` atomically: a reader sees the whole file or none. */
async function writeAtomically(path: string, info: DataDirLockInfo, exclusive: boolean) {
  const temp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(temp, `${JSON.stringify(info)}\n`, { mode: 0o644 });
  try {
    // link() fails with EEXIST when the lock exists; rename() replaces it.
    if (exclusive) await link(temp, path);
    else await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Takes the lock of a PGlite data directory, or fails naming its holder.
 * A stale lock (its process is gone) is taken over.
 *
 * @throws StorageError `ALERTBASE_STORAGE_DATA_DIR_LOCKED` while another
 * process (or another open database in this one) holds it.
 * @example
 * ```ts
 * const lock = await lockDataDir('./data', { holder: 'alertbase serve' });
 * try { ... } finally { await lock.release(); }
 * ```
 */
export async function lockDataDir(
  dataDir: string,
  options: LockDataDirOptions = {},
): Promise<DataDirLock> {
  const path = lockFileOf(dataDir);
  await mkdir(dirname(path), { recursive: true });
  let info: DataDirLockInfo = {
    pid: process.pid,
    hostname: hostname(),
    holder: options.holder ?? 'alertbase',
    since: new Date().toISOString(),
  };
  // Two rounds: a stale lock is removed once, then the link is tried again.
  for (let attempt = 0; ; attempt++) {
    try {
      await writeAtomically(path, info, true);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const held = await readDataDirLock(path);
      if (attempt === 0 && isStale(held)) {
        await rm(path, { force: true });
        continue;
      }
      throw lockedError(dataDir, held, options.advice);
    }
  }
  let released = false;
  return {
    path,
    get info() {
      return info;
    },
    async announce(url: string) {
      info = { ...info, url };
      if (!released) await writeAtomically(path, info, false);
    },
    async release() {
      if (released) return;
      released = true;
      const held = await readDataDirLock(path);
      if (held?.pid === info.pid && held.since === info.since) await rm(path, { force: true });
    },
  };
}

/** @internal The error a second opener gets. */
export function lockedError(
  dataDir: string,
  held: DataDirLockInfo | undefined,
  advice?: string,
): StorageError {
  const where =
    held?.hostname !== undefined && held.hostname !== '' && held.hostname !== hostname()
      ? ` on ${held.hostname}`
      : '';
  const serving = held?.url === undefined ? '' : `, serving ${held.url}`;
  return new StorageError('ALERTBASE_STORAGE_DATA_DIR_LOCKED', {
    dataDir: resolve(dataDir),
    pid: held?.pid ?? 'unknown',
    holder: `${held?.holder ?? 'another process'}${where}${serving}`,
    lockFile: lockFileOf(dataDir),
    advice:
      advice ??
      `stop it first (PGlite's directory belongs to one process), or set DATABASE_URL to share a PostgreSQL server between processes`,
  });
}
