import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditKeysOf, KeyRing } from '../../src/security/index.js';
import {
  appendAuditMany,
  auditPartitionOf,
  checksumOf,
  createTestDatabase,
  type Database,
  MIGRATIONS,
  MIGRATIONS_TABLE,
  type Migration,
  migrate,
  openDatabase,
  verifyAuditChain,
} from '../../src/storage/index.js';
import { insertTenant } from './helpers/seed.js';
import { createServerDatabase, describeWithServer, type ServerDatabase } from './helpers/server.js';

const [first] = MIGRATIONS as [Migration];
/** Every migration's id, and the id a new one would take. */
const IDS = MIGRATIONS.map((m) => m.id);
const NEXT = MIGRATIONS.length + 1;

describe('migrations', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.close());

  it('checksums are SHA-256 hex of the SQL', () => {
    expect(checksumOf('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('records every applied migration with its checksum', async () => {
    const { rows } = await db.query<{ id: number; name: string; checksum: string }>(
      `SELECT id, name, checksum FROM ${MIGRATIONS_TABLE} ORDER BY id`,
    );
    expect(rows).toEqual(
      MIGRATIONS.map((m) => ({ id: m.id, name: m.name, checksum: checksumOf(m.sql) })),
    );
    expect(IDS).toEqual(Array.from({ length: MIGRATIONS.length }, (_, k) => k + 1));
    expect(await migrate(db)).toEqual({ applied: [], alreadyApplied: IDS });
  });

  it('refuses a migration changed after it was applied', async () => {
    const changed = { ...first, sql: `${first.sql}\n-- edited` };
    const err = await migrate(db, { migrations: [changed, ...MIGRATIONS.slice(1)] }).catch(
      (e) => e,
    );
    expect(err).toMatchObject({
      code: 'ALERTBASE_STORAGE_MIGRATION_CHECKSUM',
      context: { id: 1, applied: checksumOf(first.sql), current: checksumOf(changed.sql) },
    });
  });

  it('refuses ids out of order', async () => {
    await expect(
      migrate(db, { migrations: [...MIGRATIONS, { id: NEXT + 1, name: 'gap', sql: 'SELECT 1' }] }),
    ).rejects.toMatchObject({
      code: 'ALERTBASE_STORAGE_MIGRATION_FAILED',
      context: { id: NEXT + 1 },
    });
  });

  it('rolls back a failing migration entirely', async () => {
    const bad: Migration = {
      id: NEXT,
      name: 'bad',
      sql: 'CREATE TABLE half_done (x int); SELECT * FROM no_such_table;',
    };
    await expect(migrate(db, { migrations: [...MIGRATIONS, bad] })).rejects.toMatchObject({
      code: 'ALERTBASE_STORAGE_MIGRATION_FAILED',
      sqlState: '42P01',
      context: { id: NEXT, name: 'bad' },
    });
    expect((await db.query("SELECT to_regclass('half_done') AS t")).rows).toEqual([{ t: null }]);
    expect((await db.query(`SELECT id FROM ${MIGRATIONS_TABLE}`)).rowCount).toBe(MIGRATIONS.length);
  });

  it('applies new migrations after the applied ones, then refuses a code base that lacks them', async () => {
    const next: Migration = { id: NEXT, name: 'next', sql: 'CREATE TABLE next_one (x int);' };
    expect(await migrate(db, { migrations: [...MIGRATIONS, next] })).toEqual({
      applied: [NEXT],
      alreadyApplied: IDS,
    });
    await expect(migrate(db)).rejects.toMatchObject({
      code: 'ALERTBASE_STORAGE_MIGRATION_UNKNOWN',
      context: { id: NEXT, name: 'next' },
    });
  });
});

