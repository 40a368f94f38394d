/**
 * The HTTP service: a Fastify application built from the library only.
 * `buildApp` wires it to an open database and returns it unstarted (test it
 * with `inject`); `startServer` (in `start-server.ts`) opens the database
 * and listens.
 */
import compress from '@fastify/compress';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Redis } from 'ioredis';
import { DECODE_LIMITS, DEFAULTS } from '../base/constants.js';
import { AlertbaseError } from '../base/exceptions/index.js';
import { createSerializer, type Format, type Serializer } from '../base/serializers/index.js';
import { createCache, createMemoryDriver, createRedisDriver } from '../cache/index.js';
import { type AlertbaseConfig, cacheBudgetOf, ENCRYPTION_KEYS_ENV } from '../config/index.js';
import { compileTree } from '../domain/index.js';
import {
  type AlertbaseMetrics,
  createLogger,
  REQUEST_ID_HEADER,
  requestIdOf,
} from '../observability/index.js';
import {
  auditKeysOf,
  createIngestQuota,
  createRequestLimiter,
  FieldCipher,
  KeyRing,
} from '../security/index.js';
import type { Database } from '../storage/index.js';
import { autovacuumEnabled } from '../storage/maintenance.js';
import {
  createRepositories,
  hashApiKey,
  heartbeatEntriesFor,
  MemoBudget,
  memoBudgetBytes,
} from '../storage/repositories/index.js';
import { useAlertSeries } from './alert-series.js';
import { type AuthBackend, type RouteRequirement, useAuth } from './auth.js';
import { markRetryable, useShutdownRefusal } from './availability.js';
import { useBackPressure } from './back-pressure.js';
import { useCacheChanges } from './cache-changes.js';
import { useConsole } from './console.js';
import { createChannelSend, createDeliver } from './deliver.js';
import { useIngestArchive } from './ingest-archive.js';
import { type MaintenanceScheduler, startMaintenanceScheduler } from './maintenance-scheduler.js';
import type { DeliverFn } from './notification-scheduler.js';
import { useNotifications } from './notifications.js';
import { useObservability } from './observability.js';
import { documentTransform, openApiDocument, routeSchemaTransform } from './openapi.js';
import { useOutputHeaders } from './output-headers.js';
import { usePayloadArchive } from './payload-archive.js';
import { PROBLEM_JSON, problemOf, toAlertbaseError } from './problems.js';
import { createQueryCache } from './query-cache.js';
import { useRateLimits } from './rate-limit.js';
import { useReadAudit } from './read-audit.js';
import { type RetentionScheduler, startRetentionScheduler } from './retention-scheduler.js';
import { routeCompilers } from './route-validation.js';
import type { RouteContext } from './routes/context.js';
import { healthRoutes } from './routes/health.js';
import { registerRoutes } from './routes/register.js';
import { type SilenceScheduler, startSilenceScheduler } from './silence-scheduler.js';
import { TenantCache } from './tenant-cache.js';
import { isCompressibleType, useSerializer } from './wire.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every API route and what it requires (see the permission matrix). */
    readonly routeRequirements: readonly RouteRequirement[];
  }
}

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  /** An open, migrated database; the app does not close it. */
  readonly db: Database;
  /** The effective configuration (`loadConfig().config`). */
  readonly config: AlertbaseConfig;
  /**
   * A pino logger; a level (`{ level: 'info', pretty?: true }`) or `true`
   * (info) for alertbase's logger on stdout (`createLogger`: JSON lines,
   * secrets redacted; `pretty`: readable lines); `false`/absent for none.
   */
  readonly logger?:
    | FastifyBaseLogger
    | { readonly level: string; readonly pretty?: boolean | undefined }
    | boolean
    | undefined;
  /** The metrics (`startServer` passes them to serve them on `METRICS_PORT` too); default: made from the configuration. */
  readonly metrics?: AlertbaseMetrics | undefined;
  /** Platform administrator keys (plain text): they manage tenants. */
  readonly adminKeys?: readonly string[] | undefined;
  /** Largest request body in bytes, checked before parsing. Default `DECODE_LIMITS.maxBytes` (10 MiB). */
  readonly bodyLimit?: number | undefined;
  /** Clock (tests: key expiry, Alertmanager `endsAt`). */
  readonly now?: (() => Date) | undefined;
  /** How long a found API key is trusted before it is looked up again, ms (default 5,000). */
  readonly keyCacheTtlMs?: number | undefined;
  /**
   * Run the schedulers (silences starting and ending, planner statistics and
   * vacuum: `maintenance-scheduler.ts`, unless `storage.maintenanceEnabled`
   * is false) while the app is ready, until it closes. Default false;
   * `startServer` turns it on.
   */
  readonly schedulers?: boolean | undefined;
  /** @internal Time between two maintenance passes, ms (default 10,000; tests shorten it). */
  readonly maintenanceTickMs?: number | undefined;
  /** Sends one notification (default: the channel types of `src/notify/`). */
  readonly deliver?: DeliverFn | undefined;
  /**
   * The key ring of encryption at rest (channel secrets). Default: from
   * `storage.encryptionKeys` (`ALERTBASE_ENCRYPTION_KEYS`); `startServer`
   * falls back to the data directory's key file. Without one, channels with
   * secrets can be neither stored nor used (500 `ALERTBASE_SECURITY_ENCRYPTION_UNAVAILABLE`).
   */
  readonly keyRing?: KeyRing | undefined;
  /** How often audited reads are written to the trail, ms (default 1,000; see `read-audit.ts`). */
  readonly readAuditFlushMs?: number | undefined;
  /**
   * A Redis connection (`connectRedis`, owned by the caller): L2 cache and
   * shared rate limits. Absent: both in this process.
   */
  readonly redis?: Redis | undefined;
  /** Before every Redis key (deployments or test runs sharing one Redis). Default `ab:`. */
  readonly redisPrefix?: string | undefined;
  /** @internal Count request rates (default true); benchmarks turn it off to measure its cost. */
  readonly rateLimits?: boolean | undefined;
  /** The built web console's directory (default: dist/console beside the server; see `console.ts`). */
  readonly consoleDir?: string | undefined;
  /** @internal Time between two reads of a tenant's audit trail by `GET /v1/events`, ms (default 1,000). */
  readonly eventPollMs?: number | undefined;
  /** @internal Replaces how keys and tenants are looked up (tests of auth). */
  readonly authBackend?: AuthBackend | undefined;
}

