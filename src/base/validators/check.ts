/**
 * The parts of the validation framework every level shares: a named `Check`,
 * the `CheckContext` it runs with, and `CheckSet`, an immutable registry of
 * checks that can be extended, replaced and switched off (per tenant).
 */

import { createHash } from 'node:crypto';
import type { LevelPriorityOverrides } from '../enums/priority.js';
import { ConfigError } from '../exceptions/index.js';
import type { AnyModel } from '../types/model.js';
import type { FindingInput, ValidationLevel, ValidationResult } from './result.js';
import { VALIDATION_LEVELS } from './result.js';

/** A value or a promise of it. */
export type Awaitable<T> = T | Promise<T>;

/**
 * The tenant a validation runs for: the caller's tenant. A `Tenant` model
 * instance fits as it is.
 */
export interface TenantContext {
  /** The caller's tenant id; a document of another tenant is refused. */
  readonly id: string;
  /** The tenant's tier (`free`, `standard`, `enterprise`): sets its quotas. */
  readonly tier?: string;
  readonly settings?: {
    /** Overrides of the level → priority mapping (`{ high: 'P1' }`). */
    readonly levelPriorities?: LevelPriorityOverrides;
    /** Allow webhook and generator URLs on private networks (SSRF protection off). */
    readonly allowPrivateNetworks?: boolean;
  };
}

/** An entity a document refers to, as the lookup found it. */
export interface EntityRef {
  readonly id: string;
  readonly tenantId: string;
}

/**
 * What the consistency level asks about other entities. The caller implements
 * it over its store; every method is optional, and a check whose method is
 * missing reports that it was skipped (`consistency_skipped`).
 *
 * `kind` is a model name (`AlertRule`, `NotificationChannel`).
 *
 * @example
 * ```ts
 * const lookup: ConsistencyLookup = {
 *   findEntities: (kind, ids) => db.select(kind, ids),            // [{ id, tenantId }]
 *   findIdByName: (kind, tenantId, name) => db.idByName(kind, tenantId, name),
 *   countEntities: (kind, tenantId) => db.count(kind, tenantId),
 * };
 * ```
 */
export interface ConsistencyLookup {
  /** The entities of `kind` among `ids` that exist (in any tenant), with their tenant. */
  findEntities?(kind: string, ids: readonly string[]): Awaitable<readonly EntityRef[]>;
  /** The id of the entity of `kind` named `name` in the tenant, if there is one. */
  findIdByName?(kind: string, tenantId: string, name: string): Awaitable<string | undefined>;
  /** How many entities of `kind` the tenant has now. */
  countEntities?(kind: string, tenantId: string): Awaitable<number>;
}

/** Whether the document is a new entity or replaces an existing one (quotas count only new ones). */
export type ValidationOperation = 'create' | 'update';

/** What a check runs with: the document, its parsed form, the tenant, and where to report. */
export interface CheckContext {
  /** The document as given (wire names, strings): what paths point into. */
  readonly document: Readonly<Record<string, unknown>>;
  /**
   * The document after the syntax level: the model's parsed instance (field
   * names, `Date`s, durations in ms, defaults filled) or, with no model, the
   * document itself.
   */
  readonly data: Readonly<Record<string, unknown>>;
  /** The model validated against, if any. */
  readonly model: AnyModel | undefined;
  /** The caller's tenant, if known. */
  readonly tenant: TenantContext | undefined;
  /** The stored version the document replaces (for status transitions), if given. */
  readonly previous: Readonly<Record<string, unknown>> | undefined;
  /** The caller's lookup for cross-entity checks, if given. */
  readonly lookup: ConsistencyLookup | undefined;
  readonly operation: ValidationOperation;
  /** Strict mode: security and performance warnings are reported as errors. */
  readonly strict: boolean;
  /** The level being run. */
  readonly level: ValidationLevel;
  /** The name of the check being run. */
  readonly check: string;
  /**
   * A field of `data` by field name, or by its snake_case wire name when the
   * data has no such field (documents validated without a model).
   */
  field(name: string): unknown;
  /**
   * The JSON pointer, in the document as given, of a path written in field
   * names: the first segment becomes the wire name the document used.
   */
  pointer(path: readonly (string | number)[]): string;
  /** Reports an error. */
  error(finding: FindingInput): void;
  /** Reports a warning (an error in strict mode, at the security and performance levels). */
  warn(finding: FindingInput): void;
  /** Reports an info. */
  info(finding: FindingInput): void;
  /**
   * Syntax level only: gives later levels the parsed form of the document
   * (what `data` is from then on). Ignored at other levels.
   */
  setData(data: Readonly<Record<string, unknown>>): void;
  /** Computes a value once per validation and shares it between checks (a parsed PromQL tree). */
  memo<T>(key: string, compute: () => T): T;
  /** The result being filled (for checks that merge a whole result). */
  readonly result: ValidationResult;
}

