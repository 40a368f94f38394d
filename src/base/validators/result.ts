/**
 * `ValidationResult`: what the five validation levels found in one document.
 *
 * A result holds findings in three severities (errors, warnings, infos). Each
 * finding has a stable `code` (callers and tests match on it, never on the
 * message), the `level` that produced it and a `path` (RFC 6901 JSON pointer
 * into the document). Collection stops at `maxErrors` findings of each
 * severity (the seed's `MAX_VALIDATION_ERRORS`); the result then says how many
 * more there were.
 */

import { DEFAULTS } from '../constants.js';
import { ConfigError } from '../exceptions/index.js';

/** The five validation levels, in the order they run. */
export const VALIDATION_LEVELS = Object.freeze([
  'syntax',
  'semantic',
  'security',
  'performance',
  'consistency',
] as const);

/** One of the five validation levels. */
export type ValidationLevel = (typeof VALIDATION_LEVELS)[number];

/** How bad a finding is: an error makes the document invalid; warnings and infos do not. */
export type Severity = 'error' | 'warning' | 'info';

/** How sensitive a detected secret is: `critical` (keys that grant everything) to `low`. */
export type Sensitivity = 'critical' | 'high' | 'medium' | 'low';

/** One problem or remark found in a document. */
export interface ValidationFinding {
  /** Stable, machine-readable code (`ends_before_starts`, `ssrf_loopback`, ...). */
  readonly code: string;
  /** The level whose check found it. */
  readonly level: ValidationLevel;
  readonly severity: Severity;
  /** RFC 6901 JSON pointer to the offending value (`/labels/severity`); `''` is the document. */
  readonly path: string;
  /** Human-readable explanation. Never contains a secret. */
  readonly message: string;
  /**
   * 1-based source line. Within the value at `path` when a check parsed that
   * value (PromQL, templates); within the document when the caller's
   * `locate` option placed it.
   */
  readonly line?: number;
  /** 1-based source column (UTF-16 code units), as `line`. */
  readonly column?: number;
  /** The name of the check that reported it (`security.injection`). */
  readonly check?: string;
  /** The matched text, for content scans (secrets are shown masked). */
  readonly fragment?: string;
  /** For detected secrets: how sensitive the secret is. */
  readonly sensitivity?: Sensitivity;
  /** Set when strict mode turned a warning into this error. */
  readonly promoted?: true;
}

/** What `addError`, `addWarning` and `addInfo` take: a finding without its severity. */
export interface FindingInput {
  readonly code: string;
  readonly message: string;
  /** JSON pointer; default `''` (the document). */
  readonly path?: string;
  /** Default: the result's `level` option. */
  readonly level?: ValidationLevel;
  readonly line?: number;
  readonly column?: number;
  readonly check?: string;
  readonly fragment?: string;
  readonly sensitivity?: Sensitivity;
}

/** How many findings of each severity were dropped past the cap. */
export interface OmittedCounts {
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
}

/** Plain form of a result (`toJSON()`), and what the validation cache stores. */
export interface ValidationResultJson {
  readonly valid: boolean;
  readonly errors: readonly ValidationFinding[];
  readonly warnings: readonly ValidationFinding[];
  readonly infos: readonly ValidationFinding[];
  /** Findings beyond `maxErrors`, per severity. */
  readonly omitted: OmittedCounts;
  /** Levels that did not run fully, with why (`consistency`: no lookup given). */
  readonly skipped: readonly ValidationLevel[];
  /** Milliseconds spent per level, when asked for (`timings: true`). */
  readonly timings?: Readonly<Partial<Record<ValidationLevel, number>>>;
}

/** Options of {@link ValidationResult}. */
export interface ValidationResultOptions {
  /** Findings kept per severity; default `DEFAULTS.maxValidationErrors` (config `MAX_VALIDATION_ERRORS`). */
  readonly maxErrors?: number;
  /** Level given to findings added without one; default `semantic` (business rules). */
  readonly level?: ValidationLevel;
}

/** The code of a finding added with a message only (`result.addError('...')`). */
export const CUSTOM_FINDING_CODE = 'custom';

const bucketName = { error: 'errors', warning: 'warnings', info: 'infos' } as const;

/**
 * The findings of a validation: errors, warnings and infos.
 *
 * @example
 * ```ts
 * const result = new ValidationResult();
 * result.addError('SQL injection attempt detected');            // the seed's form: code 'custom'
 * result.addWarning({ code: 'sql_injection', path: '/annotations/summary', message: '...' });
 * result.isValid();   // false
 * result.toJSON();    // { valid: false, errors: [...], warnings: [...], infos: [], omitted: {...}, skipped: [] }
 * ```
 */
export class ValidationResult {
  /** Findings kept per severity. */
  readonly maxErrors: number;
  /** Level given to findings added without one. */
  readonly level: ValidationLevel;
  readonly #errors: ValidationFinding[] = [];
  readonly #warnings: ValidationFinding[] = [];
  readonly #infos: ValidationFinding[] = [];
  readonly #omitted = { errors: 0, warnings: 0, infos: 0 };
  readonly #skipped: ValidationLevel[] = [];
  #timings: Partial<Record<ValidationLevel, number>> | undefined;

