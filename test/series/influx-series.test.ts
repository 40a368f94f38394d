import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase } from '../../src/storage/index.js';
import {
  createInfluxSeriesStore,
  createPgSeriesStore,
  formatLine,
  type SeriesPoint,
} from '../../src/storage/series/index.js';
import { describeWithBinary } from '../e2e/helpers.js';
import { INFLUXD_BIN, type RunningInfluxd, startInfluxd } from './influxd.js';
import { point, seriesContract, T0 } from './series-contract.js';

await describeWithBinary('InfluxDB 1.x series store', INFLUXD_BIN, (bin) => {
  let influxd: RunningInfluxd;
  beforeAll(async () => {
    influxd = await startInfluxd(bin);
  }, 30_000);
  afterAll(async () => influxd?.close());

  seriesContract('InfluxDB 1.x', async () =>
    createInfluxSeriesStore({ url: `${influxd.url}/contract`, tierOf: async () => 'free' }),
  );

  it('creates one retention policy per tier, lasting its retention days', async () => {
    const store = createInfluxSeriesStore({ url: `${influxd.url}/policies` });
    await store.write([point({ kind: 'created', time: T0 })]);
    const res = await fetch(
      `${influxd.url}/query?q=${encodeURIComponent('SHOW RETENTION POLICIES ON "policies"')}`,
    );
    const body = (await res.json()) as { results: [{ series: [{ values: [string, string][] }] }] };
    const policies = Object.fromEntries(body.results[0].series[0].values.map((v) => [v[0], v[1]]));
    expect(policies).toMatchObject({
      alertbase_free: '168h0m0s',
      alertbase_standard: '2160h0m0s',
      alertbase_enterprise: '9600h0m0s',
    });
  });

  it("writes each tenant's points to its tier's policy, and reads them all", async () => {
    const tiers: Record<string, 'free' | 'enterprise'> = { a: 'free', b: 'enterprise' };
    const store = createInfluxSeriesStore({
      url: `${influxd.url}/tiers`,
      tierOf: async (id) => tiers[id],
    });
    // Older than the free tier's 7 days: refused by its policy, kept by enterprise's.
    const old = Date.now() - 30 * 86_400_000;
    await store.write([
      point({ kind: 'created', time: old, tenantId: 'a' }),
      point({ kind: 'created', time: old, tenantId: 'b' }),
      point({ kind: 'created', time: T0, tenantId: 'a' }),
    ]);
    expect(store.refused()).toBe(1);
    const q = { by: 'severity', step: '1d', from: old - 86_400_000, to: Date.now() } as const;
    expect((await store.stats({ ...q, tenantId: 'a' })).map((r) => r.created)).toEqual([1]);
    expect((await store.stats({ ...q, tenantId: 'b' })).map((r) => r.created)).toEqual([1]);
    // A tier change: the new points go to the new policy, the old ones are still read.
    tiers.a = 'enterprise';
    const moved = createInfluxSeriesStore({
      url: `${influxd.url}/tiers`,
      tierOf: async (id) => tiers[id],
    });
    await moved.write([point({ kind: 'created', time: T0 + 1, tenantId: 'a' })]);
    expect((await moved.stats({ ...q, tenantId: 'a' })).map((r) => r.created)).toEqual([2]);
  });

  it('label values with commas, spaces, equals signs, quotes and Unicode read back unchanged from InfluxDB', async () => {
    const unit = fc.constantFrom(
      'a',
      'Z',
      ',',
      ' ',
      '=',
      '\\',
      '"',
      "'",
      '\n',
      'é',
      '🚨',
      '\u200b',
      '\t',
      '#',
    );
    const names = [
      ...new Set(
        fc.sample(fc.string({ unit, minLength: 1, maxLength: 10 }), { numRuns: 300, seed: 18 }),
      ),
    ];
    const carried = names.filter((name) => {
      try {
        formatLine({
          measurement: 'm',
          tags: { alertname: name },
          fields: { count: 1 },
          timeNs: '1',
        });
        return true;
      } catch {
        return false;
      }
    });
    expect(carried.length).toBeGreaterThan(100);
    const store = createInfluxSeriesStore({ url: `${influxd.url}/labels` });
    await store.write(names.map((alertname) => point({ kind: 'created', time: T0, alertname })));
    // The points the protocol cannot carry are left out and counted, not written wrong.
    expect(store.refused()).toBe(names.length - carried.length);
    const q = 'SHOW TAG VALUES ON "labels" FROM "alert_created" WITH KEY = "alertname"';
    const res = await fetch(`${influxd.url}/query?q=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { results: [{ series: [{ values: [string, string][] }] }] };
    expect(body.results[0].series[0].values.map((v) => v[1]).sort()).toEqual([...carried].sort());
  });

  it('differential: 3,000 random points give the same statistics from InfluxDB and from PostgreSQL', async () => {
    const arb = fc.record({
      kind: fc.constantFrom('created', 'acknowledged', 'resolved', 'status', 'heartbeat'),
      time: fc.integer({ min: T0, max: T0 + 2 * 86_400_000 - 1 }),
      rule: fc.constantFrom(null, 'r1', 'r2', 'r3'),
      severity: fc.constantFrom(null, 'critical', 'high', 'low'),
      status: fc.constantFrom('firing', 'acknowledged', 'resolved', 'suppressed'),
      durationMs: fc.integer({ min: 0, max: 86_400_000 }),
    });
    const points: SeriesPoint[] = fc.sample(arb, { numRuns: 3_000, seed: 42 }).map((p) =>
      point({
        ...p,
        durationMs: p.kind === 'acknowledged' || p.kind === 'resolved' ? p.durationMs : null,
      }),
    );
    const influx = createInfluxSeriesStore({ url: `${influxd.url}/differential` });
    const db = await createTestDatabase();
    try {
      const pg = createPgSeriesStore(db);
      await influx.write(points);
      await pg.write(points);
      for (const by of ['severity', 'rule', 'status'] as const) {
        for (const step of ['1m', '1h', '1d'] as const) {
          const q = { tenantId: 'acme', by, step, from: T0 + 3_600_000, to: T0 + 47 * 3_600_000 };
          const fromPg = await pg.stats(q);
          expect(fromPg.length).toBeGreaterThan(0);
          expect(await influx.stats(q), `${by} ${step}`).toEqual(fromPg);
        }
      }
    } finally {
      await db.close();
    }
  }, 60_000);
});
