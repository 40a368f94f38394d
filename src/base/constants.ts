/**
 * Every limit and default of alertbase, in one place.
 *
 * Values that configuration may override are read from here as defaults by
 * `src/config/`; the rest are fixed by the formats alertbase speaks
 * (Prometheus, Alertmanager, PagerDuty, Opsgenie).
 */

/** Lengths of identifiers and names. */
export const LIMITS = Object.freeze({
  /** Tenant slugs: `^[a-z0-9][a-z0-9-]{0,62}$`. */
  tenantIdMaxLength: 63,
  /** Names of rules, channels, tenants (the seed's `max_length=255`). */
  nameMaxLength: 255,
  /** A PromQL condition. */
  conditionMaxLength: 16_384,
  /** A Prometheus label name. */
  labelNameMaxLength: 128,
  /** A label value. */
  labelValueMaxLength: 1_024,
  /** An annotation name (same rule as a label name). */
  annotationNameMaxLength: 128,
  /** Labels on one alert or rule. */
  maxLabels: 64,
  /** An annotation value (Opsgenie's description limit). */
  annotationValueMaxLength: 15_000,
  /** Annotations on one alert or rule. */
  maxAnnotations: 64,
  /** Tags on one entity (Opsgenie: 20 tags). */
  maxTags: 20,
  /** One tag (Opsgenie: 50 characters). */
  tagMaxLength: 50,
  /** Free text such as a silence comment or a description. */
  descriptionMaxLength: 15_000,
  /** An email address (RFC 5321 path limit). */
  emailMaxLength: 254,
  /** A URL. */
  urlMaxLength: 2_048,
  /** Notification channel ids on one rule. */
  maxChannelsPerRule: 32,
  /** Matchers in one silence. */
  maxSilenceMatchers: 64,
  /** Active and pending silences a tenant may hold at once. */
  maxActiveSilences: 10_000,
  /** Alerts in one ingest batch. */
  maxBatchSize: 10_000,
  /**
   * Alerts that concurrent ingest batches of one tenant may share a
   * transaction with (group commit); a larger batch commits alone.
   */
  maxIngestGroupSize: 10_000,
  /** Routes of one routing tree, the root included (Alertmanager sets no limit; large real trees hold hundreds). */
  maxRoutes: 10_000,
  /**
   * Nesting of a routing tree: the root is at depth 1. A route at depth d is
   * nested 2d + 1 levels deep in its document, so 30 keeps a tree within the
   * decoders' `DECODE_LIMITS.maxDepth` (64).
   */
  maxRouteDepth: 30,
  /** Receivers, and named time intervals, of one routing tree. */
  maxReceivers: 1_000,
  /** Steps of a routing tree's escalation policy. */
  maxEscalationSteps: 16,
});

/** Limits of the systems alertbase forwards alerts to. */
export const PEER_LIMITS = Object.freeze({
  /** PagerDuty Events v2 `payload.summary`. */
  pagerDutySummaryMaxLength: 1_024,
  /** PagerDuty Events v2 whole event, bytes. */
  pagerDutyPayloadMaxBytes: 512 * 1_024,
  /** Opsgenie alert `message`. */
  opsgenieMessageMaxLength: 130,
  /** Opsgenie alert `alias`. */
  opsgenieAliasMaxLength: 512,
  /** Opsgenie alert `description`. */
  opsgenieDescriptionMaxLength: 15_000,
  /** Opsgenie tags: count. */
  opsgenieMaxTags: 20,
  /** Opsgenie tags: length of one. */
  opsgenieTagMaxLength: 50,
});

