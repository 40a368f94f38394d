/**
 * Retention by tier: closed alerts and finished notifications older than a
 * tenant's retentionDays are removed in bounded batches, audited; open
 * alerts, recent ones and other tenants' rows stay. On both engines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/base/utils/ids.js';
import { auditKeysOf, KeyRing } from '../../src/security/index.js';
import { runRetentionPass, startRetentionScheduler } from '../../src/server/retention-scheduler.js';
import {
  type ArchivedPayload,
  createPgPayloadArchive,
  type PayloadArchive,
} from '../../src/storage/archive/index.js';
import {
  createRepositories,
  createTestDatabase,
  type Database,
  openDatabase,
  type Repositories,
  verifyAuditChain,
} from '../../src/storage/index.js';
import { purgeExpired } from '../../src/storage/retention.js';
import { createServerDatabase, describeWithServer, type ServerDatabase } from './helpers/server.js';

const DAY = 86_400_000;
/** The service's audit keys: the retention entries are sealed like every other. */
const keys = auditKeysOf(KeyRing.generate('retention'));

async function count(db: Database, tenant: string, sql: string): Promise<number> {
  const { rows } = await db.withTenant(tenant, (tx) => tx.query<{ n: number }>(sql, [tenant]));
  return rows[0]?.n ?? -1;
}

const alertsOf = (db: Database, tenant: string) =>
  count(db, tenant, 'SELECT count(*)::int AS n FROM alerts WHERE tenant_id = $1');

/** 12 alerts: 0–5 closed 10 days ago, 6–7 closed an hour ago, 8–11 open; and notifications. */
async function fill(
  db: Database,
  repos: Repositories,
  tenant: string,
  tier: 'free' | 'enterprise',
) {
  await repos.tenants.create({ id: tenant, name: tenant, tier }, 'admin');
  await repos.alerts.ingest(
    tenant,
    Array.from({ length: 12 }, (_, i) => ({
      labels: { alertname: 'Old', instance: `i-${i}` },
      level: 'high',
      priority: 'P2',
    })),
    'key:seed',
  );
  await db.withTenant(tenant, async (tx) => {
    await tx.query(
      `UPDATE alerts SET status = 'resolved', ends_at = now() - interval '10 days'
        WHERE tenant_id = $1 AND labels->>'instance' IN ('i-0','i-1','i-2','i-3','i-4','i-5')`,
      [tenant],
    );
    await tx.query(
      `UPDATE alerts SET status = 'resolved', ends_at = now() - interval '1 hour'
        WHERE tenant_id = $1 AND labels->>'instance' IN ('i-6','i-7')`,
      [tenant],
    );
    await tx.query(
      `INSERT INTO alert_escalations (tenant_id, alert_id, step, due_at)
       SELECT tenant_id, id, 0, now() FROM alerts WHERE tenant_id = $1 AND labels->>'instance' = 'i-0'`,
      [tenant],
    );
    await tx.query(
      `INSERT INTO notifications (tenant_id, id, channel_id, receiver, action, state, alert_ids, payload,
                                  next_attempt_at, created_at, updated_at)
       SELECT $1, 'n-' || g, 'c', 'ops', 'firing', s, '{}', '{}', now(), t, t
         FROM (VALUES (1, 'delivered', now() - interval '10 days'), (2, 'dead', now() - interval '10 days'),
                      (3, 'pending', now() - interval '10 days'), (4, 'delivered', now())) v(g, s, t)`,
      [tenant],
    );
  });
}

