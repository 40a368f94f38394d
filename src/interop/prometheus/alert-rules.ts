/**
 * Between Prometheus rule files and alertbase `AlertRule` models: each
 * alerting rule becomes an `AlertRule` whose level comes from its `severity`
 * label (`AlertLevel.fromPrometheus`) and whose priority from the level
 * (`Priority.fromLevel`); `AlertRule`s become a rule file grouped by their
 * `group`.
 */

import { DEFAULTS } from '../../base/constants.js';
import { AlertLevel } from '../../base/enums/alert-level.js';
import { type LevelPriorityOverrides, Priority } from '../../base/enums/priority.js';
import { toJsonPointer } from '../../base/exceptions/errors.js';
import { formatDuration, safeParseDuration } from '../../base/utils/duration.js';
import { AlertRule } from '../../domain/alert-rule.js';
import {
  isAlertingRule,
  type PrometheusAlertingRule,
  type PrometheusRuleFile,
  type PrometheusRuleGroup,
  type RuleFileIssue,
} from './types.js';

/** Options of `ruleFileToAlertRules`. */
export interface ToAlertRulesOptions {
  /** The tenant that will own the rules. */
  readonly tenantId: string;
  /** Level of a rule without a known `severity` label. Default `DEFAULTS.prometheusDefaultLevel`. */
  readonly defaultLevel?: AlertLevel;
  /** The tenant's level → priority overrides (see `Priority.fromLevel`). */
  readonly priorityOverrides?: LevelPriorityOverrides;
}

/** The outcome of `ruleFileToAlertRules`. */
export interface ToAlertRulesResult {
  /** One model per alerting rule that the `AlertRule` model accepts, in file order. */
  readonly rules: readonly AlertRule[];
  /**
   * Rules the model refused (errors, with the model's issue codes and the
   * rule's path), and recording rules, which are left out (`info`,
   * `recording_rule_skipped`). Positions are 0 here: the typed file has none.
   */
  readonly issues: readonly RuleFileIssue[];
}

const ms = (duration: string | undefined): number => {
  if (duration === undefined) return 0;
  const result = safeParseDuration(duration);
  return result.ok ? result.ms : 0;
};

/**
 * Turns the alerting rules of a (checked) rule file into `AlertRule` models.
 * Group labels are merged under the rule's own labels; all labels, `severity`
 * included, are kept so the rules can be written back unchanged.
 *
 * @example
 * ```ts
 * const { rules, issues } = ruleFileToAlertRules(parseRuleFile(text), { tenantId: 'acme' });
 * rules[0]?.level; // 'critical' for `severity: critical`
 * ```
 */
export function ruleFileToAlertRules(
  file: PrometheusRuleFile,
  options: ToAlertRulesOptions,
): ToAlertRulesResult {
  const fallback = options.defaultLevel ?? DEFAULTS.prometheusDefaultLevel;
  const rules: AlertRule[] = [];
  const issues: RuleFileIssue[] = [];
  file.groups.forEach((group, g) => {
    group.rules.forEach((rule, r) => {
      const path = ['groups', g, 'rules', r];
      if (!isAlertingRule(rule)) {
        issues.push({
          severity: 'info',
          code: 'recording_rule_skipped',
          path,
          pointer: toJsonPointer(path),
          message: `recording rule ${JSON.stringify(rule.record)} is not an alert rule and was left out`,
          line: 0,
          column: 0,
        });
        return;
      }
      const labels = { ...group.labels, ...rule.labels };
      const level = AlertLevel.fromPrometheus(labels.severity, { fallback });
      const priority = Priority.fromLevel(level, options.priorityOverrides);
      const parsed = AlertRule.safeParse({
        tenantId: options.tenantId,
        name: rule.alert,
        level,
        priority,
        condition: rule.expr,
        for: ms(rule.for),
        keepFiringFor: ms(rule.keepFiringFor),
        group: group.name,
        groupInterval: group.interval === undefined ? null : ms(group.interval),
        labels,
        annotations: rule.annotations ?? {},
      });
      if (parsed.success) {
        rules.push(parsed.data);
        return;
      }
      for (const issue of parsed.error.issues) {
        const full = [...path, ...issue.path];
        issues.push({
          severity: 'error',
          code: issue.code,
          path: full,
          pointer: toJsonPointer(full),
          message: issue.message,
          line: 0,
          column: 0,
        });
      }
    });
  });
  return { rules, issues };
}

/** Options of `alertRulesToRuleFile`. */
export interface ToRuleFileOptions {
  /** The group of rules whose `group` is null. Default `alertbase`. */
  readonly defaultGroup?: string;
  /** Write disabled rules too (Prometheus has no "disabled"). Default `false`. */
  readonly includeDisabled?: boolean;
}

/**
 * Turns `AlertRule` models into a rule file: one group per `group` (in order
 * of first appearance, with the `interval` its rules keep), a `severity` label from the level when the rule has
 * none (`AlertLevel.toPrometheus`), durations in Prometheus form.
 *
 * @example
 * ```ts
 * const text = formatRuleFile(alertRulesToRuleFile(rules));
 * ```
 */
export function alertRulesToRuleFile(
  rules: readonly AlertRule[],
  options: ToRuleFileOptions = {},
): PrometheusRuleFile {
  const groups = new Map<string, PrometheusAlertingRule[]>();
  const intervals = new Map<string, number>();
  for (const rule of rules) {
    if (!rule.enabled && options.includeDisabled !== true) continue;
    const name = rule.group ?? options.defaultGroup ?? 'alertbase';
    // A group's interval: the first its rules give.
    if (rule.groupInterval !== null && !intervals.has(name))
      intervals.set(name, rule.groupInterval);
    const labels = { ...rule.labels };
    labels.severity ??= AlertLevel.toPrometheus(rule.level);
    const out: PrometheusAlertingRule = {
      alert: rule.name,
      expr: rule.condition,
      ...(rule.for > 0 ? { for: formatDuration(rule.for) } : {}),
      ...(rule.keepFiringFor > 0 ? { keepFiringFor: formatDuration(rule.keepFiringFor) } : {}),
      labels,
      ...(Object.keys(rule.annotations).length > 0 ? { annotations: { ...rule.annotations } } : {}),
    };
    const list = groups.get(name);
    if (list === undefined) groups.set(name, [out]);
    else list.push(out);
  }
  return {
    groups: [...groups].map(([name, list]): PrometheusRuleGroup => {
      const interval = intervals.get(name);
      return {
        name,
        ...(interval === undefined ? {} : { interval: formatDuration(interval) }),
        rules: list,
      };
    }),
  };
}
