/**
 * PromQL syntax checking with the Prometheus project's own grammar
 * (`@prometheus-io/lezer-promql`, the parser of the Prometheus web UI).
 *
 * This checks syntax only: the grammar accepts some expressions that the
 * Prometheus engine would refuse on type grounds (`rate(up)`, a string at the
 * top level of a rule). Positions are 1-based; columns count UTF-16 code units,
 * as editors and the Language Server Protocol do.
 */

import type { Tree } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';

/** The outcome of `checkPromql`. */
export type PromqlCheckResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** 1-based line of the first error. */
      readonly line: number;
      /** 1-based column (UTF-16 code units) of the first error. */
      readonly column: number;
      /** What is wrong, with the position: `invalid PromQL at line 1, column 12: ...`. */
      readonly message: string;
    };

/** How much of the offending text a message quotes. */
const MAX_QUOTED = 32;

function position(expr: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (expr.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function describe(expr: string, from: number, to: number): string {
  if (from >= expr.trimEnd().length) return 'unexpected end of expression';
  // An empty error node marks a place where something was expected; quote what is there.
  const end = to > from ? to : from + 1;
  const text = expr.slice(from, Math.min(end, from + MAX_QUOTED));
  return `unexpected ${JSON.stringify(text)}`;
}

/**
 * Checks that `expr` is syntactically valid PromQL and, if not, where the
 * first error is.
 *
 * @example
 * ```ts
 * checkPromql('rate(http_requests_total{job="api"}[5m]) > 0.1'); // { ok: true }
 * checkPromql('cpu_usage >');
 * // { ok: false, line: 1, column: 12, message: 'invalid PromQL at line 1, column 12: unexpected end of expression' }
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
  const tree = parser.parse(expr);
  const entry: ParsedPromql = Object.freeze({
    tree,
    result: Object.freeze(parseAndCheck(expr, tree)),
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

function parseAndCheck(expr: string, tree: Tree): PromqlCheckResult {
  if (expr.trim() === '') {
    return { ok: false, line: 1, column: 1, message: 'expected a PromQL expression, got nothing' };
  }
  let first: { from: number; to: number } | undefined;
  tree.iterate({
    enter(node) {
      if (first !== undefined) return false;
      if (node.type.isError) {
        first = { from: node.from, to: node.to };
        return false;
      }
      return undefined;
    },
  });
  if (first === undefined) return { ok: true };
  const { line, column } = position(expr, first.from);
  return {
    ok: false,
    line,
    column,
    message: `invalid PromQL at line ${line}, column ${column}: ${describe(expr, first.from, first.to)}`,
  };
}
