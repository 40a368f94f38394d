import { probe } from './database-metrics.js';
import type { ResponseTimeWindow } from './response-times.js';

/** The media type of the IETF health-check draft (draft-inadarei-api-health-check). */
export const HEALTH_JSON = 'application/health+json';

/** A status of the draft: healthy, degraded but serving, or unable to serve. */
export type HealthStatus = 'pass' | 'warn' | 'fail';

/** One measurement of one component (the draft's "check" object). */
export interface HealthCheck {
  readonly componentType: 'datastore' | 'system' | 'component';
  readonly observedValue: number;
  readonly observedUnit: string;
  readonly status: HealthStatus;
  /** When it was measured, RFC 3339. */
  readonly time: string;
  /** Why it is not `pass`. */
  readonly output?: string;
}

/** The draft's response body. */
export interface HealthReport {
  readonly status: HealthStatus;
  readonly version?: string;
  readonly description?: string;
  /** `component:measurement` → its checks. */
  readonly checks: Readonly<Record<string, readonly HealthCheck[]>>;
}

/** A check and whether its `fail` makes the service unable to serve. */
export interface NamedCheck {
  /** `component:measurement`, as the draft names keys (`database:responseTime`). */
  readonly key: string;
  readonly check: HealthCheck;
  /** A failure here means the service cannot serve (the database); otherwise it only degrades it. */
  readonly critical: boolean;
}

/**
 * The overall status: `fail` when a critical check fails; `warn` when any
 * check is not `pass` (a non-critical failure only degrades the service);
 * else `pass`.
 */
export function healthReport(
  checks: readonly NamedCheck[],
  extra: { readonly version?: string; readonly description?: string } = {},
): HealthReport {
  let status: HealthStatus = 'pass';
  const byKey: Record<string, HealthCheck[]> = {};
  for (const { key, check, critical } of checks) {
    byKey[key] = [...(byKey[key] ?? []), check];
    if (check.status === 'fail' && critical) status = 'fail';
    else if (check.status !== 'pass' && status === 'pass') status = 'warn';
  }
  return { status, ...extra, checks: byKey };
}

/** Rounds to three decimals (microseconds of a millisecond value). */
const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/**
 * The database round trip: `SELECT 1`, `fail` when it errs or takes longer
 * than `timeoutMs` (default 2 s), critical.
 */
export async function checkDatabase(
  db: { query(sql: string): Promise<unknown> },
  now: () => Date,
  timeoutMs = 2_000,
): Promise<NamedCheck> {
  const started = performance.now();
  const ok = await probe(db, timeoutMs);
  const ms = performance.now() - started;
  return {
    key: 'database:responseTime',
    critical: true,
    check: {
      componentType: 'datastore',
      observedValue: round3(ms),
      observedUnit: 'ms',
      status: ok ? 'pass' : 'fail',
      time: now().toISOString(),
      ...(ok ? {} : { output: `SELECT 1 failed or took over ${timeoutMs} ms` }),
    },
  };
}

/**
 * A server's autovacuum setting, read at start: `warn` when it is off (the
 * maintenance pass analyzes tables there but leaves vacuum to the server, so
 * dead rows would pile up), never critical.
 */
export function checkAutovacuum(on: boolean, now: () => Date): NamedCheck {
  return {
    key: 'database:autovacuum',
    critical: false,
    check: {
      componentType: 'datastore',
      observedValue: on ? 1 : 0,
      observedUnit: 'on',
      status: on ? 'pass' : 'warn',
      time: now().toISOString(),
      ...(on
        ? {}
        : {
            output:
              'autovacuum is off on the PostgreSQL server: alertbase analyzes tables but nothing vacuums them; turn autovacuum on',
          }),
    },
  };
}

/** Share of the memory limit from which memory is `warn`. */
export const MEMORY_WARN_RATIO = 0.9;

/**
 * Resident memory against `MAX_MEMORY_USAGE_MB`: `warn` from 90% of it
 * (over the limit is still `warn`: the service serves, an operator should
 * look), never critical.
 */
export function checkMemory(
  limitMb: number,
  now: () => Date,
  rssBytes: number = process.memoryUsage.rss(),
): NamedCheck {
  const usedMb = rssBytes / (1024 * 1024);
  const high = usedMb >= limitMb * MEMORY_WARN_RATIO;
  return {
    key: 'memory:utilization',
    critical: false,
    check: {
      componentType: 'system',
      observedValue: round3(usedMb),
      observedUnit: 'MiB',
      status: high ? 'warn' : 'pass',
      time: now().toISOString(),
      ...(high
        ? {
            output: `resident memory is ${Math.round((usedMb / limitMb) * 100)}% of MAX_MEMORY_USAGE_MB (${limitMb} MiB)`,
          }
        : {}),
    },
  };
}

/**
 * The p95 response time over the last minute against `thresholdMs`: `warn`
 * above it, never critical; 0 with `pass` when nothing was answered.
 */
export function checkResponseTime(
  window: ResponseTimeWindow,
  thresholdMs: number,
  now: () => Date,
): NamedCheck {
  const p95 = window.quantile(0.95);
  const slow = p95 !== undefined && p95.ms > thresholdMs;
  return {
    key: 'http:responseTime',
    critical: false,
    check: {
      componentType: 'component',
      observedValue: round3(p95?.ms ?? 0),
      observedUnit: 'ms',
      status: slow ? 'warn' : 'pass',
      time: now().toISOString(),
      ...(slow
        ? {
            output: `p95 over the last minute is above RESPONSE_TIME_THRESHOLD_MS (${thresholdMs} ms)`,
          }
        : {}),
    },
  };
}

/** The process's uptime: always `pass` (it answered). */
export function checkUptime(now: () => Date): NamedCheck {
  return {
    key: 'uptime',
    critical: false,
    check: {
      componentType: 'system',
      observedValue: Math.round(process.uptime() * 1000) / 1000,
      observedUnit: 's',
      status: 'pass',
      time: now().toISOString(),
    },
  };
}
