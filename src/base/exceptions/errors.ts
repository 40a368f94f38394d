import { type CodesOf, type ErrorCode, renderTemplate, specOf } from './codes.js';

/** Values an error's context may hold: what a template and a log line can print. */
export type ErrorContext = Readonly<Record<string, unknown>>;

/** Options every alertbase error accepts. */
export interface AlertbaseErrorOptions {
  /** The error that caused this one (kept as the standard `cause`). */
  readonly cause?: unknown;
  /** Overrides the message rendered from the code's template. */
  readonly message?: string;
}

/**
 * RFC 9457 problem details, as alertbase renders every error over HTTP.
 * `code` and any extension members sit beside the standard members.
 */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly code: ErrorCode;
  readonly [extension: string]: unknown;
}

/** Base URI of the problem types; each code's type is `${PROBLEM_TYPE_BASE}<code>`. */
export const PROBLEM_TYPE_BASE = 'https://alertbase.dev/problems/';

/**
 * The base class of every error alertbase throws.
 *
 * @example
 * ```ts
 * try { AlertRule.parse(body); }
 * catch (err) {
 *   if (err instanceof AlertbaseError && err.code === 'ALERTBASE_VALIDATION_FAILED') reply(err.toProblemDetails());
 * }
 * ```
 */
export class AlertbaseError extends Error {
  /** The stable registry code. */
  readonly code: ErrorCode;
  /** HTTP status of the code. */
  readonly status: number;
  /** Structured facts about the failure; never secrets, never raw input. */
  readonly context: ErrorContext;

