import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULTS } from '../base/constants.js';
import { getModelCompilation } from '../base/types/compiler/settings.js';
import { isSecret, Secret } from '../base/types/secret.js';
import { type LoadConfigOptions, loadConfig } from './load-config.js';
import { adminKeysOf, CONFIG_SETTINGS } from './schema.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertbase-config-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Loads with an isolated environment and `dir` as the working directory. */
function load(options: LoadConfigOptions = {}) {
  return loadConfig({ env: {}, cwd: dir, ...options });
}

const SEED_FILE = `base_schema:
  validation:
    strict_mode: true
    cache_enabled: false
    max_errors: 20

  serialization:
    default_format: yaml
    compression_enabled: false
    pretty_print: true

  performance:
    lazy_loading: false
    batch_size: 250
    cache_ttl: 600
`;

describe('defaults', () => {
  it('come from DEFAULTS, every source is "default", and the result is deep-frozen', async () => {
    const { config, sources } = await load();
    expect(config).toEqual({
      validation: {
        strictMode: DEFAULTS.strictValidation,
        compile: DEFAULTS.modelCompilation,
        cacheEnabled: DEFAULTS.validationCacheEnabled,
        maxErrors: DEFAULTS.maxValidationErrors,
        cacheTtl: DEFAULTS.validationCacheTtlSeconds,
      },
      serialization: {
        defaultFormat: DEFAULTS.defaultFormat,
        compressionEnabled: DEFAULTS.compressionEnabled,
        prettyPrint: DEFAULTS.prettyPrint,
      },
      performance: {
        lazyLoading: DEFAULTS.lazyLoading,
        batchSize: DEFAULTS.batchSize,
        cacheTtl: DEFAULTS.cacheTtlSeconds,
        queryCacheEnabled: DEFAULTS.enableQueryCache,
        maxMemoryUsageMb: DEFAULTS.maxMemoryUsageMb,
        heartbeatWindowMs: DEFAULTS.heartbeatWindowMs,
      },
      storage: {
        redisKeyPrefix: DEFAULTS.redisKeyPrefix,
        dataDir: join(dir, 'data'),
        pgliteThread: DEFAULTS.pgliteThread,
        databaseTimeoutMs: DEFAULTS.databaseTimeoutMs,
        seriesBatchSize: DEFAULTS.seriesBatchSize,
        seriesFlushIntervalMs: DEFAULTS.seriesFlushIntervalMs,
        seriesBufferMax: DEFAULTS.seriesBufferMax,
        archiveEnabled: DEFAULTS.archiveEnabled,
        archiveBufferMaxMb: DEFAULTS.archiveBufferMaxMb,
        maintenanceEnabled: DEFAULTS.maintenanceEnabled,
      },
      server: {
        port: DEFAULTS.port,
        host: DEFAULTS.host,
        shutdownGraceMs: DEFAULTS.shutdownGraceMs,
      },
      observability: {
        metricsEnabled: DEFAULTS.metricsEnabled,
        metricsTenantLimit: DEFAULTS.metricsTenantLimit,
        responseTimeThresholdMs: DEFAULTS.responseTimeThresholdMs,
      },
      notifications: {
        allowPrivateNetworks: DEFAULTS.notifyAllowPrivateNetworks,
        timeoutSeconds: DEFAULTS.notifyTimeoutSeconds,
        maxAgeSeconds: DEFAULTS.notifyMaxAgeSeconds,
      },
    });
    expect(config.server.adminKey).toBeUndefined();
    expect(adminKeysOf(config)).toEqual([]);
    expect(Object.keys(sources)).toEqual(CONFIG_SETTINGS.map((s) => s.key));
    expect(new Set(Object.values(sources))).toEqual(new Set(['default']));
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.validation)).toBe(true);
    expect(Object.isFrozen(config.storage)).toBe(true);
    expect(Object.isFrozen(sources)).toBe(true);
    expect(() => {
      (config.validation as { maxErrors: number }).maxErrors = 1;
    }).toThrow(TypeError);
  });

  it('reads process.env and process.cwd() when not given', async () => {
    vi.spyOn(process, 'cwd').mockReturnValue(dir);
    for (const { env } of CONFIG_SETTINGS) {
      if (env === undefined) continue;
      vi.stubEnv(env, '');
      vi.stubEnv(`${env}_FILE`, '');
    }
    vi.stubEnv('ALERTBASE_CONFIG', '');
    vi.stubEnv('MAX_VALIDATION_ERRORS', '42');
    try {
      const { config, sources } = await loadConfig();
      expect(config.validation.maxErrors).toBe(42);
      expect(sources['validation.maxErrors']).toBe('env:MAX_VALIDATION_ERRORS');
      expect(config.storage.dataDir).toBe(join(dir, 'data'));
    } finally {
      vi.unstubAllEnvs();
      vi.restoreAllMocks();
    }
  });
});

