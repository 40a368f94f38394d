/**
 * Reading and checking Prometheus rule files, agreeing with `promtool check
 * rules` (Prometheus 2.42): a file promtool accepts is accepted, a file it
 * refuses is refused for the same reason, at the same line where promtool
 * gives one.
 *
 * Like promtool, the check runs in two phases. First the YAML is decoded
 * strictly (unknown fields, wrong types, duplicate keys, bad durations); if
 * that fails nothing else is checked. Then each group and rule is checked
 * (empty or repeated group names, `alert`/`record`, `expr`, recording rule
 * names and fields, label and annotation names, templates).
 *
 * Beyond promtool 2.42, the group fields of current Prometheus (`query_offset`,
 * `labels`) are accepted, and alerting rules get warnings for a missing or
 * unknown `severity` label (which alertbase maps to an `AlertLevel`).
 */

import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import { DECODE_LIMITS, DEFAULTS } from '../../base/constants.js';
import type { AlertLevel } from '../../base/enums/alert-level.js';
import { PROMETHEUS_SEVERITY_ALIASES } from '../../base/enums/prometheus-severity.js';
import {
  SerializationError,
  toJsonPointer,
  ValidationError,
} from '../../base/exceptions/errors.js';
import { parseGoTemplate } from '../../base/prometheus/go-template.js';
import { checkPrometheusExpr } from '../../base/prometheus/promql-check.js';
import { checkYamlExpansion } from '../../base/serializers/yaml-budget.js';
import { composeYaml } from '../../base/serializers/yaml-compose.js';
import { safeParseDuration } from '../../base/utils/duration.js';
import type {
  PrometheusAlertingRule,
  PrometheusRecordingRule,
  PrometheusRule,
  PrometheusRuleFile,
  PrometheusRuleGroup,
  RuleFileIssue,
  RuleFileIssueSeverity,
} from './types.js';

/** Codes of the issues a rule file check reports. */
export const RULE_FILE_ISSUE_CODES = Object.freeze({
  /** The YAML itself does not parse. */
  yamlSyntax: 'yaml_syntax',
  /**
   * Aliases and merge keys copy more nodes than the budget allows
   * (`DECODE_LIMITS.maxYamlAliases`; promtool: "document contains excessive aliasing").
   */
  excessiveAliasing: 'excessive_aliasing',
  /**
   * Nesting, keys of one mapping, items of one sequence or values of the
   * document past the decoders' limits (`DECODE_LIMITS`), refused while reading.
   */
  tooLarge: 'too_large',
  /** A mapping has the same key twice. */
  duplicateKey: 'duplicate_key',
  /** A field that rule files do not have (promtool: "field x not found"). */
  unknownField: 'unknown_field',
  /** A value of the wrong YAML type (a list where a string belongs, text where a number belongs). */
  invalidType: 'invalid_type',
  /**
   * `for`, `keep_firing_for`, `interval` or `query_offset` is no Prometheus
   * duration, or a range, subquery or offset duration inside `expr` is invalid.
   */
  invalidDuration: 'invalid_duration',
  /** A group without a name. */
  missingGroupName: 'missing_group_name',
  /** Two groups of one file with the same name. */
  duplicateGroupName: 'duplicate_group_name',
  /** A rule with both `alert` and `record`. */
  alertAndRecord: 'alert_and_record',
  /** A rule with neither `alert` nor `record`. */
  missingAlertOrRecord: 'missing_alert_or_record',
  /** A rule without `expr` (or an empty one). */
  missingExpr: 'missing_expr',
  /** `expr` does not parse as PromQL (the codes below are Prometheus' checks after parsing). */
  invalidPromql: 'invalid_promql',
  /** `expr` parses, but types or modifiers do not fit (`rate(up)`, `1 > 2`). */
  promqlTypeError: 'promql_type_error',
  /** A label matcher's regex in `expr` is not valid RE2. */
  invalidRegex: 'invalid_regex',
  /** A recording rule name that is no valid metric name. */
  invalidRecordName: 'invalid_record_name',
  /** `for`, `keep_firing_for` or `annotations` on a recording rule. */
  forbiddenRecordField: 'forbidden_record_field',
  /** A label name that is not valid (or is `__name__`). */
  invalidLabelName: 'invalid_label_name',
  /** An annotation name that is not valid. */
  invalidAnnotationName: 'invalid_annotation_name',
  /** A label or annotation template that does not parse. */
  invalidTemplate: 'invalid_template',
  /** Warning: an alerting rule without a `severity` label. */
  missingSeverity: 'missing_severity',
  /** Warning: a `severity` label alertbase does not know. */
  unknownSeverity: 'unknown_severity',
  /** Warning: YAML documents after the first, which Prometheus ignores. */
  extraDocuments: 'extra_documents_ignored',
} as const);

