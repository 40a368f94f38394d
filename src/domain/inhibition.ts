/**
 * Inhibition as Alertmanager 0.25 computes it: a target alert is inhibited
 * while an unresolved source alert has the same values for the rule's
 * `equal` labels (an absent label is `""`); when an alert matches both
 * sides of a rule, only sources that do not match the target side too can
 * inhibit it. The first rule (in order) that inhibits an alert names the
 * source in `inhibitedBy`.
 */
import type { InhibitRule } from './inhibit-rule.js';
import {
  type CompiledMatcher,
  compileMatcher,
  type Labels,
  labelValue,
  matchesAll,
} from './matchers.js';

/** What inhibition needs of an alert. */
export interface InhibitionCandidate {
  readonly fingerprint: string;
  readonly labels: Labels;
}

interface CompiledRule {
  readonly source: readonly CompiledMatcher[];
  readonly target: readonly CompiledMatcher[];
  readonly equal: readonly string[];
}

/** The key of an alert's `equal` label values (NUL cannot occur in a label value's JSON). */
function keyOf(equal: readonly string[], labels: Labels): string {
  return JSON.stringify(equal.map((n) => labelValue(labels, n)));
}

/**
 * For each of `alerts` that a rule inhibits, the fingerprint of a source
 * alert that inhibits it. `alerts` are the tenant's unresolved alerts: the
 * possible sources and the alerts to judge. Cost: one pass over the alerts
 * per rule, then a lookup per target (sources are indexed by their
 * `equal` values).
 *
 * @example
 * ```ts
 * const inhibited = inhibitedBy(rules, openAlerts); // Map<fingerprint, [sourceFingerprint]>
 * ```
 */
export function inhibitedBy(
  rules: readonly InhibitRule[],
  alerts: readonly InhibitionCandidate[],
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const rule of rules) {
    const compiled: CompiledRule = {
      source: rule.sourceMatchers.map(compileMatcher),
      target: rule.targetMatchers.map(compileMatcher),
      equal: rule.equal,
    };
    // Sources by their equal values, those that match only the source side
    // apart: a target that matches both sides may only be inhibited by them.
    const sources = new Map<string, { oneSided: string[]; twoSided: string[] }>();
    for (const a of alerts) {
      if (!matchesAll(compiled.source, a.labels)) continue;
      const key = keyOf(compiled.equal, a.labels);
      let entry = sources.get(key);
      if (entry === undefined) {
        entry = { oneSided: [], twoSided: [] };
        sources.set(key, entry);
      }
      if (matchesAll(compiled.target, a.labels)) entry.twoSided.push(a.fingerprint);
      else entry.oneSided.push(a.fingerprint);
    }
    if (sources.size === 0) continue;
    for (const a of alerts) {
      if (out.has(a.fingerprint) || !matchesAll(compiled.target, a.labels)) continue;
      const entry = sources.get(keyOf(compiled.equal, a.labels));
      if (entry === undefined) continue;
      const excludeTwoSided = matchesAll(compiled.source, a.labels);
      const found = entry.oneSided[0] ?? (excludeTwoSided ? undefined : entry.twoSided[0]);
      if (found !== undefined) out.set(a.fingerprint, [found]);
    }
  }
  return out;
}