/**
 * One named check of one level.
 *
 * @example
 * ```ts
 * const noTestRules = defineCheck({
 *   name: 'acme.no-test-rules',
 *   level: 'semantic',
 *   run(ctx) {
 *     if (String(ctx.field('name')).startsWith('test')) {
 *       ctx.error({ code: 'test_rule', path: ctx.pointer(['name']), message: 'no test rules in production' });
 *     }
 *   },
 * });
 * ```
 */
export interface Check {
  /** Unique within a check set; by convention `<level>.<what>` (`security.ssrf`). */
  readonly name: string;
  readonly level: ValidationLevel;
  /** Part of the check-set version: change it when the check's behaviour changes. Default `1`. */
  readonly version?: string;
  readonly description?: string;
  run(ctx: CheckContext): Awaitable<void>;
}

const CHECK_NAME = /^[a-z][a-z0-9-]*(?:\.[a-z][a-z0-9-]*)*$/;

/**
 * Validates and freezes a check.
 * @throws ConfigError (`ALERTBASE_CONFIG_INVALID`) for a bad name or level.
 */
export function defineCheck(check: Check): Check {
  if (!CHECK_NAME.test(check.name)) {
    throw new ConfigError(
      'validation checks',
      `check name ${JSON.stringify(check.name)} must be dotted kebab-case, such as "security.ssrf"`,
    );
  }
  if (!(VALIDATION_LEVELS as readonly string[]).includes(check.level)) {
    throw new ConfigError(
      'validation checks',
      `check ${check.name} has unknown level ${JSON.stringify(check.level)}`,
    );
  }
  return Object.freeze({ ...check });
}

/** Changes to a check set, as a tenant's configuration gives them. */
export interface CheckSetPatch {
  /** Names of checks to switch off. */
  readonly disable?: readonly string[];
  /** Names of switched-off checks to switch back on. */
  readonly enable?: readonly string[];
  /** Checks that take the place of the checks of the same name. */
  readonly replace?: readonly Check[];
  /** New checks. */
  readonly add?: readonly Check[];
}

/**
 * An immutable set of named checks. Every change returns a new set with a new
 * `version`, which the validation cache keys on, so a changed rule set never
 * serves a stale verdict.
 *
 * @example
 * ```ts
 * const checks = defaultChecks()
 *   .disable('security.injection')
 *   .replace(defineCheck({ name: 'semantic.for-duration', level: 'semantic', run: myForCheck }))
 *   .add(noTestRules);
 * createValidator({ model: AlertRule, checks });
 * ```
 */
export class CheckSet {
  readonly #checks: ReadonlyMap<string, Check>;
  readonly #disabled: ReadonlySet<string>;
  #version: string | undefined;
  #byLevel: ReadonlyMap<ValidationLevel, readonly Check[]> | undefined;

  private constructor(checks: ReadonlyMap<string, Check>, disabled: ReadonlySet<string>) {
    this.#checks = checks;
    this.#disabled = disabled;
  }

  /**
   * A set of these checks.
   * @throws ConfigError when two checks have the same name.
   */
  static of(checks: Iterable<Check>): CheckSet {
    const map = new Map<string, Check>();
    for (const check of checks) {
      const defined = defineCheck(check);
      if (map.has(defined.name)) {
        throw new ConfigError('validation checks', `two checks are named ${defined.name}`);
      }
      map.set(defined.name, defined);
    }
    return new CheckSet(map, new Set());
  }