/**
 * Builds the alertbase HTTP application (not listening): the `/v1` API, the
 * Alertmanager-compatible endpoints, health checks and OpenAPI at `/docs`.
 * Answers of 1 KiB or more are compressed (br or gzip, by `Accept-Encoding`)
 * unless `serialization.compressionEnabled` is off.
 *
 * @example
 * ```ts
 * const db = await createTestDatabase();
 * const app = await buildApp({ db, config: (await loadConfig()).config });
 * const res = await app.inject({ url: '/health/ready' });
 * await app.close();
 * ```
 */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const bodyLimit = options.bodyLimit ?? DECODE_LIMITS.maxBytes;
  const logger = options.logger;
  const app: FastifyInstance = Fastify({
    bodyLimit,
    ...(logger === undefined || logger === false
      ? { logger: false }
      : {
          loggerInstance:
            typeof logger === 'object' && 'info' in logger
              ? logger
              : createLogger(typeof logger === 'object' ? logger : { level: 'info' }),
        }),
    // Refused by useShutdownRefusal instead: problem details with Retry-After.
    return503OnClosing: false,
    // One log line per request, with tenant and key id, written by useObservability.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (request) => requestIdOf(request.headers[REQUEST_ID_HEADER]),
    forceCloseConnections: 'idle',
    // The routes' Zod schemas validate path, query and headers (every issue with
    // its pointer, in our own format) and generate the OpenAPI document; models
    // validate bodies in the handlers. Responses are encoded by `send` (wire.ts).
    // Given here rather than set once built, so that Fastify never loads its own
    // compilers (Ajv and fast-json-stringify: about 65 ms of every start).
    schemaController: { compilersFactory: routeCompilers },
  });

  // Every route and what it requires, filled as routes are registered.
  const routeTable: RouteRequirement[] = [];
  app.decorate('routeRequirements', routeTable);

  const serializer: Serializer = createSerializer({
    defaultFormat: options.config.serialization.defaultFormat as Format,
    prettyPrint: options.config.serialization.prettyPrint,
    limits: { maxBytes: bodyLimit },
  });

  // Registered first: it applies to the routes registered after it (all of them).
  // Request bodies are decompressed by the serializer (limits, 415), not here.
  if (options.config.serialization.compressionEnabled) {
    await app.register(compress, {
      encodings: ['br', 'gzip'],
      threshold: DEFAULTS.compressionThresholdBytes,
      customTypes: isCompressibleType,
      globalDecompression: false,
    });
  }

  app.setErrorHandler((err, request, reply) => {
    const error = toAlertbaseError(err, bodyLimit);
    if (error.status >= 500) request.log.error({ err }, 'request failed');
    const problem = problemOf(error, request.url.split('?')[0] ?? '', request.id);
    markRetryable(reply, error.status);
    if (error.code === 'ALERTBASE_AUTH_UNAUTHENTICATED') {
      reply.header('www-authenticate', 'Bearer realm="alertbase"');
    }
    return reply.code(error.status).type(PROBLEM_JSON).send(JSON.stringify(problem));
  });
  useShutdownRefusal(app);
  app.setNotFoundHandler((request, reply) => {
    const problem = problemOf(
      new AlertbaseError('ALERTBASE_RESOURCE_NOT_FOUND', {
        resource: 'route',
        id: `${request.method} ${request.url.split('?')[0] ?? ''}`,
      }),
      request.url.split('?')[0] ?? '',
      request.id,
    );
    return reply.code(404).type(PROBLEM_JSON).send(JSON.stringify(problem));
  });

  useOutputHeaders(app);
  await useBackPressure(app, { maxMemoryUsageMb: options.config.performance.maxMemoryUsageMb });
  await app.register(swagger, {
    openapi: openApiDocument(),
    transform: routeSchemaTransform,
    transformObject: documentTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await useConsole(app, { dir: options.consoleDir });

  const keys = options.config.storage.encryptionKeys;
  const keyRing =
    options.keyRing ??
    (keys === undefined ? undefined : KeyRing.parse(keys.reveal(), ENCRYPTION_KEYS_ENV));
  // The tenants' tiers are read through the tenant cache, made below.
  let tenantCache: TenantCache | undefined;
  const series = useAlertSeries(app, {
    db: options.db,
    config: options.config,
    tierOf: async (id) => (await tenantCache?.get(id))?.tier,
  });
  const archive = usePayloadArchive(app, { db: options.db, config: options.config });
  // What ingest remembers of resends, at every layer: one budget (memo-budget.ts).
  const memoBudget = new MemoBudget(memoBudgetBytes(options.config.performance.maxMemoryUsageMb));
  const heartbeatMaxEntries = heartbeatEntriesFor(options.config.performance.maxMemoryUsageMb);
  const repos = createRepositories(options.db, {
    cipher: keyRing === undefined ? undefined : new FieldCipher(keyRing),
    auditKeys: keyRing === undefined ? undefined : auditKeysOf(keyRing),
    alertEvents: series.writer,
    heartbeatWindowMs: options.config.performance.heartbeatWindowMs,
    heartbeatMaxEntries,
    onHeartbeatError: (err) => app.log.error({ err }, 'heartbeat flush failed'),
    memoBudget,
  });
  // Runs once the server has stopped taking requests and answered those in
  // flight (SIGTERM drains first): every heartbeat answered is written.
  app.addHook('onClose', async () => repos.alerts.close());
  const observed = useObservability(app, { ...options, repos, memoBudget, heartbeatMaxEntries });
  series.observe(observed.metrics);
  const autovacuum = await autovacuumEnabled(options.db);
  if (autovacuum === false) {
    app.log.warn(
      'autovacuum is off on the PostgreSQL server: alertbase analyzes tables after large writes but nothing vacuums them',
    );
  }
  const tenants = new TenantCache(repos.tenants);
  tenantCache = tenants;
  if (options.schedulers === true) {
    let scheduler: SilenceScheduler | undefined;
    let maintenance: MaintenanceScheduler | undefined;
    let retention: RetentionScheduler | undefined;
    app.addHook('onReady', async () => {
      retention = startRetentionScheduler(options.db, repos.tenants, {
        keys: repos.auditKeys,
        archive: archive.store,
        archiveRetentionDays: options.config.storage.archiveRetentionDays,
        onPurge: (tenant, result) => app.log.info({ tenant, retention: result }, 'retention'),
        onAuditPurge: (result) =>
          app.log.info(
            {
              auditCuts: Object.fromEntries(result.cuts),
              partitionsDropped: result.partitionsDropped,
              rowsDeleted: result.rowsDeleted,
            },
            'audit retention',
          ),
        onError: (err) => app.log.error({ err }, 'retention pass failed'),
      });
      scheduler = startSilenceScheduler(repos.silences, {
        onError: (err) => app.log.error({ err }, 'silence scheduler pass failed'),
      });
      if (options.config.storage.maintenanceEnabled) {
        maintenance = startMaintenanceScheduler(options.db, {
          ...(options.maintenanceTickMs === undefined ? {} : { tickMs: options.maintenanceTickMs }),
          onAction: (action) => app.log.info({ maintenance: action }, 'table maintenance'),
          onError: (err) => app.log.error({ err }, 'maintenance pass failed'),
        });
      } else {
        app.log.warn(
          'table maintenance is off (MAINTENANCE_ENABLED=false): alertbase neither analyzes nor vacuums tables',
        );
      }
    });
    app.addHook('onClose', async () => {
      await scheduler?.stop();
      await maintenance?.stop();
      await retention?.stop();
    });
  }
  const cache = createCache({
    l1: createMemoryDriver(cacheBudgetOf(options.config)),
    l2:
      options.redis === undefined
        ? undefined
        : createRedisDriver({
            redis: options.redis,
            ttlSeconds: options.config.performance.cacheTtl,
            ...(options.redisPrefix === undefined ? {} : { prefix: options.redisPrefix }),
          }),
  });
  const stopping = new AbortController();
  app.addHook('onClose', async () => stopping.abort());
  const notifications = useNotifications(app, {
    db: options.db,
    config: options.config,
    deliver: options.deliver ?? createDeliver(repos, tenants, options.config, stopping.signal),
    send: createChannelSend(tenants, options.config, stopping.signal),
    now: options.now,
    compileTree,
    schedulers: options.schedulers === true,
    auditKeys: repos.auditKeys,
    events: series.writer,
  });
  const context: Omit<RouteContext, 'forgetKeys' | 'authFailures'> = {
    memoBudget,
    notifications,
    series,
    archive,
    db: options.db,
    repos,
    keyRing,
    tenants,
    config: options.config,
    serializer,
    bodyLimit,
    now: options.now ?? (() => new Date()),
    eventPollMs: options.eventPollMs,
    metrics: observed.metrics,
    ingestQuota: createIngestQuota({
      redis: options.redis,
      ...(options.redisPrefix === undefined ? {} : { prefix: options.redisPrefix }),
    }),
    queryCache: createQueryCache({
      db: options.db,
      cache,
      enabled: options.config.performance.queryCacheEnabled,
    }),
  };

  await app.register(async (api) => {
    useSerializer(api, serializer, observed.metrics, memoBudget);
    const auth = useAuth(api, {
      backend: options.authBackend ?? {
        findKey: (key) => repos.apiKeys.findByKey(key),
        findSession: async (token, at) => {
          const found = await repos.users.findSession(token, at);
          return found === undefined
            ? undefined
            : {
                id: found.session.id,
                tenantId: found.session.tenantId,
                userId: found.user.id,
                email: found.user.email,
                role: found.user.role,
              };
        },
        tenantIsActive: async (id) => (await tenants.get(id))?.status === 'active',
        recordKeyUse: (key, at, minIntervalMs) =>
          repos.apiKeys.recordUse(key.tenantId, key.id, at, minIntervalMs),
      },
      platformKeyHashes: (options.adminKeys ?? []).filter((k) => k !== '').map(hashApiKey),
      now: context.now,
      routeTable,
      ...(options.keyCacheTtlMs === undefined ? {} : { keyCacheTtlMs: options.keyCacheTtlMs }),
    });
    useCacheChanges(app, options.db, {
      forgetTenant: (id) => tenants.forget(id),
      forgetKeys: auth.forgetKeys,
      forgetAll: () => {
        tenants.clear();
        auth.forgetKeys();
      },
    });
    if (options.rateLimits !== false) {
      useRateLimits(api, {
        tenants,
        limiter: createRequestLimiter({
          redis: options.redis,
          ...(options.redisPrefix === undefined ? {} : { prefix: options.redisPrefix }),
        }),
      });
    }
    useReadAudit(api, options.db, {
      flushMs: options.readAuditFlushMs,
      now: context.now,
      auditKeys: repos.auditKeys,
    });
    const routes: RouteContext = {
      ...context,
      forgetKeys: auth.forgetKeys,
      authFailures: auth.failures,
    };
    useIngestArchive(api, archive, context.now);
    healthRoutes(api, routes, observed.window, autovacuum);
    registerRoutes(api, routes);
  });
  return app;
}
