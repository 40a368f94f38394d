/**
 * Migration 0006 writes the alerts already stored into alert_series, so the
 * statistics cover the history from before the upgrade.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Database, MIGRATIONS, migrate, openDatabase } from '../../src/storage/index.js';
import { createPgSeriesStore } from '../../src/storage/series/index.js';
import {
  createServerDatabase,
  describeWithServer,
  type ServerDatabase,
} from '../storage/helpers/server.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 1);
const iso = (ms: number): string => new Date(ms).toISOString();

describeWithServer('migration 0006 backfills alert_series from the alerts', () => {
  let server: ServerDatabase;
  let db: Database;
  beforeAll(async () => {
    server = await createServerDatabase();
    db = await openDatabase({ url: server.url, migrate: false, selfCheck: false });
    await migrate(db, { migrations: MIGRATIONS.filter((m) => m.id < 6) });
    await db.query(
      `INSERT INTO tenants (tenant_id, name, status, doc) VALUES ('acme', 'Acme', 'active', '{}')`,
    );
    const insert = `INSERT INTO alerts (tenant_id, id, fingerprint, rule_id, status, level, labels, starts_at, ends_at, doc, deleted_at)
      VALUES ('acme', $1, $1, $2, $3, $4, $5::jsonb, $6, $7, $8::jsonb, $9)`;
    // Acknowledged after 2 s; resolved after 60 s; still firing; deleted (left out).
    await db.query(insert, [
      'a1',
      'r1',
      'acknowledged',
      'critical',
      { alertname: 'A' },
      iso(T0),
      null,
      { acknowledgedAt: iso(T0 + 2_000) },
      null,
    ]);
    await db.query(insert, [
      'a2',
      'r1',
      'resolved',
      'high',
      { alertname: 'B' },
      iso(T0 + HOUR),
      iso(T0 + HOUR + 60_000),
      {},
      null,
    ]);
    await db.query(insert, ['a3', null, 'firing', 'high', {}, iso(T0 + HOUR), null, {}, null]);
    await db.query(insert, ['a4', null, 'firing', 'high', {}, iso(T0), null, {}, iso(T0)]);
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
    await server?.drop();
  });

  it('created, acknowledged and resolved points with their durations', async () => {
    const rows = await createPgSeriesStore(db).stats({
      tenantId: 'acme',
      by: 'severity',
      step: '1h',
      from: T0,
      to: T0 + 2 * HOUR,
    });
    expect(rows).toEqual([
      {
        time: T0,
        key: 'critical',
        created: 1,
        timeToAcknowledge: { count: 1, mean: 2_000, p50: 2_000, p90: 2_000 },
        timeToResolve: null,
      },
      {
        time: T0 + HOUR,
        key: 'high',
        created: 2,
        timeToAcknowledge: null,
        timeToResolve: { count: 1, mean: 60_000, p50: 60_000, p90: 60_000 },
      },
    ]);
  });
});