/** Time values, in milliseconds unless named otherwise. */
export const DURATIONS = Object.freeze({
  /** Longest `for` of an alert rule. */
  maxRuleForMs: 24 * 60 * 60 * 1_000,
  /** Shortest evaluation interval accepted for a rule group. */
  minEvaluationIntervalMs: 1_000,
  /** Default evaluation interval (Prometheus' global default). */
  defaultEvaluationIntervalMs: 60_000,
  /** Alertmanager's default resolve timeout: an alert with no endsAt resolves after this. */
  defaultResolveTimeoutMs: 5 * 60 * 1_000,
  /**
   * Longest duration accepted anywhere: Prometheus keeps durations in a Go
   * `time.Duration` (int64 nanoseconds), so nothing above (2^63 - 1) ns, about 292 years.
   */
  maxDurationMs: 9_223_372_036_854,
  /**
   * An API key's `lastUsedAt` is written at most once per this interval per
   * key: often enough to tell a used key from an idle one, rarely enough that
   * authentication does not turn every request into a write.
   */
  apiKeyLastUsedIntervalMs: 60_000,
  /** How long an unknown API key is remembered as unknown (not asked of the database again). */
  unknownKeyCacheMs: 5_000,
});

/**
 * Failed authentication, throttled per client address and per key prefix:
 * more than `maxFailures` within `windowSeconds` blocks further attempts of
 * that address (or prefix) for `blockSeconds` (429 `ALERTBASE_RATE_LIMITED`).
 */
export const AUTH_THROTTLE = Object.freeze({
  maxFailures: 20,
  windowSeconds: 60,
  blockSeconds: 60,
});

/** Defaults of the seed's configuration (env variables and `base_schema:` file). */
export const DEFAULTS = Object.freeze({
  strictValidation: false,
  /** `ALERTBASE_MODEL_COMPILATION` / `validation.compile`: when models compile their parsers. */
  modelCompilation: 'lazy' as 'lazy' | 'eager' | 'off',
  /** `VALIDATION_CACHE_TTL`, seconds. */
  validationCacheTtlSeconds: 3_600,
  /** `MAX_VALIDATION_ERRORS`. */
  maxValidationErrors: 10,
  /** `base_schema.validation.cache_enabled`. */
  validationCacheEnabled: true,
  /** Entries kept by the validation cache. */
  validationCacheMaxEntries: 10_000,
  enableQueryCache: true,
  /** `CACHE_TTL_SECONDS` and `performance.cache_ttl`. */
  cacheTtlSeconds: 300,
  /** `MAX_MEMORY_USAGE_MB`. */
  maxMemoryUsageMb: 512,
  /** `performance.batch_size`. */
  batchSize: 100,
  lazyLoading: true,
  defaultFormat: 'json',
  compressionEnabled: true,
  /** Bodies at least this large are compressed when compression is enabled. */
  compressionThresholdBytes: 1_024,
  prettyPrint: false,
  /** `PORT`. */
  port: 8080,
  /** `METRICS_ENABLED`: `GET /metrics` is served. */
  metricsEnabled: true,
  /** `METRICS_TENANT_LIMIT`: tenants with their own label value in metrics; the rest are `other`. */
  metricsTenantLimit: 20,
  /** `RESPONSE_TIME_THRESHOLD_MS`: a p95 over the last minute above it makes `/health/ready` warn. */
  responseTimeThresholdMs: 1_000,
  /** Notification channels may not reach loopback or private networks unless a deployment allows it. */
  notifyAllowPrivateNetworks: false,
  /** Seconds a delivery attempt may take. */
  notifyTimeoutSeconds: 10,
  /** Seconds an undelivered notification is retried before it is dead (a day). */
  notifyMaxAgeSeconds: 86_400,
  /** `HOST`: the interface `alertbase serve` listens on (`0.0.0.0` in a container). */
  host: '127.0.0.1',
  /** Where the embedded database keeps its files. */
  dataDir: './data',
  /**
   * `PGLITE_THREAD`: where `alertbase serve` runs PGlite: in a worker thread,
   * beside the event loop (`worker`), or on it (`main`).
   */
  pgliteThread: 'worker' as 'worker' | 'main',
  /** Connections in the pool to a PostgreSQL server (`DATABASE_POOL_SIZE`). */
  databasePoolSize: 10,
  /** `DATABASE_TIMEOUT_MS`: longest wait for a pooled connection, a statement or a lock on a PostgreSQL server. */
  databaseTimeoutMs: 5_000,
  /** `REDIS_KEY_PREFIX`: before every Redis key (deployments sharing one Redis each take their own). */
  redisKeyPrefix: 'ab:',
  /** `SERIES_BATCH_SIZE`: alert time-series points per write. */
  seriesBatchSize: 1_000,
  /** `SERIES_FLUSH_INTERVAL_MS`: longest wait before buffered time-series points are written. */
  seriesFlushIntervalMs: 1_000,
  /** `SERIES_BUFFER_MAX`: time-series points kept while their store is away; past it they are dropped and counted. */
  seriesBufferMax: 100_000,
  /** `ARCHIVE_ENABLED`: every ingest request's decoded body is kept in the payload archive. */
  archiveEnabled: true,
  /** `ARCHIVE_BUFFER_MAX_MB`: archived bodies waiting to be written, MiB; past it they are dropped and counted. */
  archiveBufferMaxMb: 64,
  /**
   * `MAINTENANCE_ENABLED`: the service's maintenance pass (`ANALYZE`, and
   * `VACUUM` on PGlite) runs every 10 s.
   */
  maintenanceEnabled: true,
  /** `SHUTDOWN_GRACE_MS`: how long `alertbase serve` lets in-flight requests finish after SIGTERM. */
  shutdownGraceMs: 10_000,
  /**
   * `INGEST_HEARTBEAT_WINDOW_MS`: the longest a heartbeat (a resend that only
   * moves `endsAt`, `lastReceivedAt`, `duplicateCount`) waits to be written
   * after it was answered; 0 writes every resend before answering.
   */
  heartbeatWindowMs: 1_000,
  /** The configuration file looked for when `ALERTBASE_CONFIG` is not set. */
  configFile: './alertbase.yaml',
  /**
   * The `AlertLevel` of a Prometheus alerting rule without a (known) `severity`
   * label; `warning` is Prometheus' middle severity, so `medium`.
   */
  prometheusDefaultLevel: 'medium' as const,
});

