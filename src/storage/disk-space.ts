/**
 * PGlite and a full disk: when a write of PostgreSQL-in-WASM meets ENOSPC
 * (a new 16 MiB WAL segment, a table growing), the statement never settles,
 * and the process hangs with the directory half-written. So alertbase stops
 * before: a PGlite database refuses statements with
 * `ALERTBASE_STORAGE_DISK_FULL` (HTTP 503, `/health/ready` fails) while the
 * file system of its directory has less than a reserve free, and again
 * serves once space is freed.
 */
import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { StorageError } from './errors.js';

/** Free space a PGlite directory keeps in reserve by default: four WAL segments. */
export const DEFAULT_MIN_FREE_BYTES = 64 * 1024 * 1024;

/** How long a measurement of free space is trusted, ms. */
const CHECK_INTERVAL_MS = 250;

const MIB = 1024 * 1024;

/**
 * Free bytes (for an unprivileged writer) on the file system that holds, or
 * will hold, `dir` (the nearest directory that exists).
 */
export async function freeBytesOf(dir: string): Promise<number> {
  let at = resolve(dir);
  for (;;) {
    try {
      const stats = await statfs(at);
      return stats.bavail * stats.bsize;
    } catch (err) {
      const parent = dirname(at);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === at) throw err;
      at = parent;
    }
  }
}

/** Refuses work while a directory's file system is short of space. */
export interface DiskSpaceGuard {
  /**
   * @throws StorageError `ALERTBASE_STORAGE_DISK_FULL` while less than the
   * reserve is free (measured at most every 250 ms).
   */
  assert(): Promise<void>;
}

/**
 * A guard on `dir` keeping `minFreeBytes` free.
 *
 * @example
 * ```ts
 * const guard = createDiskSpaceGuard('./data', DEFAULT_MIN_FREE_BYTES);
 * await guard.assert(); // throws ALERTBASE_STORAGE_DISK_FULL when short
 * ```
 */
export function createDiskSpaceGuard(dir: string, minFreeBytes: number): DiskSpaceGuard {
  let measuredAt = Number.NEGATIVE_INFINITY;
  let free = Number.POSITIVE_INFINITY;
  return {
    async assert() {
      const now = performance.now();
      if (now - measuredAt >= CHECK_INTERVAL_MS) {
        free = await freeBytesOf(dir);
        measuredAt = now;
      }
      if (free < minFreeBytes) {
        throw new StorageError('ALERTBASE_STORAGE_DISK_FULL', {
          dataDir: dir,
          freeMb: Math.floor(free / MIB),
          reserveMb: Math.ceil(minFreeBytes / MIB),
        });
      }
    },
  };
}
