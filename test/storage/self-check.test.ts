import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertIsolation, createTestDatabase, type Database } from '../../src/storage/index.js';

describe('assertIsolation', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.close());

  it('passes on the migrated schema and lists the tenant tables', async () => {
    const report = await assertIsolation(db);
    expect(report).toMatchObject({ appRole: 'alertbase_app', sessionIsSuperuser: true });
    expect(report.tenantTables).toContain('public.alerts');
  });

  it('refuses a missing, superuser or BYPASSRLS app role', async () => {
    await db.exec(
      'CREATE ROLE test_super SUPERUSER NOLOGIN; CREATE ROLE test_bypass BYPASSRLS NOLOGIN;',
    );
    for (const appRole of ['no_such_role', 'test_super', 'test_bypass']) {
      await expect(assertIsolation(db, { appRole }), appRole).rejects.toMatchObject({
        code: 'ALERTBASE_STORAGE_ISOLATION_UNSAFE',
        context: { appRole },
      });
    }
  });

  it('refuses a tenant table without enabled and forced row-level security', async () => {
    await db.exec('CREATE TABLE leaky (tenant_id text, x int)');
    await expect(assertIsolation(db)).rejects.toMatchObject({
      code: 'ALERTBASE_STORAGE_ISOLATION_UNSAFE',
      context: { table: 'public.leaky' },
    });
    await db.exec('ALTER TABLE leaky ENABLE ROW LEVEL SECURITY');
    await expect(assertIsolation(db)).rejects.toMatchObject({ context: { table: 'public.leaky' } });
    await db.exec('ALTER TABLE leaky FORCE ROW LEVEL SECURITY');
    await expect(assertIsolation(db)).resolves.toMatchObject({
      tenantTables: expect.arrayContaining(['public.leaky']),
    });
  });

  it('refuses a tenant table the app role owns (it could switch RLS off)', async () => {
    await db.exec(`CREATE TABLE owned (tenant_id text);
      ALTER TABLE owned ENABLE ROW LEVEL SECURITY; ALTER TABLE owned FORCE ROW LEVEL SECURITY;
      ALTER TABLE owned OWNER TO alertbase_app;`);
    await expect(assertIsolation(db)).rejects.toMatchObject({
      code: 'ALERTBASE_STORAGE_ISOLATION_UNSAFE',
      context: { table: 'public.owned' },
    });
  });
});
