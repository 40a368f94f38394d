/**
 * Heartbeats: a resend that changes only `endsAt` / `lastReceivedAt` /
 * `duplicateCount` is answered from the index and written behind; anything
 * else is committed before the answer. Run on PGlite and on the server;
 * the property test compares random sequences against a repository that
 * writes everything (window 0) on a database of its own.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditKeysOf, KeyRing } from '../../src/security/index.js';
import {
  createRepositories,
  createTestDatabase,
  type Database,
  openDatabase,
} from '../../src/storage/index.js';
import {
  ALERT_DOCUMENT_COLUMNS,
  type AlertDocumentRow,
  alertDocument,
} from '../../src/storage/repositories/alert-document.js';
import { cacheVersionOf, dataVersionOf } from '../../src/storage/repositories/index.js';
import { createServerDatabase, describeWithServer, type ServerDatabase } from './helpers/server.js';

const TENANT = 'hb';
const WINDOW_MS = 60_000; // flushed by the tests themselves

type Opener = () => Promise<{ db: Database; dispose(): Promise<void> }>;

const pglite: Opener = async () => {
  const db = await createTestDatabase();
  return { db, dispose: () => db.close() };
};

const serverOpener =
  (databases: ServerDatabase[]): Opener =>
  async () => {
    const database = await createServerDatabase();
    databases.push(database);
    const db = await openDatabase({ url: database.url, poolSize: 4 });
    return { db, dispose: () => db.close() };
  };

async function setUp(open: Opener, windowMs: number) {
  const opened = await open();
  const repos = createRepositories(opened.db, { heartbeatWindowMs: windowMs });
  if ((await repos.tenants.find(TENANT)) === undefined) {
    await repos.tenants.create({ id: TENANT, name: 'hb', tier: 'enterprise' }, 'test');
  }
  return {
    ...opened,
    repos,
    async close() {
      await repos.alerts.close();
      await opened.dispose();
    },
  };
}

const HOUR = 3_600_000;

function alert(name: string, endsAt: Date | null, annotations: Record<string, string> = {}) {
  return {
    labels: { alertname: name, job: 'node' },
    annotations,
    level: 'high',
    priority: 'P2',
    startsAt: '2026-12-01T00:00:00.000Z',
    endsAt: endsAt === null ? null : endsAt.toISOString(),
  };
}

type Row = {
  id: string;
  status: string;
  annotations: Record<string, string>;
  ends_at: Date | null;
  duplicate_count: number;
  version: number;
  doc: Record<string, unknown>;
};

async function rows(db: Database): Promise<Row[]> {
  const { rows } = await db.withTenant(TENANT, (tx) =>
    tx.query<Row>(
      'SELECT id, status, annotations, ends_at, duplicate_count, version, doc FROM alerts ORDER BY created_at, id',
    ),
  );
  return rows;
}

async function eventCount(db: Database): Promise<number> {
  const { rows } = await db.withTenant(TENANT, (tx) =>
    tx.query<{ n: number }>('SELECT count(*)::int AS n FROM notification_events'),
  );
  return rows[0]?.n ?? 0;
}

function suite(name: string, open: () => Opener) {
  describe(name, () => {
    let t: Awaited<ReturnType<typeof setUp>>;
    beforeAll(async () => {
      t = await setUp(open(), WINDOW_MS);
      // A routing tree, so that new and resolved alerts create notification events.
      const channel = await t.repos.notificationChannels.create(
        TENANT,
        { name: 'hook', config: { type: 'webhook', url: 'http://127.0.0.1:9/hook' } } as never,
        'test',
      );
      await t.repos.routingTrees.create(
        TENANT,
        {
          route: { receiver: 'hook' },
          receivers: [{ name: 'hook', channels: [channel.id] }],
        } as never,
        'test',
      );
    });
    afterAll(async () => t?.close());
    afterEach(async () => t.repos.alerts.flushHeartbeats());

    it('answers a heartbeat from memory and writes it behind, coalesced, never backwards', async () => {
      const now = Date.now();
      const first = await t.repos.alerts.ingest(
        TENANT,
        [alert('Beat', new Date(now + HOUR))],
        'test',
      );
      expect(first.counts.created).toBe(1);
      const id = first.items[0]?.outcome === 'created' ? first.items[0].id : '';
      const before = (await rows(t.db)).find((r) => r.id === id) as Row;
      const events = await eventCount(t.db);

      const later = new Date(now + 2 * HOUR);
      const beat = await t.repos.alerts.ingest(TENANT, [alert('Beat', later)], 'test');
      expect(beat.items[0]).toMatchObject({ outcome: 'deduplicated', id, status: 'firing' });
      expect(beat.auditEventId).toBeNull();
      // An older copy arriving late: answered too, never moves endsAt back.
      await t.repos.alerts.ingest(TENANT, [alert('Beat', new Date(now + HOUR + 1))], 'test');
      expect(t.repos.alerts.pendingHeartbeats).toBe(2);
      // Not written yet.
      expect((await rows(t.db)).find((r) => r.id === id)?.duplicate_count).toBe(0);

      await t.repos.alerts.flushHeartbeats();
      const after = (await rows(t.db)).find((r) => r.id === id) as Row;
      expect(after.ends_at?.toISOString()).toBe(later.toISOString());
      expect(after.duplicate_count).toBe(2);
      // The columns only: the stored document keeps the first copy's fields,
      // and every read lays the columns over it.
      expect(after.doc.endsAt).toBe(before.doc.endsAt);
      expect(after.doc.duplicateCount).toBe(0);
      const read = await t.repos.alerts.get(TENANT, id);
      expect(read?.endsAt?.toISOString()).toBe(later.toISOString());
      expect(read?.duplicateCount).toBe(2);
      expect(read?.lastReceivedAt.getTime()).toBeGreaterThan(
        new Date(before.doc.lastReceivedAt as string).getTime(),
      );
      const listed = (await t.repos.alerts.list(TENANT, { limit: 500 })).items.find(
        (a) => a.id === id,
      );
      expect(listed?.endsAt?.toISOString()).toBe(later.toISOString());
      expect(listed?.duplicateCount).toBe(2);
      // Nothing a user acts on changed: same version, no notification event.
      expect(after.version).toBe(before.version);
      expect(await eventCount(t.db)).toBe(events);
    });

    it('reads the document with the columns laid over it, in the form alertbase writes', async () => {
      const documents = async (id: string) => {
        const { rows: found } = await t.db.withTenant(TENANT, (tx) =>
          tx.query<AlertDocumentRow>(
            `SELECT doc, ${ALERT_DOCUMENT_COLUMNS.join(', ')} FROM alerts WHERE id = $1`,
            [id],
          ),
        );
        const row = found[0] as AlertDocumentRow;
        return { doc: row.doc, read: alertDocument({ ...row, doc: { ...row.doc } }) };
      };
      const ends = new Date(Date.now() + HOUR);
      const created = await t.repos.alerts.ingest(TENANT, [alert('Overlay', ends)], 'test');
      const id = created.items[0]?.outcome === 'created' ? created.items[0].id : '';
      // Nothing moved yet: the document as stored, to the byte.
      const fresh = await documents(id);
      expect(fresh.read).toEqual(fresh.doc);

      const later = new Date(ends.getTime() + 60_000);
      await t.repos.alerts.ingest(TENANT, [alert('Overlay', later)], 'test');
      await t.repos.alerts.flushHeartbeats();
      const moved = await documents(id);
      expect(moved.doc).toEqual(fresh.doc);
      const received = moved.read.lastReceivedAt as string;
      expect(received).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(received)).toBeGreaterThanOrEqual(
        Date.parse(fresh.doc.lastReceivedAt as string),
      );
      expect(moved.read).toEqual({
        ...fresh.doc,
        endsAt: later.toISOString(),
        lastReceivedAt: received,
        duplicateCount: 1,
      });

      // A time the document does not hold, finer than a millisecond, reads in milliseconds.
      await t.db.withTenant(TENANT, (tx) =>
        tx.query(
          "UPDATE alerts SET last_received_at = '2026-12-01T01:02:03.456789Z', ends_at = NULL WHERE id = $1",
          [id],
        ),
      );
      const fine = await documents(id);
      expect(fine.read.lastReceivedAt).toBe('2026-12-01T01:02:03.456Z');
      expect(fine.read.endsAt).toBeNull();
    });

    it('commits a changed annotation before answering', async () => {
      const ends = new Date(Date.now() + HOUR);
      await t.repos.alerts.ingest(TENANT, [alert('Change', ends, { summary: 'a' })], 'test');
      await t.repos.alerts.ingest(TENANT, [alert('Change', ends, { summary: 'a' })], 'test');
      const changed = await t.repos.alerts.ingest(
        TENANT,
        [alert('Change', ends, { summary: 'b' })],
        'test',
      );
      expect(changed.auditEventId).not.toBeNull();
      const row = (await rows(t.db)).find(
        (r) =>
          r.annotations.summary !== undefined &&
          r.doc.labels !== undefined &&
          (r.doc.labels as Record<string, string>).alertname === 'Change',
      ) as Row;
      expect(row.annotations).toEqual({ summary: 'b' });
      // Back to 'a': a change again, not a heartbeat.
      const back = await t.repos.alerts.ingest(
        TENANT,
        [alert('Change', ends, { summary: 'a' })],
        'test',
      );
      expect(back.auditEventId).not.toBeNull();
    });

    it('reports the status an acknowledgement set, and stores a resolution before answering', async () => {
      const ends = new Date(Date.now() + HOUR);
      const created = await t.repos.alerts.ingest(TENANT, [alert('Ack', ends)], 'test');
      const id = (created.items[0] as { id: string }).id;
      await t.repos.alerts.ingest(TENANT, [alert('Ack', ends)], 'test');
      await t.repos.alerts.transition(TENANT, id, 'acknowledge', 'user:1');
      const resend = await t.repos.alerts.ingest(TENANT, [alert('Ack', ends)], 'test');
      expect(resend.items[0]).toMatchObject({
        outcome: 'deduplicated',
        id,
        status: 'acknowledged',
      });
      const again = await t.repos.alerts.ingest(TENANT, [alert('Ack', ends)], 'test');
      expect(again.items[0]).toMatchObject({ status: 'acknowledged' });
      const events = await eventCount(t.db);
      const resolved = await t.repos.alerts.ingest(
        TENANT,
        [alert('Ack', new Date(Date.now() - 1_000))],
        'test',
      );
      expect(resolved.items[0]).toMatchObject({ outcome: 'resolved', id, status: 'resolved' });
      expect(resolved.auditEventId).not.toBeNull();
      expect(await eventCount(t.db)).toBe(events + 1);
      // The buffered heartbeats of the resolved row do not move its end.
      await t.repos.alerts.flushHeartbeats();
      const row = (await rows(t.db)).find((r) => r.id === id) as Row;
      expect(row.status).toBe('resolved');
      expect(row.ends_at?.getTime()).toBeLessThan(Date.now());
      // Firing again: a new row, committed.
      const reopened = await t.repos.alerts.ingest(TENANT, [alert('Ack', ends)], 'test');
      expect(reopened.items[0]).toMatchObject({ outcome: 'created' });
    });
  });
}

suite('heartbeats: PGlite', () => pglite);

describe('heartbeats: the audit trail (PGlite)', () => {
  it('seals a flush under the audit keys: a keyed chain still verifies', async () => {
    const db = await createTestDatabase();
    const repos = createRepositories(db, {
      heartbeatWindowMs: WINDOW_MS,
      auditKeys: auditKeysOf(KeyRing.generate('hb')),
    });
    try {
      await repos.tenants.create({ id: TENANT, name: 'hb', tier: 'enterprise' }, 'test');
      const ends = new Date(Date.now() + HOUR);
      await repos.alerts.ingest(TENANT, [alert('Sealed', ends)], 'test');
      const beat = await repos.alerts.ingest(TENANT, [alert('Sealed', ends)], 'test');
      expect(beat.auditEventId).toBeNull();
      await repos.alerts.flushHeartbeats();
      const { rows } = await db.withTenant(TENANT, (tx) =>
        tx.query<{ actor: string; key_id: string | null }>(
          "SELECT actor, doc->>'keyId' AS key_id FROM audit_events ORDER BY seq DESC LIMIT 1",
        ),
      );
      expect(rows).toEqual([{ actor: 'system:heartbeats', key_id: 'hb' }]);
      expect(await repos.audit.verify(TENANT)).toMatchObject({ ok: true });
    } finally {
      await repos.alerts.close();
      await db.close();
    }
  });
});

describe('heartbeats: a flush in chunks (PGlite)', () => {
  it('writes 250 alerts in chunks, moves the cache version and sums them up in one audit line', async () => {
    const t = await setUp(pglite, WINDOW_MS);
    try {
      const ends = new Date(Date.now() + HOUR);
      const alerts = Array.from({ length: 250 }, (_, k) => alert(`Chunk${k}`, ends));
      await t.repos.alerts.ingest(TENANT, alerts, 'test');
      const later = new Date(ends.getTime() + 60_000);
      const beats = Array.from({ length: 250 }, (_, k) => alert(`Chunk${k}`, later));
      const beat = await t.repos.alerts.ingest(TENANT, beats, 'test');
      expect(beat.auditEventId).toBeNull();
      const before = {
        cache: await cacheVersionOf(t.db, TENANT),
        data: await dataVersionOf(t.db, TENANT),
      };
      await t.repos.alerts.flushHeartbeats();
      const { rows } = await t.db.withTenant(TENANT, (tx) =>
        tx.query<{ n: number; moved: number }>(
          `SELECT count(*)::int AS n, count(*) FILTER (WHERE ends_at = $1)::int AS moved
             FROM alerts WHERE labels->>'alertname' LIKE 'Chunk%'`,
          [later],
        ),
      );
      expect(rows).toEqual([{ n: 250, moved: 250 }]);
      // Three chunks, each moving the counter; one audit line for the flush.
      const cache = await cacheVersionOf(t.db, TENANT);
      expect(cache).not.toBe(before.cache);
      expect(Number(cache.split('.')[1]) - Number(before.cache.split('.')[1])).toBe(3);
      expect(await dataVersionOf(t.db, TENANT)).toBe(before.data + 1);
      const audit = await t.db.withTenant(TENANT, (tx) =>
        tx.query<{ actor: string; details: unknown }>(
          "SELECT actor, doc->'details' AS details FROM audit_events ORDER BY seq DESC LIMIT 1",
        ),
      );
      expect(audit.rows).toEqual([
        { actor: 'system:heartbeats', details: { heartbeats: 250, alerts: 250 } },
      ]);
    } finally {
      await t.close();
    }
  });
});

describe('heartbeats: the index bounded in all (PGlite)', () => {
  it("answers from memory only the alerts it holds; the others' resends go to the database, answered the same", async () => {
    const opened = await pglite();
    const repos = createRepositories(opened.db, {
      heartbeatWindowMs: WINDOW_MS,
      heartbeatMaxEntries: 2,
    });
    try {
      await repos.tenants.create({ id: TENANT, name: 'hb', tier: 'enterprise' }, 'test');
      const ends = new Date(Date.now() + HOUR);
      const names = ['Kept1', 'Kept2', 'Past'];
      const first = await repos.alerts.ingest(
        TENANT,
        names.map((n) => alert(n, ends)),
        'test',
      );
      expect(first.counts.created).toBe(3);
      expect(repos.alerts.heartbeatIndexEntries).toBe(2);
      const later = new Date(ends.getTime() + 60_000);
      const resend = async (name: string) =>
        repos.alerts.ingest(TENANT, [alert(name, later)], 'test');
      // Held: a heartbeat (no audit event, written behind).
      for (const name of ['Kept1', 'Kept2']) {
        const beat = await resend(name);
        expect(beat.items[0]).toMatchObject({ outcome: 'deduplicated', status: 'firing' });
        expect(beat.auditEventId).toBeNull();
      }
      expect(repos.alerts.pendingHeartbeats).toBe(2);
      // Past the bound: committed before the answer, which is the same.
      const past = await resend('Past');
      expect(past.items[0]).toMatchObject({
        outcome: 'deduplicated',
        status: 'firing',
        id: first.items[2]?.outcome === 'created' ? first.items[2].id : '',
      });
      expect(past.auditEventId).not.toBeNull();
      expect(repos.alerts.pendingHeartbeats).toBe(2);
    } finally {
      await repos.alerts.close();
      await opened.dispose();
    }
  });
});

describe('heartbeats: two repository sets on one PGlite database', () => {
  it('a change made through the other set is never hidden nor shown stale', async () => {
    const t = await setUp(pglite, WINDOW_MS);
    const other = createRepositories(t.db, { heartbeatWindowMs: WINDOW_MS });
    try {
      const ends = new Date(Date.now() + HOUR);
      const created = await t.repos.alerts.ingest(
        TENANT,
        [alert('Twin', ends, { s: 'a' })],
        'test',
      );
      const id = (created.items[0] as { id: string }).id;
      await other.alerts.ingest(TENANT, [alert('Twin', ends, { s: 'a' })], 'test');
      for (let round = 0; round < 6; round++) {
        const [x, y] = round % 2 === 0 ? [t.repos, other] : [other, t.repos];
        const acked = await x.alerts.transition(
          TENANT,
          id,
          round % 2 === 0 ? 'acknowledge' : 'unacknowledge',
          'user:1',
        );
        const resend = await y.alerts.ingest(TENANT, [alert('Twin', ends, { s: 'a' })], 'test');
        expect(resend.items[0]).toMatchObject({ id, status: acked.status });
        // A change through x, then the old content through y: stored.
        await x.alerts.ingest(TENANT, [alert('Twin', ends, { s: `b${round}` })], 'test');
        const back = await y.alerts.ingest(TENANT, [alert('Twin', ends, { s: 'a' })], 'test');
        expect(back.auditEventId).not.toBeNull();
      }
    } finally {
      await other.alerts.close();
      await t.close();
    }
  });
});
/** The server databases of every suite below, dropped once the file is done. */
const databases: ServerDatabase[] = [];
afterAll(async () => {
  for (const d of databases) await d.drop();
});
describeWithServer('heartbeats: PostgreSQL server', () => {
  suite('on the server', () => serverOpener(databases));

  it("writes its chunks while another transaction holds the tenant's audit lock", async () => {
    const t = await setUp(serverOpener(databases), WINDOW_MS);
    try {
      const ends = new Date(Date.now() + HOUR);
      await t.repos.alerts.ingest(TENANT, [alert('Locked', ends)], 'test');
      const later = new Date(ends.getTime() + 60_000);
      await t.repos.alerts.ingest(TENANT, [alert('Locked', later)], 'test');
      let release = (): void => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked = (): void => {};
      const holding = new Promise<void>((resolve) => {
        locked = resolve;
      });
      // An ingest transaction holds the audit lock from its start.
      const holder = t.db.withTenant(
        TENANT,
        async () => {
          locked();
          await released;
        },
        { advisoryLock: `audit:${TENANT}` },
      );
      await holding;
      const flushed = t.repos.alerts.flushHeartbeats();
      const deadline = Date.now() + 5_000;
      let moved = false;
      while (!moved && Date.now() < deadline) {
        const { rows } = await t.db.withTenant(TENANT, (tx) =>
          tx.query<{ ends_at: Date }>(
            "SELECT ends_at FROM alerts WHERE labels->>'alertname' = 'Locked'",
          ),
        );
        moved = rows[0]?.ends_at.getTime() === later.getTime();
        if (!moved) await new Promise((r) => setTimeout(r, 20));
      }
      // The rows are written under the lock; the flush's audit line waits for it.
      expect(moved).toBe(true);
      release();
      await holder;
      await flushed;
      const { rows } = await t.db.withTenant(TENANT, (tx) =>
        tx.query<{ actor: string }>('SELECT actor FROM audit_events ORDER BY seq DESC LIMIT 1'),
      );
      expect(rows).toEqual([{ actor: 'system:heartbeats' }]);
    } finally {
      await t.close();
    }
  });
});

