import { z } from 'zod';
import { UnknownValueError } from '../exceptions/index.js';

/** A non-empty tuple of enumeration values, as `defineEnum` takes them. */
export type EnumValues = readonly [string, ...string[]];

/**
 * A smart enumeration: its values, a Zod schema for models, and checked parsing.
 *
 * @typeParam V the canonical values (what parsing returns).
 * @typeParam I what the schema accepts as input (`V` unless lowercase input is accepted).
 */
export interface SmartEnum<V extends string, I extends string = V> {
  /** The enumeration's name, as errors and JSON Schema titles show it. */
  readonly name: string;
  /** Every canonical value, in declaration order. */
  readonly values: readonly [V, ...V[]];
  /** Each value keyed by itself, for code that prefers `Level.enum.critical` to a string literal. */
  readonly enum: { readonly [K in V]: K };
  /**
   * The Zod schema of a field of this type. Its input is `I`, its output `V`;
   * the error message of an unknown value lists the allowed values.
   *
   * @example
   * ```ts
   * const Rule = z.object({ level: AlertLevel.schema });
   * ```
   */
  readonly schema: z.ZodType<V, I>;
  /**
   * Returns the canonical value of `value`.
   * @throws UnknownValueError (`ALERTBASE_VALIDATION_UNKNOWN_VALUE`) listing the allowed values.
   */
  parse(value: unknown): V;
  /** Like `parse`, but returns `undefined` instead of throwing. */
  tryParse(value: unknown): V | undefined;
  /** Is `value` exactly one of the canonical values? (Non-canonical input such as `p2` is not.) */
  is(value: unknown): value is V;
}

/** Options of `defineEnum`. */
export interface DefineEnumOptions {
  /** Also accept the lowercase form of each value on input (`p2` for `P2`); output stays canonical. */
  readonly acceptLowercase?: boolean;
  /** Description carried into JSON Schema. */
  readonly description?: string;
}

/** Options of `defineEnum` that accept lowercase input. */
export interface DefineLowercaseEnumOptions extends DefineEnumOptions {
  readonly acceptLowercase: true;
}

/**
 * Defines a smart enumeration.
 *
 * @example
 * ```ts
 * export const Environment = defineEnum('Environment', ['production', 'staging'] as const);
 * export type Environment = (typeof Environment.values)[number];
 * Environment.parse('staging'); // 'staging'
 * Environment.parse('prod');    // throws UnknownValueError, context.allowed = ['production', 'staging']
 * ```
 */
export function defineEnum<const T extends EnumValues>(
  name: string,
  values: T,
  options: DefineLowercaseEnumOptions,
): SmartEnum<T[number], T[number] | Lowercase<T[number]>>;
export function defineEnum<const T extends EnumValues>(
  name: string,
  values: T,
  options?: DefineEnumOptions,
): SmartEnum<T[number]>;
export function defineEnum<const T extends EnumValues>(
  name: string,
  values: T,
  options: DefineEnumOptions = {},
): SmartEnum<T[number], string> {
  type V = T[number];
  const canonical = Object.freeze([...values]) as unknown as readonly [V, ...V[]];
  if (new Set(canonical).size !== canonical.length) {
    throw new TypeError(`enum ${name} has duplicate values`);
  }
  const lookup = new Map<string, V>(canonical.map((v) => [v, v]));
  if (options.acceptLowercase === true) {
    for (const v of canonical) if (!lookup.has(v.toLowerCase())) lookup.set(v.toLowerCase(), v);
  }
  const inputs = [...lookup.keys()] as [string, ...string[]];
  const allowed = canonical.join(', ');
  const message =
    options.acceptLowercase === true
      ? `${name} must be one of: ${allowed} (lowercase accepted)`
      : `${name} must be one of: ${allowed}`;
  // A missing value is reported as missing, not as a wrong one.
  const error = (issue: { readonly input?: unknown }): string =>
    issue.input === undefined ? `${name} is missing: give one of ${allowed}` : message;
  const meta =
    options.description === undefined
      ? { title: name }
      : { title: name, description: options.description };

  const exact = z.enum(canonical, { error });
  const schema: z.ZodType<V, string> =
    options.acceptLowercase === true
      ? z
          .codec(z.enum(inputs, { error }), exact, {
            // The input enum admits only keys of `lookup`, so the fallback is never taken.
            decode: (input) => lookup.get(input) ?? canonical[0],
            encode: (output) => output,
          })
          .meta(meta)
      : exact.meta(meta);

  const tryParse = (value: unknown): V | undefined =>
    typeof value === 'string' ? lookup.get(value) : undefined;

  return Object.freeze({
    name,
    values: canonical,
    enum: Object.freeze(Object.fromEntries(canonical.map((v) => [v, v]))) as {
      readonly [K in V]: K;
    },
    schema,
    parse(value: unknown): V {
      const parsed = tryParse(value);
      if (parsed === undefined) throw new UnknownValueError(name, value, canonical);
      return parsed;
    },
    tryParse,
    is(value: unknown): value is V {
      return typeof value === 'string' && (canonical as readonly string[]).includes(value);
    },
  });
}

