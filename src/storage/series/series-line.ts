/**
 * The line protocol of an alert point, as the InfluxDB store writes it:
 * measurement `alert_<kind>`; tags `alertname`, `rule`, `severity`,
 * `status`, `tenant` (in key order, an empty or missing one left out);
 * integer fields `count` and `duration_ms` (rounded; left out when `null`).
 *
 * `seriesLinePoint` says it as a `LinePoint` for `formatLine`, the
 * reference; `createSeriesLineFormatter` writes the same text without the
 * intermediate objects, sorting or per-character checks of known keys, and
 * escapes each distinct tag value once (a bounded cache: alerts repeat
 * their tenants, rules, names, severities and statuses). The tests hold
 * both to the same text and the same refusals.
 */
import { StorageError } from '../errors.js';
import { escapeMeasurement, escapeTag, type LinePoint } from './line-protocol.js';
import type { SeriesKind, SeriesPoint } from './types.js';

/** A point as a `LinePoint` (the reference of {@link createSeriesLineFormatter}). */
export function seriesLinePoint(p: SeriesPoint, timeNs: string): LinePoint {
  return {
    measurement: `alert_${p.kind}`,
    tags: {
      tenant: p.tenantId,
      rule: p.rule,
      alertname: p.alertname,
      severity: p.severity,
      status: p.status,
    },
    fields: {
      count: p.count,
      duration_ms: p.durationMs === null ? null : Math.round(p.durationMs),
    },
    timeNs,
  };
}

/** Formats one point with its timestamp. @throws StorageError (`ALERTBASE_STORAGE_POINT_INVALID`). */
export type SeriesLineFormatter = (point: SeriesPoint, timeNs: string) => string;

/** Escaped distinct tag values kept by default. */
const DEFAULT_CACHE = 10_000;
const TIME_NS = /^(0|[1-9][0-9]{0,18})$/;

const refuse = (reason: string): never => {
  throw new StorageError('ALERTBASE_STORAGE_POINT_INVALID', { reason });
};

/**
 * Creates a formatter; `cacheSize` bounds the escaped tag values it keeps
 * (the cache is emptied when full).
 *
 * @example
 * ```ts
 * const format = createSeriesLineFormatter();
 * format(point, '1700000000000000000');
 * // 'alert_created,alertname=High\\ CPU,severity=critical,status=firing,tenant=acme count=1i 1700000000000000000'
 * ```
 */
export function createSeriesLineFormatter(cacheSize = DEFAULT_CACHE): SeriesLineFormatter {
  const measurements = new Map<SeriesKind, string>();
  const escaped = new Map<string, string>();
  /** `,<key>=<value escaped>`, or `''` for a missing or empty value. */
  const tag = (key: string, value: string | null): string => {
    if (value === null || value === undefined || value === '') return '';
    let text = escaped.get(value);
    if (text === undefined) {
      text = escapeTag(value, 'tag value');
      if (escaped.size >= cacheSize) escaped.clear();
      escaped.set(value, text);
    }
    return `,${key}=${text}`;
  };
  return (p, timeNs) => {
    let measurement = measurements.get(p.kind);
    if (measurement === undefined) {
      measurement = escapeMeasurement(`alert_${p.kind}`);
      measurements.set(p.kind, measurement);
    }
    const tags =
      tag('alertname', p.alertname) +
      tag('rule', p.rule) +
      tag('severity', p.severity) +
      tag('status', p.status) +
      tag('tenant', p.tenantId);
    if (!Number.isSafeInteger(p.count)) refuse(`field count is not an integer: ${p.count}`);
    let fields = `count=${p.count}i`;
    if (p.durationMs !== null && p.durationMs !== undefined) {
      const ms = Math.round(p.durationMs);
      if (!Number.isSafeInteger(ms)) refuse(`field duration_ms is not an integer: ${ms}`);
      fields += `,duration_ms=${ms}i`;
    }
    if (!TIME_NS.test(timeNs)) refuse(`bad timestamp ${timeNs}`);
    return `${measurement}${tags} ${fields} ${timeNs}`;
  };
}
