/**
 * The validation pipeline: `createValidator` runs the five levels in order
 * over one document, with the checks of a `CheckSet` (patched per tenant),
 * strict mode, a cap on findings and the validation cache.
 */

import { performance } from 'node:perf_hooks';
import { DEFAULTS } from '../constants.js';
import { AlertbaseError } from '../exceptions/index.js';
import type { AnyModel } from '../types/model.js';
import { contentHash } from '../utils/canonical-json.js';
import { toSnakeCase } from '../utils/case.js';
import { ValidationCache, type ValidationCacheOptions } from './cache.js';
import {
  type Check,
  type CheckContext,
  CheckSet,
  type CheckSetPatch,
  type ConsistencyLookup,
  type TenantContext,
  type ValidationOperation,
} from './check.js';
import { type ConsistencyCheckOptions, consistencyChecks } from './consistency.js';
import { type PerformanceCheckOptions, performanceChecks } from './performance.js';
import {
  type FindingInput,
  VALIDATION_LEVELS,
  type ValidationLevel,
  ValidationResult,
} from './result.js';
import { type SecurityCheckOptions, securityChecks } from './security.js';
import { type SemanticCheckOptions, semanticChecks } from './semantic.js';
import { isRecord, pointerOf } from './shared.js';
import { syntaxChecks } from './syntax.js';

/** Options of every default check, by level. */
export interface DefaultCheckOptions {
  readonly semantic?: SemanticCheckOptions;
  readonly security?: SecurityCheckOptions;
  readonly performance?: PerformanceCheckOptions;
  readonly consistency?: ConsistencyCheckOptions;
}

/**
 * Every built-in check of the five levels, as a {@link CheckSet}.
 *
 * @example
 * ```ts
 * defaultChecks({ performance: { limits: { maxLabels: 16 } } }).disable('security.injection');
 * ```
 */
export function defaultChecks(options: DefaultCheckOptions = {}): CheckSet {
  return CheckSet.of([
    ...syntaxChecks(),
    ...semanticChecks(options.semantic),
    ...securityChecks(options.security),
    ...performanceChecks(options.performance),
    ...consistencyChecks(options.consistency),
  ]);
}

/**
 * Places a finding in the source document: given its pointer and, when the
 * check knew one, its position within the value, returns the position in the
 * document (or undefined to leave the finding as it is).
 */
export type Locate = (
  pointer: string,
  within: { readonly line: number; readonly column: number } | undefined,
) => { readonly line: number; readonly column: number } | undefined;

/** Options of {@link createValidator}. */
export interface ValidatorOptions {
  /** The model of the documents (syntax level); without one, only plain-object documents are checked by field names. */
  readonly model?: AnyModel;
  /** The checks; default {@link defaultChecks}`(checkOptions)`. */
  readonly checks?: CheckSet | readonly Check[];
  /** Options of the default checks (ignored when `checks` is given). */
  readonly checkOptions?: DefaultCheckOptions;
  /** Per-tenant changes to the checks: tenant id → patch, or a function of the tenant id. */
  readonly tenantChecks?:
    | Readonly<Record<string, CheckSetPatch>>
    | ((tenantId: string) => CheckSetPatch | undefined);
  /** Strict mode (`ENABLE_STRICT_VALIDATION`): security and performance warnings become errors. */
  readonly strict?: boolean;
  /** Findings kept per severity (`MAX_VALIDATION_ERRORS`); default `DEFAULTS.maxValidationErrors`. */
  readonly maxErrors?: number;
  /** The default lookup of the consistency level. */
  readonly lookup?: ConsistencyLookup;
  /**
   * The validation cache: an instance (to share or inspect it), options for
   * a new one, or `false` for none. Default: a new cache with
   * `DEFAULTS.validationCacheTtlSeconds`.
   */
  readonly cache?: ValidationCache | ValidationCacheOptions | false;
  /** The default {@link Locate} (source positions). */
  readonly locate?: Locate;
}

/** Options of one {@link Validator.validate} call. */
export interface ValidateOptions {
  /** The caller's tenant: isolation, tenant settings, tenant check patches, cache key. */
  readonly tenant?: TenantContext;
  /** Overrides the validator's lookup. */
  readonly lookup?: ConsistencyLookup;
  /** The stored version the document replaces (status transitions). */
  readonly previous?: Readonly<Record<string, unknown>>;
  /** `create` (default) or `update`: quotas count only creations. */
  readonly operation?: ValidationOperation;
  /** Overrides the validator's strict mode. */
  readonly strict?: boolean;
  /** Run levels up to this one (the CLI's `--level`); default all five. */
  readonly upTo?: ValidationLevel;
  /** Record the milliseconds spent per level in `result.timings`. */
  readonly timings?: boolean;
  /** Overrides the validator's {@link Locate}. */
  readonly locate?: Locate;
}

