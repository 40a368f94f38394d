/**
 * `alertbase serve`: opens the database (PGlite in the data directory by
 * default, a PostgreSQL server with `DATABASE_URL`), creates the `demo`
 * tenant and its owner key on first start, listens, and shuts down
 * gracefully on SIGINT/SIGTERM. Usable from tests and benchmarks: port 0,
 * an injected database, and a `close()`.
 */
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { isAlertbaseError } from '../base/exceptions/index.js';
import { type AlertbaseConfig, adminKeysOf, loadConfig } from '../config/index.js';
import type { AlertbaseMetrics, MetricsServer } from '../observability/index.js';
import type { KeyRing } from '../security/key-ring.js';
import { type DataDirLock, lockDataDir } from '../storage/data-dir-lock.js';
// Only what opening the database needs is imported here: the repositories
// and the app load once it is set opening (the PGlite thread then starts
// PostgreSQL while this thread loads them).
import { openDatabase } from '../storage/open-database.js';
import { pgliteTemplateSeed } from '../storage/pglite-template.js';
import type { Database, EngineKind, QueryListener } from '../storage/types.js';
import { seedDataDir } from './data-dir.js';
import { resolveKeyRing } from './key-ring-file.js';

const noop = (): void => {};

/** The tenant created on first start. */
export const DEMO_TENANT = 'demo';

/**
 * The environment variable holding platform administrator keys
 * (comma-separated); read by the configuration as `server.adminKey`.
 */
export { ADMIN_KEY_ENV } from '../config/index.js';

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /**
   * The configuration (port, host, admin keys, database); default
   * `loadConfig({ env, cwd })`.
   */
  readonly config?: AlertbaseConfig | undefined;
  /** The environment the configuration is loaded from when `config` is not given; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Where relative paths are resolved; default `process.cwd()`. */
  readonly cwd?: string | undefined;
  /** TCP port; default `config.server.port` (`PORT`, 8080). 0 picks a free port. */
  readonly port?: number | undefined;
  /** Interface to listen on; default `config.server.host` (`HOST`, `127.0.0.1`; use `0.0.0.0` in a container). */
  readonly host?: string | undefined;
  /**
   * The key ring of encryption at rest; default: `ALERTBASE_ENCRYPTION_KEYS`,
   * else the data directory's key file (created on first start, 0600); with
   * `database` given and neither, a ring kept in memory for this server only.
   */
  readonly keyRing?: KeyRing | undefined;
  /** Serve this database instead of opening one (it is closed by `close()` all the same). */
  readonly database?: Database | undefined;
  /** The logger, or its level (and `pretty`: readable lines); default `{ level: 'info' }` (see `buildApp`). */
  readonly logger?:
    | FastifyBaseLogger
    | { readonly level: string; readonly pretty?: boolean | undefined }
    | boolean
    | undefined;
  /** Platform administrator keys besides the configuration's (`server.adminKey`, `ALERTBASE_ADMIN_KEY`). */
  readonly adminKeys?: readonly string[] | undefined;
  /** Create the `demo` tenant and print its owner key when it does not exist. Default true. */
  readonly demoTenant?: boolean | undefined;
  /** Where the URLs and the demo key are printed; default stdout. */
  readonly print?: ((line: string) => void) | undefined;
  /** Close on SIGINT/SIGTERM, then exit. Default true. */
  readonly handleSignals?: boolean | undefined;
  /** @internal How the process exits after a signal (tests). Default `process.exit`. */
  readonly exit?: ((code: number) => void) | undefined;
}