  /** Names of every check, switched on or off. */
  get names(): readonly string[] {
    return [...this.#checks.keys()];
  }

  /**
   * A short hash of the enabled checks' levels, names and versions: changes
   * whenever the set does.
   */
  get version(): string {
    this.#version ??= createHash('sha256')
      .update(
        this.list()
          .map((c) => `${c.level}:${c.name}@${c.version ?? '1'}`)
          .join('\n'),
      )
      .digest('hex')
      .slice(0, 16);
    return this.#version;
  }

  /** The enabled checks, in level order, then in the order they were added; or those of one level. */
  list(level?: ValidationLevel): readonly Check[] {
    if (this.#byLevel === undefined) {
      const byLevel = new Map<ValidationLevel, Check[]>(VALIDATION_LEVELS.map((l) => [l, []]));
      for (const check of this.#checks.values()) {
        if (!this.#disabled.has(check.name)) byLevel.get(check.level)?.push(check);
      }
      this.#byLevel = byLevel;
    }
    if (level !== undefined) return this.#byLevel.get(level) ?? [];
    return VALIDATION_LEVELS.flatMap((l) => this.#byLevel?.get(l) ?? []);
  }

  /** The check of that name (enabled or not). */
  get(name: string): Check | undefined {
    return this.#checks.get(name);
  }

  /** Is there a check of that name, and is it switched on? */
  isEnabled(name: string): boolean {
    return this.#checks.has(name) && !this.#disabled.has(name);
  }

  /** A set with these checks added. @throws ConfigError when a name is taken. */
  add(...checks: readonly Check[]): CheckSet {
    const map = new Map(this.#checks);
    for (const check of checks) {
      const defined = defineCheck(check);
      if (map.has(defined.name)) {
        throw new ConfigError(
          'validation checks',
          `a check named ${defined.name} exists; use replace()`,
        );
      }
      map.set(defined.name, defined);
    }
    return new CheckSet(map, this.#disabled);
  }

  /**
   * A set where each given check takes the place of the check of its name
   * (keeping its position). @throws ConfigError for an unknown name.
   */
  replace(...checks: readonly Check[]): CheckSet {
    const map = new Map(this.#checks);
    for (const check of checks) {
      const defined = defineCheck(check);
      this.#known(defined.name);
      map.set(defined.name, defined);
    }
    return new CheckSet(map, this.#disabled);
  }

  /** A set with these checks switched off. @throws ConfigError for an unknown name. */
  disable(...names: readonly string[]): CheckSet {
    for (const name of names) this.#known(name);
    return new CheckSet(this.#checks, new Set([...this.#disabled, ...names]));
  }

  /** A set with these checks switched back on. @throws ConfigError for an unknown name. */
  enable(...names: readonly string[]): CheckSet {
    for (const name of names) this.#known(name);
    const disabled = new Set(this.#disabled);
    for (const name of names) disabled.delete(name);
    return new CheckSet(this.#checks, disabled);
  }

  /** A set with the checks of one or more levels only (others switched off). */
  only(...levels: readonly ValidationLevel[]): CheckSet {
    const off = [...this.#checks.values()]
      .filter((c) => !levels.includes(c.level))
      .map((c) => c.name);
    return new CheckSet(this.#checks, new Set([...this.#disabled, ...off]));
  }

  /** Applies a patch: replace, then add, then disable, then enable. */
  apply(patch: CheckSetPatch): CheckSet {
    let set: CheckSet = this;
    if (patch.replace !== undefined && patch.replace.length > 0)
      set = set.replace(...patch.replace);
    if (patch.add !== undefined && patch.add.length > 0) set = set.add(...patch.add);
    if (patch.disable !== undefined && patch.disable.length > 0)
      set = set.disable(...patch.disable);
    if (patch.enable !== undefined && patch.enable.length > 0) set = set.enable(...patch.enable);
    return set;
  }

  #known(name: string): void {
    if (!this.#checks.has(name)) {
      throw new ConfigError(
        'validation checks',
        `no check named ${JSON.stringify(name)}; known: ${[...this.#checks.keys()].join(', ')}`,
      );
    }
  }
}