  constructor(options: ValidationResultOptions = {}) {
    const max = options.maxErrors ?? DEFAULTS.maxValidationErrors;
    if (!Number.isInteger(max) || max < 1) {
      throw new ConfigError(
        'MAX_VALIDATION_ERRORS',
        `must be a positive integer, got ${String(max)}`,
      );
    }
    this.maxErrors = max;
    this.level = options.level ?? 'semantic';
  }

  /** Rebuilds a result from its plain form (a cached or transported result). */
  static fromJSON(
    json: ValidationResultJson,
    options: ValidationResultOptions = {},
  ): ValidationResult {
    const result = new ValidationResult(options);
    for (const f of json.errors) result.add(f);
    for (const f of json.warnings) result.add(f);
    for (const f of json.infos) result.add(f);
    result.#omitted.errors += json.omitted.errors;
    result.#omitted.warnings += json.omitted.warnings;
    result.#omitted.infos += json.omitted.infos;
    for (const level of json.skipped) result.markSkipped(level);
    if (json.timings !== undefined) result.#timings = { ...json.timings };
    return result;
  }

  /** The errors kept, in the order found. */
  get errors(): readonly ValidationFinding[] {
    return this.#errors;
  }

  get warnings(): readonly ValidationFinding[] {
    return this.#warnings;
  }

  get infos(): readonly ValidationFinding[] {
    return this.#infos;
  }

  /** Findings dropped past `maxErrors`, per severity. */
  get omitted(): OmittedCounts {
    return { ...this.#omitted };
  }

  /** Levels that did not run fully. */
  get skipped(): readonly ValidationLevel[] {
    return this.#skipped;
  }

  /** Milliseconds per level, when timings were asked for. */
  get timings(): Readonly<Partial<Record<ValidationLevel, number>>> | undefined {
    return this.#timings;
  }

  /** Has the cap of errors been reached (further errors are only counted)? */
  get full(): boolean {
    return this.#errors.length >= this.maxErrors;
  }

  /** Adds a finding as it is (its severity included). */
  add(finding: ValidationFinding): this {
    const bucket = bucketName[finding.severity];
    const list =
      bucket === 'errors' ? this.#errors : bucket === 'warnings' ? this.#warnings : this.#infos;
    if (list.length >= this.maxErrors) this.#omitted[bucket]++;
    else list.push(Object.freeze({ ...finding }));
    return this;
  }

  /**
   * Adds an error. A bare message (the seed's `add_error("...")`) gets the
   * code `custom` at the document's root.
   */
  addError(finding: FindingInput | string): this {
    return this.add(this.#finding(finding, 'error'));
  }

  /** Adds a warning: reported, but the document stays valid (unless strict mode promotes it). */
  addWarning(finding: FindingInput | string): this {
    return this.add(this.#finding(finding, 'warning'));
  }

  /** Adds an info: a remark such as a level that was skipped. */
  addInfo(finding: FindingInput | string): this {
    return this.add(this.#finding(finding, 'info'));
  }

  /** Adds every finding of `other` (respecting this result's cap) and its omitted counts. */
  merge(other: ValidationResult): this {
    for (const f of other.#errors) this.add(f);
    for (const f of other.#warnings) this.add(f);
    for (const f of other.#infos) this.add(f);
    this.#omitted.errors += other.#omitted.errors;
    this.#omitted.warnings += other.#omitted.warnings;
    this.#omitted.infos += other.#omitted.infos;
    for (const level of other.#skipped) this.markSkipped(level);
    return this;
  }

  /** Records that a level did not run fully. */
  markSkipped(level: ValidationLevel): this {
    if (!this.#skipped.includes(level)) this.#skipped.push(level);
    return this;
  }

  /** Records the time a level took. @internal used by the pipeline. */
  recordTiming(level: ValidationLevel, ms: number): void {
    this.#timings ??= {};
    this.#timings[level] = (this.#timings[level] ?? 0) + ms;
  }

  /** No errors (kept or omitted)? */
  isValid(): boolean {
    return this.#errors.length === 0 && this.#omitted.errors === 0;
  }

  /** Every finding kept, errors first, then warnings, then infos. */
  findings(): readonly ValidationFinding[] {
    return [...this.#errors, ...this.#warnings, ...this.#infos];
  }

  /** Was a finding of this code kept (optionally at this path)? */
  has(code: string, path?: string): boolean {
    return this.findings().some((f) => f.code === code && (path === undefined || f.path === path));
  }

  toJSON(): ValidationResultJson {
    return {
      valid: this.isValid(),
      errors: [...this.#errors],
      warnings: [...this.#warnings],
      infos: [...this.#infos],
      omitted: this.omitted,
      skipped: [...this.#skipped],
      ...(this.#timings === undefined ? {} : { timings: { ...this.#timings } }),
    };
  }

  #finding(input: FindingInput | string, severity: Severity): ValidationFinding {
    if (typeof input === 'string') {
      return { code: CUSTOM_FINDING_CODE, level: this.level, severity, path: '', message: input };
    }
    const { level, path, ...rest } = input;
    return { ...rest, level: level ?? this.level, severity, path: path ?? '' };
  }
}
