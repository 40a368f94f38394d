import {
  Counter,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  Registry,
  type RegistryContentType,
} from 'prom-client';
import { createTenantLabel } from './tenant-label.js';

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** `MAX_MEMORY_USAGE_MB`: exported as `alertbase_memory_limit_bytes`. */
  readonly maxMemoryUsageMb: number;
  /** Tenants with their own `tenant` label value; the rest are `other`. Default 20. */
  readonly tenantLimit?: number | undefined;
  /** Node's default process metrics (`process_*`, `nodejs_*`). Default true. */
  readonly processMetrics?: boolean | undefined;
}

/** The outcome of one ingested alert (the storage's outcomes). */
export type IngestOutcome = 'created' | 'deduplicated' | 'resolved' | 'rejected';

/** The direction of a serialization: `encode` writes a body, `decode` reads one. */
export type SerializationDirection = 'encode' | 'decode';

/** Where a cache lookup was answered: `l1` (memory), `l2` (Redis), `l3` (the database). */
export type CacheTier = 'l1' | 'l2' | 'l3';

/**
 * alertbase's metrics in one prom-client registry, with a recorder per
 * concern. Names follow Prometheus's conventions (base units, `_total`,
 * `_seconds`, `_bytes`); every label has a bounded set of values.
 */
export interface AlertbaseMetrics {
  /** The registry `/metrics` renders. */
  readonly registry: Registry<RegistryContentType>;
  /** One HTTP request: its route template (`/v1/alerts/:id`), method, status and duration. */
  httpRequest(route: string, method: string, status: number, seconds: number): void;
  /** One validation level of one model. */
  validation(model: string, level: string, seconds: number): void;
  /** One validation finding, by its stable code. */
  validationIssue(model: string, code: string): void;
  /** One body encoded or decoded. */
  serialization(
    format: string,
    direction: SerializationDirection,
    seconds: number,
    bytes: number,
  ): void;
  /** Ingest outcomes of one batch of a tenant. */
  ingest(tenantId: string, counts: Readonly<Partial<Record<IngestOutcome, number>>>): void;
  /** One database statement. */
  query(statement: string, engine: string, seconds: number): void;
  /**
   * The hook of the cache layer: one lookup answered (hit) or not (miss) at a
   * tier.
   */
  cacheLookup(tier: CacheTier, hit: boolean): void;
  /** The hook of notification delivery: one attempt by channel type and its result. */
  notification(channelType: string, result: 'sent' | 'failed' | 'dropped'): void;
  /** The hook of the notification queue: the age of its oldest pending item, seconds (0 when empty). */
  notificationQueueAge(seconds: number): void;
  /**
   * The hook of the alert time-series writer: points written to a store
   * (`postgresql`, `influxdb`), or dropped and why (`buffer_full`, `refused`, `closed`).
   */
  seriesPoints(store: string, result: string, count: number): void;
  /**
   * Adds a gauge read at each scrape (`collect` may be async: a database
   * round trip, pool counters).
   */
  gauge(
    name: string,
    help: string,
    labelNames: readonly string[],
    collect: (set: (labels: Readonly<Record<string, string>>, value: number) => void) => unknown,
  ): void;
}

/** Seconds: from 0.5 ms to 10 s. */
const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Seconds: from 10 µs to 0.5 s (validation and serialization are in-process). */
const CPU_BUCKETS = [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5];

/** prom-client default gauges whose names end in `_total`. */
const NON_COUNTER_TOTALS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** `2xx`, `4xx`, ... */
function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

/**
 * Creates alertbase's metrics in a new registry (never the global one, so
 * two apps in one process do not collide).
 *
 * @example
 * ```ts
 * const metrics = createMetrics({ maxMemoryUsageMb: 512 });
 * metrics.httpRequest('/v1/alerts', 'GET', 200, 0.004);
 * await metrics.registry.metrics(); // Prometheus text format
 * ```
 */