describe('model compilation', () => {
  it('applies validation.compile to every model, and refuses an unknown mode', async () => {
    await load({ env: { ALERTBASE_MODEL_COMPILATION: 'off' } });
    expect(getModelCompilation()).toBe('off');
    await load({ env: { ALERTBASE_MODEL_COMPILATION: 'eager' } });
    expect(getModelCompilation()).toBe('eager');
    await expect(load({ env: { ALERTBASE_MODEL_COMPILATION: 'sometimes' } })).rejects.toThrow(
      /expected lazy, eager or off/,
    );
    await load();
    expect(getModelCompilation()).toBe('lazy');
  });
});

describe('environment variables', () => {
  const cases: [string, string, string, unknown][] = [
    ['ENABLE_STRICT_VALIDATION', 'yes', 'validation.strictMode', true],
    ['ALERTBASE_MODEL_COMPILATION', 'off', 'validation.compile', 'off'],
    ['VALIDATION_CACHE_TTL', '60', 'validation.cacheTtl', 60],
    ['MAX_VALIDATION_ERRORS', '25', 'validation.maxErrors', 25],
    ['ENABLE_QUERY_CACHE', 'NO', 'performance.queryCacheEnabled', false],
    ['CACHE_TTL_SECONDS', '120', 'performance.cacheTtl', 120],
    ['MAX_MEMORY_USAGE_MB', '1024', 'performance.maxMemoryUsageMb', 1024],
    ['INGEST_HEARTBEAT_WINDOW_MS', '250', 'performance.heartbeatWindowMs', 250],
    ['METRICS_ENABLED', 'false', 'observability.metricsEnabled', false],
    ['METRICS_PORT', '9464', 'observability.metricsPort', 9464],
    ['METRICS_TENANT_LIMIT', '5', 'observability.metricsTenantLimit', 5],
    ['RESPONSE_TIME_THRESHOLD_MS', '250', 'observability.responseTimeThresholdMs', 250],
    ['DATABASE_TIMEOUT_MS', '750', 'storage.databaseTimeoutMs', 750],
    ['PGLITE_THREAD', 'main', 'storage.pgliteThread', 'main'],
    ['SERIES_BATCH_SIZE', '500', 'storage.seriesBatchSize', 500],
    ['SERIES_FLUSH_INTERVAL_MS', '250', 'storage.seriesFlushIntervalMs', 250],
    ['SERIES_BUFFER_MAX', '20000', 'storage.seriesBufferMax', 20_000],
    ['ARCHIVE_ENABLED', 'false', 'storage.archiveEnabled', false],
    ['ARCHIVE_RETENTION_DAYS', '30', 'storage.archiveRetentionDays', 30],
    ['ARCHIVE_BUFFER_MAX_MB', '16', 'storage.archiveBufferMaxMb', 16],
    ['MAINTENANCE_ENABLED', 'false', 'storage.maintenanceEnabled', false],
    ['REDIS_KEY_PREFIX', 'staging:', 'storage.redisKeyPrefix', 'staging:'],
    ['SHUTDOWN_GRACE_MS', '2500', 'server.shutdownGraceMs', 2500],
    [
      'DATABASE_URL',
      'postgresql://user:pass@localhost/db',
      'storage.databaseUrl',
      'postgresql://user:pass@localhost/db',
    ],
    [
      'DATABASE_URL',
      'postgres://localhost:5432/alerts',
      'storage.databaseUrl',
      'postgres://localhost:5432/alerts',
    ],
    ['REDIS_URL', 'redis://localhost:6379/0', 'storage.redisUrl', 'redis://localhost:6379/0'],
    ['REDIS_URL', 'rediss://:pw@cache:6380', 'storage.redisUrl', 'rediss://:pw@cache:6380'],
    [
      'MONGODB_URL',
      'mongodb://localhost:27017/alerts',
      'storage.mongodbUrl',
      'mongodb://localhost:27017/alerts',
    ],
    [
      'MONGODB_URL',
      'mongodb://u:p@a:27017,b:27018/alerts?replicaSet=rs0',
      'storage.mongodbUrl',
      'mongodb://u:p@a:27017,b:27018/alerts?replicaSet=rs0',
    ],
    [
      'MONGODB_URL',
      'mongodb+srv://cluster0.example.net/alerts',
      'storage.mongodbUrl',
      'mongodb+srv://cluster0.example.net/alerts',
    ],
    [
      'INFLUXDB_URL',
      'https://influx.example.com:8086',
      'storage.influxdbUrl',
      'https://influx.example.com:8086',
    ],
    ['PORT', '9090', 'server.port', 9090],
    ['HOST', '0.0.0.0', 'server.host', '0.0.0.0'],
    ['HOST', '::', 'server.host', '::'],
    ['HOST', '[::1]', 'server.host', '::1'],
    ['HOST', ' alertbase-1.internal.example ', 'server.host', 'alertbase-1.internal.example'],
    ['HOST', 'localhost', 'server.host', 'localhost'],
    ['HOST', 'build_agent-7', 'server.host', 'build_agent-7'],
    ['ALERTBASE_DATA_DIR', '/var/lib/alertbase', 'storage.dataDir', '/var/lib/alertbase'],
  ];
  it.each(cases)('%s=%s sets %s', async (name, raw, key, expected) => {
    const loaded = await load({ env: { [name]: raw } });
    const [section, field] = key.split('.') as [string, string];
    const sections: Record<string, Record<string, unknown>> = loaded.config;
    expect(sections[section]?.[field]).toEqual(expected);
    expect(loaded.sources[key]).toBe(`env:${name}`);
  });

  it('takes every seed variable at once', async () => {
    const { config } = await load({
      env: {
        DATABASE_URL: 'postgresql://user:pass@localhost/db',
        REDIS_URL: 'redis://localhost:6379/0',
        MONGODB_URL: 'mongodb://localhost:27017/alerts',
        ENABLE_STRICT_VALIDATION: 'true',
        VALIDATION_CACHE_TTL: '3600',
        MAX_VALIDATION_ERRORS: '10',
        ENABLE_QUERY_CACHE: 'true',
        CACHE_TTL_SECONDS: '300',
        MAX_MEMORY_USAGE_MB: '512',
      },
    });
    expect(config.validation).toEqual({
      strictMode: true,
      compile: 'lazy',
      cacheEnabled: true,
      maxErrors: 10,
      cacheTtl: 3600,
    });
    expect(config.storage.databaseUrl).toBe('postgresql://user:pass@localhost/db');
    expect(config.storage.redisUrl).toBe('redis://localhost:6379/0');
    expect(config.storage.mongodbUrl).toBe('mongodb://localhost:27017/alerts');
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['Yes', true],
    [' no ', false],
    ['false', false],
    ['False', false],
    ['0', false],
    ['NO', false],
  ])('boolean %j is %s', async (raw, expected) => {
    const { config } = await load({ env: { ENABLE_STRICT_VALIDATION: raw } });
    expect(config.validation.strictMode).toBe(expected);
  });

  it('resolves a relative data directory against cwd', async () => {
    const { config } = await load({ env: { ALERTBASE_DATA_DIR: 'db/files' } });
    expect(config.storage.dataDir).toBe(join(dir, 'db/files'));
  });

  it('treats an empty variable as unset', async () => {
    const { config, sources } = await load({
      env: { MAX_VALIDATION_ERRORS: '', DATABASE_URL: '' },
    });
    expect(config.validation.maxErrors).toBe(DEFAULTS.maxValidationErrors);
    expect(config.storage.databaseUrl).toBeUndefined();
    expect(sources['storage.databaseUrl']).toBe('default');
  });

  it('ignores variables it does not know', async () => {
    const { config } = await load({ env: { MAX_VALIDATION_ERRORS_FILE: '/nope', HOME: '/root' } });
    expect(config.validation.maxErrors).toBe(DEFAULTS.maxValidationErrors);
  });

  it('ALERTBASE_ADMIN_KEY sets server.adminKey, a Secret of one or more keys', async () => {
    const loaded = await load({
      env: { ALERTBASE_ADMIN_KEY: ' adm-Key-one-Zq7Xv2Lm9Pw4 , adm-Key-two-Zq7Xv2Lm9Pw4,' },
    });
    const adminKey = loaded.config.server.adminKey;
    expect(isSecret(adminKey)).toBe(true);
    expect(adminKey?.reveal()).toBe(' adm-Key-one-Zq7Xv2Lm9Pw4 , adm-Key-two-Zq7Xv2Lm9Pw4,');
    expect(adminKeysOf(loaded.config)).toEqual([
      'adm-Key-one-Zq7Xv2Lm9Pw4',
      'adm-Key-two-Zq7Xv2Lm9Pw4',
    ]);
    expect(loaded.sources['server.adminKey']).toBe('env:ALERTBASE_ADMIN_KEY');
    // The key never prints: JSON, inspection (loggers), string conversion.
    expect(JSON.stringify(loaded)).not.toContain('adm-Key');
    expect(inspect(loaded.config, { depth: 5 })).not.toContain('adm-Key');
    expect(`${String(adminKey)}`).toBe('**********');
  });

  it('METRICS_KEY sets observability.metricsKey, a Secret; a key with spaces is refused', async () => {
    const loaded = await load({ env: { METRICS_KEY: 'scrape-Key-1' } });
    expect(isSecret(loaded.config.observability.metricsKey)).toBe(true);
    expect(loaded.config.observability.metricsKey?.reveal()).toBe('scrape-Key-1');
    expect(JSON.stringify(loaded.config)).not.toContain('scrape-Key-1');
    await expect(load({ env: { METRICS_KEY: 'two words' } })).rejects.toMatchObject({
      code: 'ALERTBASE_CONFIG_INVALID',
    });
    await expect(load({ env: { METRICS_PORT: '70000' } })).rejects.toMatchObject({
      code: 'ALERTBASE_CONFIG_INVALID',
    });
  });

  it('REDIS_KEY_PREFIX: a brace (the tenant hash tag), a space or 65 characters are refused', async () => {
    for (const bad of ['a{b}:', 'two words', 'x'.repeat(65)]) {
      await expect(load({ env: { REDIS_KEY_PREFIX: bad } })).rejects.toMatchObject({
        code: 'ALERTBASE_CONFIG_INVALID',
      });
    }
  });

  it('has no _FILE form for settings that are not secret', async () => {
    const path = await write('host', '0.0.0.0\n');
    const { config, sources } = await load({ env: { HOST_FILE: path } });
    expect(config.server.host).toBe(DEFAULTS.host);
    expect(sources['server.host']).toBe('default');
  });
});

