/**
 * New alerts are inserted without `ON CONFLICT`: a group whose firing
 * fingerprints the heartbeat index does not hold is tried with a plain
 * insert in a savepoint. When one of them is open after all (written before
 * this instance started, or by another instance), the insert fails on the
 * partial unique index, is rolled back to the savepoint and the rows are
 * upserted, with the outcome an upsert at once would have had; the tenant's
 * next 64 groups then upsert at once. On PGlite (in this thread and in a
 * worker thread, whose errors must keep their SQLSTATE) and on the server.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  createRepositories,
  createTestDatabase,
  type Database,
  openDatabase,
} from '../../src/storage/index.js';
import { INGEST_FIRING, INGEST_NEW } from '../../src/storage/repositories/alert-ingest-sql.js';
import { createServerDatabase, describeWithServer, type ServerDatabase } from './helpers/server.js';

const TENANT = 'fresh';
/** Heartbeats are written by the tests themselves (closing the repositories flushes them). */
const WINDOW_MS = 60_000;

type Opener = () => Promise<{ db: Database; dispose(): Promise<void> }>;

/** The ingest statements a database ran, and the SQLSTATE of those that failed. */
function watch(db: Database): { readonly ran: string[]; readonly failed: string[] } {
  const seen = { ran: [] as string[], failed: [] as string[] };
  db.onQuery((event) => {
    const which =
      event.sql === INGEST_NEW.text ? 'new' : event.sql === INGEST_FIRING.text ? 'firing' : '';
    if (which === '') return;
    seen.ran.push(which);
    if (event.errorSqlState !== undefined) seen.failed.push(`${which}:${event.errorSqlState}`);
  });
  return seen;
}

/** Firing: `endsAt` an hour ahead. */
const STARTS = new Date(Date.now() - 3_600_000).toISOString();
const ENDS = new Date(Date.now() + 3_600_000).toISOString();

function alert(name: string) {
  return {
    labels: { alertname: name, job: 'node' },
    annotations: { summary: `${name} is down` },
    level: 'high',
    priority: 'P2',
    startsAt: STARTS,
    endsAt: ENDS,
  };
}

type OpenRow = { fingerprint: string; id: string; duplicate_count: number; status: string };

async function openRows(db: Database): Promise<OpenRow[]> {
  const { rows } = await db.withTenant(TENANT, (tx) =>
    tx.query<OpenRow>(
      `SELECT fingerprint, id, duplicate_count, status FROM alerts
        WHERE status NOT IN ('resolved', 'expired') ORDER BY labels->>'alertname'`,
    ),
  );
  return rows;
}

function suite(name: string, open: Opener) {
  describe(name, () => {
    it('inserts new alerts with the plain insert', async () => {
      const { db, dispose } = await open();
      const repos = createRepositories(db, { heartbeatWindowMs: WINDOW_MS });
      try {
        await repos.tenants.create({ id: TENANT, name: TENANT, tier: 'enterprise' }, 'test');
        const seen = watch(db);
        const result = await repos.alerts.ingest(TENANT, [alert('A'), alert('B')], 'test');
        expect(result.counts).toEqual({ created: 2, deduplicated: 0, resolved: 0, rejected: 0 });
        expect(seen).toEqual({ ran: ['new'], failed: [] });
        // A resend of one of them (a heartbeat) and a new one: the index
        // holds A, so the batch is not new-looking and C is upserted.
        const again = await repos.alerts.ingest(TENANT, [alert('A'), alert('C')], 'test');
        expect(again.counts).toEqual({ created: 1, deduplicated: 1, resolved: 0, rejected: 0 });
        expect(seen.ran).toEqual(['new', 'firing']);
        await repos.alerts.flushHeartbeats();
        const rows = await openRows(db);
        expect(rows.map((r) => r.duplicate_count)).toEqual([1, 0, 0]);
        expect(await repos.audit.verify(TENANT)).toMatchObject({ ok: true });
      } finally {
        await repos.alerts.close();
        await dispose();
      }
    });

    it('upserts after all when a row is open already, then upserts at once for 64 groups', async () => {
      const { db, dispose } = await open();
      const first = createRepositories(db, { heartbeatWindowMs: WINDOW_MS });
      await first.tenants.create({ id: TENANT, name: TENANT, tier: 'enterprise' }, 'test');
      const before = await first.alerts.ingest(TENANT, [alert('A'), alert('B')], 'test');
      await first.alerts.close();
      // A second instance (or this one restarted): its index is empty, so a
      // resend of A looks new.
      const repos = createRepositories(db, { heartbeatWindowMs: WINDOW_MS });
      const seen = watch(db);
      try {
        const result = await repos.alerts.ingest(TENANT, [alert('C'), alert('A')], 'test');
        expect(seen).toEqual({ ran: ['new', 'firing'], failed: ['new:23505'] });
        expect(result.counts).toEqual({ created: 1, deduplicated: 1, resolved: 0, rejected: 0 });
        const idOf = (item: (typeof result.items)[number] | undefined): string | undefined =>
          item !== undefined && 'id' in item ? item.id : undefined;
        const a = idOf(result.items[1]);
        expect(a).toBeDefined();
        expect(a).toBe(idOf(before.items[0]));
        expect(result.items[1]?.outcome).toBe('deduplicated');
        const rows = await openRows(db);
        expect(rows.map((r) => [r.id === a, r.duplicate_count])).toEqual([
          [true, 1],
          [false, 0],
          [false, 0],
        ]);
        // Nothing of the failed insert is left: one event per batch in the
        // trail, and the chain verifies.
        expect(await repos.audit.verify(TENANT)).toMatchObject({ ok: true });
        // The next 64 groups upsert at once; the 65th tries the plain insert again.
        for (let k = 0; k < 64; k++) {
          await repos.alerts.ingest(TENANT, [alert(`N${k}`)], 'test');
        }
        expect(seen.ran.slice(2)).toEqual(Array(64).fill('firing'));
        await repos.alerts.ingest(TENANT, [alert('Last')], 'test');
        expect(seen.ran.slice(66)).toEqual(['new']);
        expect(seen.failed).toEqual(['new:23505']);
      } finally {
        await repos.alerts.close();
        await dispose();
      }
    });
  });
}

suite('new alerts: the plain insert (PGlite)', async () => {
  const db = await createTestDatabase();
  return { db, dispose: () => db.close() };
});

suite('new alerts: the plain insert (PGlite in a worker thread)', async () => {
  const db = await openDatabase({ url: 'memory://', pgliteThread: 'worker' });
  return { db, dispose: () => db.close() };
});

const databases: ServerDatabase[] = [];
afterAll(async () => {
  for (const d of databases) await d.drop();
});

describeWithServer('new alerts: the plain insert (server)', () => {
  suite('on the PostgreSQL server', async () => {
    const database = await createServerDatabase();
    databases.push(database);
    const db = await openDatabase({ url: database.url, poolSize: 4 });
    return { db, dispose: () => db.close() };
  });
});
