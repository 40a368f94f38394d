/**
 * The app's schedulers include the maintenance pass: with `schedulers: true`
 * a bulk ingest is analyzed with no request and no manual ANALYZE (PGlite,
 * which has no autovacuum), and closing the app stops the loop. With
 * `MAINTENANCE_ENABLED=false` no pass runs: the table stays unanalyzed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertbaseConfig, loadConfig } from '../../src/config/index.js';
import { setup, type TestApp } from './helpers.js';

const BULK = Array.from({ length: 2_000 }, (_, i) => ({
  labels: { alertname: 'Load', instance: `host-${i}` },
  level: 'high',
  priority: 'P2',
  startsAt: '2026-01-01T00:00:00Z',
}));

/** Starts the app with its schedulers, a pass every 20 ms, over `config` (default: the defaults). */
async function startWithSchedulers(config?: AlertbaseConfig): Promise<TestApp> {
  const t = await setup({
    ...(config === undefined ? {} : { config }),
    schedulers: true,
    maintenanceTickMs: 20,
  });
  await t.app.ready();
  const { counts } = await t.repos.alerts.ingest('acme', BULK, 'key:test');
  expect(counts.created).toBe(2_000);
  return t;
}

/** The planner's row count of `alerts` (`-1`: never analyzed). */
async function estimatedAlerts(t: TestApp): Promise<number> {
  const result = await t.db.query<{ n: number }>(
    `SELECT reltuples::int AS n FROM pg_class WHERE oid = 'alerts'::regclass`,
  );
  return result.rows[0]?.n ?? -1;
}

describe('maintenance scheduler in the app', () => {
  let t: TestApp | undefined;
  beforeAll(async () => {
    t = await startWithSchedulers();
  });
  afterAll(() => t?.close());

  it('analyzes alerts after a bulk ingest', async () => {
    const app = t as TestApp;
    let rows = -1;
    for (let i = 0; i < 300 && rows < 2_000; i++) {
      await new Promise((r) => setTimeout(r, 20));
      rows = await estimatedAlerts(app);
    }
    expect(rows).toBe(2_000);
  });
});

describe('maintenance turned off', () => {
  let t: TestApp | undefined;
  beforeAll(async () => {
    const { config } = await loadConfig({
      env: { MAINTENANCE_ENABLED: 'false' },
      cwd: '/nonexistent-alertbase-test',
    });
    expect(config.storage.maintenanceEnabled).toBe(false);
    t = await startWithSchedulers(config);
  });
  afterAll(() => t?.close());

  it('never analyzes nor vacuums after a bulk ingest', async () => {
    const app = t as TestApp;
    // 50 ticks of 20 ms: the scheduler above analyzes within a few.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await estimatedAlerts(app)).toBe(-1);
    const stats = await app.db.query<{ analyzed: string; vacuumed: string }>(
      `SELECT analyze_count::text AS analyzed, vacuum_count::text AS vacuumed
         FROM pg_stat_user_tables WHERE relid = 'alerts'::regclass`,
    );
    expect(stats.rows[0]).toEqual({ analyzed: '0', vacuumed: '0' });
  });
});