  constructor(code: ErrorCode, context: ErrorContext = {}, options: AlertbaseErrorOptions = {}) {
    const spec = specOf(code);
    super(
      options.message ?? renderTemplate(spec.template, context),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = new.target.name;
    this.code = code;
    this.status = spec.status;
    this.context = Object.freeze({ ...context });
  }

  /** Extension members added to the problem details; subclasses add theirs. */
  protected problemExtensions(): Record<string, unknown> {
    return {};
  }

  /**
   * Renders the error as RFC 9457 problem details.
   * @param instance the URI of the request that failed, if any.
   */
  toProblemDetails(instance?: string): ProblemDetails {
    return {
      type: `${PROBLEM_TYPE_BASE}${this.code}`,
      title: specOf(this.code).title,
      status: this.status,
      detail: this.message,
      ...(instance === undefined ? {} : { instance }),
      code: this.code,
      ...this.problemExtensions(),
    };
  }

  /** A plain, loggable form: no stack, no cause chain objects. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, context: this.context };
  }
}

/** One problem found in a document: where it is, what is wrong, by which code. */
export interface ValidationIssue {
  /** Path to the offending value, as keys and array indexes. */
  readonly path: readonly (string | number)[];
  /** The same path as an RFC 6901 JSON pointer (`/labels/severity`). */
  readonly pointer: string;
  /** Machine-readable issue code (`invalid_type`, `unrecognized_keys`, ...). */
  readonly code: string;
  /** Human-readable explanation. */
  readonly message: string;
  /** For discriminated unions: the branch that was tried, as `key=value`. */
  readonly branch?: string;
  /** Source position, where the document's text is known. */
  readonly line?: number;
  readonly column?: number;
}

/** Builds an RFC 6901 JSON pointer from a path. */
export function toJsonPointer(path: readonly PropertyKey[]): string {
  let pointer = '';
  for (const segment of path) {
    const text = String(segment);
    pointer +=
      text.includes('~') || text.includes('/')
        ? `/${text.replaceAll('~', '~0').replaceAll('/', '~1')}`
        : `/${text}`;
  }
  return pointer;
}

/** Renders issues as one line each: `path: message`. */
export function summarizeIssues(issues: readonly ValidationIssue[], max = 3): string {
  const shown = issues
    .slice(0, max)
    .map((i) => `${i.pointer === '' ? '(root)' : i.pointer}: ${i.message}`);
  const more = issues.length > max ? `; and ${issues.length - max} more` : '';
  return `${shown.join('; ')}${more}`;
}

/** A document failed validation; `issues` lists every problem, with its path. */
export class ValidationError extends AlertbaseError {
  readonly issues: readonly ValidationIssue[];

  /**
   * @param options.badRequest answer 400 (`ALERTBASE_VALIDATION_BAD_REQUEST`)
   *   instead of 422: where alertbase speaks a protocol that answers invalid
   *   input with 400 (Alertmanager's API).
   */
  constructor(
    model: string,
    issues: readonly ValidationIssue[],
    options: AlertbaseErrorOptions & { readonly badRequest?: boolean } = {},
  ) {
    super(
      options.badRequest === true
        ? 'ALERTBASE_VALIDATION_BAD_REQUEST'
        : 'ALERTBASE_VALIDATION_FAILED',
      { model, count: issues.length, summary: summarizeIssues(issues) },
      options,
    );
    this.issues = Object.freeze([...issues]);
  }

  protected override problemExtensions(): Record<string, unknown> {
    return {
      errors: this.issues.map((i) => ({
        pointer: i.pointer,
        code: i.code,
        detail: i.message,
        ...(i.branch === undefined ? {} : { branch: i.branch }),
      })),
    };
  }
}

/** A value is not one of an enumeration's members. */
export class UnknownValueError extends AlertbaseError {
  constructor(enumName: string, value: unknown, allowed: readonly string[]) {
    super('ALERTBASE_VALIDATION_UNKNOWN_VALUE', {
      enum: enumName,
      value: JSON.stringify(value) ?? String(value),
      allowed,
    });
  }
}

/** A model was declared wrongly (conflicting mixin fields, bad options). */
export class ModelDefinitionError extends AlertbaseError {
  constructor(model: string, reason: string, context: ErrorContext = {}) {
    super('ALERTBASE_MODEL_DEFINITION_INVALID', { ...context, model, reason });
  }
}

/** A resource does not exist (or belongs to another tenant: callers cannot tell). */
export class NotFoundError extends AlertbaseError {
  constructor(resource: string, id: string, options: AlertbaseErrorOptions = {}) {
    super('ALERTBASE_RESOURCE_NOT_FOUND', { resource, id }, options);
  }
}

/** Optimistic concurrency failed, or a unique key is taken. */
export class ConflictError extends AlertbaseError {
  constructor(
    code: CodesOf<'RESOURCE'> &
      (
        | 'ALERTBASE_RESOURCE_VERSION_CONFLICT'
        | 'ALERTBASE_RESOURCE_PRECONDITION_FAILED'
        | 'ALERTBASE_RESOURCE_ALREADY_EXISTS'
      ),
    context: ErrorContext,
    options: AlertbaseErrorOptions = {},
  ) {
    super(code, context, options);
  }

  /** A stale version: carries the current one so the caller can retry. */
  static version(
    resource: string,
    id: string,
    expectedVersion: number,
    currentVersion: number,
  ): ConflictError {
    return new ConflictError('ALERTBASE_RESOURCE_VERSION_CONFLICT', {
      resource,
      id,
      expectedVersion,
      currentVersion,
    });
  }
}

/** A caller of one tenant named data of another. */
export class TenantIsolationError extends AlertbaseError {
  constructor(callerTenant: string, targetTenant: string, options: AlertbaseErrorOptions = {}) {
    super('ALERTBASE_TENANT_ISOLATION', { callerTenant, targetTenant }, options);
  }
}

/** A tenant reached a quota of its tier. */
export class QuotaExceededError extends AlertbaseError {
  constructor(context: {
    tenantId: string;
    tier: string;
    quota: string;
    limit: number;
    /** The use when the request came, when known. */
    current?: number;
  }) {
    super('ALERTBASE_TENANT_QUOTA_EXCEEDED', context);
  }

  /** The quota, its limit and the current use, for clients to act on. */
  protected override problemExtensions(): Record<string, unknown> {
    const { quota, limit, current } = this.context;
    return { quota, limit, ...(current === undefined ? {} : { current }) };
  }
}

/** Too many requests in a window. */
export class RateLimitedError extends AlertbaseError {
  constructor(context: { limit: number; window: string; retryAfterSeconds: number }) {
    super('ALERTBASE_RATE_LIMITED', context);
  }
}

/** An action that the status transition table does not allow from the current status. */
export class InvalidTransitionError extends AlertbaseError {
  readonly allowed: readonly string[];

  constructor(from: string, action: string, allowed: readonly string[]) {
    super('ALERTBASE_STATUS_INVALID_TRANSITION', {
      from,
      action,
      allowed: allowed.length > 0 ? allowed : ['none'],
    });
    this.allowed = Object.freeze([...allowed]);
  }

  protected override problemExtensions(): Record<string, unknown> {
    return { allowedActions: this.allowed };
  }
}

/** Input could not be decoded or output could not be encoded. */
export class SerializationError extends AlertbaseError {
  constructor(
    code: CodesOf<'SERIALIZATION'>,
    context: ErrorContext,
    options: AlertbaseErrorOptions = {},
  ) {
    super(code, context, options);
  }

  /** Where in the input, when known: `line` and `column` (1-based). */
  protected override problemExtensions(): Record<string, unknown> {
    const { line, column } = this.context;
    return typeof line === 'number' && typeof column === 'number' ? { line, column } : {};
  }
}

/** Input breaks a security policy (injection, SSRF, forbidden keys). */
export class SecurityViolationError extends AlertbaseError {
  constructor(reason: string, context: ErrorContext = {}) {
    super('ALERTBASE_SECURITY_VIOLATION', { ...context, reason });
  }
}

/** A configuration value, file or variable is invalid. */
export class ConfigError extends AlertbaseError {
  /**
   * @param source where the bad value came from: `MAX_VALIDATION_ERRORS`, `alertbase.yaml:4:5`.
   */
  constructor(
    source: string,
    reason: string,
    context: ErrorContext = {},
    options: AlertbaseErrorOptions = {},
  ) {
    super('ALERTBASE_CONFIG_INVALID', { ...context, source, reason }, options);
  }
}

/** Is this an alertbase error (optionally: with this code)? */
export function isAlertbaseError(value: unknown, code?: ErrorCode): value is AlertbaseError {
  return value instanceof AlertbaseError && (code === undefined || value.code === code);
}
