/**
 * Alert time series: points, stores (PostgreSQL, InfluxDB 1.x), the
 * buffered writer and line protocol.
 */
export {
  createInfluxSeriesStore,
  type InfluxSeriesStore,
  type InfluxSeriesStoreOptions,
} from './influx-series-store.js';
export {
  escapeMeasurement,
  escapeTag,
  formatLine,
  influxqlIdentifier,
  influxqlString,
  type LinePoint,
} from './line-protocol.js';
export { createPgSeriesStore } from './pg-series-store.js';
export {
  createSeriesWriter,
  type DropReason,
  type SeriesWriter,
  type SeriesWriterOptions,
  type SeriesWriterStats,
} from './series-writer.js';
export {
  type AlertEventSink,
  type DurationStats,
  SERIES_KINDS,
  type SeriesKind,
  type SeriesPoint,
  type SeriesStore,
  STEP_MS,
  type StatsBy,
  type StatsQuery,
  type StatsRow,
  type StatsStep,
} from './types.js';