/** A configured validation pipeline. */
export interface Validator {
  /** The model validated against, if any. */
  readonly model: AnyModel | undefined;
  /** The base check set (before tenant patches). */
  readonly checks: CheckSet;
  /** The validation cache, if any. */
  readonly cache: ValidationCache | undefined;
  /** The check set a tenant's validations use (the base set with the tenant's patch). */
  checksFor(tenantId?: string): CheckSet;
  /**
   * Validates one document through the levels.
   * @throws TenantIsolationError when the document belongs to another tenant than `tenant`.
   */
  validate(document: unknown, options?: ValidateOptions): Promise<ValidationResult>;
}

const PURE_LEVELS: readonly ValidationLevel[] = VALIDATION_LEVELS.filter(
  (l) => l !== 'consistency',
);
const levelIndex = (level: ValidationLevel): number => VALIDATION_LEVELS.indexOf(level);
const PROMOTED_LEVELS: ReadonlySet<ValidationLevel> = new Set(['security', 'performance']);

/** What one run of checks needs. @internal */
export interface RunState {
  readonly document: Readonly<Record<string, unknown>>;
  data: Readonly<Record<string, unknown>>;
  readonly model: AnyModel | undefined;
  readonly tenant: TenantContext | undefined;
  readonly previous: Readonly<Record<string, unknown>> | undefined;
  readonly lookup: ConsistencyLookup | undefined;
  readonly operation: ValidationOperation;
  readonly strict: boolean;
  readonly result: ValidationResult;
}

/** A context for the checks of one run, whose level and check name the runner moves along. @internal */
export function createContext(state: RunState): CheckContext & {
  level: ValidationLevel;
  check: string;
} {
  const memo = new Map<string, unknown>();
  const snake = new Map<string, string>();
  const aliasOf = (name: string): string => {
    const alias = state.model?.aliases[name];
    if (alias !== undefined) return alias;
    let s = snake.get(name);
    if (s === undefined) {
      s = toSnakeCase(name);
      snake.set(name, s);
    }
    return s;
  };
  const input = (finding: FindingInput, ctx: { level: ValidationLevel; check: string }) => ({
    ...finding,
    level: finding.level ?? ctx.level,
    check: finding.check ?? ctx.check,
  });
  const ctx = {
    level: 'syntax' as ValidationLevel,
    check: '',
    document: state.document,
    get data() {
      return state.data;
    },
    model: state.model,
    tenant: state.tenant,
    previous: state.previous,
    lookup: state.lookup,
    operation: state.operation,
    strict: state.strict,
    result: state.result,
    field(name: string): unknown {
      const data = state.data;
      if (Object.hasOwn(data, name)) return data[name];
      const alias = aliasOf(name);
      return alias !== name && Object.hasOwn(data, alias) ? data[alias] : undefined;
    },
    pointer(path: readonly (string | number)[]): string {
      const first = path[0];
      if (typeof first === 'string' && !Object.hasOwn(state.document, first)) {
        const alias = aliasOf(first);
        if (Object.hasOwn(state.document, alias)) return pointerOf([alias, ...path.slice(1)]);
      }
      return pointerOf(path);
    },
    error(finding: FindingInput): void {
      state.result.addError(input(finding, ctx));
    },
    warn(finding: FindingInput): void {
      if (state.strict && PROMOTED_LEVELS.has(finding.level ?? ctx.level)) {
        state.result.add({
          ...input(finding, ctx),
          path: finding.path ?? '',
          severity: 'error',
          promoted: true,
        });
      } else {
        state.result.addWarning(input(finding, ctx));
      }
    },
    info(finding: FindingInput): void {
      state.result.addInfo(input(finding, ctx));
    },
    setData(data: Readonly<Record<string, unknown>>): void {
      if (ctx.level === 'syntax') state.data = data;
    },
    memo<T>(key: string, compute: () => T): T {
      if (memo.has(key)) return memo.get(key) as T;
      const value = compute();
      memo.set(key, value);
      return value;
    },
  };
  return ctx;
}

const errorCount = (result: ValidationResult): number =>
  result.errors.length + result.omitted.errors;

