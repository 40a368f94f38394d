/**
 * Alert time series: the points alert changes become, the stores that keep
 * them (PostgreSQL by default, InfluxDB when `INFLUXDB_URL` is set) and the
 * statistics both answer alike (`GET /v1/stats/alerts`).
 */

/** What an alert point records. Each is one measurement in InfluxDB (`alert_<kind>`). */
export type SeriesKind =
  | 'created'
  | 'acknowledged'
  | 'resolved'
  | 'status'
  | 'heartbeat'
  | 'notified';

/** Every kind, in a fixed order. */
export const SERIES_KINDS: readonly SeriesKind[] = Object.freeze([
  'created',
  'acknowledged',
  'resolved',
  'status',
  'heartbeat',
  'notified',
]);

/**
 * One point of a tenant's alert history.
 *
 * - `created`: an alert was stored (time: its `startsAt`; `status` what it was stored as).
 * - `acknowledged`: time of the acknowledgement; `durationMs` from `startsAt` (time to acknowledge).
 * - `resolved`: time of the resolution (`endsAt`); `durationMs` from `startsAt` (time to resolve).
 * - `status`: any status change (`status` the new one).
 * - `heartbeat`: resends of open alerts, `count` of them in the minute of `time`.
 * - `notified`: a notification delivered to a channel: one point per
 *   `alertname`, `severity` label and status (`firing` or `resolved`) among
 *   the alerts it carried, `count` of them (time: the delivery; `rule` none,
 *   since a message carries labels only).
 */
export interface SeriesPoint {
  readonly kind: SeriesKind;
  readonly tenantId: string;
  /** Milliseconds since the epoch. */
  readonly time: number;
  /** The alert's rule id (`null`: none). */
  readonly rule: string | null;
  /** The `alertname` label (`null`: none). */
  readonly alertname: string | null;
  /** The alert's level (`critical`, `high`, ...). */
  readonly severity: string | null;
  /** The alert's status after the event. */
  readonly status: string;
  /** How many events the point stands for (1, or the resends of a minute). */
  readonly count: number;
  /** Time to acknowledge or to resolve, ms (`acknowledged`, `resolved`); otherwise `null`. */
  readonly durationMs: number | null;
}

/**
 * Where alert changes go: the smallest interface the repositories need.
 * `record` must never block nor throw (a writer buffers and sends later).
 */
export interface AlertEventSink {
  record(points: readonly SeriesPoint[]): void;
}

/** What `GET /v1/stats/alerts` groups by. */
export type StatsBy = 'severity' | 'rule' | 'status';
/** Bucket widths. */
export type StatsStep = '1m' | '1h' | '1d';

/** Milliseconds of each step. */
export const STEP_MS: Readonly<Record<StatsStep, number>> = Object.freeze({
  '1m': 60_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
});

/** A statistics query: one tenant, `[from, to)`, buckets aligned on the epoch (UTC). */
export interface StatsQuery {
  readonly tenantId: string;
  readonly by: StatsBy;
  readonly step: StatsStep;
  /** Milliseconds since the epoch, included. */
  readonly from: number;
  /** Milliseconds since the epoch, excluded. */
  readonly to: number;
}

/** Mean and percentiles of durations, ms. */
export interface DurationStats {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
}

/** One bucket of one group. */
export interface StatsRow {
  /** Start of the bucket, ms since the epoch. */
  readonly time: number;
  /** The group's value (`null`: the alerts without one, e.g. no rule). */
  readonly key: string | null;
  /** Alerts created in the bucket. */
  readonly created: number;
  /** Time to acknowledge of the acknowledgements in the bucket. */
  readonly timeToAcknowledge: DurationStats | null;
  /** Time to resolve of the resolutions in the bucket. */
  readonly timeToResolve: DurationStats | null;
}

/**
 * A store of alert points. Implementations: `PgSeriesStore` (the
 * `alert_series` table), `InfluxSeriesStore` (InfluxDB 1.x over HTTP).
 * Every implementation passes `test/series/series-contract.ts`.
 */
export interface SeriesStore {
  /** `postgresql` or `influxdb`. */
  readonly engine: string;
  /** Writes points; rejects when the store refuses or cannot be reached. */
  write(points: readonly SeriesPoint[]): Promise<void>;
  /** Rows sorted by time, then key (`null` first). */
  stats(query: StatsQuery): Promise<StatsRow[]>;
  /** Resolves when the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
