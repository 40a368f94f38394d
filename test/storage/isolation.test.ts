import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  type Database,
  ensureAuditPartitions,
  openDatabase,
  purgeExpiredAudit,
} from '../../src/storage/index.js';
import { seedTenant } from './helpers/seed.js';
import {
  adminQuery,
  createServerDatabase,
  describeWithServer,
  randomSuffix,
  type ServerDatabase,
  withDatabase,
} from './helpers/server.js';
import { isolationSuite } from './isolation-suite.js';

describe('tenant isolation: PGlite', () => {
  // PGlite has one connection: the shared database serves every "pool".
  let shared: Promise<Database> | undefined;
  isolationSuite({
    open: async () => {
      shared ??= createTestDatabase();
      const db = await shared;
      // Closing a "pool" must not close the shared instance.
      const view: Database = {
        engine: db.engine,
        get closed() {
          return db.closed;
        },
        query: (sql, params) => db.query(sql, params),
        exec: (sql) => db.exec(sql),
        transaction: (fn) => db.transaction(fn),
        withTenant: (tenantId, fn) => db.withTenant(tenantId, fn),
        onQuery: (listener) => db.onQuery(listener),
        listen: (channel, onMessage, onReset) => db.listen(channel, onMessage, onReset),
        close: async () => {},
      };
      return view;
    },
    dispose: async () => (await shared)?.close(),
  });
});

describeWithServer('tenant isolation: PostgreSQL server', () => {
  let server: ServerDatabase | undefined;
  isolationSuite({
    open: async ({ poolSize }) => {
      if (server === undefined) {
        server = await createServerDatabase();
        return openDatabase({ url: server.url, poolSize });
      }
      return openDatabase({ url: server.url, poolSize, migrate: false });
    },
    dispose: async () => server?.drop(),
  });
});

describeWithServer('tenant isolation: a login that is only a member of the app role', () => {
  let server: ServerDatabase;
  let owner: Database;
  let app: Database;
  const login = `alertbase_login_${randomSuffix()}`;

  beforeAll(async () => {
    server = await createServerDatabase();
    owner = await openDatabase({ url: server.url });
    await seedTenant(owner, 'tenant-a', 10);
    await seedTenant(owner, 'tenant-b', 10);
    await adminQuery(`CREATE ROLE ${login} LOGIN IN ROLE alertbase_app`);
    app = await openDatabase({
      url: withDatabase(server.url, server.name, login),
      migrate: false,
      selfCheck: true,
    });
  });
  afterAll(async () => {
    await app?.close();
    await owner?.close();
    await server?.drop();
    await adminQuery(`DROP ROLE IF EXISTS ${login}`);
  });

  it('cannot escape the app role with SET ROLE or RESET ROLE', async () => {
    await app.withTenant('tenant-a', async (tx) => {
      await expect(tx.query('SET ROLE postgres')).rejects.toMatchObject({ sqlState: '42501' });
    });
    await app.withTenant('tenant-a', async (tx) => {
      await tx.query('RESET ROLE');
      // Back to the login itself: neither owner nor BYPASSRLS, so the policies still apply.
      const { rows } = await tx.query<{ tenant_id: string }>('SELECT tenant_id FROM alerts');
      expect(rows).toHaveLength(10);
      expect(new Set(rows.map((r) => r.tenant_id))).toEqual(new Set(['tenant-a']));
    });
    expect(
      await app.withTenant('tenant-a', (tx) => tx.query('SELECT * FROM alerts')),
    ).toMatchObject({ rowCount: 10 });
  });

  it('creates no audit partition and removes no audit row: it owns neither', async () => {
    expect(await ensureAuditPartitions(app)).toEqual([]);
    expect(await purgeExpiredAudit(app, new Map([['tenant-a', new Date()]]))).toEqual({
      cuts: new Map(),
      partitionsDropped: [],
      rowsDeleted: 0,
      more: false,
    });
    const { rows } = await app.withTenant('tenant-a', (tx) =>
      tx.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events'),
    );
    expect(rows[0]?.n).toBe(10);
  });

  it('cannot read or change the migrations table or switch RLS off', async () => {
    await expect(
      app.withTenant('tenant-a', (tx) => tx.query('SELECT * FROM alertbase_migrations')),
    ).rejects.toMatchObject({ sqlState: '42501' });
    await expect(
      app.withTenant('tenant-a', (tx) =>
        tx.query('ALTER TABLE alerts NO FORCE ROW LEVEL SECURITY'),
      ),
    ).rejects.toMatchObject({ sqlState: '42501' });
  });
});
