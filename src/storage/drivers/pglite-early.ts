/**
 * @internal The PGlite thread, started before the configuration is loaded.
 *
 * `alertbase serve` spends its first few hundred milliseconds loading its
 * modules and its configuration on the main thread; only then does it know
 * where its database is. The thread that will own PGlite does not need to
 * wait for that to start: Node's start of a worker (about 150 ms) and
 * PGlite's imports run on another core meanwhile, and the thread then waits
 * for the directory (an `open` message, `pglite-thread.ts`).
 * `PgliteWorkerDatabase.create` takes the thread started early when there is
 * one, and starts one of its own otherwise.
 *
 * Whether to start one is a guess made from the command line and the
 * environment ({@link startsPgliteEarly}); the configuration decides. A thread
 * that the configuration does not use (a server named in a configuration
 * file, PGlite on the main thread) is stopped when the database opens
 * ({@link stopEarlyPgliteThread}); it cost some CPU, and changed nothing
 * else. Until it is taken, the thread holds nothing open: it does not keep
 * the process alive, and it has touched no directory.
 *
 * Light on purpose (Node's modules only): the command imports it before
 * everything else.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PgliteThreadData } from './pglite-thread.js';

/**
 * Where the thread's module is: beside this one (dist/storage/drivers/, or the
 * TypeScript sources in the tests), or, from the bundled command in dist/bin/,
 * in dist/storage/drivers/.
 */
export function threadModule(): URL {
  const candidates = [
    new URL('./pglite-thread.js', import.meta.url),
    new URL('../storage/drivers/pglite-thread.js', import.meta.url),
    new URL('./pglite-thread.ts', import.meta.url),
  ];
  const found = candidates.find((url) => existsSync(fileURLToPath(url)));
  if (found === undefined) throw new Error('the PGlite thread module is missing from the package');
  return found;
}

/** The thread started early, until it is taken or stopped. */
let early: { readonly worker: Worker; exited: boolean } | undefined;

/**
 * Whether `alertbase <args>` will most likely open PGlite in its thread: the
 * command is `serve`, and the environment names no PostgreSQL server and
 * does not keep PGlite on the main thread (the settings `DATABASE_URL` and
 * `PGLITE_THREAD` of the README's table of settings; a configuration file may still
 * say otherwise).
 */
export function startsPgliteEarly(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  return (
    args[0] === 'serve' &&
    env.DATABASE_URL === undefined &&
    env.DATABASE_URL_FILE === undefined &&
    env.PGLITE_THREAD !== 'main'
  );
}

/** Starts the PGlite thread now, before the directory is known; the thread (started once, until taken). */
export function startEarlyPgliteThread(): Worker {
  if (early !== undefined) return early.worker;
  const data: PgliteThreadData = {
    role: 'alertbase-pglite',
    early: true,
    dataDir: undefined,
    loadDataDir: undefined,
  };
  const worker = new Worker(threadModule(), { workerData: data });
  const started = { worker, exited: false };
  worker.once('exit', () => {
    started.exited = true;
  });
  // A thread that failed exits, and is then not taken: its error surfaces,
  // if at all, from the thread started in its place.
  worker.on('error', () => {});
  worker.unref();
  early = started;
  return worker;
}

/**
 * The thread started early, if any and still running, for the caller to
 * send its `open` message and own (it is referenced again: it keeps the
 * process alive as a thread started by the caller would).
 */
export function takeEarlyPgliteThread(): Worker | undefined {
  const taken = early;
  early = undefined;
  if (taken === undefined || taken.exited) return undefined;
  taken.worker.ref();
  return taken.worker;
}

/** Stops the thread started early, if it was not taken (the database opened is not PGlite in its thread). */
export async function stopEarlyPgliteThread(): Promise<void> {
  const stopped = early;
  early = undefined;
  await stopped?.worker.terminate();
}
