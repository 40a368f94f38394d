/**
 * The typed form of a Prometheus rule file (`rulefmt`): groups of alerting
 * and recording rules. Durations stay strings as written (`5m`, `1h30m`), so
 * that a file read and written back is unchanged.
 */

import type { ValidationIssue } from '../../base/exceptions/errors.js';

/** An alerting rule (`alert:`). */
export interface PrometheusAlertingRule {
  /** The alert name (`alertname` label of the alerts it raises). */
  readonly alert: string;
  /** The PromQL condition. */
  readonly expr: string;
  /** `for`: how long the condition must hold (a Prometheus duration). */
  readonly for?: string;
  /** `keep_firing_for`: how long to keep firing after the condition clears. */
  readonly keepFiringFor?: string;
  /** Labels added to each alert (values may be templates). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Annotations of each alert (values are templates). */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A recording rule (`record:`). */
export interface PrometheusRecordingRule {
  /** The metric name the result is stored under. */
  readonly record: string;
  /** The PromQL expression. */
  readonly expr: string;
  /** Labels added to the result. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A rule of a group: alerting or recording (tell them apart with `isAlertingRule`). */
export type PrometheusRule = PrometheusAlertingRule | PrometheusRecordingRule;

/** A rule group. */
export interface PrometheusRuleGroup {
  /** The group name, unique in its file. */
  readonly name: string;
  /** `interval`: evaluation interval (a Prometheus duration). */
  readonly interval?: string;
  /** `query_offset` (Prometheus 3.0 and later): evaluate as of this long ago. */
  readonly queryOffset?: string;
  /** `limit`: the most alerts or series a rule may produce (0: no limit). */
  readonly limit?: number;
  /** `labels` (Prometheus 3.0 and later): labels added to every rule of the group. */
  readonly labels?: Readonly<Record<string, string>>;
  /** The rules, in evaluation order. */
  readonly rules: readonly PrometheusRule[];
}

/** A Prometheus rule file. */
export interface PrometheusRuleFile {
  readonly groups: readonly PrometheusRuleGroup[];
}

/** How serious a rule file issue is. */
export type RuleFileIssueSeverity = 'error' | 'warning' | 'info';

/**
 * One finding in a rule file: a `ValidationIssue` (code, path, JSON pointer,
 * message) with its severity and always a source position (1-based).
 */
export interface RuleFileIssue extends ValidationIssue {
  readonly severity: RuleFileIssueSeverity;
  readonly line: number;
  readonly column: number;
}

/** Is this rule an alerting rule? */
export function isAlertingRule(rule: PrometheusRule): rule is PrometheusAlertingRule {
  return 'alert' in rule;
}
