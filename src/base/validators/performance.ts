/**
 * Level 4, performance: resource limits. Hard limits (size, depth, counts,
 * lengths, evaluation interval) are errors; PromQL complexity is a warning
 * (an error in strict mode), since an expensive query may still be meant.
 */

import { DURATIONS, LIMITS, VALIDATION_LIMITS } from '../constants.js';
import { type Check, defineCheck } from './check.js';
import { documentIndexOf } from './document-index.js';
import { promqlOf } from './semantic.js';
import { durationMs, pointerOf } from './shared.js';

/** Every limit the performance level applies; defaults from `constants.ts`. */
export interface PerformanceLimits {
  /** UTF-8 bytes of the document as JSON. */
  readonly maxDocumentBytes: number;
  readonly maxDepth: number;
  readonly maxLabels: number;
  readonly maxAnnotations: number;
  readonly maxTags: number;
  readonly nameMaxLength: number;
  readonly labelValueMaxLength: number;
  readonly annotationValueMaxLength: number;
  readonly tagMaxLength: number;
  readonly conditionMaxLength: number;
  /** Any other string. */
  readonly maxStringLength: number;
  readonly maxPromqlNodes: number;
  readonly maxPromqlSelectors: number;
  readonly maxPromqlRangeMs: number;
  /** Shortest evaluation interval (`interval`, `evaluationInterval`), ms. */
  readonly minEvaluationIntervalMs: number;
}

/** The default limits (from `LIMITS`, `VALIDATION_LIMITS` and `DURATIONS`). */
export const DEFAULT_PERFORMANCE_LIMITS: PerformanceLimits = Object.freeze({
  maxDocumentBytes: VALIDATION_LIMITS.maxDocumentBytes,
  maxDepth: VALIDATION_LIMITS.maxDepth,
  maxLabels: LIMITS.maxLabels,
  maxAnnotations: LIMITS.maxAnnotations,
  maxTags: LIMITS.maxTags,
  nameMaxLength: LIMITS.nameMaxLength,
  labelValueMaxLength: LIMITS.labelValueMaxLength,
  annotationValueMaxLength: LIMITS.annotationValueMaxLength,
  tagMaxLength: LIMITS.tagMaxLength,
  conditionMaxLength: LIMITS.conditionMaxLength,
  maxStringLength: VALIDATION_LIMITS.maxStringLength,
  maxPromqlNodes: VALIDATION_LIMITS.maxPromqlNodes,
  maxPromqlSelectors: VALIDATION_LIMITS.maxPromqlSelectors,
  maxPromqlRangeMs: VALIDATION_LIMITS.maxPromqlRangeMs,
  minEvaluationIntervalMs: DURATIONS.minEvaluationIntervalMs,
});

/** Options of {@link performanceChecks}. */
export interface PerformanceCheckOptions {
  /** Limits that differ from the defaults (configuration overrides). */
  readonly limits?: Partial<PerformanceLimits>;
  /** Fields holding a PromQL expression; default `['condition', 'expr']`. */
  readonly conditionFields?: readonly string[];
}

/**
 * The performance level's checks:
 * - `performance.document-size`: `document_too_large`;
 * - `performance.depth`: `document_too_deep` (at the deepest container);
 * - `performance.counts`: `too_many_labels`, `too_many_annotations`, `too_many_tags`;
 * - `performance.string-lengths`: `string_too_long` (per-field limits: names, label and
 *   annotation values, tags, conditions; `maxStringLength` for the rest);
 * - `performance.promql`: `promql_too_complex` (nodes), `promql_too_many_selectors`,
 *   `promql_range_too_large` (warnings);
 * - `performance.evaluation-interval`: `evaluation_interval_too_short`.
 *
 * @example
 * ```ts
 * performanceChecks({ limits: { maxPromqlSelectors: 5, maxLabels: 16 } });
 * ```
 */