describeWithServer('migrations on a server', () => {
  let server: ServerDatabase;
  beforeAll(async () => {
    server = await createServerDatabase();
  });
  afterAll(async () => server?.drop());

  it('concurrent migrate calls apply each migration exactly once', async () => {
    const dbs = await Promise.all(
      Array.from({ length: 4 }, () => openDatabase({ url: server.url, migrate: false })),
    );
    try {
      const extra: Migration = {
        id: 2,
        name: 'slow',
        sql: 'SELECT pg_sleep(0.2); CREATE TABLE slow_one (x int);',
      };
      const results = await Promise.all(
        dbs.map((db) => migrate(db, { migrations: [first, extra] })),
      );
      const applied = results.flatMap((r) => r.applied).sort();
      expect(applied).toEqual([1, 2]);
      for (const r of results) expect([...r.applied, ...r.alreadyApplied].sort()).toEqual([1, 2]);
      const [db] = dbs as [Database];
      const { rows } = await db.query<{ id: number; n: number }>(
        `SELECT id, count(*)::int AS n FROM ${MIGRATIONS_TABLE} GROUP BY id ORDER BY id`,
      );
      expect(rows).toEqual([
        { id: 1, n: 1 },
        { id: 2, n: 1 },
      ]);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  });
});

const DAY = 86_400_000;
const keys = auditKeysOf(KeyRing.generate('conversion'));

/**
 * A database at migration 0006 holding audit chains over several months
 * (and one plain SHA-256 tenant), converted by 0007: every row kept, in its
 * month's partition, every chain verifying as before.
 */
function conversionSuite(
  open: (at: number) => Promise<{ db: Database; drop: () => Promise<void> }>,
) {
  it('0007 moves every audit row of a 0006 database into monthly partitions; chains verify', async () => {
    const { db, drop } = await open(6);
    try {
      expect((await db.query(`SELECT max(id) AS id FROM ${MIGRATIONS_TABLE}`)).rows).toEqual([
        { id: 6 },
      ]);
      const now = Date.now();
      for (const [tenant, sealed] of [
        ['t-sealed', true],
        ['t-plain', false],
      ] as const) {
        await db.withTenant(tenant, (tx) => insertTenant(tx, tenant));
        for (const daysAgo of [95, 64, 33, 2, 0]) {
          await db.withTenant(tenant, (tx) =>
            appendAuditMany(
              tx,
              tenant,
              Array.from({ length: 40 }, (_, i) => ({
                entry: {
                  actor: 'user:seed',
                  action: 'create' as const,
                  entityType: 'Alert',
                  entityId: `a-${daysAgo}-${i}`,
                  before: null,
                  after: null,
                },
                at: new Date(now - daysAgo * DAY + i),
              })),
              undefined,
              sealed ? keys : undefined,
            ),
          );
        }
      }
      const snapshot = (sql: string) =>
        db.query<{ tenant_id: string; seq: string; hash: string }>(sql);
      const rowsBefore = await snapshot(
        'SELECT tenant_id, seq, hash, created_at, doc FROM audit_events ORDER BY tenant_id, seq',
      );
      expect(rowsBefore.rowCount).toBe(400);

      expect(await migrate(db)).toEqual({
        applied: IDS.filter((id) => id > 6),
        alreadyApplied: [1, 2, 3, 4, 5, 6],
      });
      const rowsAfter = await snapshot(
        'SELECT tenant_id, seq, hash, created_at, doc FROM audit_events ORDER BY tenant_id, seq',
      );
      expect(rowsAfter.rows).toEqual(rowsBefore.rows);
      const placed = await db.query<{ part: string; n: number }>(
        'SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM audit_events GROUP BY 1',
      );
      expect(placed.rows.map((r) => r.part)).not.toContain('audit_events_default');
      for (const daysAgo of [95, 64, 33, 2, 0]) {
        expect(placed.rows.map((r) => r.part)).toContain(
          auditPartitionOf(new Date(now - daysAgo * DAY)).name,
        );
      }
      expect(placed.rows.reduce((n, r) => n + r.n, 0)).toBe(400);
      expect(await verifyAuditChain(db, 't-sealed', { keys })).toEqual({ ok: true, length: 200 });
      expect(await verifyAuditChain(db, 't-plain')).toEqual({ ok: true, length: 200 });
      // The chain goes on after the conversion.
      await db.withTenant('t-sealed', (tx) =>
        appendAuditMany(
          tx,
          't-sealed',
          [
            {
              entry: {
                actor: 'user:seed',
                action: 'update',
                entityType: 'Alert',
                entityId: 'a',
                before: null,
                after: null,
              },
              at: new Date(),
            },
          ],
          undefined,
          keys,
        ),
      );
      expect(await verifyAuditChain(db, 't-sealed', { keys })).toEqual({ ok: true, length: 201 });
    } finally {
      await db.close();
      await drop();
    }
  }, 120_000);
}

describe('converting a database from 0006 on PGlite', () => {
  conversionSuite(async (at) => ({
    db: await openDatabase({ url: 'memory://', migrations: MIGRATIONS.slice(0, at) }),
    drop: async () => {},
  }));
});

describeWithServer('converting a database from 0006 on a server', () => {
  conversionSuite(async (at) => {
    const server = await createServerDatabase();
    return {
      db: await openDatabase({ url: server.url, migrations: MIGRATIONS.slice(0, at) }),
      drop: () => server.drop(),
    };
  });
});
