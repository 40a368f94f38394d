/**
 * `Database.poolStats()` (what `alertbase_db_pool_*` reports): connections in
 * use and requests waiting, on PGlite (one connection) and a PostgreSQL pool.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type Database, openDatabase } from '../../src/storage/index.js';
import { createServerDatabase, describeWithServer, type ServerDatabase } from './helpers/server.js';

/** Holds `n` transactions open at once; returns the stats seen while they are, then releases them. */
async function whileHolding(db: Database, n: number) {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let started = 0;
  const running = Array.from({ length: n }, () =>
    db.transaction(async (tx) => {
      started++;
      await tx.query('SELECT 1');
      await held;
    }),
  );
  // Wait until the first transaction runs (the others queue behind it or run beside it).
  for (let i = 0; i < 200 && started === 0; i++) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 50));
  const during = db.poolStats?.();
  release();
  await Promise.all(running);
  return { during, after: db.poolStats?.() };
}

describe('pool stats: PGlite', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.close());

  it('one connection: one in use, the rest waiting, none after', async () => {
    expect(db.poolStats?.()).toEqual({ size: 1, inUse: 0, waiting: 0, max: 1 });
    const { during, after } = await whileHolding(db, 3);
    expect(during).toEqual({ size: 1, inUse: 1, waiting: 2, max: 1 });
    expect(after).toEqual({ size: 1, inUse: 0, waiting: 0, max: 1 });
  });
});

describeWithServer('pool stats: PostgreSQL server', () => {
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

  it("reports pg.Pool's counters: two in use, one waiting, at most two", async () => {
    const { during, after } = await whileHolding(db, 3);
    expect(during).toEqual({ size: 2, inUse: 2, waiting: 1, max: 2 });
    expect(after?.inUse).toBe(0);
    expect(after?.waiting).toBe(0);
  });
});
