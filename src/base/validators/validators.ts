/**
 * The seed's validator classes — `BusinessRuleValidator`, `SecurityValidator`,
 * `PerformanceValidator`, `ConsistencyValidator` — and `composeValidators`,
 * which combines them the way the seed's Python multiple inheritance does:
 *
 * ```ts
 * class CustomValidator extends composeValidators(BusinessRuleValidator, SecurityValidator) {
 *   validateAlertCondition(condition: string): ValidationResult { ... }
 * }
 * ```
 *
 * Each class contributes its level's checks (`checks()`) to a pipeline
 * (`validate()`), and has methods that run one check on one value and
 * return a {@link ValidationResult}.
 */

import type { AlertStatus } from '../enums/alert-status.js';
import type { LevelPriorityOverrides } from '../enums/priority.js';
import { TenantIsolationError } from '../exceptions/index.js';
import { type Check, CheckSet, type TenantContext } from './check.js';
import { type ConsistencyCheckOptions, consistencyChecks } from './consistency.js';
import { type PerformanceCheckOptions, performanceChecks } from './performance.js';
import {
  createContext,
  createValidator,
  type RunState,
  runChecksSync,
  type ValidateOptions,
  type Validator,
  type ValidatorOptions,
} from './pipeline.js';
import { analyzePromql, type PromqlComplexity } from './promql-analysis.js';
import { type ValidationLevel, ValidationResult } from './result.js';
import { type SecurityCheckOptions, securityChecks } from './security.js';
import { type SemanticCheckOptions, semanticChecks } from './semantic.js';
import { syntaxChecks } from './syntax.js';

/** Options of the validator classes. */
export interface ValidatorClassOptions
  extends Omit<ValidatorOptions, 'checks' | 'checkOptions' | 'tenantChecks'> {
  readonly semantic?: SemanticCheckOptions;
  readonly security?: SecurityCheckOptions;
  readonly performance?: PerformanceCheckOptions;
  readonly consistency?: ConsistencyCheckOptions;
  /** Checks added to those the classes contribute. */
  readonly extraChecks?: readonly Check[];
  /** Per-tenant patches, as {@link ValidatorOptions.tenantChecks}. */
  readonly tenantChecks?: NonNullable<ValidatorOptions['tenantChecks']>;
}

/** Options of the one-value methods. */
export interface RunOptions {
  readonly tenant?: TenantContext;
  readonly previous?: Readonly<Record<string, unknown>>;
}

/**
 * What every validator class shares: options, the syntax level, a pipeline
 * built from the checks the class contributes, and a way to run named checks
 * synchronously on a document.
 */
export class BaseValidator {
  readonly options: ValidatorClassOptions;
  #validator: Validator | undefined;

  constructor(options: ValidatorClassOptions = {}) {
    this.options = options;
  }

  /** The checks this validator contributes; subclasses add theirs to `super.checks()`. */
  checks(): Check[] {
    return syntaxChecks();
  }

  /** The pipeline of this validator's checks (built once). */
  get validator(): Validator {
    if (this.#validator === undefined) {
      const seen = new Set<string>();
      const unique = [...this.checks(), ...(this.options.extraChecks ?? [])].filter((c) => {
        if (seen.has(c.name)) return false;
        seen.add(c.name);
        return true;
      });
      const {
        semantic: _s,
        security: _se,
        performance: _p,
        consistency: _c,
        extraChecks: _e,
        ...rest
      } = this.options;
      this.#validator = createValidator({ ...rest, checks: CheckSet.of(unique) });
    }
    return this.#validator;
  }

  /** Validates a document through every level this validator has checks for. */
  validate(document: unknown, options?: ValidateOptions): Promise<ValidationResult> {
    return this.validator.validate(document, options);
  }

