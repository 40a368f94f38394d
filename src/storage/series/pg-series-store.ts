/**
 * The PostgreSQL series store: points in the `alert_series` table of the
 * service's own database (migration 0006), each tenant's under its
 * row-level security. The default store: it needs nothing besides the
 * database alertbase already has.
 */
import type { Database } from '../types.js';
import { mergeRows, type PartialRow } from './stats-rows.js';
import {
  type SeriesPoint,
  type SeriesStore,
  STEP_MS,
  type StatsQuery,
  type StatsRow,
} from './types.js';

/** The column each `by` groups on (fixed texts, never from input). */
const KEY_COLUMN = { severity: 'severity', rule: 'rule', status: 'status' } as const;

const INSERT = `INSERT INTO alert_series (tenant_id, at, kind, rule, alertname, severity, status, count, duration_ms)
SELECT $1, to_timestamp((p->>'t')::bigint / 1000.0), p->>'k', p->>'r', p->>'a', p->>'s', p->>'st',
       (p->>'c')::int, (p->>'d')::bigint
  FROM jsonb_array_elements($2::jsonb) AS p`;

/**
 * The statistics of one tenant: counts of created alerts, and mean and
 * percentiles of durations at rank `floor(n × p + 0.5)` (InfluxDB's
 * definition, so both stores answer alike).
 */
const statsSql = (key: string): string => `WITH p AS (
  SELECT (floor(extract(epoch FROM at) * 1000 / $4) * $4)::bigint AS bucket,
         COALESCE(${key}, '') AS key, kind, count, duration_ms
    FROM alert_series
   WHERE tenant_id = $1 AND kind IN ('created', 'acknowledged', 'resolved')
     AND at >= to_timestamp($2 / 1000.0) AND at < to_timestamp($3 / 1000.0)
), d AS (
  SELECT bucket, key, kind, duration_ms,
         row_number() OVER (PARTITION BY bucket, key, kind ORDER BY duration_ms) AS rn,
         count(*) OVER (PARTITION BY bucket, key, kind) AS n
    FROM p WHERE kind <> 'created' AND duration_ms IS NOT NULL
)
SELECT bucket, key, 'created' AS kind, sum(count)::bigint AS count,
       NULL::float8 AS mean, NULL::bigint AS p50, NULL::bigint AS p90
  FROM p WHERE kind = 'created' GROUP BY bucket, key
UNION ALL
SELECT bucket, key, kind, max(n)::bigint, avg(duration_ms)::float8,
       max(duration_ms) FILTER (WHERE rn = GREATEST(floor(n * 0.5 + 0.5), 1)),
       max(duration_ms) FILTER (WHERE rn = GREATEST(floor(n * 0.9 + 0.5), 1))
  FROM d GROUP BY bucket, key, kind`;

/** A point as the insert's JSON element. */
function rowOf(p: SeriesPoint): Record<string, unknown> {
  return {
    t: p.time,
    k: p.kind,
    r: p.rule,
    a: p.alertname,
    s: p.severity,
    st: p.status,
    c: p.count,
    d: p.durationMs === null ? null : Math.round(p.durationMs),
  };
}

/**
 * Creates the PostgreSQL series store over an open, migrated database.
 *
 * @example
 * ```ts
 * const store = createPgSeriesStore(db);
 * await store.write(points);
 * const rows = await store.stats({ tenantId: 'acme', by: 'severity', step: '1h', from, to });
 * ```
 */
export function createPgSeriesStore(db: Database): SeriesStore {
  return {
    engine: 'postgresql',
    async write(points: readonly SeriesPoint[]): Promise<void> {
      const byTenant = new Map<string, Record<string, unknown>[]>();
      for (const p of points) {
        let list = byTenant.get(p.tenantId);
        if (list === undefined) {
          list = [];
          byTenant.set(p.tenantId, list);
        }
        list.push(rowOf(p));
      }
      for (const [tenantId, rows] of byTenant) {
        await db.withTenant(tenantId, (tx) => tx.query(INSERT, [tenantId, JSON.stringify(rows)]));
      }
    },
    async stats(query: StatsQuery): Promise<StatsRow[]> {
      const { rows } = await db.withTenant(query.tenantId, (tx) =>
        tx.query<{
          bucket: number;
          key: string;
          kind: PartialRow['kind'];
          count: number;
          mean: number | null;
          p50: number | null;
          p90: number | null;
        }>(statsSql(KEY_COLUMN[query.by]), [
          query.tenantId,
          query.from,
          query.to,
          STEP_MS[query.step],
        ]),
      );
      return mergeRows(
        rows.map((r) => ({
          time: Number(r.bucket),
          key: r.key,
          kind: r.kind,
          count: Number(r.count),
          mean: r.mean === null ? null : Number(r.mean),
          p50: r.p50 === null ? null : Number(r.p50),
          p90: r.p90 === null ? null : Number(r.p90),
        })),
      );
    },
    async ping(): Promise<void> {
      await db.query('SELECT 1');
    },
    async close(): Promise<void> {
      // The database belongs to the caller.
    },
  };
}
