/**
 * @internal What both PGlite drivers (in process, `pglite.ts`, and in a
 * worker thread, `pglite-worker.ts`) do around PGlite itself: guard its data
 * directory before it opens, and close a notification subscription once.
 */
import { type DataDirLock, lockDataDir } from '../data-dir-lock.js';
import {
  createDiskSpaceGuard,
  DEFAULT_MIN_FREE_BYTES,
  type DiskSpaceGuard,
} from '../disk-space.js';
import type { ChannelSubscription } from '../types.js';
import type { PgliteDatabaseOptions } from './pglite.js';

/** A data directory's lock and disk-space guard; neither for a database in memory. */
export interface DirectoryGuards {
  readonly lock: DataDirLock | undefined;
  readonly space: DiskSpaceGuard | undefined;
}

/**
 * Takes the directory's lock (unless the caller holds it already) and
 * checks its free space: opening writes too (recovery, a checkpoint), so it is
 * refused as well when short of space. The lock is released when the check
 * fails.
 */
export async function guardDirectory(options: PgliteDatabaseOptions): Promise<DirectoryGuards> {
  if (options.dataDir === undefined) return { lock: undefined, space: undefined };
  const lock = options.lock ?? (await lockDataDir(options.dataDir));
  try {
    const space = createDiskSpaceGuard(
      options.dataDir,
      options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES,
    );
    await space.assert();
    return { lock, space };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

/**
 * A subscription that stops listening on its first close (later closes do
 * nothing), and only while the database is open (closing it ends them all).
 * In process nothing is lost, so it is never reset.
 */
export function subscription(
  unlisten: () => Promise<void>,
  databaseClosed: () => boolean,
): ChannelSubscription {
  let live = true;
  return {
    get live() {
      return live;
    },
    close: async () => {
      if (!live) return;
      live = false;
      if (!databaseClosed()) await unlisten();
    },
  };
}
