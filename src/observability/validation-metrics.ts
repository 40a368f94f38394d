import type { AlertbaseMetrics } from './metrics.js';

/** What {@link observeValidator} wraps: alertbase's `Validator` has this shape. */
export interface TimedValidator<O extends { readonly timings?: boolean }, R extends TimedResult> {
  readonly model: { readonly name: string } | undefined;
  validate(document: unknown, options?: O): Promise<R>;
}

/** A validation result with its per-level timings and findings. */
export interface TimedResult {
  readonly timings: Readonly<Partial<Record<string, number>>> | undefined;
  readonly errors: readonly { readonly code: string }[];
  readonly warnings: readonly { readonly code: string }[];
}

/**
 * Records each validation of `validator`: the time of each level
 * (`alertbase_validation_duration_seconds{model,level}`, timings are asked
 * for) and its findings by code (`alertbase_validation_issues_total`).
 *
 * @example
 * ```ts
 * observeValidator(createValidator({ model: AlertRule }), metrics);
 * ```
 */
export function observeValidator<O extends { readonly timings?: boolean }, R extends TimedResult>(
  validator: TimedValidator<O, R>,
  metrics: AlertbaseMetrics,
): void {
  const validate = validator.validate.bind(validator);
  const model = validator.model?.name ?? 'document';
  validator.validate = async (document, options) => {
    const result = await validate(document, { ...options, timings: true } as O);
    for (const [level, ms] of Object.entries(result.timings ?? {})) {
      if (ms !== undefined) metrics.validation(model, level, ms / 1000);
    }
    for (const finding of [...result.errors, ...result.warnings]) {
      metrics.validationIssue(model, finding.code);
    }
    return result;
  };
}
