import { cacheBudgetOf } from './cache-budget.js';
import { maskUrl } from './format-config.js';
import type { AlertbaseConfig } from './schema.js';

const MIB = 1_048_576;

/** The host and path of a URL, without credentials (`db.example:5432/alerts`). */
function whereOf(url: string): string {
  try {
    const { host, pathname } = new URL(url);
    return `${host}${pathname === '/' ? '' : pathname}`;
  } catch {
    return maskUrl(url);
  }
}

/**
 * What a configuration sets in motion in `alertbase serve`: the store, the
 * caches, where request rates are counted, the validation cache and
 * back-pressure, one line each. Printed by `alertbase config` after the settings.
 *
 * @example
 * ```ts
 * liveSummary(config);
 * // ['database      PGlite in /srv/alertbase/data', 'L1 cache      in process: ...', ...]
 * ```
 */
export function liveSummary(config: AlertbaseConfig): string[] {
  const { storage, performance, validation } = config;
  const budget = cacheBudgetOf(config);
  const redis = storage.redisUrl === undefined ? undefined : whereOf(storage.redisUrl);
  const lines: [string, string][] = [
    [
      'database',
      storage.databaseUrl === undefined
        ? `PGlite in ${storage.dataDir}`
        : `PostgreSQL server at ${whereOf(storage.databaseUrl)}`,
    ],
    [
      'L1 cache',
      `in process: ${budget.maxEntries} entries, ${Math.round(budget.maxBytes / MIB)} MiB, ${budget.ttlSeconds} s`,
    ],
    ['L2 cache', redis === undefined ? 'off (REDIS_URL not set)' : `Redis at ${redis}`],
    ['query cache', performance.queryCacheEnabled ? 'on (lists, by data version)' : 'off'],
    [
      'rate limits',
      redis === undefined ? 'counted in each process' : `counted in Redis at ${redis}`,
    ],
    [
      'validation',
      validation.cacheEnabled && validation.cacheTtl > 0
        ? `cache on, ${validation.cacheTtl} s`
        : 'cache off',
    ],
    ['back-pressure', `503 past ${performance.maxMemoryUsageMb} MiB of heap`],
    ['modules', performance.lazyLoading ? 'loaded on first use' : 'loaded at start'],
  ];
  lines.push([
    'time series',
    storage.influxdbUrl === undefined
      ? 'PostgreSQL: the alert_series table (INFLUXDB_URL not set)'
      : `InfluxDB at ${whereOf(storage.influxdbUrl)}`,
  ]);
  lines.push([
    'payload archive',
    !storage.archiveEnabled
      ? 'off (ARCHIVE_ENABLED=false)'
      : storage.mongodbUrl === undefined
        ? 'PostgreSQL: the payload_archive table (MONGODB_URL not set)'
        : `MongoDB at ${whereOf(storage.mongodbUrl)}`,
  ]);
  const width = Math.max(...lines.map(([name]) => name.length));
  return lines.map(([name, text]) => `${name.padEnd(width)}  ${text}`);
}
