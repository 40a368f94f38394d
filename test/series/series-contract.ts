/**
 * The contract every series store passes (PostgreSQL on PGlite and on the
 * server, InfluxDB 1.x): the same points give the same statistics. The
 * expected values are worked out by hand below; the percentile is the value
 * at rank floor(n × p + 0.5) (InfluxDB's), which for six values puts p90 at
 * the fifth, where PostgreSQL's percentile_disc would take the sixth.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { SeriesPoint, SeriesStore, StatsRow } from '../../src/storage/series/index.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Two days ago at midnight UTC: inside every retention policy. */
export const T0 = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;

/** A point with defaults. */
export function point(p: Partial<SeriesPoint> & Pick<SeriesPoint, 'kind' | 'time'>): SeriesPoint {
  return {
    tenantId: 'acme',
    rule: 'r1',
    alertname: 'HighCPU',
    severity: 'critical',
    status:
      p.kind === 'acknowledged' ? 'acknowledged' : p.kind === 'resolved' ? 'resolved' : 'firing',
    count: 1,
    durationMs: null,
    ...p,
  };
}

/** The fixture: one tenant's history, another tenant's point, points outside the range. */
export const FIXTURE: readonly SeriesPoint[] = [
  point({ kind: 'created', time: T0 }), // at `from`: included
  point({ kind: 'created', time: T0 + 10 * MIN }),
  point({ kind: 'created', time: T0 + 70 * MIN, rule: 'r2', status: 'suppressed' }),
  point({ kind: 'created', time: T0 + 20 * MIN, severity: 'high' }),
  point({ kind: 'created', time: T0 + 3 * HOUR, severity: 'high', rule: null, alertname: null }),
  // Six acknowledgements in hour 0: p50 rank 3, p90 rank floor(5.4 + 0.5) = 5.
  ...[6_000, 1_000, 5_000, 2_000, 4_000, 3_000].map((d, k) =>
    point({ kind: 'acknowledged', time: T0 + (30 + k) * MIN, durationMs: d }),
  ),
  point({ kind: 'resolved', time: T0 + 50 * MIN, durationMs: 60_000 }),
  point({ kind: 'resolved', time: T0 + 65 * MIN, durationMs: 120_000, severity: 'high' }),
  point({
    kind: 'resolved',
    time: T0 + 80 * MIN,
    durationMs: 30_000,
    severity: 'high',
    rule: null,
  }),
  point({
    kind: 'resolved',
    time: T0 + 81 * MIN,
    durationMs: 45_001,
    severity: 'high',
    rule: null,
  }),
  // Not statistics: status changes and resends.
  point({ kind: 'status', time: T0 + 30 * MIN, status: 'acknowledged' }),
  point({ kind: 'heartbeat', time: T0 + 1 * MIN, count: 40 }),
  // Another tenant, and outside [from, to).
  point({ kind: 'created', time: T0 + 5 * MIN, tenantId: 'other' }),
  point({ kind: 'acknowledged', time: T0 + 5 * MIN, tenantId: 'other', durationMs: 1 }),
  point({ kind: 'created', time: T0 + 4 * HOUR }),
  point({ kind: 'created', time: T0 - 1 }),
];

const d = (count: number, mean: number, p50: number, p90: number) => ({ count, mean, p50, p90 });
const row = (
  time: number,
  key: string | null,
  created: number,
  tta: ReturnType<typeof d> | null = null,
  ttr: ReturnType<typeof d> | null = null,
): StatsRow => ({ time, key, created, timeToAcknowledge: tta, timeToResolve: ttr });

/** Runs the contract against the store `open` gives (fresh per suite; the fixture is written once). */
export function seriesContract(name: string, open: () => Promise<SeriesStore>): void {
  describe(`series store contract: ${name}`, () => {
    let store: SeriesStore;
    const q = { tenantId: 'acme', from: T0, to: T0 + 4 * HOUR } as const;

    beforeAll(async () => {
      store = await open();
      await store.write(FIXTURE);
      return () => store.close();
    });

    it('answers the ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('by severity, hourly: counts, time to acknowledge and to resolve', async () => {
      expect(await store.stats({ ...q, by: 'severity', step: '1h' })).toEqual([
        row(T0, 'critical', 2, d(6, 3_500, 3_000, 5_000), d(1, 60_000, 60_000, 60_000)),
        row(T0, 'high', 1),
        row(T0 + HOUR, 'critical', 1),
        // 30,000, 45,001, 120,000: p50 rank 2, p90 rank floor(2.7 + 0.5) = 3.
        row(T0 + HOUR, 'high', 0, null, d(3, 65_000.333, 45_001, 120_000)),
        row(T0 + 3 * HOUR, 'high', 1),
      ]);
    });

    it('by rule, daily: alerts without a rule are the null key', async () => {
      expect(await store.stats({ ...q, by: 'rule', step: '1d' })).toEqual([
        row(T0, null, 1, null, d(2, 37_500.5, 30_000, 45_001)),
        row(T0, 'r1', 3, d(6, 3_500, 3_000, 5_000), d(2, 90_000, 60_000, 120_000)),
        row(T0, 'r2', 1),
      ]);
    });

    it('by status, per minute: the status each point recorded', async () => {
      const rows = await store.stats({ ...q, by: 'status', step: '1m' });
      expect(rows.filter((r) => r.key === 'suppressed')).toEqual([
        row(T0 + 70 * MIN, 'suppressed', 1),
      ]);
      expect(rows.filter((r) => r.key === 'acknowledged')).toEqual(
        [6_000, 1_000, 5_000, 2_000, 4_000, 3_000].map((v, k) =>
          row(T0 + (30 + k) * MIN, 'acknowledged', 0, d(1, v, v, v)),
        ),
      );
      expect(rows.filter((r) => r.key === 'firing').map((r) => [r.time, r.created])).toEqual([
        [T0, 1],
        [T0 + 10 * MIN, 1],
        [T0 + 20 * MIN, 1],
        [T0 + 3 * HOUR, 1],
      ]);
      expect(rows.filter((r) => r.key === 'resolved')).toHaveLength(4);
    });

    it("sees only the tenant's own points", async () => {
      const other = await store.stats({ ...q, tenantId: 'other', by: 'severity', step: '1h' });
      expect(other).toEqual([row(T0, 'critical', 1, d(1, 1, 1, 1))]);
      expect(await store.stats({ ...q, tenantId: 'nobody', by: 'rule', step: '1h' })).toEqual([]);
    });

    it('an empty range answers no rows', async () => {
      expect(
        await store.stats({ ...q, from: T0 + 5 * HOUR, to: T0 + 6 * HOUR, by: 'rule', step: '1h' }),
      ).toEqual([]);
    });

    it('a tenant id with quotes, commas, spaces and equals signs is only data', async () => {
      const tenantId = `it's "a", tenant=x`;
      await store.write([point({ kind: 'created', time: T0 + MIN, tenantId })]);
      expect(await store.stats({ ...q, tenantId, by: 'severity', step: '1d' })).toEqual([
        row(T0, 'critical', 1),
      ]);
    });
  });
}
