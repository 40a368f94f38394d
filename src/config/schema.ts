import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULTS, LIMITS } from '../base/constants.js';
import { secret } from '../base/types/secret.js';
import { estimateEntropyBits } from '../base/utils/entropy.js';

/** The formats `serialization.default_format` accepts (the seed's five). */
export const SERIALIZATION_FORMATS = ['json', 'yaml', 'xml', 'protobuf', 'msgpack'] as const;

/** One of {@link SERIALIZATION_FORMATS}. */
export type SerializationFormat = (typeof SERIALIZATION_FORMATS)[number];

const TRUE_WORDS: ReadonlySet<string> = new Set(['true', '1', 'yes']);
const FALSE_WORDS: ReadonlySet<string> = new Set(['false', '0', 'no']);

/**
 * A boolean setting: a boolean, or `true/false/1/0/yes/no` in any case (as
 * text from the environment, or as a YAML scalar). Nothing else.
 */
const booleanSetting = z.unknown().transform((value, ctx): boolean => {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' || typeof value === 'number') {
    const word = String(value).trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  ctx.issues.push({ code: 'custom', message: 'expected true/false, 1/0 or yes/no', input: value });
  return z.NEVER;
});

/** A whole number in `[min, max]`: a number, or its decimal digits as text. */
function integerSetting(min: number, max: number) {
  return z.unknown().transform((value, ctx): number => {
    const parsed =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^\s*\+?\d+\s*$/.test(value)
          ? Number(value)
          : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      ctx.issues.push({
        code: 'custom',
        message: `expected a whole number from ${min} to ${max}`,
        input: value,
      });
      return z.NEVER;
    }
    return parsed;
  });
}