describe('the YAML file', () => {
  it('reads ./alertbase.yaml with the seed keys', async () => {
    const path = await write('alertbase.yaml', SEED_FILE);
    const { config, sources } = await load();
    expect(config.validation).toEqual({
      strictMode: true,
      compile: 'lazy',
      cacheEnabled: false,
      maxErrors: 20,
      cacheTtl: DEFAULTS.validationCacheTtlSeconds,
    });
    expect(config.serialization).toEqual({
      defaultFormat: 'yaml',
      compressionEnabled: false,
      prettyPrint: true,
    });
    expect(config.performance).toMatchObject({ lazyLoading: false, batchSize: 250, cacheTtl: 600 });
    expect(sources['validation.maxErrors']).toBe(`file:${path}`);
    expect(sources['performance.cacheTtl']).toBe(`file:${path}`);
    expect(sources['validation.cacheTtl']).toBe('default');
  });

  it('reads the storage and server sections and the added keys', async () => {
    await write(
      'alertbase.yaml',
      `base_schema:
  validation:
    cache_ttl: 30
  performance:
    query_cache_enabled: no
    max_memory_usage_mb: 256
  storage:
    database_url: postgres://db/alerts
    redis_url: redis://cache:6379
    data_dir: state
    pglite_thread: main
    database_timeout_ms: 1500
  server:
    port: 3000
    host: 0.0.0.0
    admin_key: file-admin-key-1-Zq7Xv2Lm9Pw4,file-admin-key-2-Zq7Xv2Lm9Pw4
`,
    );
    const { config, sources } = await load();
    expect(config.validation.cacheTtl).toBe(30);
    expect(config.performance.queryCacheEnabled).toBe(false);
    expect(config.performance.maxMemoryUsageMb).toBe(256);
    expect(config.storage).toEqual({
      databaseUrl: 'postgres://db/alerts',
      redisUrl: 'redis://cache:6379',
      redisKeyPrefix: DEFAULTS.redisKeyPrefix,
      dataDir: join(dir, 'state'),
      pgliteThread: 'main',
      databaseTimeoutMs: 1500,
      seriesBatchSize: DEFAULTS.seriesBatchSize,
      seriesFlushIntervalMs: DEFAULTS.seriesFlushIntervalMs,
      seriesBufferMax: DEFAULTS.seriesBufferMax,
      archiveEnabled: DEFAULTS.archiveEnabled,
      archiveBufferMaxMb: DEFAULTS.archiveBufferMaxMb,
      maintenanceEnabled: DEFAULTS.maintenanceEnabled,
    });
    expect(config.server.port).toBe(3000);
    expect(config.server.host).toBe('0.0.0.0');
    expect(adminKeysOf(config)).toEqual([
      'file-admin-key-1-Zq7Xv2Lm9Pw4',
      'file-admin-key-2-Zq7Xv2Lm9Pw4',
    ]);
    expect(sources['server.host']).toBe(`file:${join(dir, 'alertbase.yaml')}`);
    expect(sources['server.adminKey']).toBe(`file:${join(dir, 'alertbase.yaml')}`);
  });

  it('reads the file named by ALERTBASE_CONFIG, relative to cwd', async () => {
    await mkdir(join(dir, 'etc'));
    const path = await write('etc/custom.yml', 'base_schema:\n  server:\n    port: 7000\n');
    const { config, sources } = await load({ env: { ALERTBASE_CONFIG: 'etc/custom.yml' } });
    expect(config.server.port).toBe(7000);
    expect(sources['server.port']).toBe(`file:${path}`);
  });

  it('reads the file named by the configFile option before ALERTBASE_CONFIG', async () => {
    await write('a.yaml', 'base_schema:\n  server:\n    port: 7001\n');
    await write('b.yaml', 'base_schema:\n  server:\n    port: 7002\n');
    const { config } = await load({ configFile: 'a.yaml', env: { ALERTBASE_CONFIG: 'b.yaml' } });
    expect(config.server.port).toBe(7001);
  });

  it('reads the file named by ALERTBASE_CONFIG in .env', async () => {
    await write('c.yaml', 'base_schema:\n  server:\n    port: 7003\n');
    await write('.env', 'ALERTBASE_CONFIG=c.yaml\n');
    const { config } = await load();
    expect(config.server.port).toBe(7003);
  });

  it('accepts an empty file, empty sections, empty values, YAML booleans in any form and aliases', async () => {
    await write('empty.yaml', '');
    expect((await load({ configFile: 'empty.yaml' })).config.server.port).toBe(DEFAULTS.port);
    await write(
      'alertbase.yaml',
      `base_schema:
  validation:
  serialization:
    pretty_print: "YES"
    compression_enabled: 0
  performance:
    batch_size: &size 42
    cache_ttl: *size
  storage:
    database_url:
`,
    );
    const { config, sources } = await load();
    expect(config.serialization.prettyPrint).toBe(true);
    expect(config.serialization.compressionEnabled).toBe(false);
    expect(config.performance.batchSize).toBe(42);
    expect(config.performance.cacheTtl).toBe(42);
    expect(config.storage.databaseUrl).toBeUndefined();
    expect(sources['storage.databaseUrl']).toBe('default');
    await write('alertbase.yaml', 'base_schema:\n');
    expect((await load()).config.server.port).toBe(DEFAULTS.port);
  });
});

