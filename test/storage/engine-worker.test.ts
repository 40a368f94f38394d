import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { PgliteWorkerDatabase } from '../../src/storage/drivers/pglite-worker.js';
import { openDatabase } from '../../src/storage/index.js';
import { engineContract } from './engine-contract.js';

describe('engine contract: PGlite in a worker thread (memory)', () => {
  engineContract({ open: () => openDatabase({ url: 'memory://', pgliteThread: 'worker' }) });
});

describe('PGlite in a worker thread', () => {
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
