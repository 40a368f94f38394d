import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type Database, openDatabase } from '../../src/storage/index.js';
import { engineContract } from './engine-contract.js';
import { createServerDatabase, describeWithServer, type ServerDatabase } from './helpers/server.js';

describe('engine contract: PGlite (memory)', () => {
  engineContract({ open: () => createTestDatabase() });
});

describeWithServer('engine contract: PostgreSQL server', () => {
  let server: ServerDatabase | undefined;
  engineContract({
    open: async () => {
      server ??= await createServerDatabase();
      return openDatabase({ url: server.url, poolSize: 4 });
    },
    dispose: async () => server?.drop(),
  });
});

describeWithServer('PostgreSQL server driver', () => {
  let server: ServerDatabase;
  let db: Database;
  beforeAll(async () => {
    server = await createServerDatabase();
    db = await openDatabase({ url: server.url, poolSize: 2, migrate: false });
  });
  afterAll(async () => {
    await db?.close();
    await server?.drop();
  });

  it('destroys a connection that died inside a transaction and keeps serving', async () => {
    await expect(
      db.transaction((tx) => tx.query('SELECT pg_terminate_backend(pg_backend_pid())')),
    ).rejects.toMatchObject({ code: 'ALERTBASE_STORAGE_UNAVAILABLE', status: 503 });
    for (let i = 0; i < 4; i++) {
      expect((await db.transaction((tx) => tx.query('SELECT 1 AS one'))).rows).toEqual([
        { one: 1 },
      ]);
    }
  });

  it('fails to open with a clear code when the server does not answer', async () => {
    await expect(
      openDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', migrate: false }),
    ).rejects.toMatchObject({
      code: 'ALERTBASE_STORAGE_UNAVAILABLE',
      context: { reason: 'network: ECONNREFUSED' },
    });
  });
});
