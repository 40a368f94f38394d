/**
 * The app's schedulers include the maintenance pass: with `schedulers: true`
 * a bulk ingest is analyzed with no request and no manual ANALYZE (PGlite,
 * which has no autovacuum), and closing the app stops the loop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup, type TestApp } from './helpers.js';

describe('maintenance scheduler in the app', () => {
  let t: TestApp | undefined;
  beforeAll(async () => {
    t = await setup({ schedulers: true, maintenanceTickMs: 20 });
    await t.app.ready();
  });
  afterAll(() => t?.close());

  it('analyzes alerts after a bulk ingest', async () => {
    const { repos, db } = t as TestApp;
    const alerts = Array.from({ length: 2_000 }, (_, i) => ({
      labels: { alertname: 'Load', instance: `host-${i}` },
      level: 'high',
      priority: 'P2',
      startsAt: '2026-01-01T00:00:00Z',
    }));
    const { counts } = await repos.alerts.ingest('acme', alerts, 'key:test');
    expect(counts.created).toBe(2_000);
    let rows = -1;
    for (let i = 0; i < 300 && rows < 2_000; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const result = await db.query<{ n: number }>(
        `SELECT reltuples::int AS n FROM pg_class WHERE oid = 'alerts'::regclass`,
      );
      rows = result.rows[0]?.n ?? -1;
    }
    expect(rows).toBe(2_000);
  });
});