/** What the property test compares: everything a user can query, except what heartbeats move. */
async function visible(db: Database, name: string) {
  const { rows } = await db.withTenant(TENANT, (tx) =>
    tx.query<Record<string, unknown>>(
      `SELECT fingerprint, status, level, annotations, doc->>'priority' AS priority,
              doc->>'acknowledgedBy' AS acked_by, ends_at IS NULL AS open_ended,
              status NOT IN ('resolved', 'expired') AS open
         FROM alerts WHERE labels->>'alertname' = $1 ORDER BY fingerprint, created_at, id`,
      [name],
    ),
  );
  return rows;
}

type Step =
  | { kind: 'send'; alert: number; annotation: number; level: number; resolve: boolean }
  | { kind: 'ack' | 'resolve' | 'unack'; alert: number };

describe('heartbeats never hide a change (property, PGlite)', () => {
  it('matches a repository that writes every resend, over random sequences', async () => {
    const step: fc.Arbitrary<Step> = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          kind: fc.constant('send' as const),
          alert: fc.integer({ min: 0, max: 3 }),
          annotation: fc.integer({ min: 0, max: 2 }),
          level: fc.integer({ min: 0, max: 1 }),
          resolve: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constantFrom('ack' as const, 'resolve' as const, 'unack' as const),
          alert: fc.integer({ min: 0, max: 3 }),
        }),
      },
    );
    const ours = await setUp(pglite, Number(process.env.HB_OURS ?? WINDOW_MS));
    const model = await setUp(pglite, 0);
    try {
      let run = 0;
      let heartbeats = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(step, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 12 }),
          async (rounds) => {
            run++;
            const base = Date.now();
            for (const [r, round] of rounds.entries()) {
              // A round's sends go out together (several batches in flight); acts follow.
              // Copies of one alert folded in one group (a group commit) differ from the same
              // stored one by one when one of them resolves (the fold takes the last copy's
              // annotations, or folds into a resolved twin of the same start): a known difference
              // of group commit, not of heartbeats. So a resolving send is its alert's only send
              // in a round.
              const sends = round
                .filter(
                  (s, k): s is Extract<Step, { kind: 'send' }> =>
                    s.kind === 'send' &&
                    (!s.resolve ||
                      !round.some((x, j) => j !== k && x.kind === 'send' && x.alert === s.alert)),
                )
                .map((s, _k, all) => ({
                  ...s,
                  level: (all.find((x) => x.alert === s.alert) ?? s).level,
                }));
              const batches = sends.map((s) => {
                const a = {
                  labels: { alertname: `P${run}`, i: String(s.alert) },
                  annotations: { summary: `s${s.annotation}` },
                  level: s.level === 0 ? 'high' : 'critical',
                  priority: 'P2',
                  startsAt: new Date(base).toISOString(),
                  endsAt: new Date(
                    s.resolve ? base - 1_000 : base + HOUR + r * 1_000,
                  ).toISOString(),
                };
                return [a];
              });
              const [mine, theirs] = await Promise.all([
                Promise.all(batches.map((b) => ours.repos.alerts.ingest(TENANT, b, 'test'))),
                (async () => {
                  const out = [];
                  for (const b of batches)
                    out.push(await model.repos.alerts.ingest(TENANT, b, 'test'));
                  return out;
                })(),
              ]);
              // Outcomes are per item as if stored one by one (a shared group reports the row's
              // status at its end, so statuses are compared on the rows below).
              mine.forEach((m, k) => {
                expect(m.items[0]?.outcome).toBe(theirs[k]?.items[0]?.outcome);
                if (m.auditEventId === null) heartbeats++;
              });
              for (const s of round.filter((x) => x.kind !== 'send')) {
                const action =
                  s.kind === 'ack'
                    ? 'acknowledge'
                    : s.kind === 'unack'
                      ? 'unacknowledge'
                      : 'resolve';
                for (const repos of [ours.repos, model.repos]) {
                  const found = await repos.alerts.list(TENANT, {
                    filter: { labels: { alertname: `P${run}`, i: String(s.alert) } },
                    limit: 10,
                  });
                  const open = found.items.find((a) => a.status !== 'resolved');
                  if (open === undefined) continue;
                  await repos.alerts
                    .transition(TENANT, open.id, action, 'user:1')
                    .catch((err: { code?: string }) => {
                      if (err.code !== 'ALERTBASE_STATUS_INVALID_TRANSITION') throw err;
                    });
                }
              }
            }
            await ours.repos.alerts.flushHeartbeats();
            expect(await visible(ours.db, `P${run}`)).toEqual(await visible(model.db, `P${run}`));
          },
        ),
        { numRuns: 25 },
      );
      // The sequences did take the heartbeat path.
      expect(heartbeats).toBeGreaterThan(0);
    } finally {
      await ours.close();
      await model.close();
    }
  }, 180_000);
});