/** Hosts of a URL's authority, split where MongoDB seed lists put commas. */
function parseHosts(value: string, scheme: string): boolean {
  // WHATWG URL cannot parse `mongodb://a:1,b:2/db`; check each host of the seed list on its own.
  const match = /^[^:]+:\/\/(?:[^/?#]*@)?([^/?#]*)(.*)$/s.exec(value);
  const hosts = match?.[1]?.split(',') ?? [];
  return hosts.every((host) => URL.canParse(`${scheme}//${host}${match?.[2] ?? ''}`));
}

/**
 * A connection URL whose scheme is one of `schemes` (with the colon:
 * `postgres:`). Messages never repeat the value: it may hold a password.
 */
function urlSetting(schemes: readonly string[]) {
  const expected = schemes.map((s) => `${s}//`).join(' or ');
  return z.unknown().transform((value, ctx): string => {
    const text = typeof value === 'string' ? value.trim() : '';
    const scheme = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(text)?.[1]?.toLowerCase();
    if (scheme === undefined || !parseHosts(text, scheme)) {
      ctx.issues.push({ code: 'custom', message: `expected a ${expected} URL`, input: '' });
      return z.NEVER;
    }
    if (!schemes.includes(scheme)) {
      ctx.issues.push({
        code: 'custom',
        message: `expected a ${expected} URL, got a ${scheme}// URL`,
        input: '',
      });
      return z.NEVER;
    }
    return text;
  });
}

const formatSetting = z.enum(SERIALIZATION_FORMATS, {
  error: () => `expected one of ${SERIALIZATION_FORMATS.join(', ')}`,
});

const pathSetting = z.unknown().transform((value, ctx): string => {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  ctx.issues.push({ code: 'custom', message: 'expected a non-empty path', input: value });
  return z.NEVER;
});

/**
 * A host name: dot-separated labels of letters, digits, inner hyphens and
 * underscores (found in real host names, though DNS forbids them), 253
 * characters at most.
 */
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/i;

/** An interface to listen on: a host name or an IP address (`[::1]` is taken as `::1`). */
const hostSetting = z.unknown().transform((value, ctx): string => {
  const text = typeof value === 'string' ? value.trim() : '';
  const unbracketed = /^\[(.*)\]$/.exec(text)?.[1];
  if (unbracketed !== undefined && isIP(unbracketed) === 6) return unbracketed;
  if (isIP(text) !== 0 || HOST_NAME.test(text)) return text;
  ctx.issues.push({
    code: 'custom',
    message: 'expected a host name or an IP address',
    input: value,
  });
  return z.NEVER;
});

/**
 * The keys of an admin key setting: comma-separated (several keys allow a
 * rotation), blanks around each ignored.
 */
function splitKeys(value: string): string[] {
  return value
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
}

const ADMIN_KEY_MESSAGE = 'expected one or more keys without spaces, separated by commas';

/** Entropy every platform administrator key must have at least (estimated). */
export const ADMIN_KEY_MIN_ENTROPY_BITS = 128;

const ADMIN_KEY_ENTROPY_MESSAGE = `each key needs at least ${ADMIN_KEY_MIN_ENTROPY_BITS} bits of entropy: use 64 random hex digits (openssl rand -hex 32) or alertbase admin create-key`;

/**
 * Platform administrator keys, as one text (`key1,key2`), kept in a
 * `Secret`: it never prints, in `alertbase config`, logs or errors. A key is
 * sent as `Authorization: Bearer <key>`, so it holds no white space.
 */
const adminKeySetting = secret(
  z
    .string({ error: ADMIN_KEY_MESSAGE })
    .refine((value) => {
      const keys = splitKeys(value);
      return keys.length > 0 && keys.every((key) => !/\s/.test(key));
    }, ADMIN_KEY_MESSAGE)
    .refine(
      (value) =>
        splitKeys(value).every((key) => estimateEntropyBits(key) >= ADMIN_KEY_MIN_ENTROPY_BITS),
      ADMIN_KEY_ENTROPY_MESSAGE,
    ),
);

/** One year, in seconds: the longest TTL accepted. */
const MAX_TTL_SECONDS = 365 * 24 * 60 * 60;

const validationShape = {
  strictMode: booleanSetting,
  compile: z.enum(['lazy', 'eager', 'off'], {
    error: 'expected lazy, eager or off',
  }),
  cacheEnabled: booleanSetting,
  maxErrors: integerSetting(1, 10_000),
  cacheTtl: integerSetting(0, MAX_TTL_SECONDS),
};

const serializationShape = {
  defaultFormat: formatSetting,
  compressionEnabled: booleanSetting,
  prettyPrint: booleanSetting,
};

const performanceShape = {
  lazyLoading: booleanSetting,
  batchSize: integerSetting(1, LIMITS.maxBatchSize),
  cacheTtl: integerSetting(0, MAX_TTL_SECONDS),
  queryCacheEnabled: booleanSetting,
  maxMemoryUsageMb: integerSetting(1, 1_048_576),
  heartbeatWindowMs: integerSetting(0, 60_000),
};

const ENCRYPTION_KEYS_MESSAGE =
  'expected id:key entries separated by commas, oldest first (key: 32 bytes as 64 hex digits or base64; openssl rand -base64 32)';

/**
 * The key ring of encryption at rest (`id:key,id:key`, oldest first; the
 * last encrypts), kept in a `Secret`. Checked in full when the ring is
 * built (`KeyRing.parse`); here its shape.
 */
const encryptionKeysSetting = secret(
  z.string({ error: ENCRYPTION_KEYS_MESSAGE }).refine((value) => {
    const entries = value
      .split(/[,\n]/)
      .map((e) => e.trim())
      .filter((e) => e !== '');
    return (
      entries.length > 0 &&
      entries.every((e) =>
        /^[A-Za-z0-9_-]{1,32}:(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/.test(e),
      )
    );
  }, ENCRYPTION_KEYS_MESSAGE),
);

/**
 * A Redis key prefix: 1 to 64 letters, digits and `:_.-` (no braces: they
 * are the tenant's hash tag; no spaces).
 */
const redisKeyPrefixSetting = z.unknown().transform((value, ctx): string => {
  if (typeof value === 'string' && /^[A-Za-z0-9:_.-]{1,64}$/.test(value)) return value;
  ctx.issues.push({
    code: 'custom',
    message: 'expected 1 to 64 letters, digits, colons, dots, dashes or underscores',
    input: value,
  });
  return z.NEVER;
});

const storageShape = {
  databaseUrl: urlSetting(['postgres:', 'postgresql:']).optional(),
  redisUrl: urlSetting(['redis:', 'rediss:']).optional(),
  redisKeyPrefix: redisKeyPrefixSetting,
  mongodbUrl: urlSetting(['mongodb:', 'mongodb+srv:']).optional(),
  influxdbUrl: urlSetting(['http:', 'https:']).optional(),
  dataDir: pathSetting,
  pgliteThread: z.enum(['worker', 'main'], { error: 'expected worker or main' }),
  encryptionKeys: encryptionKeysSetting.optional(),
  databaseTimeoutMs: integerSetting(100, 600_000),
  seriesBatchSize: integerSetting(1, 100_000),
  seriesFlushIntervalMs: integerSetting(10, 600_000),
  seriesBufferMax: integerSetting(1, 10_000_000),
  archiveEnabled: booleanSetting,
  archiveRetentionDays: integerSetting(1, 36_500).optional(),
  archiveBufferMaxMb: integerSetting(1, 65_536),
  maintenanceEnabled: booleanSetting,
};

/**
 * A metrics key: one token without white space (sent as
 * `Authorization: Bearer <key>`), kept in a `Secret`.
 */
const metricsKeySetting = secret(
  z
    .string({ error: 'expected a key without spaces' })
    .refine(
      (value) => value.trim() !== '' && !/\s/.test(value.trim()),
      'expected a key without spaces',
    ),
);

const observabilityShape = {
  metricsEnabled: booleanSetting,
  metricsPort: integerSetting(0, 65_535).optional(),
  metricsKey: metricsKeySetting.optional(),
  metricsTenantLimit: integerSetting(1, 1_000),
  responseTimeThresholdMs: integerSetting(1, 3_600_000),
};

const notificationsShape = {
  externalUrl: urlSetting(['http:', 'https:']).optional(),
  allowPrivateNetworks: booleanSetting,
  timeoutSeconds: integerSetting(1, 300),
  maxAgeSeconds: integerSetting(60, 7 * 24 * 60 * 60),
  smtpUrl: urlSetting(['smtp:', 'smtps:']).optional(),
};

const serverShape = {
  port: integerSetting(0, 65_535),
  host: hostSetting,
  adminKey: adminKeySetting.optional(),
  shutdownGraceMs: integerSetting(0, 3_600_000),
};

/**
 * The configuration as a strict Zod 4 schema: unknown keys are refused at
 * every level. Its input accepts the text forms of the environment
 * (`"10"`, `"yes"`); its output is {@link AlertbaseConfig}.
 *
 * @example
 * ```ts
 * AlertbaseConfigSchema.shape.server.parse({ port: '9090', host: '0.0.0.0' }); // { port: 9090, host: '0.0.0.0' }
 * AlertbaseConfigSchema.shape.server.safeParse({ port: 8080, host: 'x', tls: true }).success; // false
 * ```
 */
export const AlertbaseConfigSchema = z.strictObject({
  validation: z.strictObject(validationShape),
  serialization: z.strictObject(serializationShape),
  performance: z.strictObject(performanceShape),
  storage: z.strictObject(storageShape),
  server: z.strictObject(serverShape),
  observability: z.strictObject(observabilityShape),
  notifications: z.strictObject(notificationsShape),
});

type ConfigOutput = z.output<typeof AlertbaseConfigSchema>;

/**
 * The effective configuration, in camelCase, deep-frozen by `loadConfig`.
 *
 * - `validation`: the seed's `base_schema.validation` plus `cacheTtl` (`VALIDATION_CACHE_TTL`, seconds).
 * - `serialization`: the seed's `base_schema.serialization`.
 * - `performance`: the seed's `base_schema.performance` (`cacheTtl` in seconds, also
 *   `CACHE_TTL_SECONDS`) plus `queryCacheEnabled` and `maxMemoryUsageMb`.
 * - `storage`: connection URLs (absent: the embedded default), the embedded
 *   database directory (always an absolute path), the longest wait on a
 *   PostgreSQL server (`databaseTimeoutMs`), the alert time-series writer
 *   (`seriesBatchSize`, `seriesFlushIntervalMs`, `seriesBufferMax`) and the
 *   payload archive (`archiveEnabled`, `archiveRetentionDays`, `archiveBufferMaxMb`)
 *   and whether the service's table maintenance runs (`maintenanceEnabled`).
 * - `server`: the HTTP port and interface of `alertbase serve`, the platform
 *   administrator keys (`adminKey`, a `Secret`; see {@link adminKeysOf}) and
 *   how long in-flight requests may finish after SIGTERM (`shutdownGraceMs`).
 * - `observability`: `GET /metrics` (on or off, its own port, its key), how
 *   many tenants get their own label value, and the response-time threshold
 *   of `/health/ready`.
 * - `notifications`: how alertbase is reached from a notification
 *   (`externalUrl`), whether channels may reach private networks and
 *   loopback at send time, the delivery timeout, how long an undelivered
 *   notification is retried, and the SMTP server of e-mail channels.
 */
export type AlertbaseConfig = {
  readonly [S in keyof ConfigOutput]: Readonly<ConfigOutput[S]>;
};

/**
 * Explicit options, the highest precedence: any subset of any section.
 * `undefined` means "not given", so CLI flags can be passed straight through.
 */
export type AlertbaseConfigOverrides = {
  readonly [S in keyof AlertbaseConfig]?:
    | { readonly [K in keyof AlertbaseConfig[S]]?: AlertbaseConfig[S][K] | undefined }
    | undefined;
};

/** A configuration section name. */
export type ConfigSection = keyof AlertbaseConfig;

/** Everything known about one setting: its key, where it is read from, its default. */
export interface ConfigSetting {
  /** Dotted camelCase key: `validation.maxErrors`. */
  readonly key: string;
  /** The section the setting belongs to. */
  readonly section: ConfigSection;
  /** The camelCase field inside its section. */
  readonly field: string;
  /** The snake_case key inside the section, in the YAML file (under `base_schema:`). */
  readonly fileKey: string;
  /** The environment variable, if any. */
  readonly env?: string;
  /** Holds credentials: has a `<ENV>_FILE` form and is masked when printed. */
  readonly secret: boolean;
  /** The default value; `undefined` for an unset optional setting. */
  readonly defaultValue: unknown;
  /** Validates and converts one raw value. */
  readonly schema: z.ZodType<unknown, unknown>;
}

interface SettingInit {
  readonly env?: string;
  readonly secret?: boolean;
  readonly defaultValue: unknown;
}

const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function settingsOf<S extends ConfigSection>(
  section: S,
  shape: Record<string, z.ZodType<unknown, unknown>>,
  init: Record<string, SettingInit>,
): ConfigSetting[] {
  return Object.entries(shape).map(([field, schema]) => {
    const extra = init[field];
    return {
      key: `${section}.${field}`,
      section,
      field,
      fileKey: snakeCase(field),
      ...(extra?.env === undefined ? {} : { env: extra.env }),
      secret: extra?.secret ?? false,
      defaultValue: extra?.defaultValue,
      schema,
    };
  });
}

/** The environment variable of the key ring of encryption at rest (`storage.encryptionKeys`). */
export const ENCRYPTION_KEYS_ENV = 'ALERTBASE_ENCRYPTION_KEYS';

/** The environment variable of the platform administrator keys (`server.adminKey`). */
export const ADMIN_KEY_ENV = 'ALERTBASE_ADMIN_KEY';

/**
 * Every setting, in display order: the seed's environment variables and
 * `base_schema:` keys, plus alertbase's storage and server settings.
 */
export const CONFIG_SETTINGS: readonly ConfigSetting[] = Object.freeze([
  ...settingsOf('validation', validationShape, {
    strictMode: { env: 'ENABLE_STRICT_VALIDATION', defaultValue: DEFAULTS.strictValidation },
    compile: { env: 'ALERTBASE_MODEL_COMPILATION', defaultValue: DEFAULTS.modelCompilation },
    cacheEnabled: { defaultValue: DEFAULTS.validationCacheEnabled },
    maxErrors: { env: 'MAX_VALIDATION_ERRORS', defaultValue: DEFAULTS.maxValidationErrors },
    cacheTtl: { env: 'VALIDATION_CACHE_TTL', defaultValue: DEFAULTS.validationCacheTtlSeconds },
  }),
  ...settingsOf('serialization', serializationShape, {
    defaultFormat: { defaultValue: DEFAULTS.defaultFormat },
    compressionEnabled: { defaultValue: DEFAULTS.compressionEnabled },
    prettyPrint: { defaultValue: DEFAULTS.prettyPrint },
  }),
  ...settingsOf('performance', performanceShape, {
    lazyLoading: { defaultValue: DEFAULTS.lazyLoading },
    batchSize: { defaultValue: DEFAULTS.batchSize },
    cacheTtl: { env: 'CACHE_TTL_SECONDS', defaultValue: DEFAULTS.cacheTtlSeconds },
    queryCacheEnabled: { env: 'ENABLE_QUERY_CACHE', defaultValue: DEFAULTS.enableQueryCache },
    maxMemoryUsageMb: { env: 'MAX_MEMORY_USAGE_MB', defaultValue: DEFAULTS.maxMemoryUsageMb },
    heartbeatWindowMs: {
      env: 'INGEST_HEARTBEAT_WINDOW_MS',
      defaultValue: DEFAULTS.heartbeatWindowMs,
    },
  }),
  ...settingsOf('storage', storageShape, {
    databaseUrl: { env: 'DATABASE_URL', secret: true, defaultValue: undefined },
    redisUrl: { env: 'REDIS_URL', secret: true, defaultValue: undefined },
    redisKeyPrefix: { env: 'REDIS_KEY_PREFIX', defaultValue: DEFAULTS.redisKeyPrefix },
    mongodbUrl: { env: 'MONGODB_URL', secret: true, defaultValue: undefined },
    influxdbUrl: { env: 'INFLUXDB_URL', secret: true, defaultValue: undefined },
    dataDir: { env: 'ALERTBASE_DATA_DIR', defaultValue: DEFAULTS.dataDir },
    pgliteThread: { env: 'PGLITE_THREAD', defaultValue: DEFAULTS.pgliteThread },
    encryptionKeys: { env: ENCRYPTION_KEYS_ENV, secret: true, defaultValue: undefined },
    databaseTimeoutMs: { env: 'DATABASE_TIMEOUT_MS', defaultValue: DEFAULTS.databaseTimeoutMs },
    seriesBatchSize: { env: 'SERIES_BATCH_SIZE', defaultValue: DEFAULTS.seriesBatchSize },
    seriesFlushIntervalMs: {
      env: 'SERIES_FLUSH_INTERVAL_MS',
      defaultValue: DEFAULTS.seriesFlushIntervalMs,
    },
    seriesBufferMax: { env: 'SERIES_BUFFER_MAX', defaultValue: DEFAULTS.seriesBufferMax },
    archiveEnabled: { env: 'ARCHIVE_ENABLED', defaultValue: DEFAULTS.archiveEnabled },
    archiveRetentionDays: { env: 'ARCHIVE_RETENTION_DAYS', defaultValue: undefined },
    archiveBufferMaxMb: {
      env: 'ARCHIVE_BUFFER_MAX_MB',
      defaultValue: DEFAULTS.archiveBufferMaxMb,
    },
    maintenanceEnabled: {
      env: 'MAINTENANCE_ENABLED',
      defaultValue: DEFAULTS.maintenanceEnabled,
    },
  }),
  ...settingsOf('server', serverShape, {
    port: { env: 'PORT', defaultValue: DEFAULTS.port },
    host: { env: 'HOST', defaultValue: DEFAULTS.host },
    adminKey: { env: ADMIN_KEY_ENV, secret: true, defaultValue: undefined },
    shutdownGraceMs: { env: 'SHUTDOWN_GRACE_MS', defaultValue: DEFAULTS.shutdownGraceMs },
  }),
  ...settingsOf('observability', observabilityShape, {
    metricsEnabled: { env: 'METRICS_ENABLED', defaultValue: DEFAULTS.metricsEnabled },
    metricsPort: { env: 'METRICS_PORT', defaultValue: undefined },
    metricsKey: { env: 'METRICS_KEY', secret: true, defaultValue: undefined },
    metricsTenantLimit: {
      env: 'METRICS_TENANT_LIMIT',
      defaultValue: DEFAULTS.metricsTenantLimit,
    },
    responseTimeThresholdMs: {
      env: 'RESPONSE_TIME_THRESHOLD_MS',
      defaultValue: DEFAULTS.responseTimeThresholdMs,
    },
  }),
  ...settingsOf('notifications', notificationsShape, {
    externalUrl: { env: 'ALERTBASE_EXTERNAL_URL', defaultValue: undefined },
    allowPrivateNetworks: {
      env: 'NOTIFY_ALLOW_PRIVATE_NETWORKS',
      defaultValue: DEFAULTS.notifyAllowPrivateNetworks,
    },
    timeoutSeconds: { env: 'NOTIFY_TIMEOUT_SECONDS', defaultValue: DEFAULTS.notifyTimeoutSeconds },
    maxAgeSeconds: { env: 'NOTIFY_MAX_AGE_SECONDS', defaultValue: DEFAULTS.notifyMaxAgeSeconds },
    smtpUrl: { env: 'SMTP_URL', secret: true, defaultValue: undefined },
  }),
]);

/**
 * The platform administrator keys of a configuration (`server.adminKey`,
 * comma-separated), revealed: pass them to the server, never print them.
 *
 * @example
 * ```ts
 * adminKeysOf((await loadConfig({ env: { ALERTBASE_ADMIN_KEY: 'k1, k2' } })).config); // ['k1', 'k2']
 * ```
 */
export function adminKeysOf(config: AlertbaseConfig): string[] {
  const value = config.server.adminKey;
  return value === undefined ? [] : splitKeys(value.reveal());
}

/** The environment variable naming the YAML configuration file. */
export const CONFIG_FILE_ENV = 'ALERTBASE_CONFIG';

/** The suffix of the Docker/Kubernetes secrets form: `DATABASE_URL_FILE=/run/secrets/db`. */
export const SECRET_FILE_SUFFIX = '_FILE';

/** The root key of the YAML file (the seed's). */
export const FILE_ROOT_KEY = 'base_schema';
