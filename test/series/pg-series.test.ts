import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type Database, openDatabase } from '../../src/storage/index.js';
import { createPgSeriesStore } from '../../src/storage/series/index.js';
import {
  createServerDatabase,
  describeWithServer,
  type ServerDatabase,
} from '../storage/helpers/server.js';
import { point, seriesContract, T0 } from './series-contract.js';

describe('PostgreSQL series store on PGlite', () => {
  let db: Database | undefined;
  afterAll(async () => db?.close());
  seriesContract('PostgreSQL (PGlite)', async () => {
    db = await createTestDatabase();
    return createPgSeriesStore(db);
  });

  it('row-level security keeps tenants apart in alert_series', async () => {
    const own = await createTestDatabase();
    try {
      const store = createPgSeriesStore(own);
      await store.write([
        point({ kind: 'created', time: T0 }),
        point({ kind: 'created', time: T0, tenantId: 'b' }),
      ]);
      const { rows } = await own.withTenant('b', (tx) =>
        tx.query<{ tenant_id: string }>('SELECT tenant_id FROM alert_series'),
      );
      expect(rows.map((r) => r.tenant_id)).toEqual(['b']);
      await expect(
        own.withTenant('b', (tx) =>
          tx.query(
            `INSERT INTO alert_series (tenant_id, at, kind, status) VALUES ('acme', now(), 'created', 'firing')`,
          ),
        ),
      ).rejects.toMatchObject({ sqlState: '42501' });
    } finally {
      await own.close();
    }
  });
});

describeWithServer('PostgreSQL series store on the server', () => {
  let server: ServerDatabase | undefined;
  let db: Database | undefined;
  afterAll(async () => {
    await db?.close();
    await server?.drop();
  });
  seriesContract('PostgreSQL (server)', async () => {
    server = await createServerDatabase();
    db = await openDatabase({ url: server.url, poolSize: 2 });
    return createPgSeriesStore(db);
  });
});