export function createMetrics(options: MetricsOptions): AlertbaseMetrics {
  const registry = new Registry<RegistryContentType>();
  const registers = [registry];
  if (options.processMetrics !== false) {
    collectDefaultMetrics({ register: registry });
    // Gauges named `_total` break Prometheus's naming rule (promtool reports
    // them); their per-type breakdowns (`nodejs_active_handles{type}`) stay.
    for (const name of NON_COUNTER_TOTALS) registry.removeSingleMetric(name);
  }
  const tenantLabel = createTenantLabel(options.tenantLimit ?? 20);

  const httpRequests = new Counter({
    name: 'alertbase_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status class.',
    labelNames: ['route', 'method', 'status_class'],
    registers,
  });
  const httpDuration = new Histogram({
    name: 'alertbase_http_request_duration_seconds',
    help: 'Time from a request received to its answer sent, by route template, method and status class.',
    labelNames: ['route', 'method', 'status_class'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const validationDuration = new Histogram({
    name: 'alertbase_validation_duration_seconds',
    help: 'Time spent in one validation level, by model and level.',
    labelNames: ['model', 'level'],
    buckets: CPU_BUCKETS,
    registers,
  });
  const validationIssues = new Counter({
    name: 'alertbase_validation_issues_total',
    help: 'Validation findings, by model and code.',
    labelNames: ['model', 'code'],
    registers,
  });
  const serializationDuration = new Histogram({
    name: 'alertbase_serialization_duration_seconds',
    help: 'Time to encode or decode one body, by format and direction.',
    labelNames: ['format', 'direction'],
    buckets: CPU_BUCKETS,
    registers,
  });
  const serializationBytes = new Counter({
    name: 'alertbase_serialization_bytes_total',
    help: 'Bytes encoded or decoded, by format and direction.',
    labelNames: ['format', 'direction'],
    registers,
  });
  const ingested = new Counter({
    name: 'alertbase_ingest_alerts_total',
    help: 'Alerts ingested, by tenant (the first tenants seen; the rest as "other") and outcome.',
    labelNames: ['tenant', 'outcome'],
    registers,
  });
  const queryDuration = new Histogram({
    name: 'alertbase_db_query_duration_seconds',
    help: 'Database statement time, by statement name and engine.',
    labelNames: ['statement', 'engine'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const cacheLookups = new Counter({
    name: 'alertbase_cache_lookups_total',
    help: 'Cache lookups, by tier and result (hit or miss).',
    labelNames: ['tier', 'result'],
    registers,
  });
  const notifications = new Counter({
    name: 'alertbase_notifications_total',
    help: 'Notification delivery attempts, by channel type and result.',
    labelNames: ['channel_type', 'result'],
    registers,
  });
  const seriesPoints = new Counter({
    name: 'alertbase_series_points_total',
    help: 'Alert time-series points, by store and result (written, or dropped: buffer_full, refused, closed).',
    labelNames: ['store', 'result'],
    registers,
  });
  const queueAge = new Gauge({
    name: 'alertbase_notification_queue_oldest_age_seconds',
    help: 'Age of the oldest notification waiting to be delivered (0 when none waits).',
    registers,
  });
  new Gauge({
    name: 'alertbase_memory_limit_bytes',
    help: 'The memory the process is meant to stay under (MAX_MEMORY_USAGE_MB).',
    registers,
  }).set(options.maxMemoryUsageMb * 1024 * 1024);
  new Gauge({
    name: 'alertbase_memory_used_ratio',
    help: 'Resident memory of the process over alertbase_memory_limit_bytes.',
    registers,
    collect() {
      this.set(process.memoryUsage.rss() / (options.maxMemoryUsageMb * 1024 * 1024));
    },
  });

  return {
    registry,
    httpRequest(route, method, status, seconds) {
      const labels = { route, method, status_class: statusClass(status) };
      httpRequests.inc(labels);
      httpDuration.observe(labels, seconds);
    },
    validation(model, level, seconds) {
      validationDuration.observe({ model, level }, seconds);
    },
    validationIssue(model, code) {
      validationIssues.inc({ model, code });
    },
    serialization(format, direction, seconds, bytes) {
      serializationDuration.observe({ format, direction }, seconds);
      serializationBytes.inc({ format, direction }, bytes);
    },
    ingest(tenantId, counts) {
      const tenant = tenantLabel(tenantId);
      for (const [outcome, n] of Object.entries(counts)) {
        if (n !== undefined && n > 0) ingested.inc({ tenant, outcome }, n);
      }
    },
    query(statement, engine, seconds) {
      queryDuration.observe({ statement, engine }, seconds);
    },
    cacheLookup(tier, hit) {
      cacheLookups.inc({ tier, result: hit ? 'hit' : 'miss' });
    },
    notification(channelType, result) {
      notifications.inc({ channel_type: channelType, result });
    },
    notificationQueueAge(seconds) {
      queueAge.set(seconds);
    },
    seriesPoints(store, result, count) {
      if (count > 0) seriesPoints.inc({ store, result }, count);
    },
    gauge(name, help, labelNames, collect) {
      new Gauge({
        name,
        help,
        labelNames: [...labelNames],
        registers,
        async collect() {
          this.reset();
          await collect((labels, value) => this.set(labels, value));
        },
      });
    },
  };
}
