/**
 * Writing Prometheus rule files: a typed `PrometheusRuleFile` to YAML that
 * Prometheus and `promtool` read, with a stable key order (the order of the
 * Prometheus documentation) and labels and annotations sorted by name, so the
 * same rules always give the same bytes.
 */

import { stringify } from 'yaml';
import { isAlertingRule, type PrometheusRule, type PrometheusRuleFile } from './types.js';

const sorted = (map: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

function ruleToPlain(rule: PrometheusRule): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (isAlertingRule(rule)) out.alert = rule.alert;
  else out.record = rule.record;
  out.expr = rule.expr;
  if (isAlertingRule(rule)) {
    if (rule.for !== undefined) out.for = rule.for;
    if (rule.keepFiringFor !== undefined) out.keep_firing_for = rule.keepFiringFor;
  }
  if (rule.labels !== undefined) out.labels = sorted(rule.labels);
  if (isAlertingRule(rule) && rule.annotations !== undefined) {
    out.annotations = sorted(rule.annotations);
  }
  return out;
}

/**
 * Renders a rule file as YAML. Keys come in a fixed order (`name`,
 * `interval`, `query_offset`, `limit`, `labels`, `rules`; `alert`/`record`,
 * `expr`, `for`, `keep_firing_for`, `labels`, `annotations`), multi-line
 * expressions and templates as literal blocks, long lines unfolded.
 * `parseRuleFile(formatRuleFile(file))` gives `file` back.
 *
 * @example
 * ```ts
 * formatRuleFile({ groups: [{ name: 'node', rules: [{ alert: 'Down', expr: 'up == 0', for: '5m' }] }] });
 * // groups:
 * //   - name: node
 * //     rules:
 * //       - alert: Down
 * //         expr: up == 0
 * //         for: 5m
 * ```
 */
export function formatRuleFile(file: PrometheusRuleFile): string {
  const groups = file.groups.map((g) => {
    const out: Record<string, unknown> = { name: g.name };
    if (g.interval !== undefined) out.interval = g.interval;
    if (g.queryOffset !== undefined) out.query_offset = g.queryOffset;
    if (g.limit !== undefined) out.limit = g.limit;
    if (g.labels !== undefined) out.labels = sorted(g.labels);
    out.rules = g.rules.map(ruleToPlain);
    return out;
  });
  return stringify({ groups }, { lineWidth: 0, blockQuote: 'literal' });
}
