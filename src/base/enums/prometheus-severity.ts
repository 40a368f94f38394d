/**
 * The Prometheus `severity` label values alertbase understands, apart from
 * the `AlertLevel` enum (`alert-level.ts` re-exports them): plain data, so
 * that a reader of rule files (the `validate` command) does not load the
 * schema library the enums are built on.
 */
import type { AlertLevel } from './alert-level.js';

/**
 * Prometheus `severity` label values alertbase understands, lowercase, and the
 * level each means. Matching is case-insensitive and ignores surrounding blanks.
 *
 * Sources: the kube-prometheus convention (`critical`, `warning`, `info`, and
 * `none` on the Watchdog/InfoInhibitor alerts), syslog (RFC 5424) names,
 * ITU-T X.733 / Alerta names (`major`, `minor`), PagerDuty's `error`, and
 * alertbase's own level names. `warning` is the middle of Prometheus'
 * three-level scale, so it is `medium`; `minor` ranks above `warning` in X.733,
 * so it is `medium` too. See `docs/alert-status.md` for the full table.
 */
export const PROMETHEUS_SEVERITY_ALIASES: Readonly<Record<string, AlertLevel>> = Object.freeze({
  critical: 'critical',
  crit: 'critical',
  fatal: 'critical',
  page: 'critical',
  emergency: 'critical',
  emerg: 'critical',
  alert: 'critical',
  high: 'high',
  error: 'high',
  err: 'high',
  major: 'high',
  medium: 'medium',
  warning: 'medium',
  warn: 'medium',
  minor: 'medium',
  moderate: 'medium',
  low: 'low',
  notice: 'low',
  info: 'info',
  informational: 'info',
  information: 'info',
  none: 'info',
  debug: 'info',
  trace: 'info',
});
