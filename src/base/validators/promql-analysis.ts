/**
 * One parse of a PromQL condition, shared by the semantic level (is it valid,
 * where is the error) and the performance level (how complex is it).
 */

import type { Tree } from '@lezer/common';
import type { PromqlErrorCode } from '../prometheus/promql-check.js';
import { parsePromql } from '../utils/promql.js';
import { durationMs } from './shared.js';

/** The complexity of a PromQL expression, from its syntax tree. */
export interface PromqlComplexity {
  /** Nodes of the syntax tree. */
  readonly nodes: number;
  /** Series selectors (`metric{...}`), each a scan of the TSDB. */
  readonly selectors: number;
  /** The largest range of a range selector (`[5m]`) or subquery (`[1d:5m]`), ms; 0 when none. */
  readonly maxRangeMs: number;
}

/** A parsed PromQL expression. */
export interface PromqlAnalysis {
  readonly tree: Tree;
  /** The first syntax error, 1-based, or undefined when the expression is valid. */
  readonly error:
    | {
        /** `invalid_promql`, `promql_type_error`, `invalid_regex` or `invalid_duration`. */
        readonly code: PromqlErrorCode;
        readonly line: number;
        readonly column: number;
        readonly message: string;
      }
    | undefined;
  /** Complexity, computed on first use. */
  complexity(): PromqlComplexity;
}

/**
 * Parses `expr` with the Prometheus grammar once.
 *
 * @example
 * ```ts
 * analyzePromql('sum(rate(x[5m])) > 1').complexity(); // { nodes: 12, selectors: 1, maxRangeMs: 300000 }
 * ```
 */
export function analyzePromql(expr: string): PromqlAnalysis {
  // One parse per expression, shared with the syntax level's check of the field.
  const { tree, result } = parsePromql(expr);
  const error: PromqlAnalysis['error'] = result.ok
    ? undefined
    : { code: result.code, line: result.line, column: result.column, message: result.message };
  let complexity: PromqlComplexity | undefined;
  return {
    tree,
    error,
    complexity() {
      if (complexity !== undefined) return complexity;
      let nodes = 0;
      let selectors = 0;
      let maxRangeMs = 0;
      const cursor = tree.cursor();
      do {
        nodes++;
        const name = cursor.type.name;
        if (name === 'VectorSelector') selectors++;
        else if (name === 'MatrixSelector' || name === 'SubqueryExpr') {
          // The range is the first duration after the selector or inner expression.
          const node = cursor.node;
          const range =
            node.getChild('DurationExpr') ??
            node.getChild('NumberDurationLiteralInDurationContext');
          if (range !== null) {
            const ms = durationMs(expr.slice(range.from, range.to));
            if (ms !== undefined && ms > maxRangeMs) maxRangeMs = ms;
          }
        }
      } while (cursor.next());
      complexity = { nodes, selectors, maxRangeMs };
      return complexity;
    },
  };
}
