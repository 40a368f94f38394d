/**
 * The service's alert time series: the store (InfluxDB when `INFLUXDB_URL`
 * is set, else the `alert_series` table of the service's database), the
 * buffered writer the alert repository records into, its metric and log
 * lines, and its readiness check. Neither store is needed to serve: when
 * InfluxDB is away, points wait in the bounded buffer, then are dropped and
 * counted, and `/health/ready` says `warn`.
 */
import type { FastifyInstance } from 'fastify';
import type { TenantTier } from '../base/enums/tenant-tier.js';
import { type AlertbaseConfig, maskUrl } from '../config/index.js';
import type { AlertbaseMetrics, NamedCheck } from '../observability/index.js';
import type { Database } from '../storage/index.js';
import {
  createInfluxSeriesStore,
  createPgSeriesStore,
  createSeriesWriter,
  type SeriesStore,
  type SeriesWriter,
} from '../storage/series/index.js';
import { writeBehindCheck } from './write-behind-check.js';

/** The time series of a running app. */
export interface AlertSeries {
  /** What `GET /v1/stats/alerts` reads. */
  readonly store: SeriesStore;
  /** What the alert repository records into. */
  readonly writer: SeriesWriter;
  /** Counts points into these metrics (`alertbase_series_points_total`, `alertbase_series_buffered_points`). */
  observe(metrics: AlertbaseMetrics | undefined): void;
  /** The readiness check: `warn` (never `fail`) when the store does not answer or writes fail. */
  check(now: () => Date, timeoutMs?: number): Promise<NamedCheck>;
}

/** Options of {@link useAlertSeries}. */
export interface AlertSeriesOptions {
  readonly db: Database;
  readonly config: AlertbaseConfig;
  /** A tenant's tier (its InfluxDB retention policy). */
  readonly tierOf: (tenantId: string) => Promise<TenantTier | undefined>;
}

/** Drop log lines at most this often; the counts in between are summed. */
const DROP_LOG_INTERVAL_MS = 10_000;

/**
 * Builds the store and the writer, and closes the writer with the app
 * (what is still buffered is written if the store answers within 2 s).
 */
export function useAlertSeries(app: FastifyInstance, options: AlertSeriesOptions): AlertSeries {
  const { storage } = options.config;
  const url = storage.influxdbUrl;
  const store =
    url === undefined
      ? createPgSeriesStore(options.db)
      : createInfluxSeriesStore({ url, tierOf: options.tierOf });
  const where = url === undefined ? 'PostgreSQL (alert_series)' : `InfluxDB at ${maskUrl(url)}`;
  let metrics: AlertbaseMetrics | undefined;
  let unloggedDrops = 0;
  let lastDropLog = 0;
  const writer = createSeriesWriter({
    store,
    batchSize: storage.seriesBatchSize,
    flushIntervalMs: storage.seriesFlushIntervalMs,
    maxBuffer: storage.seriesBufferMax,
    onDrop(count, reason, error) {
      metrics?.seriesPoints(store.engine, reason, count);
      unloggedDrops += count;
      const now = Date.now();
      if (now - lastDropLog < DROP_LOG_INTERVAL_MS) return;
      lastDropLog = now;
      app.log.warn(
        { err: error, dropped: unloggedDrops, reason, store: store.engine },
        `alert time series: ${unloggedDrops} points dropped (${reason}); the time series store is ${where}`,
      );
      unloggedDrops = 0;
    },
    onRetry(error, delayMs) {
      if (writer.stats().failures === 1) {
        app.log.warn(
          { err: error, store: store.engine },
          `alert time series: writing to ${where} failed; retrying with backoff (next in ${delayMs} ms), points are buffered up to SERIES_BUFFER_MAX (${storage.seriesBufferMax}) and then dropped`,
        );
      }
    },
    onRecover(failures) {
      app.log.info(
        { store: store.engine, failures },
        `alert time series: writing to ${where} again after ${failures} failed attempts`,
      );
    },
  });
  if (url !== undefined) {
    app.addHook('onReady', async () => {
      try {
        await store.ping();
      } catch (err) {
        app.log.warn(
          { err, store: store.engine },
          `INFLUXDB_URL is set but ${where} does not answer: alertbase serves without it; alert time-series points are buffered (up to SERIES_BUFFER_MAX) until it does, and GET /v1/stats/alerts answers 503 meanwhile`,
        );
      }
    });
  }
  app.addHook('onClose', async () => {
    await writer.close();
    await store.close();
  });
  return {
    store,
    writer,
    observe(observed: AlertbaseMetrics | undefined): void {
      metrics = observed;
      if (observed === undefined) return;
      let written = 0;
      observed.gauge(
        'alertbase_series_buffered_points',
        'Alert time-series points waiting to be written.',
        ['store'],
        (set) => {
          const stats = writer.stats();
          set({ store: store.engine }, stats.buffered);
          // Written points go to the counter at each scrape: the difference since the last.
          observed.seriesPoints(store.engine, 'written', stats.written - written);
          written = stats.written;
        },
      );
    },
    async check(now, timeoutMs = 2_000): Promise<NamedCheck> {
      return writeBehindCheck({
        key: 'timeseries:responseTime',
        where,
        items: 'points',
        ping: () => store.ping(),
        stats: () => writer.stats(),
        now,
        timeoutMs,
      });
    },
  };
}