describe('the .env file', () => {
  it('is read from cwd', async () => {
    const path = await write(
      '.env',
      '# local settings\nMAX_VALIDATION_ERRORS=33\nexport ENABLE_STRICT_VALIDATION="yes"\nREDIS_URL=redis://localhost:6379/2\n',
    );
    const { config, sources } = await load();
    expect(config.validation.maxErrors).toBe(33);
    expect(config.validation.strictMode).toBe(true);
    expect(config.storage.redisUrl).toBe('redis://localhost:6379/2');
    expect(sources['validation.maxErrors']).toBe(`env-file:${path}`);
    expect(sources['storage.redisUrl']).toBe(`env-file:${path}`);
  });
});

describe('<VAR>_FILE secrets', () => {
  it.each([
    ['DATABASE_URL', 'postgres://app:s3cret@db:5432/alerts', 'storage.databaseUrl'],
    ['REDIS_URL', 'redis://:s3cret@cache:6379/0', 'storage.redisUrl'],
    ['MONGODB_URL', 'mongodb://app:s3cret@mongo:27017/alerts', 'storage.mongodbUrl'],
    ['INFLUXDB_URL', 'http://influx:8086', 'storage.influxdbUrl'],
  ])('%s_FILE reads the file and trims the trailing newline', async (name, url, key) => {
    const path = await write('secret', `${url}\n`);
    const loaded = await load({ env: { [`${name}_FILE`]: path } });
    const [section, field] = key.split('.') as [string, string];
    const sections: Record<string, Record<string, unknown>> = loaded.config;
    expect(sections[section]?.[field]).toBe(url);
    expect(loaded.sources[key]).toBe(`secret-file:${path}`);
  });

  it('ALERTBASE_ADMIN_KEY_FILE reads the admin keys, in the environment or .env', async () => {
    const path = await write(
      'admin.secret',
      'Secret-admin-1-Zq7Xv2Lm9Pw4,Secret-admin-2-Zq7Xv2Lm9Pw4\r\n',
    );
    let loaded = await load({ env: { ALERTBASE_ADMIN_KEY_FILE: path } });
    expect(adminKeysOf(loaded.config)).toEqual([
      'Secret-admin-1-Zq7Xv2Lm9Pw4',
      'Secret-admin-2-Zq7Xv2Lm9Pw4',
    ]);
    expect(loaded.sources['server.adminKey']).toBe(`secret-file:${path}`);
    await write('.env', 'ALERTBASE_ADMIN_KEY_FILE=admin.secret\n');
    loaded = await load();
    expect(adminKeysOf(loaded.config)).toEqual([
      'Secret-admin-1-Zq7Xv2Lm9Pw4',
      'Secret-admin-2-Zq7Xv2Lm9Pw4',
    ]);
    expect(loaded.sources['server.adminKey']).toBe(`secret-file:${path}`);
  });

  it('takes a relative path from cwd, a CRLF ending, and the _FILE form in .env', async () => {
    const path = await write('db.secret', 'postgres://db/alerts\r\n');
    await write('.env', 'DATABASE_URL_FILE=db.secret\n');
    const { config, sources } = await load();
    expect(config.storage.databaseUrl).toBe('postgres://db/alerts');
    expect(sources['storage.databaseUrl']).toBe(`secret-file:${path}`);
  });
});

