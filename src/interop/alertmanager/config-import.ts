/**
 * Reading an Alertmanager 0.25 configuration file so that a team can move
 * its routing over: `route` becomes a routing tree, `receivers` are handed
 * on as they are (each one's integrations become notification channels
 * elsewhere, see `receivers.ts`), `inhibit_rules` become `InhibitRule`
 * inputs, and `time_intervals` with the older `mute_time_intervals` become
 * the tree's time intervals.
 *
 * The YAML is read by the project's budgeted YAML decoder (size, depth,
 * aliases). What cannot be honoured is reported with the path of the
 * setting, never dropped silently: a field Alertmanager does not know is an
 * error (as Alertmanager refuses it), `templates` is a warning (alertbase's
 * notification text comes from its own templates; template files are not
 * read), and so is a `global.resolve_timeout` other than alertbase's 5m.
 */

import { DURATIONS } from '../../base/constants.js';
import { toJsonPointer } from '../../base/exceptions/errors.js';
import { AlertbaseError } from '../../base/exceptions/index.js';
import { UniversalSerializer } from '../../base/serializers/index.js';
import type { InputOf } from '../../base/types/model.js';
import { formatDuration, safeParseDuration } from '../../base/utils/duration.js';
import { InhibitRule } from '../../domain/inhibit-rule.js';
import {
  type Matcher,
  MatcherSyntaxError,
  parseMatchers,
  regexError,
} from '../../domain/matchers.js';
import { type Route, RoutingTree } from '../../domain/routing-tree.js';
import type { NamedTimeInterval } from '../../domain/time-interval.js';

/** A problem found while importing, at a path of the Alertmanager file. */
export interface AlertmanagerImportIssue {
  /** `error`: the setting was not imported; `warning`: imported, but something is not honoured. */
  readonly severity: 'error' | 'warning';
  readonly code: string;
  /** JSON pointer into the configuration (`/route/routes/0/matchers/1`). */
  readonly pointer: string;
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** Where in the text, for YAML errors. */
  readonly line?: number;
  readonly column?: number;
}

/** A receiver as Alertmanager configures it, its integrations left as they are. */
export interface AlertmanagerReceiver {
  readonly name: string;
  /** The whole receiver entry (`name`, `webhook_configs`, `slack_configs`, ...). */
  readonly raw: unknown;
}

/** An inhibition rule ready for `InhibitRule.parse` once a tenant is added. */
export type InhibitRuleImport = Omit<InputOf<typeof InhibitRule>, 'tenantId'>;

/** What {@link parseAlertmanagerConfig} found. */
export interface AlertmanagerImport {
  /** The root route, validated (durations in ms, matchers normalized); `undefined` when it has errors. */
  readonly route: Route | undefined;
  readonly receivers: readonly AlertmanagerReceiver[];
  readonly inhibitRules: readonly InhibitRuleImport[];
  /** `time_intervals` then `mute_time_intervals`, validated. */
  readonly timeIntervals: readonly NamedTimeInterval[];
  /** The `global` section as it is (receivers' defaults such as `slack_api_url` live there). */
  readonly global: unknown;
  readonly issues: readonly AlertmanagerImportIssue[];
}

/** Top-level fields of an Alertmanager 0.25 configuration. */
const KNOWN_FIELDS = new Set([
  'global',
  'route',
  'receivers',
  'inhibit_rules',
  'templates',
  'time_intervals',
  'mute_time_intervals',
]);

const INHIBIT_FIELDS = new Set([
  'source_match',
  'source_match_re',
  'source_matchers',
  'target_match',
  'target_match_re',
  'target_matchers',
  'equal',
]);

const isList = (v: unknown): v is readonly unknown[] => Array.isArray(v);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Collects issues for one import. */
class Issues {
  readonly list: AlertmanagerImportIssue[] = [];
  add(
    severity: 'error' | 'warning',
    path: readonly (string | number)[],
    code: string,
    message: string,
    at: { line?: number; column?: number } = {},
  ): void {
    this.list.push({ severity, code, path, pointer: toJsonPointer(path), message, ...at });
  }
}

