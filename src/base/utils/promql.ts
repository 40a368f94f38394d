/**
 * PromQL checking for every layer: the verdict of `promtool check rules`
 * (Prometheus 2.42), from `checkPrometheusExpr` — the Prometheus project's
 * grammar (`@prometheus-io/lezer-promql`) and then the checks Prometheus'
 * parser makes after it (function argument types, range vectors only on
 * selectors, modifiers, RE2 regexes). So `rate(up) > 1` is refused here
 * exactly as the rule-file import refuses it.
 *
 * Positions are 1-based; columns count UTF-16 code units, as editors and the
 * Language Server Protocol do.
 */

import type { Tree } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';
import {
  checkPrometheusExpr,
  nestsTooDeeply,
  type PromqlErrorCode,
} from '../prometheus/promql-check.js';

/** The outcome of `checkPromql`. */
export type PromqlCheckResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Why: `invalid_promql` (syntax), `promql_type_error`, `invalid_regex`, `invalid_duration`. */
      readonly code: PromqlErrorCode;
      /** 1-based line of the first error. */
      readonly line: number;
      /** 1-based column (UTF-16 code units) of the first error. */
      readonly column: number;
      /** What is wrong, with the position: `invalid PromQL at line 1, column 12: ...`. */
      readonly message: string;
    };

/**
 * Checks that `expr` is PromQL that Prometheus 2.42 accepts and, if not, why
 * and where the first error is.
 *
 * @example
 * ```ts
 * checkPromql('rate(http_requests_total{job="api"}[5m]) > 0.1'); // { ok: true }
 * checkPromql('cpu_usage >');
 * // { ok: false, code: 'invalid_promql', line: 1, column: 12,
 * //   message: 'invalid PromQL at line 1, column 12: unexpected end of input' }
 * checkPromql('rate(up) > 1');
 * // { ok: false, code: 'promql_type_error', line: 1, column: 6, message: '... expected type range vector ...' }
 * ```
 */
export function checkPromql(expr: string): PromqlCheckResult {
  return parsePromql(expr).result;
}

/** A parsed expression: its syntax tree and the verdict of {@link checkPromql}. */
export interface ParsedPromql {
  readonly tree: Tree;
  readonly result: PromqlCheckResult;
}

/** How many parses are remembered, and the longest expression remembered. */
const MEMO_ENTRIES = 2_048;
const MEMO_MAX_LENGTH = 4_096;
const parsed = new Map<string, ParsedPromql>();

/**
 * Parses an expression once for every level that needs it: the syntax level
 * checks it, the semantic and performance levels walk its tree. Recent
 * expressions are remembered (bounded; oldest dropped first), since rules
 * are validated far more often than their conditions change.
 */
export function parsePromql(expr: string): ParsedPromql {
  const known = parsed.get(expr);
  if (known !== undefined) return known;
  // Too deep to parse safely: the levels that walk the tree get an empty one
  // (the check below refuses the expression with its position).
  const tree = parser.parse(nestsTooDeeply(expr) ? '' : expr);
  const entry: ParsedPromql = Object.freeze({
    tree,
    result: Object.freeze(parseAndCheck(expr)),
  });
  if (expr.length <= MEMO_MAX_LENGTH) {
    if (parsed.size >= MEMO_ENTRIES) {
      const oldest = parsed.keys().next().value;
      if (oldest !== undefined) parsed.delete(oldest);
    }
    parsed.set(expr, entry);
  }
  return entry;
}

function parseAndCheck(expr: string): PromqlCheckResult {
  const result = checkPrometheusExpr(expr);
  if (result.ok) return { ok: true };
  const { code, line, column } = result;
  return {
    ok: false,
    code,
    line,
    column,
    message: `invalid PromQL at line ${line}, column ${column}: ${result.message}`,
  };
}
