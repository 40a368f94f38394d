/**
 * Wires the observability layer into the app: request ids, the request log,
 * HTTP, database, ingest (and its memos of resends) and serialization metrics, and `GET /metrics` on
 * the service port (unless `METRICS_PORT` gives it its own).
 */
import type { FastifyInstance } from 'fastify';
import type { AlertbaseConfig } from '../config/index.js';
import {
  type AlertbaseMetrics,
  createMetrics,
  createResponseTimeWindow,
  type MemoBudgetView,
  metricsRoute,
  observeDatabase,
  observeHeartbeatIndex,
  observeHttp,
  observeIngest,
  observeIngestTransactions,
  observeMemoBudget,
  type ResponseTimeWindow,
} from '../observability/index.js';
import { type Database, readTableFootprint, type TableFootprint } from '../storage/index.js';
import type { Repositories } from '../storage/repositories/index.js';

/** What the routes get from {@link useObservability}. */
export interface Observed {
  /** The metrics, when `METRICS_ENABLED` is on. */
  readonly metrics: AlertbaseMetrics | undefined;
  /** The last minute of response times (health). */
  readonly window: ResponseTimeWindow;
}

/**
 * The metrics of a configuration: `undefined` when `METRICS_ENABLED` is off.
 *
 * @example
 * ```ts
 * const metrics = metricsOf(config); // pass it to buildApp and startMetricsServer
 * ```
 */
export function metricsOf(config: AlertbaseConfig): AlertbaseMetrics | undefined {
  const o = config.observability;
  return o.metricsEnabled
    ? createMetrics({
        maxMemoryUsageMb: config.performance.maxMemoryUsageMb,
        tenantLimit: o.metricsTenantLimit,
      })
    : undefined;
}

/**
 * Adds the hooks to `app` (before any route is registered) and, when the
 * metrics are on and have no port of their own, `GET /metrics`.
 */
export function useObservability(
  app: FastifyInstance,
  options: {
    readonly config: AlertbaseConfig;
    readonly db: Database;
    readonly repos: Repositories;
    /** Given by `startServer` (which may serve them on their own port); default {@link metricsOf}. */
    readonly metrics?: AlertbaseMetrics | undefined;
    /** Platform administrator keys: masked should a request path hold one. */
    readonly adminKeys?: readonly string[] | undefined;
    /** The budget of ingest's memos of resends (`alertbase_ingest_memo_*`). */
    readonly memoBudget?: MemoBudgetView | undefined;
    /** The heartbeat index's bound (`alertbase_ingest_heartbeat_index_*`). */
    readonly heartbeatMaxEntries?: number | undefined;
  },
): Observed {
  const { config } = options;
  const metrics = options.metrics ?? metricsOf(config);
  const window = createResponseTimeWindow();
  const metricsKey = config.observability.metricsKey?.reveal();
  observeHttp(app, {
    metrics,
    window,
    secrets: [...(options.adminKeys ?? []), ...(metricsKey === undefined ? [] : [metricsKey])],
    identify: (request) =>
      request.principal?.kind === 'tenant'
        ? { tenant: request.principal.tenantId, keyId: request.principal.keyId }
        : undefined,
  });
  if (metrics !== undefined) {
    const stop = observeDatabase(options.db, metrics);
    observeTables(options.db, metrics);
    // A database still opening (startServer) answers with a promise of the function.
    app.addHook('onClose', async () => (await Promise.resolve(stop))());
    observeIngest(options.repos.alerts, metrics);
    observeIngestTransactions(metrics.registry, options.repos.alerts);
    if (options.memoBudget !== undefined) observeMemoBudget(metrics.registry, options.memoBudget);
    if (options.heartbeatMaxEntries !== undefined) {
      observeHeartbeatIndex(metrics.registry, options.repos.alerts, options.heartbeatMaxEntries);
    }
    if (config.observability.metricsPort === undefined) {
      metricsRoute(app, { metrics, key: metricsKey });
    }
  }
  return { metrics, window };
}

/** The `alertbase_table_*` gauges: which field of a table's footprint each reports. */
const TABLE_GAUGES: readonly [string, string, keyof Omit<TableFootprint, 'table'>][] = [
  ['alertbase_table_live_rows', 'Live rows of each table (n_live_tup).', 'liveRows'],
  [
    'alertbase_table_dead_rows',
    'Dead row versions of each table that a VACUUM would reclaim (n_dead_tup).',
    'deadRows',
  ],
  [
    'alertbase_table_size_bytes',
    'Heap, indexes and TOAST of each table, bytes (pg_total_relation_size).',
    'totalBytes',
  ],
];

/**
 * Rows, dead rows and size of each table at each scrape: one read of
 * `pg_stat_user_tables` shared by the three gauges of a scrape. A read that
 * fails reports no table (the scrape still answers, `alertbase_database_up`
 * says why).
 */
function observeTables(db: Database, metrics: AlertbaseMetrics): void {
  let reading: Promise<TableFootprint[]> | undefined;
  const read = (): Promise<TableFootprint[]> => {
    reading ??= readTableFootprint(db)
      .catch((): TableFootprint[] => [])
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
  for (const [name, help, field] of TABLE_GAUGES) {
    metrics.gauge(name, help, ['table'], async (set) => {
      for (const t of await read()) set({ table: t.table }, t[field]);
    });
  }
}