/** A code of `RULE_FILE_ISSUE_CODES`. */
export type RuleFileIssueCode = (typeof RULE_FILE_ISSUE_CODES)[keyof typeof RULE_FILE_ISSUE_CODES];

/** Options of `checkRuleFile`. */
export interface CheckRuleFileOptions {
  /** The level named in `missing_severity` warnings. Default `DEFAULTS.prometheusDefaultLevel`. */
  readonly defaultLevel?: AlertLevel;
  /** Template functions besides Go's builtins (see `parseGoTemplate`). */
  readonly templateFunctions?: ReadonlySet<string>;
  /** Nodes aliases and merge keys may copy. Default `DECODE_LIMITS.maxYamlAliases`. */
  readonly maxYamlAliases?: number;
}

/** The outcome of `checkRuleFile`. */
export interface RuleFileCheckResult {
  /** No errors (warnings allowed). */
  readonly valid: boolean;
  /** Every issue, errors first in file order, then warnings. */
  readonly issues: readonly RuleFileIssue[];
  readonly errors: readonly RuleFileIssue[];
  readonly warnings: readonly RuleFileIssue[];
  /** The typed file, when valid. */
  readonly file?: PrometheusRuleFile;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

type Path = readonly (string | number)[];

const GROUP_FIELDS = ['name', 'interval', 'query_offset', 'limit', 'labels', 'rules'] as const;
const RULE_FIELDS = [
  'record',
  'alert',
  'expr',
  'for',
  'keep_firing_for',
  'labels',
  'annotations',
] as const;

/** A YAML scalar value as go-yaml gives it to a string field. */
interface Text {
  readonly value: string;
  readonly node: Node | undefined;
}

interface DecodedRule {
  readonly node: Node;
  readonly path: Path;
  record?: Text;
  alert?: Text;
  expr?: Text;
  for?: Text;
  keepFiringFor?: Text;
  labels?: Map<string, { key: Node; value: Text }>;
  annotations?: Map<string, { key: Node; value: Text }>;
}

interface DecodedGroup {
  readonly node: Node;
  readonly path: Path;
  name?: Text;
  interval?: Text;
  queryOffset?: Text;
  limit?: number;
  labels?: Map<string, { key: Node; value: Text }>;
  rules: DecodedRule[];
}

const kindOf = (node: Node | null | undefined): string => {
  if (node === null || node === undefined) return '!!null';
  if (isMap(node)) return '!!map';
  if (isSeq(node)) return '!!seq';
  if (isScalar(node)) {
    if (node.value === null) return '!!null';
    if (typeof node.value === 'number') return Number.isInteger(node.value) ? '!!int' : '!!float';
    if (typeof node.value === 'boolean') return '!!bool';
    return '!!str';
  }
  /* v8 ignore next -- aliases are resolved before */
  return '!!node';
};

/** @internal the decoder and checker of one document. */
class RuleFileReader {
  readonly issues: RuleFileIssue[] = [];

  constructor(
    private readonly lines: LineCounter,
    private readonly doc: { resolve(node: Node): Node | undefined },
    private readonly options: CheckRuleFileOptions,
  ) {}