describeWithServer('the change feed on the server', () => {
  it('reconnects its listening connection when it is cut, and says so (the index starts over)', async () => {
    const database = await createServerDatabase();
    databases.push(database);
    const db = await openDatabase({ url: database.url, poolSize: 2 });
    try {
      const got: string[] = [];
      let resets = 0;
      const sub = await db.listen(
        'alertbase_test_feed',
        (p) => got.push(p),
        () => resets++,
      );
      await db.query("SELECT pg_notify('alertbase_test_feed', 'one')");
      await expect.poll(() => got).toEqual(['one']);
      await db.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'alertbase:listen'",
      );
      await expect.poll(() => resets, { timeout: 10_000 }).toBe(1);
      expect(sub.live).toBe(true);
      await db.query("SELECT pg_notify('alertbase_test_feed', 'two')");
      await expect.poll(() => got).toEqual(['one', 'two']);
      await sub.close();
      expect(sub.live).toBe(false);
    } finally {
      await db.close();
    }
  }, 30_000);

  it('asks the read barrier only for a batch that holds a resend the index knows', async () => {
    const t = await setUp(serverOpener(databases), WINDOW_MS);
    const barriers: string[] = [];
    const stop = t.db.onQuery((event) => {
      // The barrier: a notification sent outside any transaction.
      if (!event.inTransaction && event.sql.includes('pg_notify')) barriers.push(event.sql);
    });
    try {
      const ends = new Date(Date.now() + HOUR);
      await t.repos.alerts.ingest(TENANT, [alert('Known', ends)], 'test');
      barriers.length = 0;
      // New alerts only, while the index holds an entry: no barrier, all stored.
      const fresh = await t.repos.alerts.ingest(
        TENANT,
        [alert('New1', ends), alert('New2', ends)],
        'test',
      );
      expect(fresh.counts).toMatchObject({ created: 2, deduplicated: 0 });
      expect(barriers).toEqual([]);
      // A resend of a known alert among them: one barrier, then answered from the index.
      const mixed = await t.repos.alerts.ingest(
        TENANT,
        [alert('New3', ends), alert('Known', ends)],
        'test',
      );
      expect(mixed.counts).toMatchObject({ created: 1, deduplicated: 1 });
      expect(barriers).toHaveLength(1);
      expect(t.repos.alerts.pendingHeartbeats).toBe(1);
    } finally {
      stop();
      await t.close();
    }
  }, 30_000);

  it('forgets every entry when notifications may have been lost', async () => {
    const t = await setUp(serverOpener(databases), WINDOW_MS);
    try {
      const ends = new Date(Date.now() + HOUR);
      await t.repos.alerts.ingest(TENANT, [alert('Lost', ends)], 'test');
      const beat = await t.repos.alerts.ingest(TENANT, [alert('Lost', ends)], 'test');
      expect(beat.auditEventId).toBeNull();
      await t.db.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'alertbase:listen'",
      );
      // Until the listener is back, and right after it (the index was forgotten): to the database.
      const after = await t.repos.alerts.ingest(TENANT, [alert('Lost', ends)], 'test');
      expect(after.auditEventId).not.toBeNull();
    } finally {
      await t.close();
    }
  }, 30_000);
});