/**
 * Limits of the performance level of validation (`src/base/validators/`);
 * every one can be overridden per validator (`performanceChecks({ limits })`).
 */
export const VALIDATION_LIMITS = Object.freeze({
  /** Bytes of one entity as UTF-8 JSON. */
  maxDocumentBytes: 256 * 1_024,
  /** Nesting depth of objects and arrays in one entity. */
  maxDepth: 16,
  /** Characters of a string with no field-specific limit. */
  maxStringLength: LIMITS.descriptionMaxLength,
  /** Syntax-tree nodes of one PromQL condition (a warning above). */
  maxPromqlNodes: 500,
  /** Series selectors in one PromQL condition (a warning above). */
  maxPromqlSelectors: 20,
  /** Longest range selector or subquery range, ms (a warning above: 7 days). */
  maxPromqlRangeMs: 7 * 24 * 60 * 60 * 1_000,
});

/** Limits every decoder applies before and while parsing untrusted input. */
export const DECODE_LIMITS = Object.freeze({
  /** Bytes of one document or request body. */
  maxBytes: 10 * 1_024 * 1_024,
  /** Nesting depth of objects and arrays. */
  maxDepth: 64,
  /** Keys of one object. */
  maxKeys: 10_000,
  /** Items of one array. */
  maxItems: 100_000,
  /**
   * Values (scalars and containers) of one document, counted by the decoders
   * as they read (before a decoded tree is allocated).
   */
  maxNodes: 1_000_000,
  /** Characters of one string. */
  maxStringLength: 1_048_576,
  /**
   * Nodes that YAML aliases and merge keys (`<<: *a`) copy into one document,
   * counted fully expanded and together (one budget).
   */
  maxYamlAliases: 10_000,
  /** Character and entity references (`&amp;`, `&#65;`) in one XML document. */
  maxXmlReferences: 100_000,
});

/**
 * Keys that would reach an object's prototype; refused anywhere in a
 * document. Only `__proto__`: assigning it replaces an object's prototype.
 * `constructor` and `prototype` are data like any key (both are legal
 * Prometheus label names): code never merges by walking them, and reads a
 * map by name only through own properties (`Object.hasOwn`) or from
 * null-prototype objects, so `labels.constructor` of a map without that
 * label is `undefined`, never `Object`.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__']);

/** What a secret field prints as, everywhere. */
export const SECRET_MASK = '**********';
