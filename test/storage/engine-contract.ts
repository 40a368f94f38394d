import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, QueryEvent } from '../../src/storage/index.js';
import { APP_ROLE, StorageError } from '../../src/storage/index.js';

/** How a contract run gets its engine: a fresh, migrated database. */
export interface EngineFixture {
  open(): Promise<Database>;
  dispose?(): Promise<void>;
}

/**
 * The contract every engine fulfils: the same calls give the same results on
 * PGlite and on a PostgreSQL server.
 */
export function engineContract(fixture: EngineFixture): void {
  let db: Database;

  beforeAll(async () => {
    db = await fixture.open();
    await db.exec(`CREATE TABLE contract_items (id integer PRIMARY KEY, v text NOT NULL);
      CREATE TABLE contract_deferred (x integer UNIQUE DEFERRABLE INITIALLY DEFERRED);
      CREATE TABLE contract_bytes (b bytea)`);
  });
  afterAll(async () => {
    await db?.close();
    await fixture.dispose?.();
  });

  describe('query', () => {
    it('binds parameters and parses values the same way on every engine', async () => {
      const when = new Date('2024-05-06T07:08:09.123Z');
      const { rows, rowCount } = await db.query<{
        s: string;
        i: number;
        big: number;
        count: number;
        j: unknown;
        t: Date;
        arr: string[];
        b: boolean;
        n: null;
        num: string;
      }>(
        `SELECT $1::text AS s, $2::int AS i, $3::int8 AS big, count(*) OVER () AS count,
                $4::jsonb AS j, $5::timestamptz AS t, $6::text[] AS arr, $7::boolean AS b,
                NULL AS n, 1.5::numeric AS num`,
        ['x', 42, 9_007_199_254_740_991n, { a: [1, 'two'] }, when, ['p', 'q'], true],
      );
      expect(rowCount).toBe(1);
      expect(rows).toEqual([
        {
          s: 'x',
          i: 42,
          big: 9_007_199_254_740_991,
          count: 1,
          j: { a: [1, 'two'] },
          t: when,
          arr: ['p', 'q'],
          b: true,
          n: null,
          num: '1.5',
        },
      ]);
    });

    it('binds and parses the same under a prepared name, on its first run and after', async () => {
      const when = new Date('2024-05-06T07:08:09.123Z');
      const sql = `SELECT $1::text AS s, $2::int AS i, $3::jsonb AS j, $4::timestamptz AS t,
                          $5::text[] AS arr, $6::boolean AS b, $7::bytea AS bytes, $8::text AS n`;
      const params = [
        'x',
        42,
        { a: [1, 'two'] },
        when,
        ['p', 'q'],
        true,
        new Uint8Array([0, 255]),
        null,
      ];
      const plain = await db.query(sql, params);
      // Six runs: PostgreSQL may switch a prepared statement to its generic plan after five.
      for (let run = 0; run < 6; run++) {
        expect(await db.query(sql, params, { name: 'contract_values' })).toEqual(plain);
      }
      const inside = await db.transaction((tx) =>
        tx.query(sql, params, { name: 'contract_values' }),
      );
      expect(inside).toEqual(plain);
      expect(plain.rows[0]).toMatchObject({
        s: 'x',
        i: 42,
        j: { a: [1, 'two'] },
        t: when,
        n: null,
      });
    });

    it('keeps a prepared statement usable after it failed, and a failed one out of the transaction', async () => {
      const insert = { name: 'contract_insert' };
      const sql = 'INSERT INTO contract_items VALUES ($1, $2)';
      await db.query(sql, [90, 'a'], insert);
      await expect(
        db.transaction(async (tx) => {
          await tx.query(sql, [91, 'b'], insert);
          await tx.query(sql, [90, 'again'], insert);
        }),
      ).rejects.toMatchObject({ sqlState: '23505' });
      await db.transaction((tx) => tx.query(sql, [92, 'c'], insert));
      const { rows } = await db.query<{ id: number }>('SELECT id FROM contract_items ORDER BY id');
      expect(rows.map((r) => r.id)).toEqual([90, 92]);
      await expect(
        db.query('SELECT * FROM no_such_table', [], { name: 'contract_missing' }),
      ).rejects.toMatchObject({
        sqlState: '42P01',
      });
      await expect(
        db.query('SELECT * FROM no_such_table', [], { name: 'contract_missing' }),
      ).rejects.toMatchObject({
        sqlState: '42P01',
      });
      await db.query('DELETE FROM contract_items');
    });

    it('never runs a prepared statement inside a transaction under way elsewhere', async () => {
      let release = (): void => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let entered = (): void => {};
      const inside = new Promise<void>((resolve) => {
        entered = resolve;
      });
      const undone = db
        .transaction(async (tx) => {
          await tx.query("INSERT INTO contract_items VALUES (95, 'uncommitted')");
          entered();
          await held;
          throw new Error('undo');
        })
        .catch((err: unknown) => err);
      await inside;
      const outside = db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM contract_items WHERE id = $1',
        [95],
        { name: 'contract_count' },
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      release();
      expect(await undone).toMatchObject({ message: 'undo' });
      // Waiting for that transaction (PGlite, one connection) or beside it (a server): never in it.
      expect((await outside).rows).toEqual([{ n: 0 }]);
    });

    it('round-trips bytes', async () => {
      await db.query('INSERT INTO contract_bytes (b) VALUES ($1)', [new Uint8Array([0, 1, 255])]);
      const { rows } = await db.query<{ b: Uint8Array }>('SELECT b FROM contract_bytes');
      expect([...(rows[0]?.b ?? [])]).toEqual([0, 1, 255]);
    });

    it('reports rows changed by INSERT, UPDATE and DELETE', async () => {
      const inserted = await db.query(
        'INSERT INTO contract_items (id, v) SELECT g, $1 FROM generate_series(1, 5) g',
        ['a'],
      );
      expect(inserted).toEqual({ rows: [], rowCount: 5 });
      expect((await db.query("UPDATE contract_items SET v = 'b' WHERE id <= 3")).rowCount).toBe(3);
      const returned = await db.query<{ id: number }>(
        'DELETE FROM contract_items WHERE id > 3 RETURNING id',
      );
      expect(returned.rowCount).toBe(2);
      expect(returned.rows.map((r) => r.id).sort()).toEqual([4, 5]);
      await db.query('DELETE FROM contract_items');
    });

    it('runs scripts of several statements', async () => {
      await db.exec(
        "INSERT INTO contract_items VALUES (100, 'x'); INSERT INTO contract_items VALUES (101, 'y');",
      );
      expect((await db.query('SELECT * FROM contract_items WHERE id >= 100')).rowCount).toBe(2);
      await db.exec('DELETE FROM contract_items');
    });

    it('wraps errors with their SQLSTATE', async () => {
      await expect(db.query('SELECT * FROM no_such_table')).rejects.toMatchObject({
        code: 'ALERTBASE_STORAGE_QUERY_FAILED',
        sqlState: '42P01',
      });
      await db.query("INSERT INTO contract_items VALUES (1, 'a')");
      const err = await db.query("INSERT INTO contract_items VALUES (1, 'a')").catch((e) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect(err).toMatchObject({
        sqlState: '23505',
        context: { constraint: 'contract_items_pkey', table: 'contract_items' },
      });
      await expect(db.exec('SELEC 1')).rejects.toMatchObject({ sqlState: '42601' });
      await db.query('DELETE FROM contract_items');
    });
  });

  describe('transaction', () => {
    it('commits what the function did', async () => {
      const result = await db.transaction(async (tx) => {
        await tx.query("INSERT INTO contract_items VALUES (10, 'a')");
        await tx.exec("INSERT INTO contract_items VALUES (11, 'b')");
        return tx.query<{ n: number }>('SELECT count(*) AS n FROM contract_items');
      });
      expect(result.rows[0]?.n).toBe(2);
      expect((await db.query('SELECT * FROM contract_items')).rowCount).toBe(2);
      await db.query('DELETE FROM contract_items');
    });

    it('rolls back and rethrows what the function threw, unchanged', async () => {
      const thrown = new Error('boom');
      const err = await db
        .transaction(async (tx) => {
          await tx.query("INSERT INTO contract_items VALUES (20, 'a')");
          throw thrown;
        })
        .catch((e: unknown) => e);
      expect(err).toBe(thrown);
      expect((await db.query('SELECT * FROM contract_items')).rowCount).toBe(0);
    });

    it('rolls back after a failed statement', async () => {
      await expect(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO contract_items VALUES (30, 'a')");
          await tx.query("INSERT INTO contract_items VALUES (30, 'a')");
        }),
      ).rejects.toMatchObject({ sqlState: '23505' });
      expect((await db.query('SELECT * FROM contract_items')).rowCount).toBe(0);
    });

    it('wraps a failed COMMIT', async () => {
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO contract_deferred VALUES (1), (1)');
        }),
      ).rejects.toMatchObject({ code: 'ALERTBASE_STORAGE_QUERY_FAILED', sqlState: '23505' });
      expect((await db.query('SELECT * FROM contract_deferred')).rowCount).toBe(0);
    });

    it('runs the statements left for the commit after the function, in order, then commits', async () => {
      const seen = await db.transaction(async (tx) => {
        await tx.query("INSERT INTO contract_items VALUES (40, 'a')");
        tx.atCommit("INSERT INTO contract_items VALUES (41, 'b')");
        tx.atCommit("UPDATE contract_items SET v = 'c' WHERE id = 41");
        // Not yet: they run with the commit.
        const { rows } = await tx.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM contract_items',
        );
        return rows[0]?.n;
      });
      expect(seen).toBe(1);
      const { rows } = await db.query<{ id: number; v: string }>(
        'SELECT id, v FROM contract_items ORDER BY id',
      );
      expect(rows).toEqual([
        { id: 40, v: 'a' },
        { id: 41, v: 'c' },
      ]);
      await db.query('DELETE FROM contract_items');
    });

    it('rolls back everything when a statement left for the commit fails', async () => {
      await expect(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO contract_items VALUES (50, 'a')");
          tx.atCommit("INSERT INTO contract_items VALUES (51, 'b')");
          tx.atCommit("INSERT INTO contract_items VALUES (50, 'again')");
        }),
      ).rejects.toMatchObject({ code: 'ALERTBASE_STORAGE_QUERY_FAILED', sqlState: '23505' });
      expect((await db.query('SELECT * FROM contract_items')).rowCount).toBe(0);
      // The connection is usable after it.
      await db.transaction(async (tx) => {
        tx.atCommit("INSERT INTO contract_items VALUES (52, 'c')");
      });
      expect((await db.query('SELECT id FROM contract_items')).rows).toEqual([{ id: 52 }]);
      await db.query('DELETE FROM contract_items');
    });

    it('runs none of the statements left for the commit when the function throws', async () => {
      const thrown = new Error('boom');
      await expect(
        db.transaction(async (tx) => {
          tx.atCommit("INSERT INTO contract_items VALUES (60, 'a')");
          throw thrown;
        }),
      ).rejects.toBe(thrown);
      expect((await db.query('SELECT * FROM contract_items')).rowCount).toBe(0);
    });

    it('refuses a transaction client used after the transaction ended', async () => {
      let leaked: Parameters<Parameters<Database['transaction']>[0]>[0] | undefined;
      await db.transaction(async (tx) => {
        leaked = tx;
      });
      await expect(leaked?.query('SELECT 1')).rejects.toMatchObject({
        code: 'ALERTBASE_STORAGE_CLOSED',
      });
      await expect(leaked?.exec('SELECT 1')).rejects.toMatchObject({
        code: 'ALERTBASE_STORAGE_CLOSED',
      });
      expect(() => leaked?.atCommit('SELECT 1')).toThrow(
        expect.objectContaining({ code: 'ALERTBASE_STORAGE_CLOSED' }),
      );
    });

    it('runs concurrent transactions without losing any', async () => {
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          db.transaction(async (tx) => {
            await tx.query('INSERT INTO contract_items VALUES ($1, $2)', [1_000 + i, 'c']);
          }),
        ),
      );
      expect((await db.query('SELECT * FROM contract_items')).rowCount).toBe(8);
      await db.query('DELETE FROM contract_items');
    });
  });

  describe('withTenant', () => {
    it('runs as the app role with the tenant set, and both end with the transaction', async () => {
      const inside = await db.withTenant('acme', async (tx) => {
        expect(tx.tenantId).toBe('acme');
        return (
          await tx.query<{ u: string; t: string }>(
            "SELECT current_user AS u, current_setting('app.tenant_id', true) AS t",
          )
        ).rows[0];
      });
      expect(inside).toEqual({ u: APP_ROLE, t: 'acme' });
      const after = await db.transaction(
        async (tx) =>
          (
            await tx.query<{ u: string; t: string | null }>(
              "SELECT current_user AS u, current_setting('app.tenant_id', true) AS t",
            )
          ).rows[0],
      );
      expect(after?.u).not.toBe(APP_ROLE);
      expect(after?.t ?? '').toBe('');
    });

    it('refuses an empty tenant id', async () => {
      await expect(db.withTenant('', async () => 1)).rejects.toMatchObject({
        code: 'ALERTBASE_STORAGE_TENANT_REQUIRED',
      });
      await expect(db.withTenant('   ', async () => 1)).rejects.toMatchObject({
        code: 'ALERTBASE_STORAGE_TENANT_REQUIRED',
      });
      await expect(db.withTenant('a\0b', async () => 1)).rejects.toMatchObject({
        code: 'ALERTBASE_STORAGE_TENANT_REQUIRED',
        context: { reason: 'the tenant id holds a NUL character' },
      });
    });

    it('sets a tenant id with quotes and backslashes exactly as given', async () => {
      // The settings travel as literals with BEGIN: quoting must keep them intact.
      for (const id of ["o'brien", 'back\\slash', "x'); SELECT pg_sleep(10); --", "\\''\\"]) {
        const t = await db.withTenant(
          id,
          async (tx) =>
            (await tx.query<{ t: string }>("SELECT current_setting('app.tenant_id') AS t")).rows[0]
              ?.t,
        );
        expect(t).toBe(id);
      }
    });

    it('takes the advisory lock asked for, with the transaction, and only then', async () => {
      const held = (lock?: string) =>
        db.withTenant(
          'acme',
          async (tx) =>
            (
              await tx.query<{ n: number }>(
                "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()",
              )
            ).rows[0]?.n,
          lock === undefined ? {} : { advisoryLock: lock },
        );
      expect(await held()).toBe(0);
      expect(await held('audit:acme')).toBe(1);
      // Two holders of one lock run one after the other, whichever gets it first
      // (each sleeps: without the lock, a server would interleave them).
      const order: string[] = [];
      await Promise.all(
        ['a', 'b'].map((name) =>
          db.withTenant(
            'acme',
            async (tx) => {
              order.push(`${name} in`);
              await tx.query('SELECT pg_sleep(0.15)');
              order.push(`${name} out`);
            },
            { advisoryLock: 'contract' },
          ),
        ),
      );
      const first = order[0]?.slice(0, 1);
      const second = first === 'a' ? 'b' : 'a';
      expect(order).toEqual([`${first} in`, `${first} out`, `${second} in`, `${second} out`]);
    });
  });

  describe('onQuery', () => {
    it('reports every statement with its timing, scope and outcome', async () => {
      const events: QueryEvent[] = [];
      const off = db.onQuery((e) => events.push(e));
      const noisy = db.onQuery(() => {
        throw new Error('a broken metrics hook');
      });
      await db.query('SELECT 1');
      await db.exec('SELECT 2');
      await db.withTenant('acme', (tx) => tx.query('SELECT 3'));
      await db.query('SELECT nope').catch(() => undefined);
      off();
      noisy();
      await db.query('SELECT 4');
      const sqls = events.map((e) => e.sql);
      expect(sqls).toContain('SELECT 1');
      expect(sqls).not.toContain('SELECT 4');
      const first = events.find((e) => e.sql === 'SELECT 1');
      expect(first).toMatchObject({
        engine: db.engine,
        rowCount: 1,
        inTransaction: false,
        tenantId: undefined,
        errorSqlState: undefined,
      });
      expect(first?.durationMs).toBeGreaterThanOrEqual(0);
      expect(events.find((e) => e.sql === 'SELECT 2')).toMatchObject({ rowCount: 0 });
      expect(events.find((e) => e.sql === 'SELECT 3')).toMatchObject({
        inTransaction: true,
        tenantId: 'acme',
      });
      expect(events.find((e) => e.sql === 'SELECT nope')).toMatchObject({
        errorSqlState: '42703',
        rowCount: 0,
      });
    });
  });

  describe('close', () => {
    it('refuses work once closed, and closing twice is harmless', async () => {
      const other = await fixture.open();
      expect(other.closed).toBe(false);
      await other.close();
      await other.close();
      expect(other.closed).toBe(true);
      await expect(other.query('SELECT 1')).rejects.toMatchObject({
        code: 'ALERTBASE_STORAGE_CLOSED',
      });
      await expect(other.transaction(async () => 1)).rejects.toMatchObject({
        code: 'ALERTBASE_STORAGE_CLOSED',
      });
      await expect(other.exec('SELECT 1')).rejects.toMatchObject({
        code: 'ALERTBASE_STORAGE_CLOSED',
      });
    });
  });
}