/** The matchers of one side of an inhibition rule: `*_match`, `*_match_re`, `*_matchers`. */
function sideMatchers(
  rule: Record<string, unknown>,
  side: 'source' | 'target',
  at: (string | number)[],
  issues: Issues,
): Matcher[] {
  const out: Matcher[] = [];
  for (const [suffix, isRegex] of [
    ['match', false],
    ['match_re', true],
  ] as const) {
    const field = `${side}_${suffix}`;
    const map = rule[field];
    if (map === undefined) continue;
    if (!isRecord(map)) {
      issues.add(
        'error',
        [...at, field],
        'invalid_type',
        `${field} must be a map of label names to values`,
      );
      continue;
    }
    for (const [name, value] of Object.entries(map)) {
      const error =
        typeof value !== 'string' ? 'expected a string' : isRegex ? regexError(value) : undefined;
      if (typeof value !== 'string' || error !== undefined) {
        issues.add('error', [...at, field, name], 'invalid_matcher', error ?? 'expected a string');
        continue;
      }
      out.push({ name, value, isRegex, isEqual: true });
    }
  }
  const field = `${side}_matchers`;
  const lines = rule[field];
  if (lines !== undefined) {
    if (!isList(lines)) {
      issues.add('error', [...at, field], 'invalid_type', `${field} must be a list of matchers`);
    } else {
      lines.forEach((line, i) => {
        try {
          if (typeof line !== 'string') throw new MatcherSyntaxError('expected a string');
          out.push(...parseMatchers(line));
        } catch (err) {
          issues.add(
            'error',
            [...at, field, i],
            'invalid_matcher',
            err instanceof Error ? err.message : String(err),
          );
        }
      });
    }
  }
  return out;
}

function inhibitRules(value: unknown, issues: Issues): InhibitRuleImport[] {
  if (value === undefined || value === null) return [];
  if (!isList(value)) {
    issues.add('error', ['inhibit_rules'], 'invalid_type', 'inhibit_rules must be a list');
    return [];
  }
  const out: InhibitRuleImport[] = [];
  value.forEach((rule, i) => {
    const at = ['inhibit_rules', i];
    if (!isRecord(rule)) {
      issues.add('error', at, 'invalid_type', 'an inhibition rule must be a map');
      return;
    }
    const before = issues.list.length;
    for (const key of Object.keys(rule)) {
      if (!INHIBIT_FIELDS.has(key))
        issues.add(
          'error',
          [...at, key],
          'unknown_field',
          `field ${key} not found in an inhibition rule`,
        );
    }
    const candidate: InhibitRuleImport = {
      name: `inhibit-rule-${i + 1}`,
      sourceMatchers: sideMatchers(rule, 'source', at, issues),
      targetMatchers: sideMatchers(rule, 'target', at, issues),
      equal: isList(rule.equal) ? rule.equal.map(String) : [],
    };
    if (rule.equal !== undefined && !isList(rule.equal)) {
      issues.add('error', [...at, 'equal'], 'invalid_type', 'equal must be a list of label names');
    }
    if (issues.list.length > before) return;
    // The model is the one source of truth for what an inhibition rule may hold.
    const checked = InhibitRule.safeParse({ tenantId: 'import', ...candidate });
    if (!checked.success) {
      for (const problem of checked.error.issues) {
        const field = problem.path[0];
        const wire =
          field === 'sourceMatchers'
            ? 'source_matchers'
            : field === 'targetMatchers'
              ? 'target_matchers'
              : field;
        issues.add(
          'error',
          [...at, ...(wire === undefined ? [] : [wire]), ...problem.path.slice(1)],
          problem.code,
          problem.message,
        );
      }
      return;
    }
    out.push(candidate);
  });
  return out;
}

/** Receivers: a name each (unique), the rest handed on as it is. */
function receiversOf(value: unknown, issues: Issues): AlertmanagerReceiver[] {
  if (value === undefined || value === null) {
    issues.add('error', ['receivers'], 'missing_receivers', 'the configuration has no receivers');
    return [];
  }
  if (!isList(value)) {
    issues.add('error', ['receivers'], 'invalid_type', 'receivers must be a list');
    return [];
  }
  const out: AlertmanagerReceiver[] = [];
  value.forEach((entry, i) => {
    const name = isRecord(entry) ? entry.name : undefined;
    if (typeof name !== 'string' || name === '') {
      issues.add(
        'error',
        ['receivers', i, 'name'],
        'missing_receiver_name',
        'missing name in receiver',
      );
      return;
    }
    out.push({ name, raw: entry });
  });
  return out;
}

/** `time_intervals` and `mute_time_intervals`, as given (checked with the tree). */
function intervalsOf(
  doc: Record<string, unknown>,
  issues: Issues,
): { entries: unknown[]; paths: (string | number)[][] } {
  const entries: unknown[] = [];
  const paths: (string | number)[][] = [];
  for (const field of ['time_intervals', 'mute_time_intervals'] as const) {
    const list = doc[field];
    if (list === undefined || list === null) continue;
    if (!isList(list)) {
      issues.add('error', [field], 'invalid_type', `${field} must be a list`);
      continue;
    }
    list.forEach((entry, i) => {
      entries.push(entry);
      paths.push([field, i]);
    });
  }
  return { entries, paths };
}