/**
 * Runs checks over one context, in order; stops when the error cap is
 * reached. A check that throws an `AlertbaseError` (tenant isolation)
 * aborts the validation; any other exception is reported as `check_failed`.
 * Synchronous checks run without awaiting (a promise only when a check
 * returns one), so a pipeline of synchronous checks pays no microtask ticks.
 * @internal
 */
export function runChecks(
  ctx: ReturnType<typeof createContext>,
  level: ValidationLevel,
  checks: readonly Check[],
  from = 0,
): Promise<void> | undefined {
  ctx.level = level;
  for (let i = from; i < checks.length; i++) {
    const check = checks[i] as Check;
    if (ctx.result.full) return undefined;
    ctx.check = check.name;
    try {
      const pending = check.run(ctx);
      if (pending instanceof Promise) {
        return pending.then(
          () => runChecks(ctx, level, checks, i + 1),
          (err: unknown) => {
            reportFailure(ctx, check, err);
            return runChecks(ctx, level, checks, i + 1);
          },
        );
      }
    } catch (err) {
      reportFailure(ctx, check, err);
    }
  }
  return undefined;
}

/** The synchronous form of {@link runChecks}; a check that returns a promise is reported as failed. @internal */
export function runChecksSync(
  ctx: ReturnType<typeof createContext>,
  level: ValidationLevel,
  checks: readonly Check[],
): void {
  ctx.level = level;
  for (const check of checks) {
    if (ctx.result.full) return;
    ctx.check = check.name;
    try {
      const pending = check.run(ctx);
      if (pending instanceof Promise) {
        pending.catch(() => undefined);
        throw new Error('the check is asynchronous; use validate()');
      }
    } catch (err) {
      reportFailure(ctx, check, err);
    }
  }
}

function reportFailure(ctx: CheckContext, check: Check, err: unknown): void {
  if (err instanceof AlertbaseError) throw err;
  ctx.result.addError({
    code: 'check_failed',
    level: check.level,
    check: check.name,
    message: `the check ${check.name} failed: ${err instanceof Error ? err.message : String(err)}`,
  });
}

function applyLocate(result: ValidationResult, locate: Locate | undefined): ValidationResult {
  if (locate === undefined) return result;
  const json = result.toJSON();
  const place = <F extends { path: string; line?: number; column?: number }>(f: F): F => {
    const within =
      f.line !== undefined && f.column !== undefined
        ? { line: f.line, column: f.column }
        : undefined;
    const at = locate(f.path, within);
    return at === undefined ? f : { ...f, line: at.line, column: at.column };
  };
  return ValidationResult.fromJSON(
    {
      ...json,
      errors: json.errors.map(place),
      warnings: json.warnings.map(place),
      infos: json.infos.map(place),
    },
    { maxErrors: result.maxErrors, level: result.level },
  );
}

/**
 * Creates a validation pipeline.
 *
 * The five levels run in order — syntax, semantic, security, performance,
 * consistency — each running its enabled checks. Later levels run only when
 * the document passed syntax. Collection stops at `maxErrors` errors. In strict
 * mode, warnings of the security and performance levels are errors
 * (`promoted: true`). Results of the first four levels are cached by model,
 * tenant (and its settings), check-set version, strictness, `upTo`,
 * `operation` and the content hash of the document and `previous`; the
 * consistency level, which depends on other entities, always runs.
 *
 * @example
 * ```ts
 * const validator = createValidator({
 *   model: AlertRule,
 *   strict: config.validation.strictMode,
 *   maxErrors: config.validation.maxErrors,
 *   cache: { ttlSeconds: config.validation.cacheTtl },
 *   tenantChecks: { legacy: { disable: ['semantic.level-priority'] } },
 * });
 * const result = await validator.validate(body, { tenant, lookup });
 * if (!result.isValid()) reply(422, result.toJSON());
 * ```
 */
