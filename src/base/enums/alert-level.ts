import { UnknownValueError } from '../exceptions/index.js';
import { defineOrderedEnum, type OrderedEnum } from './define-enum.js';
import { PROMETHEUS_SEVERITY_ALIASES } from './prometheus-severity.js';

export { PROMETHEUS_SEVERITY_ALIASES };

const LEVELS = defineOrderedEnum('AlertLevel', ['critical', 'high', 'medium', 'low', 'info'], {
  order: 'descending',
  description: 'Severity of an alert, from critical (most severe) to info.',
});

/** Severity of an alert: `critical` > `high` > `medium` > `low` > `info`. */
export type AlertLevel = (typeof LEVELS.values)[number];

/** The `severity` label values alertbase writes into Prometheus rules (the kube-prometheus convention). */
export type PrometheusSeverity = 'critical' | 'warning' | 'info';

/** PagerDuty Events v2 `payload.severity` values. */
export const PAGERDUTY_SEVERITIES = Object.freeze([
  'critical',
  'error',
  'warning',
  'info',
] as const);
/** A PagerDuty Events v2 severity. */
export type PagerDutySeverity = (typeof PAGERDUTY_SEVERITIES)[number];

/** Alerta's default severities, most severe first (Alerta's `SEVERITY_MAP`). */
export const ALERTA_SEVERITIES = Object.freeze([
  'security',
  'critical',
  'major',
  'minor',
  'warning',
  'indeterminate',
  'informational',
  'normal',
  'ok',
  'cleared',
  'debug',
  'trace',
] as const);
/** An Alerta severity. */
export type AlertaSeverity = (typeof ALERTA_SEVERITIES)[number];

/** Alerta severities that mean "the condition has cleared": Alerta closes an alert that reports one. */
export const ALERTA_NORMAL_SEVERITIES: readonly AlertaSeverity[] = Object.freeze([
  'normal',
  'ok',
  'cleared',
]);

/** Display colour of each level, `#RRGGBB` (Material Design red, orange, amber, blue, blue grey). */
export const ALERT_LEVEL_COLORS: Readonly<Record<AlertLevel, `#${string}`>> = Object.freeze({
  critical: '#C62828',
  high: '#E65100',
  medium: '#F9A825',
  low: '#1565C0',
  info: '#607D8B',
});

const FROM_PROMETHEUS: ReadonlyMap<string, AlertLevel> = new Map(
  Object.entries(PROMETHEUS_SEVERITY_ALIASES),
);

const TO_PROMETHEUS: Readonly<Record<AlertLevel, PrometheusSeverity>> = Object.freeze({
  critical: 'critical',
  high: 'critical',
  medium: 'warning',
  low: 'warning',
  info: 'info',
});

const TO_PAGERDUTY: Readonly<Record<AlertLevel, PagerDutySeverity>> = Object.freeze({
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'warning',
  info: 'info',
});

const FROM_PAGERDUTY: Readonly<Record<PagerDutySeverity, AlertLevel>> = Object.freeze({
  critical: 'critical',
  error: 'high',
  warning: 'medium',
  info: 'info',
});

const TO_ALERTA: Readonly<Record<AlertLevel, AlertaSeverity>> = Object.freeze({
  critical: 'critical',
  high: 'major',
  medium: 'minor',
  low: 'warning',
  info: 'informational',
});

const FROM_ALERTA: Readonly<Record<AlertaSeverity, AlertLevel>> = Object.freeze({
  security: 'critical',
  critical: 'critical',
  major: 'high',
  minor: 'medium',
  warning: 'low',
  // Alerta ranks indeterminate between warning and informational.
  indeterminate: 'low',
  informational: 'info',
  normal: 'info',
  ok: 'info',
  cleared: 'info',
  debug: 'info',
  trace: 'info',
});

/** Options of `AlertLevel.fromPrometheus`. */
export interface FromPrometheusOptions {
  /** Level to return for a missing or unrecognised label instead of throwing. */
  readonly fallback?: AlertLevel;
}

