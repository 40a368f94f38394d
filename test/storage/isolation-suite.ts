import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, TransactionClient } from '../../src/storage/index.js';
import { APP_ROLE, assertIsolation } from '../../src/storage/index.js';
import { insertTenant, seedSql, seedTenant, TENANT_TABLES } from './helpers/seed.js';

/** How an isolation run gets its databases. */
export interface IsolationFixture {
  /** Opens the shared, migrated database (a second call may open another pool on it). */
  open(options: { poolSize: number }): Promise<Database>;
  dispose?(): Promise<void>;
}

const A = 'tenant-a';
/** Tables the app role may only read and append to. */
const APPEND_ONLY: readonly string[] = ['audit_events', 'audit_cuts'];
const B = 'tenant-b';

/** As the app role with no tenant set at all. */
async function asAppWithoutTenant<T>(
  db: Database,
  fn: (tx: TransactionClient) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT set_config('role', $1, true)", [APP_ROLE]);
    return fn(tx);
  });
}

async function countAll(tx: TransactionClient, table: string): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0]?.n ?? -1;
}

/**
 * Tenant isolation as an attacker would probe it, with two tenants × 100
 * rows in every tenant table, run as the application role.
 */
export function isolationSuite(fixture: IsolationFixture): void {
  let db: Database;

  beforeAll(async () => {
    db = await fixture.open({ poolSize: 4 });
    await seedTenant(db, A);
    await seedTenant(db, B);
  });
  afterAll(async () => {
    await db?.close();
    await fixture.dispose?.();
  });

  it('sees exactly its own rows in every table', async () => {
    for (const tenant of [A, B]) {
      await db.withTenant(tenant, async (tx) => {
        for (const table of TENANT_TABLES) {
          const { rows } = await tx.query<{ tenant_id: string; n: number }>(
            `SELECT tenant_id, count(*)::int AS n FROM ${table} GROUP BY tenant_id`,
          );
          expect(rows, table).toEqual([{ tenant_id: tenant, n: table === 'tenants' ? 1 : 100 }]);
        }
      });
    }
  });

  const TOUCH: Partial<Record<string, string>> = {
    scheduler_due: 'due_at = due_at',
    notification_events: 'kind = kind',
    notification_groups: 'next_flush_at = next_flush_at',
    notification_log: 'notified_at = notified_at',
    alert_escalations: 'due_at = due_at',
    alert_series: 'at = at',
    payload_archive: 'received_at = received_at',
    write_counters: 'value = value',
  };

  describe.each(TENANT_TABLES)('%s, as tenant A', (table) => {
    it("SELECT aimed at B's rows returns none", async () => {
      await db.withTenant(A, async (tx) => {
        const { rowCount } = await tx.query(`SELECT * FROM ${table} WHERE tenant_id = $1`, [B]);
        expect(rowCount).toBe(0);
        const byKey = await tx.query(`SELECT * FROM ${table} WHERE tenant_id <> $1`, [A]);
        expect(byKey.rowCount).toBe(0);
      });
    });

    if (!APPEND_ONLY.includes(table)) {
      it("UPDATE and DELETE aimed at B's rows change none", async () => {
        // A column every row has besides the key (some tables have no updated_at).
        const touch = TOUCH[table] ?? 'updated_at = updated_at';
        await db.withTenant(A, async (tx) => {
          const updated = await tx.query(`UPDATE ${table} SET ${touch} WHERE tenant_id = $1`, [B]);
          expect(updated.rowCount).toBe(0);
          const deleted = await tx.query(`DELETE FROM ${table} WHERE tenant_id = $1`, [B]);
          expect(deleted.rowCount).toBe(0);
          // Without a WHERE: only A's own rows, never B's.
          const all = await tx.query(`UPDATE ${table} SET ${touch}`);
          expect(all.rowCount).toBe(table === 'tenants' ? 1 : 100);
        });
        await db.withTenant(B, async (tx) => {
          expect(await countAll(tx, table)).toBe(table === 'tenants' ? 1 : 100);
        });
      });

      it('cannot move its rows to tenant B (42501)', async () => {
        await expect(
          db.withTenant(A, (tx) => tx.query(`UPDATE ${table} SET tenant_id = $1`, [B])),
        ).rejects.toMatchObject({ sqlState: '42501' });
      });
    }

    it("INSERT with B's tenant_id fails with 42501", async () => {
      const attempt = (tx: TransactionClient) =>
        table === 'tenants'
          ? tx.query(
              "INSERT INTO tenants (tenant_id, name, status, doc) VALUES ($1, 'x', 'active', '{}')",
              [B],
            )
          : tx.query(
              seedSql(table, 1_001, 1_001).replaceAll("current_setting('app.tenant_id')", `'${B}'`),
            );
      await expect(db.withTenant(A, attempt)).rejects.toMatchObject({
        code: 'ALERTBASE_STORAGE_QUERY_FAILED',
        sqlState: '42501',
      });
    });
  });

  it('audit rows and cuts cannot be updated, deleted or truncated by the app role', async () => {
    for (const sql of [
      "UPDATE audit_events SET result = 'tampered'",
      'DELETE FROM audit_events',
      'TRUNCATE audit_events',
      "UPDATE audit_cuts SET seal = 'forged'",
      'DELETE FROM audit_cuts',
      'TRUNCATE audit_cuts',
    ]) {
      await expect(
        db.withTenant(A, (tx) => tx.query(sql)),
        sql,
      ).rejects.toMatchObject({
        sqlState: '42501',
      });
    }
    await db.withTenant(A, async (tx) => {
      expect(await countAll(tx, 'audit_events')).toBe(100);
      await tx.query(seedSql('audit_events', 101, 101));
      expect(await countAll(tx, 'audit_events')).toBe(101);
    });
  });

  it('cannot read, write or change an audit partition directly, only through the parent', async () => {
    const { rows } = await db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'audit_events'::regclass ORDER BY 1`,
    );
    expect(rows.map((r) => r.name)).toContain('audit_events_default');
    expect(rows.length).toBeGreaterThanOrEqual(4);
    // The rows seeded now are in the current month's partition.
    const { rows: here } = await db.query<{ part: string }>(
      "SELECT DISTINCT tableoid::regclass::text AS part FROM audit_events WHERE tenant_id = 'tenant-b'",
    );
    expect(here).toHaveLength(1);
    for (const { name } of rows) {
      for (const sql of [
        `SELECT count(*) FROM ${name}`,
        `SELECT count(*) FROM ${name} WHERE tenant_id = '${B}'`,
        `DELETE FROM ${name}`,
        `ALTER TABLE ${name} NO FORCE ROW LEVEL SECURITY`,
      ]) {
        await expect(
          db.withTenant(A, (tx) => tx.query(sql)),
          sql,
        ).rejects.toMatchObject({
          sqlState: '42501',
        });
      }
    }
    // Through the parent, even aimed at one partition's range: only A's rows.
    const month = await db.withTenant(A, (tx) =>
      tx.query<{ tenant_id: string }>(
        `SELECT DISTINCT tenant_id FROM audit_events
          WHERE created_at >= date_trunc('month', now()) AND created_at < date_trunc('month', now()) + interval '1 month'`,
      ),
    );
    expect(month.rows).toEqual([{ tenant_id: A }]);
  });

  it('sees no rows with no tenant set, or an empty one, and cannot insert', async () => {
    for (const setting of [undefined, '']) {
      await asAppWithoutTenant(db, async (tx) => {
        if (setting !== undefined) {
          await tx.query("SELECT set_config('app.tenant_id', $1, true)", [setting]);
        }
        for (const table of TENANT_TABLES) expect(await countAll(tx, table), table).toBe(0);
      });
    }
    await expect(
      asAppWithoutTenant(db, (tx) => insertTenant(tx, 'tenant-c')),
    ).rejects.toMatchObject({ sqlState: '42501' });
  });

  it('a pooled connection carries nothing into the next transaction', async () => {
    const single = await fixture.open({ poolSize: 1 });
    try {
      expect(await single.withTenant(A, (tx) => countAll(tx, 'alerts'))).toBe(100);
      await asAppWithoutTenant(single, async (tx) => {
        const { rows } = await tx.query<{ t: string | null }>(
          "SELECT current_setting('app.tenant_id', true) AS t",
        );
        expect(rows[0]?.t ?? '').toBe('');
        for (const table of TENANT_TABLES) expect(await countAll(tx, table), table).toBe(0);
      });
      const role = await single.query<{ u: string }>('SELECT current_user AS u');
      expect(role.rows[0]?.u).not.toBe(APP_ROLE);
    } finally {
      await single.close();
    }
  });

  it('serves 1,000 interleaved requests of A and B on one connection at concurrency 10', async () => {
    const single = await fixture.open({ poolSize: 1 });
    let crossTenantRows = 0;
    let served = 0;
    try {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < 1_000) {
          const i = next++;
          const tenant = i % 2 === 0 ? A : B;
          const rows = await single.withTenant(tenant, async (tx) => {
            const alerts = await tx.query<{ tenant_id: string }>(
              'SELECT tenant_id FROM alerts ORDER BY id LIMIT 20',
            );
            const rules = await tx.query<{ tenant_id: string }>(
              'SELECT tenant_id FROM alert_rules WHERE labels @> $1::jsonb',
              [{ team: 't1' }],
            );
            return [...alerts.rows, ...rules.rows];
          });
          served++;
          crossTenantRows += rows.filter((r) => r.tenant_id !== tenant).length;
          if (rows.length !== 20 + 34) throw new Error(`request ${i} saw ${rows.length} rows`);
        }
      };
      await Promise.all(Array.from({ length: 10 }, worker));
    } finally {
      await single.close();
    }
    expect(served).toBe(1_000);
    expect(crossTenantRows).toBe(0);
  });

  it('catalog: every table with tenant_id has forced RLS and an owner that is not the app role', async () => {
    const { rows } = await db.query<{ name: string; forced: boolean; rls: boolean; owner: string }>(
      `SELECT c.relname AS name, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
              pg_get_userbyid(c.relowner) AS owner
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        ORDER BY 1`,
    );
    const partitions = rows.filter((r) => r.name.startsWith('audit_events_'));
    expect(partitions.length).toBeGreaterThanOrEqual(4);
    expect(rows.filter((r) => !partitions.includes(r)).map((r) => r.name)).toEqual(
      [...TENANT_TABLES].sort(),
    );
    for (const row of rows) {
      expect(row, row.name).toMatchObject({ rls: true, forced: true });
      expect(row.owner, row.name).not.toBe(APP_ROLE);
    }
    const policies = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_policies WHERE qual LIKE '%NULLIF%' OR with_check LIKE '%NULLIF%'",
    );
    expect(policies.rows[0]?.n).toBe(TENANT_TABLES.length * 4);
    const report = await assertIsolation(db);
    // Partitions are checked too: they have forced row-level security (and no policy).
    expect(report.tenantTables).toHaveLength(TENANT_TABLES.length + partitions.length);
  });
}