export function performanceChecks(options: PerformanceCheckOptions = {}): Check[] {
  const limits: PerformanceLimits = { ...DEFAULT_PERFORMANCE_LIMITS, ...options.limits };
  const conditionFields = options.conditionFields ?? ['condition', 'expr'];
  const version = (...keys: (keyof PerformanceLimits)[]): string => {
    const changed = keys.filter((k) => limits[k] !== DEFAULT_PERFORMANCE_LIMITS[k]);
    return changed.length === 0 ? '1' : `1+${changed.map((k) => `${k}=${limits[k]}`).join(',')}`;
  };
  const fieldLimit = (top: string | number | undefined, depth: number): number => {
    if (depth === 1) {
      if (top === 'name') return limits.nameMaxLength;
      if (typeof top === 'string' && conditionFields.includes(top))
        return limits.conditionMaxLength;
    } else if (depth === 2) {
      if (top === 'labels') return limits.labelValueMaxLength;
      if (top === 'annotations') return limits.annotationValueMaxLength;
      if (top === 'tags') return limits.tagMaxLength;
    }
    return limits.maxStringLength;
  };

  return [
    defineCheck({
      name: 'performance.document-size',
      level: 'performance',
      version: version('maxDocumentBytes'),
      description: 'The document is not larger than maxDocumentBytes.',
      run(ctx) {
        let bytes: number;
        try {
          bytes = Buffer.byteLength(JSON.stringify(ctx.document) ?? '', 'utf8');
        } catch {
          return;
        }
        if (bytes > limits.maxDocumentBytes) {
          ctx.error({
            code: 'document_too_large',
            message: `the document is ${bytes} bytes; at most ${limits.maxDocumentBytes} are allowed`,
          });
        }
      },
    }),
    defineCheck({
      name: 'performance.depth',
      level: 'performance',
      version: version('maxDepth'),
      description: 'Objects and arrays are nested at most maxDepth deep.',
      run(ctx) {
        const { depth, deepestPath } = documentIndexOf(ctx);
        if (depth > limits.maxDepth) {
          ctx.error({
            code: 'document_too_deep',
            path: pointerOf(deepestPath),
            message: `the document is nested ${depth} levels deep; at most ${limits.maxDepth} are allowed`,
          });
        }
      },
    }),
    defineCheck({
      name: 'performance.counts',
      level: 'performance',
      version: version('maxLabels', 'maxAnnotations', 'maxTags'),
      description: 'At most maxLabels labels, maxAnnotations annotations and maxTags tags.',
      run(ctx) {
        for (const [field, code, max] of [
          ['labels', 'too_many_labels', limits.maxLabels],
          ['annotations', 'too_many_annotations', limits.maxAnnotations],
          ['tags', 'too_many_tags', limits.maxTags],
        ] as const) {
          const value = ctx.document[field];
          const count = Array.isArray(value)
            ? value.length
            : typeof value === 'object' && value !== null
              ? Object.keys(value).length
              : 0;
          if (count > max) {
            ctx.error({
              code,
              path: pointerOf([field]),
              message: `${count} ${field}; at most ${max} are allowed`,
            });
          }
        }
      },
    }),
    defineCheck({
      name: 'performance.string-lengths',
      level: 'performance',
      version: version(
        'nameMaxLength',
        'labelValueMaxLength',
        'annotationValueMaxLength',
        'tagMaxLength',
        'conditionMaxLength',
        'maxStringLength',
      ),
      description: 'Strings are within their field limits.',
      run(ctx) {
        for (const s of documentIndexOf(ctx).strings) {
          const max = fieldLimit(s.path[0], s.path.length);
          if (s.value.length > max) {
            ctx.error({
              code: 'string_too_long',
              path: pointerOf(s.path),
              message: `${s.value.length} characters; at most ${max} are allowed here`,
            });
          }
        }
      },
    }),
    defineCheck({
      name: 'performance.promql',
      level: 'performance',
      version: version('maxPromqlNodes', 'maxPromqlSelectors', 'maxPromqlRangeMs'),
      description: 'PromQL conditions are not too costly to evaluate (warnings).',
      run(ctx) {
        for (const field of conditionFields) {
          const analysis = promqlOf(ctx, field);
          // An invalid expression is the semantic level's to report.
          if (analysis === undefined || analysis.error !== undefined) continue;
          const { nodes, selectors, maxRangeMs } = analysis.complexity();
          const path = ctx.pointer([field]);
          if (nodes > limits.maxPromqlNodes) {
            ctx.warn({
              code: 'promql_too_complex',
              path,
              message: `the expression has ${nodes} syntax nodes; more than ${limits.maxPromqlNodes} is costly to evaluate`,
            });
          }
          if (selectors > limits.maxPromqlSelectors) {
            ctx.warn({
              code: 'promql_too_many_selectors',
              path,
              message: `the expression selects series ${selectors} times; more than ${limits.maxPromqlSelectors} is costly`,
            });
          }
          if (maxRangeMs > limits.maxPromqlRangeMs) {
            ctx.warn({
              code: 'promql_range_too_large',
              path,
              message: `a range of ${maxRangeMs} ms loads many samples; at most ${limits.maxPromqlRangeMs} ms is advised`,
            });
          }
        }
      },
    }),
    defineCheck({
      name: 'performance.evaluation-interval',
      level: 'performance',
      version: version('minEvaluationIntervalMs'),
      description: 'Evaluation intervals are not below minEvaluationIntervalMs.',
      run(ctx) {
        for (const field of ['interval', 'evaluationInterval']) {
          const ms = durationMs(ctx.field(field));
          // 0 means "the global default" in Prometheus rule groups.
          if (ms !== undefined && ms !== 0 && ms < limits.minEvaluationIntervalMs) {
            ctx.error({
              code: 'evaluation_interval_too_short',
              path: ctx.pointer([field]),
              message: `an evaluation interval of ${ms} ms is below the floor of ${limits.minEvaluationIntervalMs} ms`,
            });
          }
        }
      },
    }),
  ];
}