/**
 * `global.resolve_timeout`: alertbase resolves an alert without `endsAt`
 * after `DURATIONS.defaultResolveTimeoutMs` (Alertmanager's default, 5m) for
 * every tenant; another value cannot be honoured per tenant.
 */
function resolveTimeout(global: unknown, issues: Issues): void {
  const value = isRecord(global) ? global.resolve_timeout : undefined;
  if (value === undefined) return;
  const parsed = typeof value === 'string' ? safeParseDuration(value) : undefined;
  if (parsed?.ok === true && parsed.ms === DURATIONS.defaultResolveTimeoutMs) return;
  issues.add(
    'warning',
    ['global', 'resolve_timeout'],
    'unsupported_setting',
    `alerts without endsAt resolve after ${formatDuration(DURATIONS.defaultResolveTimeoutMs)} in alertbase, not after ${String(value)}`,
  );
}

/**
 * Reads an Alertmanager configuration (YAML) for import.
 *
 * Never throws for bad content: every problem is an issue with a path (a
 * YAML error carries its line and column). `route` is `undefined` when the
 * route, the receivers it names or the time intervals have errors; the
 * other parts are imported as far as they are valid.
 *
 * @example
 * ```ts
 * const found = parseAlertmanagerConfig(await readFile('alertmanager.yml', 'utf8'));
 * if (found.issues.some((i) => i.severity === 'error')) report(found.issues);
 * RoutingTree.parse({ tenantId, route: found.route, receivers: found.receivers.map(toChannels), timeIntervals: found.timeIntervals });
 * ```
 */
export function parseAlertmanagerConfig(text: string): AlertmanagerImport {
  const issues = new Issues();
  const empty = {
    route: undefined,
    receivers: [],
    inhibitRules: [],
    timeIntervals: [],
    global: undefined,
  };
  let doc: unknown;
  try {
    doc = UniversalSerializer.fromYaml(text);
  } catch (err) {
    if (!(err instanceof AlertbaseError)) throw err;
    const { line, column } = err.context;
    const code =
      err.code === 'ALERTBASE_SERIALIZATION_EXCESSIVE_ALIASING'
        ? 'excessive_aliasing'
        : err.code === 'ALERTBASE_SERIALIZATION_TOO_LARGE'
          ? 'too_large'
          : 'yaml_syntax';
    issues.add('error', [], code, err.message, {
      ...(typeof line === 'number' ? { line } : {}),
      ...(typeof column === 'number' ? { column } : {}),
    });
    return { ...empty, issues: issues.list };
  }
  if (!isRecord(doc)) {
    issues.add('error', [], 'invalid_type', 'an Alertmanager configuration must be a YAML map');
    return { ...empty, issues: issues.list };
  }
  for (const key of Object.keys(doc)) {
    if (!KNOWN_FIELDS.has(key)) {
      issues.add(
        'error',
        [key],
        'unknown_field',
        `field ${key} not found in an Alertmanager configuration`,
      );
    }
  }
  if (doc.templates !== undefined && doc.templates !== null) {
    issues.add(
      'warning',
      ['templates'],
      'unsupported_setting',
      "template files are not read: notifications use alertbase's templates",
    );
  }
  resolveTimeout(doc.global, issues);
  const receivers = receiversOf(doc.receivers, issues);
  const rules = inhibitRules(doc.inhibit_rules, issues);
  const intervals = intervalsOf(doc, issues);
  if (doc.route === undefined || doc.route === null) {
    issues.add('error', ['route'], 'missing_route', 'no routes provided');
  }
  // The route, receivers' names and time intervals are checked together by
  // the routing tree model, so an import refuses what the model would.
  const tree = RoutingTree.safeParse({
    tenantId: 'import',
    route: doc.route ?? {},
    receivers: receivers.map((r) => ({ name: r.name })),
    time_intervals: intervals.entries,
  });
  if (!tree.success) {
    for (const problem of tree.error.issues) {
      const [field, index, ...rest] = problem.path;
      let path: (string | number)[] = [...problem.path];
      if (field === 'time_intervals' && typeof index === 'number') {
        path = [...(intervals.paths[index] ?? [field, index]), ...rest];
      } else if (field === 'receivers' && receivers.length === 0) {
        continue; // already reported as missing_receivers
      } else if (field === 'receivers' && typeof index === 'number') {
        // The tree saw only the named receivers: point at the entry in the file.
        const named = receivers[index];
        const original = isList(doc.receivers) ? doc.receivers.indexOf(named?.raw) : index;
        path = ['receivers', original, ...rest];
      }
      issues.add('error', path, problem.code, problem.message);
    }
  }
  return {
    route: tree.success ? tree.data.route : undefined,
    receivers,
    inhibitRules: rules,
    timeIntervals: tree.success ? tree.data.timeIntervals : [],
    global: doc.global,
    issues: issues.list,
  };
}