describe('precedence: default < file < .env < env < option', () => {
  it('each layer overrides the one before for the same key', async () => {
    const key = 'validation.maxErrors';
    let loaded = await load();
    expect(loaded.config.validation.maxErrors).toBe(DEFAULTS.maxValidationErrors);
    expect(loaded.sources[key]).toBe('default');

    const file = await write('alertbase.yaml', 'base_schema:\n  validation:\n    max_errors: 11\n');
    loaded = await load();
    expect(loaded.config.validation.maxErrors).toBe(11);
    expect(loaded.sources[key]).toBe(`file:${file}`);

    const dotenv = await write('.env', 'MAX_VALIDATION_ERRORS=12\n');
    loaded = await load();
    expect(loaded.config.validation.maxErrors).toBe(12);
    expect(loaded.sources[key]).toBe(`env-file:${dotenv}`);

    loaded = await load({ env: { MAX_VALIDATION_ERRORS: '13' } });
    expect(loaded.config.validation.maxErrors).toBe(13);
    expect(loaded.sources[key]).toBe('env:MAX_VALIDATION_ERRORS');

    loaded = await load({
      env: { MAX_VALIDATION_ERRORS: '13' },
      overrides: { validation: { maxErrors: 14 } },
    });
    expect(loaded.config.validation.maxErrors).toBe(14);
    expect(loaded.sources[key]).toBe('option');
  });

  it('holds for a secret: file < .env < env _FILE < option', async () => {
    await write(
      'alertbase.yaml',
      'base_schema:\n  storage:\n    database_url: postgres://file/db\n',
    );
    await write('.env', 'DATABASE_URL=postgres://dotenv/db\n');
    const secret = await write('secret', 'postgres://secret/db\n');
    let loaded = await load();
    expect(loaded.config.storage.databaseUrl).toBe('postgres://dotenv/db');
    // X in .env and X_FILE in the environment do not conflict: the environment wins.
    loaded = await load({ env: { DATABASE_URL_FILE: secret } });
    expect(loaded.config.storage.databaseUrl).toBe('postgres://secret/db');
    expect(loaded.sources['storage.databaseUrl']).toBe(`secret-file:${secret}`);
    loaded = await load({
      env: { DATABASE_URL_FILE: secret },
      overrides: { storage: { databaseUrl: 'postgres://option/db' } },
    });
    expect(loaded.config.storage.databaseUrl).toBe('postgres://option/db');
  });

  it('holds for HOST: file < .env < env < option (the --host flag)', async () => {
    const file = await write('alertbase.yaml', 'base_schema:\n  server:\n    host: 10.0.0.1\n');
    let loaded = await load();
    expect(loaded.config.server.host).toBe('10.0.0.1');
    expect(loaded.sources['server.host']).toBe(`file:${file}`);
    const dotenv = await write('.env', 'HOST=10.0.0.2\n');
    loaded = await load();
    expect(loaded.config.server.host).toBe('10.0.0.2');
    expect(loaded.sources['server.host']).toBe(`env-file:${dotenv}`);
    loaded = await load({ env: { HOST: '10.0.0.3' } });
    expect(loaded.config.server.host).toBe('10.0.0.3');
    expect(loaded.sources['server.host']).toBe('env:HOST');
    loaded = await load({ env: { HOST: '10.0.0.3' }, overrides: { server: { host: '::1' } } });
    expect(loaded.config.server.host).toBe('::1');
    expect(loaded.sources['server.host']).toBe('option');
  });

  it('holds for the admin key: file < .env < env < env _FILE < option', async () => {
    const file = await write(
      'alertbase.yaml',
      'base_schema:\n  server:\n    admin_key: from-file-Zq7Xv2Lm9Pw4\n',
    );
    let loaded = await load();
    expect(adminKeysOf(loaded.config)).toEqual(['from-file-Zq7Xv2Lm9Pw4']);
    expect(loaded.sources['server.adminKey']).toBe(`file:${file}`);
    await write('.env', 'ALERTBASE_ADMIN_KEY=from-dotenv-Zq7Xv2Lm9Pw4\n');
    loaded = await load();
    expect(adminKeysOf(loaded.config)).toEqual(['from-dotenv-Zq7Xv2Lm9Pw4']);
    loaded = await load({ env: { ALERTBASE_ADMIN_KEY: 'from-env-Zq7Xv2Lm9Pw4' } });
    expect(adminKeysOf(loaded.config)).toEqual(['from-env-Zq7Xv2Lm9Pw4']);
    expect(loaded.sources['server.adminKey']).toBe('env:ALERTBASE_ADMIN_KEY');
    const secret = await write('admin', 'from-secret-file-Zq7Xv2Lm9Pw4\n');
    loaded = await load({ env: { ALERTBASE_ADMIN_KEY_FILE: secret } });
    expect(adminKeysOf(loaded.config)).toEqual(['from-secret-file-Zq7Xv2Lm9Pw4']);
    loaded = await load({
      env: { ALERTBASE_ADMIN_KEY_FILE: secret },
      overrides: { server: { adminKey: new Secret('from-option-Zq7Xv2Lm9Pw4') } },
    });
    expect(adminKeysOf(loaded.config)).toEqual(['from-option-Zq7Xv2Lm9Pw4']);
    expect(loaded.sources['server.adminKey']).toBe('option');
  });

  it('layers merge per key, not per section', async () => {
    await write('alertbase.yaml', SEED_FILE);
    const { config, sources } = await load({
      env: { ENABLE_STRICT_VALIDATION: 'false' },
      overrides: { validation: { cacheEnabled: true, maxErrors: undefined }, server: undefined },
    });
    expect(config.validation).toMatchObject({
      strictMode: false,
      cacheEnabled: true,
      maxErrors: 20,
    });
    expect(sources['validation.strictMode']).toBe('env:ENABLE_STRICT_VALIDATION');
    expect(sources['validation.cacheEnabled']).toBe('option');
    expect(sources['validation.maxErrors']).toMatch(/^file:/);
  });
});