function suite(open: () => Promise<{ db: Database; dispose: () => Promise<void> }>) {
  let db: Database;
  let dispose: () => Promise<void>;
  let repos: Repositories;

  beforeAll(async () => {
    ({ db, dispose } = await open());
    repos = createRepositories(db, { auditKeys: keys });
    await fill(db, repos, 'small', 'free'); // 7 days
    await fill(db, repos, 'big', 'enterprise'); // 400 days
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await dispose?.();
  });

  it('removes in batches up to maxRows, then says there is more', async () => {
    const first = await purgeExpired(db, 'small', new Date(Date.now() - 7 * DAY), {
      batchSize: 2,
      maxRows: 5,
      keys,
    });
    expect(first).toEqual({ alerts: 5, notifications: 0, series: 0, payloads: 0, more: true });
    expect(await alertsOf(db, 'small')).toBe(7);
  });

  it('a pass over every tenant applies each tier’s retention, and audits it', async () => {
    const results = await runRetentionPass(db, repos.tenants, { keys });
    expect(results.get('small')).toEqual({
      alerts: 1,
      notifications: 2,
      series: 0,
      payloads: 0,
      more: false,
    });
    expect(results.get('big')).toEqual({
      alerts: 0,
      notifications: 0,
      series: 0,
      payloads: 0,
      more: false,
    });
    // Open alerts and those closed an hour ago stay; the free tier's 10-day-old ones are gone.
    expect(await alertsOf(db, 'small')).toBe(6);
    expect(await alertsOf(db, 'big')).toBe(12);
    expect(
      await count(
        db,
        'small',
        'SELECT count(*)::int AS n FROM alert_escalations WHERE tenant_id = $1',
      ),
    ).toBe(0);
    expect(
      await count(
        db,
        'small',
        `SELECT count(*)::int AS n FROM notifications WHERE tenant_id = $1 AND id IN ('n-3', 'n-4')`,
      ),
    ).toBe(2);
    const audit = await db.withTenant('small', (tx) =>
      tx.query<{ actor: string; action: string; details: Record<string, unknown> }>(
        `SELECT doc->>'actor' AS actor, doc->>'action' AS action, doc->'details' AS details
           FROM audit_events WHERE tenant_id = $1 AND doc->>'entityType' = 'retention' ORDER BY seq`,
        ['small'],
      ),
    );
    expect(
      audit.rows.map((r) => [r.actor, r.action, r.details.alerts, r.details.notifications]),
    ).toEqual([
      ['system:retention', 'purge', 5, 0],
      ['system:retention', 'purge', 1, 2],
    ]);
    expect(await verifyAuditChain(db, 'small', { keys })).toMatchObject({ ok: true });
    // Nothing left to remove: no audit entry for an empty pass.
    const again = await runRetentionPass(db, repos.tenants);
    expect(again.get('small')).toEqual({
      alerts: 0,
      notifications: 0,
      series: 0,
      payloads: 0,
      more: false,
    });
  });

  it('a tenant’s own retentionDays overrides its tier', async () => {
    await repos.tenants.update(
      'big',
      {
        settings: {
          timezone: 'UTC',
          levelPriorities: {},
          allowPrivateNetworks: false,
          quotas: { retentionDays: 3 },
        },
      },
      'admin',
    );
    const results = await runRetentionPass(db, repos.tenants);
    expect(results.get('big')).toEqual({
      alerts: 6,
      notifications: 2,
      series: 0,
      payloads: 0,
      more: false,
    });
  });

  it('removes archived payloads past the tier’s days, or ARCHIVE_RETENTION_DAYS when shorter', async () => {
    const archive: PayloadArchive = createPgPayloadArchive(db);
    const payload = (tenantId: string, daysAgo: number): ArchivedPayload => ({
      id: newId(),
      tenantId,
      receivedAt: new Date(Date.now() - daysAgo * DAY),
      requestId: `r-${daysAgo}`,
      keyId: 'k',
      door: 'alerts',
      format: 'json',
      outcome: 'accepted',
      issues: [],
      bytes: 2,
      body: [],
    });
    // small: free tier, 7 days. big: its own 3 days (the test above).
    await archive.write(
      ['small', 'big'].flatMap((t) => [1, 2, 4, 5, 8, 9].map((d) => payload(t, d))),
    );
    const listed = async (t: string) =>
      (await archive.list(t, { filter: {}, limit: 100 })).items.map((i) => i.requestId);
    const results = await runRetentionPass(db, repos.tenants, {
      keys,
      archive,
      archiveRetentionDays: 4.5,
    });
    expect(results.get('small')).toEqual({
      alerts: 0,
      notifications: 0,
      series: 0,
      payloads: 3,
      more: false,
    });
    expect(results.get('big')).toEqual({
      alerts: 0,
      notifications: 0,
      series: 0,
      payloads: 4,
      more: false,
    });
    expect(await listed('small')).toEqual(['r-1', 'r-2', 'r-4']);
    expect(await listed('big')).toEqual(['r-1', 'r-2']);
    const audit = await db.withTenant('small', (tx) =>
      tx.query<{ details: Record<string, unknown> }>(
        `SELECT doc->'details' AS details FROM audit_events
          WHERE tenant_id = $1 AND doc->>'entityType' = 'retention' ORDER BY seq DESC LIMIT 1`,
        ['small'],
      ),
    );
    expect(audit.rows[0]?.details).toMatchObject({
      alerts: 0,
      notifications: 0,
      series: 0,
      payloads: 3,
    });
    // Bounded like the rest: maxRows counts payloads too.
    await archive.write([payload('small', 30), payload('small', 31), payload('small', 32)]);
    expect(
      await purgeExpired(db, 'small', new Date(Date.now() - 7 * DAY), {
        keys,
        maxRows: 2,
        batchSize: 1,
        archive: { store: archive, cutoff: new Date(Date.now() - 7 * DAY) },
      }),
    ).toEqual({ alerts: 0, notifications: 0, series: 0, payloads: 2, more: true });
  });

  it('removes series points past the tenant’s days, every kind, in bounded batches', async () => {
    const points = (tenant: string) =>
      db.withTenant(tenant, (tx) =>
        tx.query(
          `INSERT INTO alert_series (tenant_id, at, kind, alertname, severity, status)
           SELECT $1, now() - make_interval(days => d), k, 'Old', 'high', 'firing'
             FROM unnest(ARRAY['created','acknowledged','resolved','status','heartbeat']) AS k,
                  unnest(ARRAY[1, 2, 10]) AS d`,
          [tenant],
        ),
      );
    await points('small');
    await points('big');
    const seriesOf = (tenant: string) =>
      count(
        db,
        tenant,
        `SELECT count(*)::int AS n FROM alert_series WHERE tenant_id = $1 AND alertname = 'Old'`,
      );
    // small: free tier, 7 days: the five kinds' 10-day-old points go, two per batch.
    expect(
      await purgeExpired(db, 'small', new Date(Date.now() - 7 * DAY), { keys, batchSize: 2 }),
    ).toEqual({ alerts: 0, notifications: 0, series: 5, payloads: 0, more: false });
    expect(await seriesOf('small')).toBe(10);
    // big: its own 3 days (above): the 10-day-old points go, the recent ones stay.
    const results = await runRetentionPass(db, repos.tenants, { keys });
    expect(results.get('big')).toMatchObject({ series: 5, more: false });
    expect(results.get('small')).toMatchObject({ series: 0 });
    expect(await seriesOf('big')).toBe(10);
    const audit = await db.withTenant('big', (tx) =>
      tx.query<{ details: Record<string, unknown> }>(
        `SELECT doc->'details' AS details FROM audit_events
          WHERE tenant_id = $1 AND doc->>'entityType' = 'retention' ORDER BY seq DESC LIMIT 1`,
        ['big'],
      ),
    );
    expect(audit.rows[0]?.details).toMatchObject({ series: 5 });
  });
}