/** Comparison and ranking of an ordered enumeration. */
export interface OrderedEnumOps<V extends string> {
  /**
   * The rank of a value: 1 for the lowest, `values.length` for the highest.
   * @throws UnknownValueError for a value that is not a member.
   */
  rank(value: V): number;
  /** Negative when `a` ranks below `b`, positive when above, 0 when equal: a sort comparator (ascending). */
  compare(a: V, b: V): number;
  /**
   * Does `value` rank at or above `min`?
   * @example
   * ```ts
   * AlertLevel.atLeast('high', 'medium'); // true
   * Role.atLeast('viewer', 'editor');     // false
   * ```
   */
  atLeast(value: V, min: V): boolean;
  /** The highest-ranked of the given values. */
  max(first: V, ...rest: V[]): V;
  /** The lowest-ranked of the given values. */
  min(first: V, ...rest: V[]): V;
}

/** A smart enumeration whose values are ordered. */
export type OrderedEnum<V extends string, I extends string = V> = SmartEnum<V, I> &
  OrderedEnumOps<V>;

/** Options of `defineOrderedEnum`. */
export interface DefineOrderedEnumOptions extends DefineEnumOptions {
  /** How `values` is listed: `'descending'` when the first value is the highest. */
  readonly order: 'ascending' | 'descending';
}

/**
 * Defines an ordered smart enumeration: `defineEnum` plus `rank`, `compare`,
 * `atLeast`, `max` and `min`. `values` keeps the order given.
 *
 * @example
 * ```ts
 * const Tier = defineOrderedEnum('Tier', ['free', 'pro'] as const, { order: 'ascending' });
 * Tier.atLeast('pro', 'free'); // true
 * ```
 */
export function defineOrderedEnum<const T extends EnumValues>(
  name: string,
  values: T,
  options: DefineOrderedEnumOptions & DefineLowercaseEnumOptions,
): OrderedEnum<T[number], T[number] | Lowercase<T[number]>>;
export function defineOrderedEnum<const T extends EnumValues>(
  name: string,
  values: T,
  options: DefineOrderedEnumOptions,
): OrderedEnum<T[number]>;
export function defineOrderedEnum<const T extends EnumValues>(
  name: string,
  values: T,
  options: DefineOrderedEnumOptions,
): OrderedEnum<T[number], string> {
  type V = T[number];
  const base: SmartEnum<V, string> = defineEnum(name, values, options);
  const n = values.length;
  const ranks = new Map<string, number>(
    values.map((v, i) => [v, options.order === 'ascending' ? i + 1 : n - i]),
  );
  const rank = (value: V): number => {
    const r = ranks.get(value);
    if (r === undefined) throw new UnknownValueError(name, value, base.values);
    return r;
  };
  const ops: OrderedEnumOps<V> = {
    rank,
    compare: (a, b) => rank(a) - rank(b),
    atLeast: (value, min) => rank(value) >= rank(min),
    max: (first, ...rest) => {
      rank(first);
      return rest.reduce((best, v) => (rank(v) > rank(best) ? v : best), first);
    },
    min: (first, ...rest) => {
      rank(first);
      return rest.reduce((low, v) => (rank(v) < rank(low) ? v : low), first);
    },
  };
  return Object.freeze({ ...base, ...ops });
}