  /**
   * Runs some of this validator's checks, by name, on a document, synchronously
   * (asynchronous checks are reported as `check_failed`).
   */
  runChecks(
    names: readonly string[],
    document: Readonly<Record<string, unknown>>,
    options: RunOptions = {},
  ): ValidationResult {
    const result = new ValidationResult(
      this.options.maxErrors === undefined ? {} : { maxErrors: this.options.maxErrors },
    );
    const state: RunState = {
      document,
      data: document,
      model: undefined,
      tenant: options.tenant,
      previous: options.previous,
      lookup: this.options.lookup,
      operation: 'create',
      strict: this.options.strict === true,
      result,
    };
    const ctx = createContext(state);
    const all = this.checks();
    const byLevel = new Map<ValidationLevel, Check[]>();
    for (const name of names) {
      const check = all.find((c) => c.name === name);
      if (check === undefined) continue;
      byLevel.set(check.level, [...(byLevel.get(check.level) ?? []), check]);
    }
    for (const [level, checks] of byLevel) runChecksSync(ctx, level, checks);
    return result;
  }
}

/** A validator class: what {@link composeValidators} combines. */
export type ValidatorClass<T extends BaseValidator = BaseValidator> = new (
  options?: ValidatorClassOptions,
) => T;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (
  x: infer I,
) => void
  ? I
  : never;

/** Business rules: the semantic level. */
export class BusinessRuleValidator extends BaseValidator {
  override checks(): Check[] {
    return [...super.checks(), ...semanticChecks(this.options.semantic)];
  }

  /** `endsAt` after `startsAt` (`ends_before_starts`). */
  validateTimeRange(
    startsAt: Date | string | number,
    endsAt: Date | string | number,
  ): ValidationResult {
    return this.runChecks(['semantic.time-range'], { startsAt, endsAt });
  }

  /** A `for` (ms or Prometheus duration) neither negative nor above 24h. */
  validateForDuration(forValue: number | string): ValidationResult {
    return this.runChecks(['semantic.for-duration'], { for: forValue });
  }

  /** A level and priority that agree with the (tenant's) mapping. */
  validateLevelPriority(
    level: string,
    priority: string,
    overrides?: LevelPriorityOverrides,
  ): ValidationResult {
    const tenant: TenantContext = {
      id: '-',
      settings: overrides === undefined ? {} : { levelPriorities: overrides },
    };
    return this.runChecks(['semantic.level-priority'], { level, priority }, { tenant });
  }

  /** A status change that the transition table allows (`previousStatus`: before suppression). */
  validateStatusTransition(
    from: AlertStatus,
    to: AlertStatus,
    previousStatus?: AlertStatus,
  ): ValidationResult {
    const previous =
      previousStatus === undefined ? { status: from } : { status: from, previousStatus };
    return this.runChecks(['semantic.status-transition'], { status: to }, { previous });
  }

  /** A condition that parses as PromQL (`invalid_promql` with line and column). */
  validateCondition(condition: string): ValidationResult {
    return this.runChecks(['semantic.promql'], { condition });
  }

  /** Label names valid and not reserved. */
  validateLabelNames(labels: Readonly<Record<string, string>>): ValidationResult {
    return this.runChecks(['semantic.label-names'], { labels });
  }

  /** Annotation templates that parse. */
  validateTemplates(annotations: Readonly<Record<string, string>>): ValidationResult {
    return this.runChecks(['semantic.templates'], { annotations });
  }
}

/** Security policy: the security level. */
export class SecurityValidator extends BaseValidator {
  override checks(): Check[] {
    return [...super.checks(), ...securityChecks(this.options.security)];
  }

  /** Injection-looking content in a free-text value (warnings with the fragment). */
  scanText(text: string, field = 'text'): ValidationResult {
    return this.runChecks(['security.injection'], { [field]: text });
  }

  /** A webhook or generator URL judged for SSRF. */
  validateUrl(
    url: string,
    options: { readonly allowPrivateNetworks?: boolean } = {},
  ): ValidationResult {
    const tenant: TenantContext = {
      id: '-',
      settings: { allowPrivateNetworks: options.allowPrivateNetworks === true },
    };
    return this.runChecks(['security.ssrf'], { url }, { tenant });
  }