describe('retention on PGlite', () => {
  suite(async () => ({ db: await createTestDatabase(), dispose: async () => {} }));
});

describeWithServer('retention on the PostgreSQL server', () => {
  let server: ServerDatabase;
  suite(async () => {
    server = await createServerDatabase();
    return { db: await openDatabase({ url: server.url }), dispose: () => server.drop() };
  });
});

describe('the retention scheduler', () => {
  it('runs a first pass after firstMs, reports what it removed, and stops', async () => {
    const db = await createTestDatabase();
    try {
      const repos = createRepositories(db);
      await fill(db, repos, 'small', 'free');
      const purged: [string, number][] = [];
      const errors: unknown[] = [];
      let resolve: () => void = () => {};
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      const scheduler = startRetentionScheduler(db, repos.tenants, {
        firstMs: 1,
        tickMs: 60_000,
        onPurge: (tenant, result) => {
          purged.push([tenant, result.alerts]);
          resolve();
        },
        onError: (err) => errors.push(err),
      });
      await promise;
      await scheduler.stop();
      await scheduler.stop();
      expect(purged).toEqual([['small', 6]]);
      expect(errors).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('tells a failed pass and goes on', async () => {
    const db = await createTestDatabase();
    await db.close();
    let resolve: (err: unknown) => void = () => {};
    const promise = new Promise<unknown>((r) => {
      resolve = r;
    });
    const scheduler = startRetentionScheduler(
      db,
      { find: async () => undefined },
      {
        firstMs: 1,
        onError: resolve,
      },
    );
    expect(await promise).toMatchObject({ code: 'ALERTBASE_STORAGE_CLOSED' });
    await scheduler.stop();
  });
});