/** A listening server. */
export interface RunningServer {
  /** `http://host:port` (loopback shown as `127.0.0.1`). */
  readonly url: string;
  /** The OpenAPI UI. */
  readonly docsUrl: string;
  /** Where Prometheus scrapes: `<url>/metrics`, or the `METRICS_PORT` server's; undefined when metrics are off. */
  readonly metricsUrl: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly app: FastifyInstance;
  readonly db: Database;
  /** Whether the PGlite data directory was created by this start. */
  readonly createdDataDir: boolean;
  /** The demo tenant's owner key, when this start created it (printed once). */
  readonly demoKey: string | undefined;
  /** Milliseconds from the call to the database being open (the app is built meanwhile), and to listening. */
  readonly timings: { readonly databaseMs: number; readonly readyMs: number };
  /** Stops accepting, finishes in-flight requests, closes the database. Idempotent. */
  close(): Promise<void>;
}

/** What {@link open} opened. */
interface Opened {
  readonly db: Database;
  readonly created: boolean;
  /** PGlite's directory lock, held until the database closes. */
  readonly lock?: DataDirLock | undefined;
}

/**
 * @internal Opens the configured database, seeding a new PGlite directory
 * from the template. The directory is locked first (before seeding): a
 * second `alertbase serve` or `alertbase admin` on it is refused.
 */
