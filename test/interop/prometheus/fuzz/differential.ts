/**
 * Differential fuzzing of `checkPrometheusExpr` against `promtool check
 * rules`: generated expressions, both verdicts, the disagreements.
 */
import { checkPrometheusExpr } from '../../../../src/base/prometheus/promql-check.js';
import { generateExpressions } from './generator.js';
import { promtoolVerdicts } from './promtool.js';

/** One expression on which alertbase and promtool disagree. */
export interface Disagreement {
  readonly expr: string;
  /** alertbase's verdict: `ok`, or its code and message. */
  readonly ours: string;
  /** promtool's verdict: `ok`, or its error. */
  readonly promtool: string;
}

/** The outcome of {@link runDifferential}. */
export interface DifferentialResult {
  readonly seed: number;
  readonly count: number;
  /** Expressions promtool accepts (the rest it refuses). */
  readonly acceptedByPromtool: number;
  readonly disagreements: readonly Disagreement[];
  /** Time of the two judges, ms. */
  readonly oursMs: number;
  readonly promtoolMs: number;
}

/**
 * Generates `count` expressions from `seed` and compares the verdicts.
 *
 * @example
 * ```ts
 * runDifferential({ seed: 42, count: 5_000 }).disagreements; // []
 * ```
 */
export function runDifferential(options: { seed: number; count: number }): DifferentialResult {
  const exprs = generateExpressions(options);
  let started = performance.now();
  const theirs = promtoolVerdicts(exprs);
  const promtoolMs = performance.now() - started;
  started = performance.now();
  const disagreements: Disagreement[] = [];
  let acceptedByPromtool = 0;
  exprs.forEach((expr, i) => {
    const ours = checkPrometheusExpr(expr);
    const promtool = theirs[i];
    if (promtool === undefined) acceptedByPromtool++;
    if (ours.ok !== (promtool === undefined)) {
      disagreements.push({
        expr,
        ours: ours.ok ? 'ok' : `${ours.code}: ${ours.message}`,
        promtool: promtool ?? 'ok',
      });
    }
  });
  return {
    seed: options.seed,
    count: exprs.length,
    acceptedByPromtool,
    disagreements,
    oursMs: Math.round(performance.now() - started),
    promtoolMs: Math.round(promtoolMs),
  };
}
