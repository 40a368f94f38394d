/**
 * The ingest queue on the PostgreSQL server. While a tenant's group runs
 * its statements, the batches queued meanwhile join it (one more statement
 * in the same transaction); from its commit on, the transaction of the next
 * group is begun while it runs, waits in the database for the tenant's audit
 * lock, and takes its group only once the one before has ended; if that one
 * failed, it gives way to the failed group's retries. A lock held on
 * `alerts` from another connection stops a group in its statements, one on
 * `audit_events` in its commit (the audit rows are sent with the COMMIT),
 * so that what waits behind it can be seen in `pg_stat_activity`; a trigger
 * that refuses one actor's audit row makes a group fail at its commit.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { LIMITS } from '../../src/base/constants.js';
import { createRepositories, type Database, openDatabase } from '../../src/storage/index.js';
import { createServerDatabase, describeWithServer, type ServerDatabase } from './helpers/server.js';

const FIRST = 'queue-a';
const SECOND = 'queue-b';
const THIRD = 'queue-c';
const FOURTH = 'queue-d';
const FIFTH = 'queue-e';
const SIXTH = 'queue-f';

function alert(name: string) {
  return {
    labels: { alertname: name, job: 'node' },
    annotations: {},
    level: 'high',
    priority: 'P2',
    startsAt: '2026-12-01T00:00:00.000Z',
    endsAt: null,
  };
}

/** Polls `probe` until it holds, for at most 5 s. */
async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeWithServer('ingest queue: the next group begun early (PostgreSQL server)', () => {
  let database: ServerDatabase;
  let db: Database;
  let repos: ReturnType<typeof createRepositories>;
  /** Another connection of the test's own, which holds a lock on `alerts`. */
  let blocker: pg.Client;
  /** One more, which watches `pg_stat_activity` (a transaction sees one snapshot of it). */
  let watcher: pg.Client;

  beforeAll(async () => {
    database = await createServerDatabase();
    db = await openDatabase({ url: database.url, poolSize: 4 });
    repos = createRepositories(db);
    for (const id of [FIRST, SECOND, THIRD, FOURTH, FIFTH, SIXTH]) {
      await repos.tenants.create({ id, name: id, tier: 'enterprise' }, 'test');
    }
    blocker = new pg.Client({ connectionString: database.url });
    await blocker.connect();
    watcher = new pg.Client({ connectionString: database.url });
    await watcher.connect();
  });
  afterAll(async () => {
    await blocker?.end();
    await watcher?.end();
    await db?.close();
    await database?.drop();
  });

  /** Backends of this database that wait for an advisory lock, and for a lock on a relation. */
  async function waiting(): Promise<{ advisory: number; relation: number }> {
    const { rows } = await watcher.query<{ wait_event: string; n: number }>(
      `SELECT wait_event, count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' GROUP BY wait_event`,
    );
    const of = (event: string) => rows.find((r) => r.wait_event === event)?.n ?? 0;
    return { advisory: of('advisory'), relation: of('relation') };
  }

  /**
   * Starts ingests while `table` is locked: `first` stops in its statements
   * (`alerts`) or its commit (`audit_events`), then `behind` are sent. Behind
   * a commit, the next group's transaction is begun at once and waits for
   * the audit lock; behind statements, the batches wait to join the group.
   */
  async function whileBlocked<T>(
    table: 'alerts' | 'audit_events',
    first: () => Promise<T>,
    behind: () => Promise<T>[],
    meanwhile: () => Promise<void> = async () => {},
  ): Promise<PromiseSettledResult<T>[]> {
    await blocker.query(`BEGIN; LOCK TABLE ${table} IN SHARE MODE`);
    const started = [first()];
    try {
      await until('the first group to wait for the table', async () => {
        return (await waiting()).relation === 1;
      });
      started.push(...behind());
      if (table === 'audit_events') {
        await until('the next transaction to wait for the audit lock', async () => {
          return (await waiting()).advisory === 1;
        });
      } else {
        // Validated and queued: nothing tells it but the event loop going idle (a
        // batch of 5,001 alerts keeps it busy for a second or more on a loaded
        // machine; a fixed 300 ms was not always enough).
        await new Promise((resolve) => setTimeout(resolve, 300));
        await until('the batches behind to be validated and queued', async () => {
          const start = performance.eventLoopUtilization();
          await new Promise((resolve) => setTimeout(resolve, 100));
          return performance.eventLoopUtilization(start).utilization < 0.2;
        });
      }
      await meanwhile();
    } finally {
      await blocker.query('COMMIT');
    }
    return Promise.allSettled(started);
  }

  async function ingestsInOrder(tenant: string): Promise<unknown[]> {
    const events = (await repos.audit.list(tenant, { limit: 100 })).filter(
      (e) => e.action === 'ingest',
    );
    return events.map((e) => [e.actor, e.details.received]);
  }

  /** The tenant's alerts as [alertname, duplicateCount], sorted. */
  async function namesAndCounts(tenant: string): Promise<unknown[]> {
    return (await repos.alerts.list(tenant, { limit: 100 })).items
      .map((a) => [a.labels.alertname, a.duplicateCount])
      .sort();
  }

  /** The tenant's ingest events in this order, its chain whole, and nothing left waiting. */
  async function expectCommitted(tenant: string, ingests: unknown[]): Promise<void> {
    expect(await ingestsInOrder(tenant)).toEqual(ingests);
    expect(await repos.audit.verify(tenant)).toMatchObject({ ok: true });
    expect(await waiting()).toEqual({ advisory: 0, relation: 0 });
  }

  it('begins the next group while one commits, and commits the groups in order', async () => {
    const before = repos.alerts.ingestTransactions;
    const began = performance.now();
    const results = await whileBlocked(
      'audit_events',
      () => repos.alerts.ingest(FIRST, [alert('A1'), alert('A2')], 'first'),
      () => [
        repos.alerts.ingest(FIRST, [alert('B1')], 'second'),
        repos.alerts.ingest(FIRST, [alert('A1'), alert('C1')], 'third'),
      ],
      // The first group is held in its commit a while longer (see below).
      () => new Promise((resolve) => setTimeout(resolve, 250)),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const outcomes = results.map((r) =>
      r.status === 'fulfilled' ? r.value.items.map((i) => i.outcome) : [],
    );
    expect(outcomes).toEqual([['created', 'created'], ['created'], ['deduplicated', 'created']]);
    await expectCommitted(FIRST, [
      ['first', 2],
      ['second', 1],
      ['third', 2],
    ]);
    // Counted: the first group alone (held in its commit), the two behind it together.
    const after = repos.alerts.ingestTransactions;
    const elapsed = (performance.now() - began) / 1_000;
    expect(after.committed - before.committed).toBe(2);
    expect(after.batches - before.batches).toBe(3);
    expect(after.alerts - before.alerts).toBe(5);
    // The first held the audit lock while the test's lock held its commit (250 ms and more).
    expect(after.seconds - before.seconds).toBeGreaterThan(0.2);
    // One after the other, within the test's own time (not from some earlier origin).
    expect(after.seconds - before.seconds).toBeLessThanOrEqual(elapsed);
    // The pool has every connection back.
    expect(db.poolStats?.()).toMatchObject({ inUse: 0, waiting: 0 });
  });

  it('counts a large batch of an idle tenant, stored while it is validated, as one transaction', async () => {
    const before = repos.alerts.ingestTransactions;
    const began = performance.now();
    const batch = Array.from({ length: 600 }, (_, i) => alert(`L${i}`));
    // Two items the model refuses are not stored, and not counted.
    batch.push({ ...alert('bad'), level: 'nope' }, { ...alert('bad2'), priority: 'P9' });
    const result = await repos.alerts.ingest(SIXTH, batch, 'large');
    expect(result.counts).toEqual({ created: 600, deduplicated: 0, resolved: 0, rejected: 2 });
    const after = repos.alerts.ingestTransactions;
    expect(after.committed - before.committed).toBe(1);
    expect(after.batches - before.batches).toBe(1);
    expect(after.alerts - before.alerts).toBe(600);
    expect(after.seconds - before.seconds).toBeGreaterThan(0);
    expect(after.seconds - before.seconds).toBeLessThanOrEqual((performance.now() - began) / 1_000);
  });

  it('takes the batches queued while its statement runs into the group: one transaction for all', async () => {
    const before = repos.alerts.ingestTransactions;
    const transactions = vi.spyOn(db, 'withTenant');
    try {
      const results = await whileBlocked(
        'alerts',
        () => repos.alerts.ingest(FOURTH, [alert('H1'), alert('H2')], 'first'),
        () => [
          repos.alerts.ingest(FOURTH, [alert('I1')], 'second'),
          repos.alerts.ingest(FOURTH, [alert('H1'), alert('J1')], 'third'),
        ],
      );
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      const outcomes = results.map((r) =>
        r.status === 'fulfilled' ? r.value.items.map((i) => i.outcome) : [],
      );
      expect(outcomes).toEqual([['created', 'created'], ['created'], ['deduplicated', 'created']]);
      // Ingest's transactions hold the tenant's audit lock (the reads of its rules and silences do not).
      const ingests = transactions.mock.calls.filter(
        ([tenant, , options]) => tenant === FOURTH && options?.advisoryLock !== undefined,
      );
      expect(ingests).toHaveLength(1);
    } finally {
      transactions.mockRestore();
    }
    // Counted as one transaction of three batches.
    const after = repos.alerts.ingestTransactions;
    expect(after.committed - before.committed).toBe(1);
    expect(after.batches - before.batches).toBe(3);
    expect(after.alerts - before.alerts).toBe(5);
    // One audit event per batch all the same, in the order they came.
    await expectCommitted(FOURTH, [
      ['first', 2],
      ['second', 1],
      ['third', 2],
    ]);
  });

  it('leaves what does not fit in a full group to the next transaction, begun at once', async () => {
    const many = (prefix: string) =>
      Array.from({ length: LIMITS.maxIngestGroupSize / 2 + 1 }, (_, k) => alert(`${prefix}${k}`));
    const transactions = vi.spyOn(db, 'withTenant');
    try {
      const results = await whileBlocked(
        'alerts',
        () => repos.alerts.ingest(FOURTH, [alert('K1')], 'first'),
        () => [
          repos.alerts.ingest(FOURTH, many('L'), 'second'),
          repos.alerts.ingest(FOURTH, many('M'), 'third'),
        ],
      );
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      // The first group took the second batch; the third did not fit and had a transaction of its own.
      const ingests = transactions.mock.calls.filter(
        ([tenant, , options]) => tenant === FOURTH && options?.advisoryLock !== undefined,
      );
      expect(ingests).toHaveLength(2);
    } finally {
      transactions.mockRestore();
    }
    const events = (await repos.audit.list(FOURTH, { limit: 100 })).filter(
      (e) => e.action === 'ingest',
    );
    expect(events.slice(-3).map((e) => [e.actor, e.details.received])).toEqual([
      ['first', 1],
      ['second', LIMITS.maxIngestGroupSize / 2 + 1],
      ['third', LIMITS.maxIngestGroupSize / 2 + 1],
    ]);
    expect(await repos.audit.verify(FOURTH)).toMatchObject({ ok: true });
  });

  it('retries a failed group batch by batch, the batches that joined it too, in order', async () => {
    const results = await whileBlocked(
      'alerts',
      // The second batch's audit actor is longer than the model allows: its group fails.
      () =>
        Promise.all([
          repos.alerts.ingest(SECOND, [alert('D1')], 'fourth'),
          repos.alerts.ingest(SECOND, [alert('D2')], 'x'.repeat(300)),
        ]).then(
          () => 'both stored',
          (err: unknown) => err,
        ),
      () => [repos.alerts.ingest(SECOND, [alert('E1'), alert('D1')], 'fifth').then(() => 'fifth')],
    );
    expect(results[0]?.status === 'fulfilled' && results[0].value).toMatchObject({
      code: 'ALERTBASE_VALIDATION_FAILED',
    });
    expect(results[1]).toEqual({ status: 'fulfilled', value: 'fifth' });
    // D1's batch was retried alone and committed before the batch that joined its group.
    await expectCommitted(SECOND, [
      ['fourth', 1],
      ['fifth', 2],
    ]);
    expect(await namesAndCounts(SECOND)).toEqual([
      ['D1', 1],
      ['E1', 0],
    ]);
  });

  it('gives way when the group before fails at its commit: its batches are retried first, then the next group', async () => {
    // A fault of the database's own at the commit: the audit row of one actor is refused.
    await blocker.query(`
      CREATE FUNCTION refuse_explode() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit row refused for %', NEW.actor; END $$;
      CREATE TRIGGER refuse_explode BEFORE INSERT ON audit_events
        FOR EACH ROW WHEN (NEW.actor = 'explode') EXECUTE FUNCTION refuse_explode();`);
    try {
      const results = await whileBlocked(
        'audit_events',
        () =>
          Promise.all([
            repos.alerts.ingest(FIFTH, [alert('N1')], 'fourth'),
            repos.alerts.ingest(FIFTH, [alert('N2')], 'explode'),
          ]).then(
            () => 'both stored',
            (err: unknown) => err,
          ),
        () => [repos.alerts.ingest(FIFTH, [alert('O1'), alert('N1')], 'fifth').then(() => 'fifth')],
      );
      expect(String(results[0]?.status === 'fulfilled' && results[0].value)).toContain(
        'audit row refused for explode',
      );
      expect(results[1]).toEqual({ status: 'fulfilled', value: 'fifth' });
    } finally {
      await blocker.query(
        'DROP TRIGGER refuse_explode ON audit_events; DROP FUNCTION refuse_explode()',
      );
    }
    // The transaction begun behind took nothing: N1's batch, retried alone, committed first.
    await expectCommitted(FIFTH, [
      ['fourth', 1],
      ['fifth', 2],
    ]);
    expect(await namesAndCounts(FIFTH)).toEqual([
      ['N1', 1],
      ['O1', 0],
    ]);
  });

  it('leaves the batches of a transaction that failed while it waited to the next one', async () => {
    const results = await whileBlocked(
      'audit_events',
      () => repos.alerts.ingest(THIRD, [alert('F1')], 'first'),
      () => [
        repos.alerts.ingest(THIRD, [alert('G1')], 'second'),
        repos.alerts.ingest(THIRD, [alert('G2')], 'third'),
      ],
      async () => {
        // The transaction begun early loses its connection while it waits for the audit lock.
        const { rows } = await watcher.query<{ ok: boolean }>(
          `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event = 'advisory'`,
        );
        expect(rows).toEqual([{ ok: true }]);
        // Gone, and its end seen here (its connection left the pool), before the
        // first group goes on: termination is asynchronous.
        await until('the terminated transaction to end', async () => {
          return (await waiting()).advisory === 0 && db.poolStats?.().inUse === 1;
        });
      },
    );
    // Nothing was refused: the batches it had not taken went with the next transaction.
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    await expectCommitted(THIRD, [
      ['first', 1],
      ['second', 1],
      ['third', 1],
    ]);
  });
});