export function createValidator(options: ValidatorOptions = {}): Validator {
  const base =
    options.checks instanceof CheckSet
      ? options.checks
      : options.checks !== undefined
        ? CheckSet.of(options.checks)
        : defaultChecks(options.checkOptions);
  const maxErrors = options.maxErrors ?? DEFAULTS.maxValidationErrors;
  // Fail at construction, not at the first validation.
  new ValidationResult({ maxErrors });
  const cache =
    options.cache === false
      ? undefined
      : options.cache instanceof ValidationCache
        ? options.cache
        : new ValidationCache(options.cache ?? {});
  const perTenant = new Map<string, CheckSet>();
  const tenantChecks = options.tenantChecks;

  const checksFor = (tenantId?: string): CheckSet => {
    if (tenantId === undefined || tenantChecks === undefined) return base;
    let set = perTenant.get(tenantId);
    if (set === undefined) {
      const patch =
        typeof tenantChecks === 'function'
          ? tenantChecks(tenantId)
          : Object.hasOwn(tenantChecks, tenantId)
            ? tenantChecks[tenantId]
            : undefined;
      set = patch === undefined ? base : base.apply(patch);
      perTenant.set(tenantId, set);
    }
    return set;
  };

  const cacheKey = (
    document: Readonly<Record<string, unknown>>,
    set: CheckSet,
    strict: boolean,
    upTo: ValidationLevel,
    opts: ValidateOptions,
  ): string | undefined => {
    if (cache === undefined || !cache.enabled) return undefined;
    try {
      const tenant = opts.tenant;
      const hash = contentHash({
        document,
        previous: opts.previous ?? null,
        settings:
          tenant === undefined
            ? null
            : { tier: tenant.tier ?? null, settings: tenant.settings ?? null },
        operation: opts.operation ?? 'create',
      });
      return [
        options.model?.name ?? '',
        tenant?.id ?? '',
        set.version,
        strict ? 's' : '',
        upTo,
        hash,
      ].join('\u0000');
    } catch {
      // Content with no canonical form (a Map, a bigint) is validated, just not cached.
      return undefined;
    }
  };

  return {
    model: options.model,
    checks: base,
    cache,
    checksFor,
    async validate(document, opts = {}) {
      const strict = opts.strict ?? options.strict ?? DEFAULTS.strictValidation;
      const upTo = opts.upTo ?? 'consistency';
      const last = levelIndex(upTo);
      const locate = opts.locate ?? options.locate;
      const result = new ValidationResult({ maxErrors, level: 'syntax' });
      if (!isRecord(document)) {
        const kind =
          document === null ? 'null' : Array.isArray(document) ? 'array' : typeof document;
        result.addError({ code: 'invalid_type', message: `expected an object, received ${kind}` });
        return applyLocate(result, locate);
      }
      const set = checksFor(opts.tenant?.id);
      const lookup = opts.lookup ?? options.lookup;
      const key = cacheKey(document, set, strict, upTo, opts);
      const cached = key === undefined ? undefined : cache?.get(key);

      let working = result;
      let syntaxOk: boolean;
      let data: Readonly<Record<string, unknown>>;
      if (cached !== undefined) {
        working = ValidationResult.fromJSON(cached.result, { maxErrors, level: 'syntax' });
        syntaxOk = cached.syntaxOk;
        data = cached.data;
      } else {
        const state: RunState = {
          document,
          data: document,
          model: options.model,
          tenant: opts.tenant,
          previous: opts.previous,
          lookup,
          operation: opts.operation ?? 'create',
          strict,
          result: working,
        };
        const ctx = createContext(state);
        syntaxOk = true;
        for (const level of PURE_LEVELS) {
          if (levelIndex(level) > last || working.full) break;
          const started = opts.timings === true ? performance.now() : 0;
          const before = errorCount(working);
          const pending = runChecks(ctx, level, set.list(level));
          if (pending !== undefined) await pending;
          if (opts.timings === true) working.recordTiming(level, performance.now() - started);
          if (level === 'syntax' && errorCount(working) > before) {
            syntaxOk = false;
            break;
          }
        }
        data = state.data;
        if (key !== undefined) {
          // A cached answer spends no time in these levels: its timings are not replayed.
          const { timings: _spent, ...kept } = working.toJSON();
          cache?.set(key, { result: kept, syntaxOk, data });
        }
      }

      const consistency = set.list('consistency');
      if (
        last >= levelIndex('consistency') &&
        syntaxOk &&
        consistency.length > 0 &&
        !working.full
      ) {
        const started = opts.timings === true ? performance.now() : 0;
        if (lookup === undefined) {
          working.addInfo({
            code: 'consistency_skipped',
            level: 'consistency',
            message:
              'the consistency level was skipped: no lookup was given, so references, names and quotas were not checked',
          });
          working.markSkipped('consistency');
        } else {
          const ctx = createContext({
            document,
            data,
            model: options.model,
            tenant: opts.tenant,
            previous: opts.previous,
            lookup,
            operation: opts.operation ?? 'create',
            strict,
            result: working,
          });
          const pending = runChecks(ctx, 'consistency', consistency);
          if (pending !== undefined) await pending;
        }
        if (opts.timings === true) working.recordTiming('consistency', performance.now() - started);
      }
      return applyLocate(working, locate);
    },
  };
}
