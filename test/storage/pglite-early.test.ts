/**
 * The PGlite thread that `alertbase serve` starts before it has loaded its
 * configuration (src/storage/drivers/pglite-early.ts): the driver takes it
 * and tells it the directory; a database of another kind stops it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startEarlyPgliteThread,
  startsPgliteEarly,
  stopEarlyPgliteThread,
  takeEarlyPgliteThread,
} from '../../src/storage/drivers/pglite-early.js';
import { PgliteWorkerDatabase } from '../../src/storage/drivers/pglite-worker.js';
import { openDatabase } from '../../src/storage/index.js';

afterEach(() => stopEarlyPgliteThread());

/** Resolves when `worker` has exited. */
function exited(worker: Worker): Promise<number> {
  return new Promise((done) => worker.once('exit', done));
}

describe('startsPgliteEarly', () => {
  it('guesses PGlite in its thread for `serve` unless the environment names a server or the main thread', () => {
    expect(startsPgliteEarly(['serve'], {})).toBe(true);
    expect(startsPgliteEarly(['serve', '--port', '0'], { PGLITE_THREAD: 'worker' })).toBe(true);
    expect(startsPgliteEarly(['validate', 'rules.yml'], {})).toBe(false);
    expect(startsPgliteEarly([], {})).toBe(false);
    expect(startsPgliteEarly(['serve'], { DATABASE_URL: 'postgres://db/alerts' })).toBe(false);
    expect(startsPgliteEarly(['serve'], { DATABASE_URL_FILE: '/run/secrets/db' })).toBe(false);
    expect(startsPgliteEarly(['serve'], { PGLITE_THREAD: 'main' })).toBe(false);
  });
});

describe('the PGlite thread started early', () => {
  it('is taken by the driver, told its directory, and stores there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alertbase-early-'));
    try {
      const early = startEarlyPgliteThread();
      // Started once: a second call gives the same thread.
      expect(startEarlyPgliteThread()).toBe(early);
      let thread: Worker | undefined;
      const db = await PgliteWorkerDatabase.create({
        dataDir: dir,
        onThread: (t) => {
          thread = t;
        },
      });
      expect(thread).toBe(early);
      // Taken: nothing is left to take or stop.
      expect(takeEarlyPgliteThread()).toBeUndefined();
      try {
        await db.exec('CREATE TABLE kept (n int)');
        await db.query('INSERT INTO kept VALUES ($1)', [7]);
      } finally {
        await db.close();
      }
      // The directory it was told holds what it wrote (opened again by a thread of its own).
      const again = await PgliteWorkerDatabase.create({ dataDir: dir });
      try {
        expect((await again.query('SELECT n FROM kept')).rows).toEqual([{ n: 7 }]);
      } finally {
        await again.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is told a dump to start from, and starts from it', async () => {
    const source = await PgliteWorkerDatabase.create();
    let dump: Blob;
    try {
      await source.exec('CREATE TABLE seeded (s text)');
      await source.query('INSERT INTO seeded VALUES ($1)', ['from the dump']);
      dump = await source.dump();
    } finally {
      await source.close();
    }
    const early = startEarlyPgliteThread();
    let thread: Worker | undefined;
    const db = await PgliteWorkerDatabase.create({
      loadDataDir: dump,
      onThread: (t) => {
        thread = t;
      },
    });
    try {
      expect(thread).toBe(early);
      expect((await db.query('SELECT s FROM seeded')).rows).toEqual([{ s: 'from the dump' }]);
    } finally {
      await db.close();
    }
  });

  it('is stopped when the database opened is PGlite on the main thread', async () => {
    const early = startEarlyPgliteThread();
    expect(early.threadId).toBeGreaterThan(0);
    const db = await openDatabase({ url: 'memory://', pgliteThread: 'main', migrate: false });
    try {
      // Stopped before the database opened (Node numbers a thread that has exited -1).
      expect(early.threadId).toBe(-1);
      expect(takeEarlyPgliteThread()).toBeUndefined();
      expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });

  it('is not taken once it has exited: the driver starts a thread of its own', async () => {
    const early = startEarlyPgliteThread();
    const gone = exited(early);
    await early.terminate();
    await gone;
    let thread: Worker | undefined;
    const db = await PgliteWorkerDatabase.create({
      onThread: (t) => {
        thread = t;
      },
    });
    try {
      expect(thread).toBeDefined();
      expect(thread).not.toBe(early);
      expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });
});