  /** Secrets in annotation-like text. */
  detectSecrets(annotations: Readonly<Record<string, string>>): ValidationResult {
    return this.runChecks(['security.secrets'], { annotations });
  }

  /** `__proto__` keys anywhere. */
  checkForbiddenKeys(document: Readonly<Record<string, unknown>>): ValidationResult {
    return this.runChecks(['security.forbidden-keys'], document);
  }

  /** @throws TenantIsolationError when `document.tenantId` is not `callerTenant`. */
  assertSameTenant(document: Readonly<Record<string, unknown>>, callerTenant: string): void {
    const owner = document.tenantId ?? document.tenant_id;
    if (typeof owner === 'string' && owner !== callerTenant)
      throw new TenantIsolationError(callerTenant, owner);
  }
}

/** Resource limits: the performance level. */
export class PerformanceValidator extends BaseValidator {
  override checks(): Check[] {
    return [...super.checks(), ...performanceChecks(this.options.performance)];
  }

  /** Node count, selectors and largest range of a PromQL expression. */
  promqlComplexity(expr: string): PromqlComplexity {
    return analyzePromql(expr).complexity();
  }

  /** Every performance limit on a document. */
  validateLimits(document: Readonly<Record<string, unknown>>): ValidationResult {
    return this.runChecks(
      this.checks()
        .filter((c) => c.level === 'performance')
        .map((c) => c.name),
      document,
    );
  }
}

/** Cross-entity checks: the consistency level (needs a lookup, in options or per call). */
export class ConsistencyValidator extends BaseValidator {
  override checks(): Check[] {
    return [...super.checks(), ...consistencyChecks(this.options.consistency)];
  }
}

/**
 * Combines validator classes into one class with all their methods and all
 * their checks — TypeScript's stand-in for the seed's multiple inheritance.
 * When two classes define a method of the same name, the later one wins.
 *
 * @example
 * ```ts
 * class CustomValidator extends composeValidators(BusinessRuleValidator, SecurityValidator) {
 *   validateAlertCondition(condition: string): ValidationResult {
 *     const result = new ValidationResult();
 *     if (condition.toUpperCase().includes('DROP TABLE')) result.addError('SQL injection attempt detected');
 *     return result.merge(this.validateCondition(condition)).merge(this.scanText(condition));
 *   }
 * }
 * await new CustomValidator({ model: AlertRule }).validate(rule); // syntax, semantic and security levels
 * ```
 */
export function composeValidators<const Cs extends readonly ValidatorClass[]>(
  ...classes: Cs
): new (
  options?: ValidatorClassOptions,
) => UnionToIntersection<InstanceType<Cs[number]>> & BaseValidator {
  class Composed extends BaseValidator {
    override checks(): Check[] {
      return classes.flatMap((C) => (C.prototype.checks as () => Check[]).call(this));
    }
  }
  for (const C of classes) {
    // Walk each class's own chain up to BaseValidator, nearest definitions winning.
    const chain: object[] = [];
    for (
      let p = C.prototype as object;
      p !== BaseValidator.prototype;
      p = Object.getPrototypeOf(p) as object
    ) {
      chain.unshift(p);
    }
    for (const proto of chain) {
      for (const name of Object.getOwnPropertyNames(proto)) {
        if (name === 'constructor' || name === 'checks') continue;
        const descriptor = Object.getOwnPropertyDescriptor(proto, name);
        if (descriptor !== undefined) Object.defineProperty(Composed.prototype, name, descriptor);
      }
    }
  }
  Object.defineProperty(Composed, 'name', { value: classes.map((C) => C.name).join('+') });
  return Composed as unknown as new (
    options?: ValidatorClassOptions,
  ) => UnionToIntersection<InstanceType<Cs[number]>> & BaseValidator;
}
