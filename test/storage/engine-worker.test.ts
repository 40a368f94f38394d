import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { PgliteWorkerDatabase } from '../../src/storage/drivers/pglite-worker.js';
import { openDatabase } from '../../src/storage/index.js';
import { engineContract } from './engine-contract.js';

describe('engine contract: PGlite in a worker thread (memory)', () => {
  engineContract({ open: () => openDatabase({ url: 'memory://', pgliteThread: 'worker' }) });
});

describe('PGlite in a worker thread', () => {
  it('a statement too long to remember by number is sent whole, every time', async () => {
    const db = await openDatabase({ url: 'memory://', pgliteThread: 'worker', migrate: false });
    try {
      // Over the 64 KiB a statement's text may have to be named by its number.
      const long = 'x'.repeat(70 * 1024);
      const sql = `SELECT length('${long}') AS n, $1::int AS k`;
      for (const k of [1, 2]) {
        expect((await db.query(sql, [k])).rows).toEqual([{ n: long.length, k }]);
      }
      // A remembered statement after it still finds its own text.
      expect((await db.query('SELECT $1::int AS one', [1])).rows).toEqual([{ one: 1 }]);
      expect((await db.query('SELECT $1::int AS one', [2])).rows).toEqual([{ one: 2 }]);
    } finally {
      await db.close();
    }
  });

  it('a thread that ends fails every statement from then on with 503, instead of leaving it waiting', async () => {
    let thread: Worker | undefined;
    const db = await PgliteWorkerDatabase.create({
      onThread: (t) => {
        thread = t;
      },
    });
    try {
      expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      // A statement under way when the thread goes, and the ones after.
      const under = db.query('SELECT pg_sleep(0.5)');
      await thread?.terminate();
      await expect(under).rejects.toMatchObject({
        code: 'ALERTBASE_STORAGE_UNAVAILABLE',
        status: 503,
      });
      await expect(db.query('SELECT 1 AS one')).rejects.toMatchObject({
        code: 'ALERTBASE_STORAGE_UNAVAILABLE',
        context: { reason: expect.stringMatching(/^the PGlite thread exited/) },
      });
      await expect(db.transaction((tx) => tx.query('SELECT 1 AS one'))).rejects.toMatchObject({
        code: 'ALERTBASE_STORAGE_UNAVAILABLE',
      });
    } finally {
      await db.close();
    }
  });
});