  private pos(offset: number): { line: number; column: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  add(
    severity: RuleFileIssueSeverity,
    code: RuleFileIssueCode,
    path: Path,
    at: Node | number | undefined,
    message: string,
  ): void {
    const offset = typeof at === 'number' ? at : (at?.range?.[0] ?? 0);
    this.issues.push({
      severity,
      code,
      path,
      pointer: toJsonPointer(path),
      message,
      ...this.pos(offset),
    });
  }

  private typeError(path: Path, node: Node | undefined, into: string): void {
    const kind = kindOf(node);
    const shown = isScalar(node) ? ` \`${String(node.source ?? node.value)}\`` : '';
    this.add('error', 'invalid_type', path, node, `cannot read ${kind}${shown} as ${into}`);
  }

  private resolve(node: unknown): Node | undefined {
    if (isAlias(node)) return this.doc.resolve(node);
    return (node ?? undefined) as Node | undefined;
  }

  /** The entries of a mapping, merge keys (`<<: *anchor`) expanded. */
  private entries(map: YAMLMap): { key: Node; name: string; value: Node | undefined }[] {
    const explicit: { key: Node; name: string; value: Node | undefined }[] = [];
    const merged: { key: Node; name: string; value: Node | undefined }[] = [];
    for (const pair of map.items) {
      const key = pair.key as Node;
      const value = this.resolve(pair.value);
      if (isScalar(key) && key.source === '<<') {
        const sources = isSeq(value) ? value.items.map((i) => this.resolve(i)) : [value];
        for (const source of sources) if (isMap(source)) merged.push(...this.entries(source));
        continue;
      }
      const name = isScalar(key) ? String(key.source ?? key.value ?? '') : '';
      explicit.push({ key, name, value });
    }
    const names = new Set(explicit.map((e) => e.name));
    return [...merged.filter((m) => !names.has(m.name)), ...explicit];
  }

  /** A scalar read into a Go string field: any scalar as written; null is empty. */
  private text(path: Path, node: Node | undefined): Text | undefined {
    if (node === undefined || (isScalar(node) && node.value === null)) return { value: '', node };
    if (!isScalar(node)) {
      this.typeError(path, node, 'a string');
      return undefined;
    }
    const value = typeof node.value === 'string' ? node.value : String(node.source ?? node.value);
    return { value, node };
  }

  /** A node kept as a YAML node by promtool (`alert`, `record`, `expr`): non-scalars read as empty. */
  private nodeText(node: Node | undefined): Text {
    if (isScalar(node) && node.value !== null) {
      return {
        value: typeof node.value === 'string' ? node.value : String(node.source ?? node.value),
        node,
      };
    }
    return { value: '', node };
  }

  private duration(path: Path, node: Node | undefined): Text | undefined {
    const text = this.text(path, node);
    if (text === undefined || node === undefined || (isScalar(node) && node.value === null))
      return undefined;
    if (!safeParseDuration(text.value).ok) {
      this.add(
        'error',
        'invalid_duration',
        path,
        node,
        `${JSON.stringify(text.value)} is not a valid duration (units y w d h m s ms, largest first, as in 1h30m)`,
      );
      return undefined;
    }
    return text;
  }

  private stringMap(
    path: Path,
    node: Node | undefined,
  ): Map<string, { key: Node; value: Text }> | undefined {
    if (node === undefined || (isScalar(node) && node.value === null)) return undefined;
    if (!isMap(node)) {
      this.typeError(path, node, 'a map of names to strings');
      return undefined;
    }
    const out = new Map<string, { key: Node; value: Text }>();
    for (const { key, name, value } of this.entries(node)) {
      if (!isScalar(key)) {
        this.typeError(path, key, 'a name');
        continue;
      }
      const text = this.text([...path, name], value);
      if (text !== undefined) out.set(name, { key, value: text });
    }
    return out;
  }

  private unknownField(path: Path, key: Node, name: string, type: string): void {
    this.add(
      'error',
      'unknown_field',
      [...path, name],
      key,
      `unknown field ${JSON.stringify(name)} in ${type}`,
    );
  }

  /** Phase 1: decodes the document as promtool's strict YAML decoding does. */
  decode(root: Node | undefined): DecodedGroup[] {
    const groups: DecodedGroup[] = [];
    if (root === undefined || (isScalar(root) && root.value === null)) return groups;
    if (!isMap(root)) {
      this.typeError([], root, 'a rule file (a map with "groups")');
      return groups;
    }
    for (const { key, name, value } of this.entries(root)) {
      if (name !== 'groups') {
        this.unknownField([], key, name, 'a rule file');
        continue;
      }
      if (value === undefined || (isScalar(value) && value.value === null)) continue;
      if (!isSeq(value)) {
        this.typeError(['groups'], value, 'a list of groups');
        continue;
      }
      value.items.forEach((item, index) => {
        const group = this.decodeGroup(['groups', index], this.resolve(item));
        if (group !== undefined) groups.push(group);
      });
    }
    return groups;
  }

  private decodeGroup(path: Path, node: Node | undefined): DecodedGroup | undefined {
    // promtool skips a null list item.
    if (node === undefined || (isScalar(node) && node.value === null)) return undefined;
    const group: DecodedGroup = { node, path, rules: [] };
    if (!isMap(node)) {
      this.typeError(path, node, 'a group');
      return undefined;
    }
    for (const { key, name, value } of this.entries(node)) {
      const at = [...path, name];
      switch (name as (typeof GROUP_FIELDS)[number]) {
        case 'name': {
          const text = this.text(at, value);
          if (text !== undefined) group.name = text;
          break;
        }
        case 'interval': {
          const d = this.duration(at, value);
          if (d !== undefined) group.interval = d;
          break;
        }
        case 'query_offset': {
          const d = this.duration(at, value);
          if (d !== undefined) group.queryOffset = d;
          break;
        }
        case 'limit':
          if (value === undefined || (isScalar(value) && value.value === null)) break;
          // go-yaml reads a plain number into an int field, truncating a fraction.
          if (isScalar(value) && value.type === 'PLAIN' && typeof value.value === 'number') {
            group.limit = Math.trunc(value.value);
          } else this.typeError(at, value, 'an integer');
          break;
        case 'labels': {
          const labels = this.stringMap(at, value);
          if (labels !== undefined) group.labels = labels;
          break;
        }
        case 'rules':
          if (value === undefined || (isScalar(value) && value.value === null)) break;
          if (!isSeq(value)) {
            this.typeError(at, value, 'a list of rules');
            break;
          }
          value.items.forEach((item, index) => {
            const rule = this.decodeRule([...at, index], this.resolve(item));
            if (rule !== undefined) group.rules.push(rule);
          });
          break;
        default:
          this.unknownField(path, key, name, 'a rule group');
      }
    }
    return group;
  }

  private decodeRule(path: Path, node: Node | undefined): DecodedRule | undefined {
    if (node === undefined || (isScalar(node) && node.value === null)) return undefined;
    const rule: DecodedRule = { node, path };
    if (!isMap(node)) {
      this.typeError(path, node, 'a rule');
      return undefined;
    }
    for (const { key, name, value } of this.entries(node)) {
      const at = [...path, name];
      switch (name as (typeof RULE_FIELDS)[number]) {
        case 'record':
          rule.record = this.nodeText(value);
          break;
        case 'alert':
          rule.alert = this.nodeText(value);
          break;
        case 'expr':
          rule.expr = this.nodeText(value ?? key);
          break;
        case 'for': {
          const d = this.duration(at, value);
          if (d !== undefined) rule.for = d;
          break;
        }
        case 'keep_firing_for': {
          const d = this.duration(at, value);
          if (d !== undefined) rule.keepFiringFor = d;
          break;
        }
        case 'labels': {
          const m = this.stringMap(at, value);
          if (m !== undefined) rule.labels = m;
          break;
        }
        case 'annotations': {
          const m = this.stringMap(at, value);
          if (m !== undefined) rule.annotations = m;
          break;
        }
        default:
          this.unknownField(path, key, name, 'a rule');
      }
    }
    return rule;
  }

  /** Phase 2: the checks of promtool's `Validate`, in its order. */
  validate(groups: readonly DecodedGroup[]): void {
    const seen = new Set<string>();
    for (const group of groups) {
      const name = group.name?.value ?? '';
      if (name === '') {
        this.add(
          'error',
          'missing_group_name',
          [...group.path, 'name'],
          group.node,
          'a rule group must have a name',
        );
      } else if (seen.has(name)) {
        this.add(
          'error',
          'duplicate_group_name',
          [...group.path, 'name'],
          group.node,
          `group name ${JSON.stringify(name)} is used by an earlier group of this file`,
        );
      }
      seen.add(name);
      for (const [label, { key }] of group.labels ?? []) {
        this.labelName([...group.path, 'labels', label], key, label);
      }
      for (const rule of group.rules) this.validateRule(rule);
    }
  }

  private labelName(path: Path, key: Node, name: string): void {
    if (!LABEL_NAME.test(name) || name === '__name__') {
      this.add(
        'error',
        'invalid_label_name',
        path,
        key,
        `${JSON.stringify(name)} is not a valid label name`,
      );
    }
  }

  private validateRule(rule: DecodedRule): void {
    const record = rule.record?.value ?? '';
    const alert = rule.alert?.value ?? '';
    const { path } = rule;
    if (record !== '' && alert !== '') {
      this.add(
        'error',
        'alert_and_record',
        [...path, 'record'],
        rule.record?.node,
        'a rule must have either "alert" or "record", not both',
      );
    }
    if (record === '' && alert === '') {
      this.add(
        'error',
        'missing_alert_or_record',
        path,
        rule.node,
        'a rule must have "alert" (an alerting rule) or "record" (a recording rule)',
      );
    }
    const expr = rule.expr?.value ?? '';
    if (expr === '') {
      this.add(
        'error',
        'missing_expr',
        [...path, 'expr'],
        rule.expr?.node ?? rule.node,
        'a rule must have a non-empty "expr"',
      );
    } else {
      const result = checkPrometheusExpr(expr);
      if (!result.ok) {
        // The checker's own code, as every other entry point reports it.
        this.add(
          'error',
          result.code,
          [...path, 'expr'],
          rule.expr?.node,
          `invalid PromQL at line ${result.line}, column ${result.column} of the expression: ${result.message}`,
        );
      }
    }
    if (record !== '') {
      const at = rule.record?.node;
      if ((rule.annotations?.size ?? 0) > 0) {
        this.add(
          'error',
          'forbidden_record_field',
          [...path, 'annotations'],
          at,
          'a recording rule cannot have "annotations"',
        );
      }
      if (rule.for !== undefined && safeDurationMs(rule.for.value) !== 0) {
        this.add(
          'error',
          'forbidden_record_field',
          [...path, 'for'],
          at,
          'a recording rule cannot have "for"',
        );
      }
      if (rule.keepFiringFor !== undefined && safeDurationMs(rule.keepFiringFor.value) !== 0) {
        this.add(
          'error',
          'forbidden_record_field',
          [...path, 'keep_firing_for'],
          at,
          'a recording rule cannot have "keep_firing_for"',
        );
      }
      if (!METRIC_NAME.test(record)) {
        this.add(
          'error',
          'invalid_record_name',
          [...path, 'record'],
          at,
          `${JSON.stringify(record)} is not a valid metric name for a recording rule`,
        );
      }
    }
    for (const [name, { key }] of rule.labels ?? [])
      this.labelName([...path, 'labels', name], key, name);
    rule.annotations?.forEach(({ key }, name) => {
      if (!LABEL_NAME.test(name)) {
        this.add(
          'error',
          'invalid_annotation_name',
          [...path, 'annotations', name],
          key,
          `${JSON.stringify(name)} is not a valid annotation name`,
        );
      }
    });
    if (alert !== '') {
      for (const [field, map] of [
        ['labels', rule.labels],
        ['annotations', rule.annotations],
      ] as const) {
        for (const [name, { value }] of map ?? []) this.template([...path, field, name], value);
      }
    }
  }

  private template(path: Path, text: Text): void {
    const options =
      this.options.templateFunctions === undefined
        ? {}
        : { functions: this.options.templateFunctions };
    const result = parseGoTemplate(text.value, options);
    if (result.ok) return;
    const node = text.node;
    /* v8 ignore next -- a template value always comes from a node */
    const start = node?.range?.[0] ?? 0;
    const scalar = node as Scalar | undefined;
    const { line, column } = this.pos(start);
    const block = scalar?.type === 'BLOCK_LITERAL' || scalar?.type === 'BLOCK_FOLDED';
    const quoted = scalar?.type === 'QUOTE_DOUBLE' || scalar?.type === 'QUOTE_SINGLE' ? 1 : 0;
    const where = block
      ? { line: line + result.line, column }
      : result.line === 1
        ? { line, column: column + quoted + result.column - 1 }
        : { line: line + result.line - 1, column: result.column };
    this.issues.push({
      severity: 'error',
      code: 'invalid_template',
      path,
      pointer: toJsonPointer(path),
      message: `template does not parse (line ${result.line}, column ${result.column} of the template): ${result.message}`,
      ...where,
    });
  }

  /** Warnings about the `severity` label of alerting rules. */
  severityWarnings(groups: readonly DecodedGroup[]): void {
    const fallback = this.options.defaultLevel ?? DEFAULTS.prometheusDefaultLevel;
    for (const group of groups) {
      for (const rule of group.rules) {
        if ((rule.alert?.value ?? '') === '' || (rule.record?.value ?? '') !== '') continue;
        const own = rule.labels?.get('severity');
        const entry = own ?? group.labels?.get('severity');
        if (entry === undefined) {
          this.add(
            'warning',
            'missing_severity',
            [...rule.path, 'labels'],
            rule.node,
            `alert ${JSON.stringify(rule.alert?.value)} has no "severity" label; alertbase gives it the level ${fallback}`,
          );
          continue;
        }
        const value = entry.value.value;
        if (
          !Object.hasOwn(PROMETHEUS_SEVERITY_ALIASES, value.trim().toLowerCase()) &&
          !value.includes('{{')
        ) {
          this.add(
            'warning',
            'unknown_severity',
            own === undefined
              ? [...group.path, 'labels', 'severity']
              : [...rule.path, 'labels', 'severity'],
            entry.value.node,
            `severity ${JSON.stringify(value)} is not one alertbase knows; alertbase gives it the level ${fallback}`,
          );
        }
      }
    }
  }
}

function safeDurationMs(text: string): number {
  const result = safeParseDuration(text);
  /* v8 ignore next -- callers pass durations that were checked when decoding */
  return result.ok ? result.ms : 0;
}

const recordOf = (
  m: Map<string, { value: Text }> | undefined,
): Record<string, string> | undefined => {
  if (m === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, { value }] of m) out[k] = value.value;
  return out;
};

function toTyped(groups: readonly DecodedGroup[]): PrometheusRuleFile {
  return {
    groups: groups.map((g): PrometheusRuleGroup => {
      const labels = recordOf(g.labels);
      return {
        name: g.name?.value ?? '',
        ...(g.interval === undefined ? {} : { interval: g.interval.value }),
        ...(g.queryOffset === undefined ? {} : { queryOffset: g.queryOffset.value }),
        ...(g.limit === undefined ? {} : { limit: g.limit }),
        ...(labels === undefined ? {} : { labels }),
        rules: g.rules.map((r): PrometheusRule => {
          const ruleLabels = recordOf(r.labels);
          const labelPart = ruleLabels === undefined ? {} : { labels: ruleLabels };
          const expr = r.expr?.value ?? '';
          if ((r.record?.value ?? '') !== '') {
            const rec: PrometheusRecordingRule = {
              record: r.record?.value ?? '',
              expr,
              ...labelPart,
            };
            return rec;
          }
          const annotations = recordOf(r.annotations);
          const alert: PrometheusAlertingRule = {
            alert: r.alert?.value ?? '',
            expr,
            ...(r.for === undefined ? {} : { for: r.for.value }),
            ...(r.keepFiringFor === undefined ? {} : { keepFiringFor: r.keepFiringFor.value }),
            ...labelPart,
            ...(annotations === undefined ? {} : { annotations }),
          };
          return alert;
        }),
      };
    }),
  };
}

/**
 * Checks a Prometheus rule file's text as `promtool check rules` does and
 * reads it into a typed structure.
 *
 * @example
 * ```ts
 * const result = checkRuleFile(text);
 * if (!result.valid) for (const e of result.errors) console.log(`${e.line}:${e.column} ${e.code} ${e.message}`);
 * else for (const g of result.file!.groups) console.log(g.name, g.rules.length);
 * ```
 */
export function checkRuleFile(
  text: string,
  options: CheckRuleFileOptions = {},
): RuleFileCheckResult {
  const lines = new LineCounter();
  let list: Document.Parsed[];
  try {
    list = composeRuleFile(text, lines);
  } catch (error) {
    if (!(error instanceof SerializationError)) throw error;
    const reader = new RuleFileReader(lines, { resolve: (node) => node }, options);
    const offset = error.context.offset;
    reader.add('error', 'too_large', [], typeof offset === 'number' ? offset : 0, error.message);
    return finish(reader.issues, undefined);
  }
  return checkComposedRuleFile(list, lines, options);
}

/**
 * @internal The YAML documents of a rule file, as {@link checkRuleFile}
 * composes them (merge keys on, the decode limits); `lines` is filled as it
 * reads.
 *
 * @throws SerializationError when the text is past the decode limits.
 */
export function composeRuleFile(text: string, lines: LineCounter): Document.Parsed[] {
  return composeYaml(text, DECODE_LIMITS, { lineCounter: lines, merge: true });
}

/**
 * @internal {@link checkRuleFile} of documents already composed by
 * {@link composeRuleFile}: a caller that looked at them first (the validate
 * command, to tell a rule file from other documents) does not read the YAML
 * twice.
 */
export function checkComposedRuleFile(
  list: readonly Document.Parsed[],
  lines: LineCounter,
  options: CheckRuleFileOptions = {},
): RuleFileCheckResult {
  const first = list[0];
  const yamlErrors = first?.errors ?? [];
  const limit = options.maxYamlAliases ?? DECODE_LIMITS.maxYamlAliases;
  // Measured before anything walks the tree; resolves every alias once.
  const expansion =
    first === undefined || yamlErrors.length > 0 ? undefined : checkYamlExpansion(first, limit);
  const reader = new RuleFileReader(
    lines,
    { resolve: (node) => (isAlias(node) ? expansion?.targets.get(node) : node) },
    options,
  );
  if (yamlErrors.length > 0) {
    for (const e of yamlErrors) {
      const code: RuleFileIssueCode = e.code === 'DUPLICATE_KEY' ? 'duplicate_key' : 'yaml_syntax';
      reader.add('error', code, [], e.pos[0], e.message.split('\n')[0] ?? e.message);
    }
    return finish(reader.issues, undefined);
  }
  if (expansion?.excessAt !== undefined) {
    reader.add(
      'error',
      'excessive_aliasing',
      [],
      expansion.excessAt,
      `document contains excessive aliasing: aliases and merge keys copy more than ${limit} nodes`,
    );
    return finish(reader.issues, undefined);
  }
  const groups = reader.decode((first?.contents ?? undefined) as Node | undefined);
  if (reader.issues.length === 0) reader.validate(groups);
  const valid = reader.issues.length === 0;
  if (valid) {
    reader.severityWarnings(groups);
    const extra = list[1];
    if (extra !== undefined) {
      reader.add(
        'warning',
        'extra_documents_ignored',
        [],
        extra.range[0],
        'YAML documents after the first are ignored by Prometheus',
      );
    }
  }
  return finish(reader.issues, valid ? toTyped(groups) : undefined);
}

function finish(
  issues: readonly RuleFileIssue[],
  file: PrometheusRuleFile | undefined,
): RuleFileCheckResult {
  const errors = issues.filter((i) => i.severity === 'error');
  const warnings = issues.filter((i) => i.severity === 'warning');
  return {
    valid: errors.length === 0,
    issues: [...errors, ...issues.filter((i) => i.severity !== 'error')],
    errors,
    warnings,
    ...(file === undefined ? {} : { file }),
  };
}

/**
 * Reads a Prometheus rule file.
 *
 * @throws ValidationError (`ALERTBASE_VALIDATION_FAILED`, model
 *   `PrometheusRuleFile`) listing every error, each with its line and column.
 * @example
 * ```ts
 * const file = parseRuleFile(await readFile('rules.yml', 'utf8'));
 * ```
 */
export function parseRuleFile(
  text: string,
  options: CheckRuleFileOptions = {},
): PrometheusRuleFile {
  const result = checkRuleFile(text, options);
  if (result.file === undefined) throw new ValidationError('PrometheusRuleFile', result.errors);
  return result.file;
}
