import { afterAll, beforeAll, expect, it } from 'vitest';
import { createInfluxSeriesStore } from '../../src/storage/series/index.js';
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
});
