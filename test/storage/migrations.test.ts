import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checksumOf,
  createTestDatabase,
  type Database,
  MIGRATIONS,
  MIGRATIONS_TABLE,
  type Migration,
  migrate,
  openDatabase,
} from '../../src/storage/index.js';
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