/** The `AlertLevel` enumeration: ordering, colours and mappings to other systems. */
export interface AlertLevelEnum extends OrderedEnum<AlertLevel> {
  /** Display colour (hex) of a level. */
  color(level: AlertLevel): `#${string}`;
  /**
   * The Prometheus `severity` label for a level: `critical` and `high` give
   * `critical` (both page), `medium` and `low` give `warning`, `info` gives `info`.
   * Lossy: keep the level in its own label when it must survive a round trip.
   */
  toPrometheus(level: AlertLevel): PrometheusSeverity;
  /**
   * The level a Prometheus `severity` label means (case-insensitive; see
   * `PROMETHEUS_SEVERITY_ALIASES`).
   * @throws UnknownValueError (enum `PrometheusSeverity`) for a missing or unknown label without `fallback`.
   * @example
   * ```ts
   * AlertLevel.fromPrometheus('Warning');                         // 'medium'
   * AlertLevel.fromPrometheus(labels.severity, { fallback: 'medium' });
   * ```
   */
  fromPrometheus(label: string | undefined, options?: FromPrometheusOptions): AlertLevel;
  /** The PagerDuty Events v2 severity of a level (`high` → `error`, `low` → `warning`). */
  toPagerDuty(level: AlertLevel): PagerDutySeverity;
  /**
   * The level of a PagerDuty Events v2 severity (exact, lowercase, as PagerDuty requires).
   * @throws UnknownValueError (enum `PagerDutySeverity`) for anything else.
   */
  fromPagerDuty(severity: string): AlertLevel;
  /** The Alerta severity of a level (`high` → `major`, `medium` → `minor`, `low` → `warning`). */
  toAlerta(level: AlertLevel): AlertaSeverity;
  /**
   * The level of an Alerta severity (exact, lowercase, as Alerta's API requires).
   * The normal severities (`normal`, `ok`, `cleared`) give `info`; check
   * `isAlertaNormal` first to treat them as a resolution.
   * @throws UnknownValueError (enum `AlertaSeverity`) for anything else.
   */
  fromAlerta(severity: string): AlertLevel;
  /** Does this Alerta severity mean the condition cleared (`normal`, `ok`, `cleared`)? */
  isAlertaNormal(severity: string): boolean;
}

const hasKey = <K extends string>(table: Readonly<Record<K, unknown>>, key: string): key is K =>
  Object.hasOwn(table, key);

/**
 * Severity of an alert: a smart enumeration, ordered from `info` (rank 1) to
 * `critical` (rank 5), with display colours and mappings to Prometheus,
 * PagerDuty Events v2 and Alerta severities.
 *
 * @example
 * ```ts
 * AlertLevel.parse('high');                      // 'high'
 * AlertLevel.atLeast('high', 'medium');          // true
 * AlertLevel.max('low', 'critical', 'medium');   // 'critical'
 * AlertLevel.toPagerDuty('high');                // 'error'
 * const Rule = z.object({ level: AlertLevel.schema });
 * ```
 */
export const AlertLevel: AlertLevelEnum = Object.freeze({
  ...LEVELS,
  color: (level: AlertLevel) => ALERT_LEVEL_COLORS[LEVELS.parse(level)],
  toPrometheus: (level: AlertLevel) => TO_PROMETHEUS[LEVELS.parse(level)],
  fromPrometheus(label: string | undefined, options: FromPrometheusOptions = {}): AlertLevel {
    const level = label === undefined ? undefined : FROM_PROMETHEUS.get(label.trim().toLowerCase());
    if (level !== undefined) return level;
    if (options.fallback !== undefined) return LEVELS.parse(options.fallback);
    throw new UnknownValueError(
      'PrometheusSeverity',
      label,
      Object.keys(PROMETHEUS_SEVERITY_ALIASES),
    );
  },
  toPagerDuty: (level: AlertLevel) => TO_PAGERDUTY[LEVELS.parse(level)],
  fromPagerDuty(severity: string): AlertLevel {
    if (hasKey(FROM_PAGERDUTY, severity)) return FROM_PAGERDUTY[severity];
    throw new UnknownValueError('PagerDutySeverity', severity, PAGERDUTY_SEVERITIES);
  },
  toAlerta: (level: AlertLevel) => TO_ALERTA[LEVELS.parse(level)],
  fromAlerta(severity: string): AlertLevel {
    if (hasKey(FROM_ALERTA, severity)) return FROM_ALERTA[severity];
    throw new UnknownValueError('AlertaSeverity', severity, ALERTA_SEVERITIES);
  },
  isAlertaNormal: (severity: string) =>
    (ALERTA_NORMAL_SEVERITIES as readonly string[]).includes(severity),
});