async function open(config: AlertbaseConfig, onStart?: () => void): Promise<Opened> {
  const url = config.storage.databaseUrl;
  if (url !== undefined) {
    return {
      db: await openDatabase({ url, timeoutMs: config.storage.databaseTimeoutMs }),
      created: false,
    };
  }
  const { dataDir } = config.storage;
  const lock = await lockDataDir(dataDir, { holder: 'alertbase serve' });
  try {
    const created = await seedDataDir(dataDir, () => pgliteTemplateSeed({ keep: false }));
    const db = await openDatabase({
      dataDir,
      lock,
      onStart,
      pgliteThread: config.storage.pgliteThread,
    });
    return { db, created, lock };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

/**
 * @internal A database that is still opening: every call waits for it. Lets
 * the app be built (imports, schemas, routes: CPU work) while PGlite
 * compiles its WASM and reads its data directory, instead of after.
 */
export function deferredDatabase(opening: Promise<Database>, engine: EngineKind): Database {
  let ready: Database | undefined;
  opening.then(
    (db) => {
      ready = db;
    },
    () => {},
  );
  return new Proxy({} as Database, {
    get(_target, prop) {
      if (ready !== undefined) {
        const value: unknown = Reflect.get(ready, prop);
        return typeof value === 'function' ? value.bind(ready) : value;
      }
      if (prop === 'engine') return engine;
      if (prop === 'closed') return false;
      if (prop === 'then') return undefined;
      // A listener registers once the database is open; its removal works before and after.
      if (prop === 'onQuery') {
        return (listener: QueryListener) => {
          let off: (() => void) | undefined;
          let removed = false;
          opening.then(
            (db) => {
              if (!removed) off = db.onQuery(listener);
            },
            () => {},
          );
          return () => {
            removed = true;
            off?.();
          };
        };
      }
      return async (...args: unknown[]) => {
        const db = await opening;
        const method: unknown = Reflect.get(db, prop);
        if (typeof method !== 'function')
          throw new TypeError(`Database.${String(prop)} is not a method`);
        return method.apply(db, args);
      };
    },
  });
}

/**
 * @internal What the server stores into, said once at start: the server's
 * address without credentials, or PGlite's directory and what its commits
 * survive (docs/storage.md, "Durability").
 */
export function storageLine(config: AlertbaseConfig): string {
  const url = config.storage.databaseUrl;
  if (url !== undefined) {
    // The configuration admits postgres:// and postgresql:// URLs only.
    const { host, pathname } = new URL(url);
    return `Storage: PostgreSQL server at ${host}${pathname}`;
  }
  return `Storage: PGlite in ${resolve(config.storage.dataDir)}. Its commits survive a crash of this process, not a power loss (PGlite does not fsync): set DATABASE_URL to use a PostgreSQL server.`;
}

/**
 * @internal Creates the demo tenant and its owner key when missing; returns
 * the key. The first tenant of a new installation is the operator's own: it
 * gets the enterprise tier's quotas, since the free tier's 600 alerts a
 * minute would refuse a Prometheus resending 600 firing alerts.
 */
async function ensureDemoTenant(
  db: Database,
  ring: KeyRing | undefined,
): Promise<string | undefined> {
  const [{ createRepositories }, { auditKeysOf }] = await Promise.all([
    import('../storage/repositories/index.js'),
    import('../security/audit-chain-keys.js'),
  ]);
  const repos = createRepositories(db, {
    auditKeys: ring === undefined ? undefined : auditKeysOf(ring),
  });
  if ((await repos.tenants.find(DEMO_TENANT)) !== undefined) return undefined;
  try {
    await repos.tenants.create(
      { id: DEMO_TENANT, name: 'Demo', tier: 'enterprise' },
      'system:serve',
    );
  } catch (err) {
    // Another instance started on the same new database at the same time and
    // created it first: that instance issues and prints the key.
    if (isAlertbaseError(err, 'ALERTBASE_RESOURCE_ALREADY_EXISTS')) return undefined;
    throw err;
  }
  const issued = await repos.apiKeys.issue(
    DEMO_TENANT,
    { name: 'demo-owner', role: 'owner' },
    'system:serve',
  );
  return issued.key;
}

/**
 * Starts alertbase: database, first-start tenant, HTTP listener.
 *
 * @example
 * ```ts
 * const server = await startServer({ port: 0, database: await createTestDatabase(), handleSignals: false });
 * await fetch(`${server.url}/health/ready`);
 * await server.close();
 * ```
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const started = performance.now();
  const env = options.env ?? process.env;
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const config = options.config ?? (await loadConfig({ env, cwd: options.cwd })).config;
  const keys =
    options.keyRing === undefined
      ? await resolveKeyRing(config, { create: options.database === undefined ? 'file' : 'memory' })
      : undefined;
  // Open the database and build the app at the same time (see deferredDatabase).
  // A new key file is written once the data directory is seeded (seeding wants it empty).
  let engineStarted: () => void = () => {};
  const engineStarting = new Promise<void>((started) => {
    engineStarted = started;
  });
  const opening = (
    options.database === undefined
      ? open(config, engineStarted)
      : Promise.resolve({ db: options.database, created: false })
  ).then(async (o) => {
    try {
      await keys?.persist();
    } catch (err) {
      await o.db.close();
      throw err;
    }
    return o;
  });
  const adminKeys = [...adminKeysOf(config), ...(options.adminKeys ?? [])].filter((k) => k !== '');
  let app: FastifyInstance;
  let metrics: AlertbaseMetrics | undefined;
  // Redis (L2 cache, shared limits) is a helper: when it is away the server starts anyway.
  const redis = await openRedis(config, options.print === undefined ? undefined : print);
  // PGlite runs on this thread: it is set going first (its WebAssembly then
  // compiles on other threads) before this thread loads and builds the app.
  if (options.database === undefined && config.storage.databaseUrl === undefined) {
    await Promise.race([engineStarting, opening.then(noop, noop)]);
  }
  try {
    // Loaded here, while the database opens, like the app.
    const [{ buildApp }, { metricsOf }] = await Promise.all([
      import('./app.js'),
      import('./observability.js'),
      config.performance.lazyLoading
        ? undefined
        : import('./warm-up.js').then(({ warmModules }) => warmModules()),
    ]);
    metrics = metricsOf(config);
    app = await buildApp({
      metrics,
      db: deferredDatabase(
        opening.then((o) => o.db),
        config.storage.databaseUrl === undefined ? 'pglite' : 'postgres',
      ),
      config,
      logger: options.logger ?? { level: 'info' },
      adminKeys,
      keyRing: options.keyRing ?? keys?.ring,
      schedulers: true,
      redis,
      redisPrefix: config.storage.redisKeyPrefix,
    });
  } catch (err) {
    redis?.disconnect();
    await opening.then(
      (o) => o.db.close(),
      () => {},
    );
    throw err;
  }
  let opened: Opened;
  try {
    opened = await opening;
  } catch (err) {
    await app.close();
    redis?.disconnect();
    throw err;
  }
  const db = opened.db;
  const databaseMs = performance.now() - started;
  let metricsServer: MetricsServer | undefined;
  try {
    const demoKey =
      options.demoTenant === false
        ? undefined
        : await ensureDemoTenant(db, options.keyRing ?? keys?.ring);
    await app.listen({
      port: options.port ?? config.server.port,
      host: options.host ?? config.server.host,
    });
    const address = app.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
    const metricsPort = config.observability.metricsPort;
    if (metrics !== undefined && metricsPort !== undefined) {
      const { startMetricsServer } = await import('../observability/metrics-server.js');
      metricsServer = await startMetricsServer({
        metrics,
        port: metricsPort,
        host: options.host ?? config.server.host,
        key: config.observability.metricsKey?.reveal(),
      });
    }
    const metricsUrl = metrics === undefined ? undefined : (metricsServer?.url ?? `${url}/metrics`);
    // A second opener of the directory is told where this server answers.
    await opened.lock?.announce(url);
    const readyMs = performance.now() - started;
    print(`alertbase listening on ${url} (ready in ${Math.round(readyMs)} ms)`);
    print(`Console: ${url}/ui/ · API documentation: ${url}/docs`);
    if (options.database === undefined) print(storageLine(config));
    if (metricsUrl !== undefined) print(`Metrics: ${metricsUrl}`);
    if (demoKey !== undefined) {
      print(
        `Created tenant "${DEMO_TENANT}". Its owner API key, shown only this once (stored hashed):`,
      );
      print(`  ${demoKey}`);
    }
    const running = app;
    let closing: Promise<void> | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      const graceMs = config.server.shutdownGraceMs;
      running.log.info({ signal, graceMs }, 'shutting down');
      const exit = options.exit ?? ((code: number) => process.exit(code));
      // In-flight requests finish, new ones get 503; past the grace period the
      // process exits all the same (code 1) rather than hang.
      const overdue = setTimeout(() => {
        running.log.error({ graceMs }, 'requests still in flight after the grace period; exiting');
        exit(1);
      }, graceMs);
      overdue.unref();
      void server.close().then(
        () => {
          clearTimeout(overdue);
          exit(0);
        },
        () => {
          clearTimeout(overdue);
          exit(1);
        },
      );
    };
    const server: RunningServer = {
      url,
      docsUrl: `${url}/docs`,
      metricsUrl,
      host: address.address,
      port: address.port,
      app: running,
      db,
      createdDataDir: opened.created,
      demoKey,
      timings: { databaseMs, readyMs },
      close() {
        closing ??= (async () => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          try {
            await metricsServer?.close();
            await running.close();
          } finally {
            redis?.disconnect();
            await db.close();
          }
        })();
        return closing;
      },
    };
    if (options.handleSignals !== false) {
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    }
    return server;
  } catch (err) {
    await metricsServer?.close();
    await app.close();
    redis?.disconnect();
    await db.close();
    throw err;
  }
}

/**
 * @internal Connects to `REDIS_URL` when set (ioredis loaded only then),
 * waiting at most 2 s for it; a Redis that is away is reconnected in the
 * background, and said once.
 */
async function openRedis(
  config: AlertbaseConfig,
  print: ((line: string) => void) | undefined,
): Promise<Redis | undefined> {
  const url = config.storage.redisUrl;
  if (url === undefined) return undefined;
  const { connectRedis } = await import('../cache/redis-connection.js');
  let told = false;
  const redis = await connectRedis(url, {
    onError: (err) => {
      if (told) return;
      told = true;
      (print ?? ((line: string) => process.stderr.write(`${line}\n`)))(
        `Redis: ${err.message}; going on without it (limits per instance, L1 cache only) until it answers`,
      );
    },
  });
  redis.on('ready', () => {
    told = false;
  });
  return redis;
}
