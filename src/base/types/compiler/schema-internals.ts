/**
 * @internal What the code generators read of Zod's schema internals (`_zod.def`,
 * traits), and the questions both the valid and the invalid path ask of them.
 */

import type { z } from 'zod';

/** A schema's definition, as far as the generators read it. */
export interface Def {
  readonly type: string;
  readonly checks?: readonly Check[];
  readonly coerce?: boolean;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
  readonly element?: z.ZodType;
  readonly keyType?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly catchall?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly entries?: Readonly<Record<string, unknown>>;
  readonly values?: readonly unknown[];
  readonly mode?: string;
  readonly partial?: boolean;
  readonly discriminator?: string;
  readonly inclusive?: boolean;
  readonly transform?: unknown;
}

/** A check, as far as the generators read it. */
export interface Check {
  readonly _zod: {
    readonly def: {
      readonly check: string;
      readonly when?: unknown;
      readonly abort?: boolean;
      readonly value?: unknown;
      readonly inclusive?: boolean;
      readonly maximum?: number;
      readonly minimum?: number;
      readonly format?: string;
      readonly pattern?: RegExp;
      readonly fn?: unknown;
    };
    readonly traits: ReadonlySet<string>;
  };
}

/** Deeper schemas are left to Zod (their generated code would only grow). */
export const MAX_DEPTH = 24;

/** String formats whose check is exactly their pattern (Zod's `$ZodCheckStringFormat`). */
export const PATTERN_FORMATS: readonly string[] = [
  '$ZodUUID',
  '$ZodGUID',
  '$ZodEmail',
  '$ZodISODateTime',
  '$ZodISODate',
  '$ZodISOTime',
];

export const defOf = (schema: z.ZodType): Def => schema._zod.def as unknown as Def;

/**
 * A plain `default` property (no checks of its own, not optional on the way
 * out): its default can be made later than where the node stands, since
 * nothing reads it in between. Its definition, or `undefined`.
 */
export function plainDefaultOf(node: z.ZodType): (Def & { innerType: z.ZodType }) | undefined {
  const def = defOf(node);
  if (def.type !== 'default' || !has(node, '$ZodDefault') || def.innerType === undefined) {
    return undefined;
  }
  const { optin, optout } = node._zod;
  if (checksOf(node).length > 0 || optin !== 'defaulted' || optout !== undefined) return undefined;
  return def as Def & { innerType: z.ZodType };
}

const validValueChecks = new WeakSet<object>();

/**
 * Marks an object's check that reads the value only when the object has no
 * issue (a model's `refine`, which returns at once otherwise): the compiled
 * invalid path need not make the defaults of absent fields for it.
 */
export function markValidValueCheck(check: unknown): void {
  if (typeof check === 'object' && check !== null) validValueChecks.add(check);
}

/** Does this check read the value only when there is no issue (`markValidValueCheck`)? */
export const readsValidValueOnly = (check: unknown): boolean =>
  typeof check === 'object' && check !== null && validValueChecks.has(check);

export const traitsOf = (schema: z.ZodType | Check): ReadonlySet<string> =>
  (schema._zod as unknown as { traits: ReadonlySet<string> }).traits;

export const has = (schema: z.ZodType, trait: string): boolean => traitsOf(schema).has(trait);

/** A schema's checks in Zod's order: the schema itself first when it is a check too (a string format). */
export function checksOf(schema: z.ZodType): Check[] {
  const def = defOf(schema);
  return traitsOf(schema).has('$ZodCheck')
    ? [schema as unknown as Check, ...(def.checks ?? [])]
    : [...(def.checks ?? [])];
}

/**
 * Is this a record the generators model: plain string keys (no enum of keys,
 * no coercion, not partial or loose)? Zod's retry of a numeric key as a
 * number then never succeeds, so keys are strings alone.
 */
export function isStringKeyedRecord(schema: z.ZodType, def: Def): boolean {
  if (!has(schema, '$ZodRecord') || def.keyType === undefined || def.valueType === undefined) {
    return false;
  }
  const keyDef = defOf(def.keyType);
  const keyValues = (def.keyType._zod as unknown as { values?: unknown }).values;
  return (
    keyDef.type === 'string' &&
    keyDef.coerce !== true &&
    keyValues === undefined &&
    def.partial !== true &&
    def.mode !== 'loose'
  );
}
