import { z } from 'zod';
import { SECRET_MASK } from '../constants.js';
import {
  ModelDefinitionError,
  toJsonPointer,
  ValidationError,
  type ValidationIssue,
} from '../exceptions/index.js';
import type { Mixin, Shape } from '../mixins/mixin.js';
import { toSnakeCase } from '../utils/case.js';
import { isoString } from '../utils/iso-time.js';
import { type CompiledModel, compileModel } from './compiler/compile-model.js';
import { markValidValueCheck } from './compiler/schema-internals.js';
import { getModelCompilation } from './compiler/settings.js';
import { type ParseContext, resolveMessages } from './compiler/zod-runtime.js';
import { registerDataParser } from './model-data.js';
import { isSecret, SECRET_META_KEY } from './secret.js';
import type { StandardSchemaV1 } from './standard-schema.js';
import { hasDiscriminatedUnion, issueFromZod, type ZodIssueLike } from './zod-issues.js';

/** What a model does with keys it does not declare (Pydantic's `extra`). */
export type ExtraPolicy = 'forbid' | 'ignore' | 'allow';

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (
  x: infer I,
) => void
  ? I
  : never;

type Flatten<T> = { [K in keyof T]: T[K] } & {};

/** The fields a list of mixins contributes. */
export type MixinShape<Ms extends readonly Mixin[]> = Ms extends readonly []
  ? // biome-ignore lint/complexity/noBannedTypes: the empty shape is the identity of the intersection
    {}
  : UnionToIntersection<Ms[number]['shape']>;

/** A model's full shape: its own fields and its mixins' fields. */
export type ModelShape<F extends Shape, Ms extends readonly Mixin[]> = Flatten<F & MixinShape<Ms>>;

/** A model's validated data, before computed fields are added. */
export type ModelData<F extends Shape, Ms extends readonly Mixin[]> = z.output<
  z.ZodObject<ModelShape<F, Ms>>
>;

/** What a model accepts (its input, in field names). */
export type ModelInput<F extends Shape, Ms extends readonly Mixin[]> = z.input<
  z.ZodObject<ModelShape<F, Ms>>
>;

/** Computed fields: name → function of the validated data. */
export type ComputedDefs<D, C extends Record<string, unknown> = Record<string, unknown>> = {
  readonly [K in keyof C]: (data: D) => C[K];
};

/** The values of computed fields. */
export type ComputedValues<C> = { readonly [K in keyof C]: C[K] };

/** A validated, frozen instance of a model, with its computed fields. */
export type Instance<F extends Shape, Ms extends readonly Mixin[], C> = Readonly<ModelData<F, Ms>> &
  ComputedValues<C>;

/** Context given to a model's cross-field `refine` function. */
export interface RefineContext {
  /**
   * Reports an issue at `path` (relative to the model) with a stable `code`;
   * `line` and `column` (1-based) point inside the value (a template, an expression).
   */
  addIssue(issue: {
    path: readonly (string | number)[];
    code: string;
    message: string;
    line?: number;
    column?: number;
  }): void;
}

/** Options of {@link defineModel}. */
export interface ModelOptions<
  F extends Shape,
  Ms extends readonly Mixin[],
  C extends Record<string, unknown>,
> {
  /** The model's own fields. */
  readonly fields: F;
  /** Mixins whose fields the model also has; order does not matter. */
  readonly mixins?: Ms;
  /** Derived fields, present on instances and in dumps, never accepted as input. */
  readonly computed?: ComputedDefs<ModelData<F, Ms>, C>;
  /** Unknown keys: `forbid` (default, an error naming the key), `ignore` (dropped), `allow` (kept). */
  readonly extra?: ExtraPolicy;
  /** Wire names that differ from the automatic snake_case alias: field → alias. */
  readonly aliases?: Partial<Record<keyof ModelShape<F, Ms> & string, string>>;
  /** Whether input may use wire names (aliases) as well as field names. Default true. */
  readonly populateByAlias?: boolean;
  /** Cross-field checks, run after every field is valid. */
  readonly refine?: (data: ModelData<F, Ms>, ctx: RefineContext) => void;
  /** Example inputs (the seed's `schema_extra`); each must validate (tested). */
  readonly examples?: readonly ModelInput<F, Ms>[];
  readonly description?: string;
  /** Fields that validated updates may not change, besides the mixins' immutable fields. */
  readonly immutable?: readonly (keyof ModelShape<F, Ms> & string)[];
  /** Add the model to the registry (default true). */
  readonly register?: boolean;
}

/** Options of {@link Model.dump}. */
export interface DumpOptions {
  /** Only these fields (field names or aliases). */
  readonly include?: readonly string[];
  /** Leave these fields out (field names or aliases). */
  readonly exclude?: readonly string[];
  /** Use wire names (snake_case aliases) as keys. */
  readonly byAlias?: boolean;
  /** Leave out fields whose value is `null` or `undefined`. */
  readonly excludeNone?: boolean;
  /** `js` keeps Dates and Secrets; `json` gives JSON-ready values (ISO dates, masked secrets). */
  readonly mode?: 'js' | 'json';
  /** With `mode: 'json'`, write secrets' real values (for storage and outgoing calls only). */
  readonly revealSecrets?: boolean;
  /** Include computed fields (default true). */
  readonly computed?: boolean;
}

/** Result of {@link Model.safeParse}. */
export type SafeParseResult<T> =
  | { readonly success: true; readonly data: T }
  | { readonly success: false; readonly error: ValidationError };

/**
 * Is this a `.default(() => ...)` whose value changes from one parse to the
 * next (a new id, the current time)? Zod reads a default through a getter,
 * so two reads tell.
 */
function isGeneratedDefault(schema: unknown): boolean {
  const def = (schema as { _zod?: { def?: { type?: string; defaultValue?: unknown } } })._zod?.def;
  if (def?.type !== 'default') return false;
  const first = def.defaultValue;
  if (first instanceof Date) return true;
  return JSON.stringify(first) !== JSON.stringify(def.defaultValue);
}

/** Options of {@link Model.toJSONSchema}. */
export interface JsonSchemaOptions {
  /** Describe what the model accepts (`input`, default) or what it produces (`output`). */
  readonly io?: 'input' | 'output';
  /** Property names as wire names (aliases). Default false. */
  readonly byAlias?: boolean;
}

/** A JSON Schema document (draft 2020-12). */
export type JsonSchema = Record<string, unknown>;

/**
 * A model: one declaration gives the static type, validation, validated
 * updates, dumps, JSON Schema and Standard Schema support.
 */
export interface Model<
  F extends Shape = Shape,
  Ms extends readonly Mixin[] = readonly Mixin[],
  C extends Record<string, unknown> = Record<string, unknown>,
> extends StandardSchemaV1<ModelInput<F, Ms>, Instance<F, Ms, C>> {
  readonly name: string;
  readonly description: string;
  /** The Zod schema of the data (without computed fields). */
  readonly schema: z.ZodType<ModelData<F, Ms>, ModelInput<F, Ms>>;
  /** Every field's schema: own fields and mixins' fields. */
  readonly shape: Readonly<ModelShape<F, Ms>>;
  /** Field names in declaration order: own fields, then mixins' by mixin name. */
  readonly fields: readonly string[];
  /** Field name → wire name. */
  readonly aliases: Readonly<Record<string, string>>;
  readonly computedFields: readonly string[];
  readonly mixins: readonly string[];
  readonly immutableFields: readonly string[];
  readonly extra: ExtraPolicy;
  readonly examples: readonly ModelInput<F, Ms>[];
  /** Validates input and returns a frozen instance, or throws {@link ValidationError} with every issue. */
  parse(input: unknown): Instance<F, Ms, C>;
  /** Validates input; returns the instance or the error, never throws for bad input. */
  safeParse(input: unknown): SafeParseResult<Instance<F, Ms, C>>;
  /** Was this value made by this model's `parse` or `update`? */
  is(value: unknown): value is Instance<F, Ms, C>;
  /**
   * Returns a new instance with `patch` applied and validated as a whole
   * (Pydantic's `validate_assignment`); bumps `updatedAt` when the model has it.
   * Throws {@link ValidationError}; the instance given is never changed.
   */
  update(instance: Instance<F, Ms, C>, patch: Partial<ModelInput<F, Ms>>): Instance<F, Ms, C>;
  /** A plain object of the instance's fields (and computed fields). */
  dump(instance: Instance<F, Ms, C>, options?: DumpOptions): Record<string, unknown>;
  /** The model's JSON Schema, with its description and examples. */
  toJSONSchema(options?: JsonSchemaOptions): JsonSchema;
  /** Does the model include this mixin? */
  hasMixin(name: string): boolean;
  /**
   * The JavaScript of the model's compiled parser (compiling it now if it is
   * not yet), or `undefined` when the model uses the regular parser
   * (compilation `off`, or code generation refused).
   */
  compiledSource(): string | undefined;
}

/**
 * Any model, whatever its fields: what registries and generic tools (CLI,
 * serializers, storage) hold. Every {@link Model} is assignable to it.
 */
export interface AnyModel {
  readonly name: string;
  readonly description: string;
  readonly schema: z.ZodType;
  readonly shape: Readonly<Record<string, z.ZodType>>;
  readonly fields: readonly string[];
  readonly aliases: Readonly<Record<string, string>>;
  readonly computedFields: readonly string[];
  readonly mixins: readonly string[];
  readonly immutableFields: readonly string[];
  readonly extra: ExtraPolicy;
  readonly examples: readonly unknown[];
  parse(input: unknown): object;
  safeParse(input: unknown): SafeParseResult<object>;
  is(value: unknown): boolean;
  update(instance: object, patch: object): object;
  dump(instance: object, options?: DumpOptions): Record<string, unknown>;
  toJSONSchema(options?: JsonSchemaOptions): JsonSchema;
  hasMixin(name: string): boolean;
  compiledSource(): string | undefined;
}

/** The instance type of a model: `InstanceOf<typeof AlertRule>`. */
export type InstanceOf<M> =
  M extends Model<infer F, infer Ms, infer C> ? Instance<F, Ms, C> : never;

/** The input type of a model: `InputOf<typeof AlertRule>`. */
export type InputOf<M> = M extends Model<infer F, infer Ms> ? ModelInput<F, Ms> : never;

const registry = new Map<string, AnyModel>();

/** Every registered model, by name. */
export function listModels(): readonly AnyModel[] {
  return [...registry.values()];
}

/** The registered model of that name, or `undefined`. */
export function findModel(name: string): AnyModel | undefined {
  return registry.get(name);
}

/**
 * Freezes what a schema produced: plain objects and arrays, recursively.
 * Zod builds fresh objects, so there are no cycles; Dates and class instances
 * (Secrets freeze themselves) are left as they are.
 */
function freezeTree(value: unknown, depth: number): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value) || depth > 256) return;
  if (Array.isArray(value)) {
    for (const item of value) freezeTree(item, depth + 1);
  } else {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return;
    const record = value as Record<string, unknown>;
    for (const key in record) freezeTree(record[key], depth + 1);
  }
  Object.freeze(value);
}

/**
 * A constructor that gives back the object it is given: a class that extends
 * it installs its private fields on that object (the mark of a model's
 * instances, `Made`).
 */
class Identity {
  constructor(target: object) {
    // biome-ignore lint/correctness/noConstructorReturn: the return override is the point
    return target;
  }
}

/** The context of every synchronous parse (Zod reads it, never writes it): one object, not one per parse. */
const SYNC_PARSE: ParseContext = { async: false };

/** Builds an error without capturing a stack trace (for results that are returned, not thrown). */
function withoutStack<E extends Error>(make: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function sameSchema(a: z.ZodType, b: z.ZodType): boolean {
  if (a === b) return true;
  const render = (s: z.ZodType) =>
    JSON.stringify(z.toJSONSchema(s, { unrepresentable: 'any', io: 'input' }));
  return render(a) === render(b);
}

function toJsonValue(value: unknown, revealSecrets: boolean): unknown {
  if (value instanceof Date) return isoString(value);
  if (isSecret(value))
    return revealSecrets ? toJsonValue(value.reveal(), revealSecrets) : SECRET_MASK;
  if (Array.isArray(value)) return value.map((v) => toJsonValue(v, revealSecrets));
  if (value instanceof Map)
    return Object.fromEntries(
      [...value].map(([k, v]) => [String(k), toJsonValue(v, revealSecrets)]),
    );
  if (value instanceof Set) return [...value].map((v) => toJsonValue(v, revealSecrets));
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonValue(v, revealSecrets);
    return out;
  }
  return value;
}

/**
 * Declares a model: fields, mixins, computed fields, examples.
 *
 * @example
 * ```ts
 * const AlertRule = defineModel('AlertRule', {
 *   mixins: [TimestampMixin, TenantMixin],
 *   fields: { name: z.string().min(1).max(255), level: AlertLevel.schema, condition: Condition },
 *   examples: [{ tenantId: 'acme', name: 'High CPU Usage', level: 'high', condition: 'cpu_usage > 80' }],
 * });
 * const rule = AlertRule.parse(body);            // frozen, typed; throws ValidationError
 * const next = AlertRule.update(rule, { level: 'critical' }); // validated, updatedAt bumped
 * AlertRule.dump(next, { byAlias: true, mode: 'json' });     // { tenant_id: 'acme', ... }
 * ```
 */
export function defineModel<
  const F extends Shape,
  const Ms extends readonly Mixin[] = readonly [],
  C extends Record<string, unknown> = Record<never, never>,
>(name: string, options: ModelOptions<F, Ms, C>): Model<F, Ms, C> {
  type Data = ModelData<F, Ms>;
  type Inst = Instance<F, Ms, C>;
  type Input = ModelInput<F, Ms>;

  if (options.register !== false && registry.has(name)) {
    throw new ModelDefinitionError(name, 'a model of that name is already registered');
  }

  // Merge the shape: own fields first, then mixins sorted by name, so the
  // result does not depend on the order the mixins were listed in.
  const mixins = [...new Map((options.mixins ?? []).map((m) => [m.name, m])).values()].sort(
    (a, b) => a.name.localeCompare(b.name),
  );
  const shape: Record<string, z.ZodType> = { ...options.fields };
  const owner = new Map<string, string>(Object.keys(options.fields).map((k) => [k, name]));
  for (const mixin of mixins) {
    for (const [field, schema] of Object.entries(mixin.shape)) {
      const existing = shape[field];
      if (existing !== undefined && !sameSchema(existing, schema)) {
        const holders = [owner.get(field) ?? name, mixin.name].sort();
        throw new ModelDefinitionError(
          name,
          `field "${field}" is declared with different types by ${holders.join(' and ')}`,
          { field, declaredBy: holders },
        );
      }
      if (existing === undefined) {
        shape[field] = schema;
        owner.set(field, mixin.name);
      }
    }
  }
  const fields = Object.keys(shape);

  const computed: Readonly<Record<string, (data: Data) => unknown>> = options.computed ?? {};
  const computedFields = Object.keys(computed);
  for (const c of computedFields) {
    if (Object.hasOwn(shape, c)) {
      throw new ModelDefinitionError(name, `computed field "${c}" has the name of a field`, {
        field: c,
      });
    }
  }

  const aliases: Record<string, string> = {};
  const aliasToField = new Map<string, string>();
  const customAliases = (options.aliases ?? {}) as Record<string, string | undefined>;
  for (const field of [...fields, ...computedFields]) {
    const alias = customAliases[field] ?? toSnakeCase(field);
    const clash =
      aliasToField.get(alias) ??
      (alias !== field && Object.hasOwn(shape, alias) ? alias : undefined);
    if (clash !== undefined) {
      throw new ModelDefinitionError(
        name,
        `alias "${alias}" of "${field}" collides with "${clash}"`,
        {
          field,
          alias,
        },
      );
    }
    aliases[field] = alias;
    aliasToField.set(alias, field);
  }
  for (const field of Object.keys(customAliases)) {
    if (!Object.hasOwn(shape, field)) {
      throw new ModelDefinitionError(name, `alias given for unknown field "${field}"`, { field });
    }
  }

  const immutableFields = [
    ...new Set([...mixins.flatMap((m) => m.immutable), ...(options.immutable ?? [])]),
  ];
  const extra = options.extra ?? 'forbid';
  const populateByAlias = options.populateByAlias !== false;
  const hasAliasedInput = populateByAlias && fields.some((f) => aliases[f] !== f);
  const computedSet = new Set(computedFields);

  const objectSchema =
    extra === 'forbid'
      ? z.strictObject(shape)
      : extra === 'allow'
        ? z.looseObject(shape)
        : z.object(shape);
  const refine = options.refine;
  const refined: z.ZodType = refine
    ? objectSchema.superRefine((data, ctx) => {
        // Cross-field checks see valid fields only. Zod does not stop before
        // them when a field's issue lets parsing continue (custom issues do),
        // so a refine would otherwise read a string where a Date belongs.
        if (((ctx as { readonly issues?: readonly unknown[] }).issues?.length ?? 0) > 0) return;
        refine(data as Data, {
          addIssue: (issue) =>
            ctx.addIssue({
              code: 'custom',
              path: [...issue.path],
              message: issue.message,
              params: {
                code: issue.code,
                ...(issue.line === undefined ? {} : { line: issue.line }),
                ...(issue.column === undefined ? {} : { column: issue.column }),
              },
            }),
        });
      })
    : objectSchema;
  // The refine above reads the value only when no field failed.
  if (refine) markValidValueCheck((refined._zod.def as { checks?: unknown[] }).checks?.at(-1));
  const described = options.description ? refined.describe(options.description) : refined;
  // Zod's ahead-of-time compiled fast path: valid input takes generated code,
  // invalid input falls back to the runtime parser, so issues are identical.
  const schema = z.compile(described) as unknown as z.ZodType<Data, Input>;

  /**
   * The mark of this model's instances: a private field, installed on the
   * instance itself by the return override of {@link Identity} before the
   * instance is frozen. Invisible to reflection, spread, JSON and
   * structuredClone, like a WeakSet entry, and several times cheaper to set
   * (a WeakSet add was 13% of a valid AlertRule parse).
   */
  class Made extends Identity {
    #made = true;
    static has(value: object): boolean {
      return #made in value;
    }
  }
  const withBranches = hasDiscriminatedUnion(objectSchema);

  /**
   * What normalizing does to an input key, decided once per key the model
   * knows: rename it to this field, or drop it (`null`: a computed field, by
   * name or alias). A key not in the map stays as it is.
   */
  const keyActions = new Map<string, string | null>();
  for (const key of new Set([...aliasToField.keys(), ...computedFields])) {
    const field = hasAliasedInput ? aliasToField.get(key) : undefined;
    if (field !== undefined && field !== key && !computedSet.has(field)) keyActions.set(key, field);
    else if (computedSet.has(key) || (field !== undefined && computedSet.has(field))) {
      keyActions.set(key, null);
    }
  }

  /** Renames wire names to field names and drops computed keys; notes renames for issue paths. */
  const normalize = (
    input: Record<string, unknown>,
  ): {
    value: Record<string, unknown>;
    rename?: Map<string, string>;
    dupes?: ValidationIssue[];
  } => {
    if (keyActions.size === 0) return { value: input };
    let value: Record<string, unknown> | undefined;
    let rename: Map<string, string> | undefined;
    let dupes: ValidationIssue[] | undefined;
    for (const key of Object.keys(input)) {
      const field = keyActions.get(key);
      if (field === undefined) continue;
      value ??= { ...input };
      if (field === null) {
        delete value[key];
        continue;
      }
      if (Object.hasOwn(input, field)) {
        dupes ??= [];
        dupes.push({
          path: [key],
          pointer: toJsonPointer([key]),
          code: 'duplicate_key',
          message: `"${key}" and "${field}" name the same field`,
        });
      }
      value[field] = input[key];
      delete value[key];
      rename ??= new Map();
      rename.set(field, key);
    }
    return {
      value: value ?? input,
      ...(rename === undefined ? {} : { rename }),
      ...(dupes === undefined ? {} : { dupes }),
    };
  };

  // Computed fields are getters on a shared prototype: defining them per
  // instance costs more than the whole compiled parse. JSON.stringify still
  // writes them, through the prototype's toJSON.
  const computedProto: object | undefined =
    computedFields.length === 0
      ? undefined
      : Object.create(Object.prototype, {
          ...Object.fromEntries(
            computedFields.map((c) => {
              const fn = computed[c] as (d: Data) => unknown;
              return [
                c,
                {
                  get(this: Data) {
                    return fn(this);
                  },
                  enumerable: false,
                  configurable: false,
                },
              ];
            }),
          ),
          toJSON: {
            value(this: Record<string, unknown>) {
              const out: Record<string, unknown> = { ...this };
              for (const c of computedFields) out[c] = this[c];
              return out;
            },
            enumerable: false,
          },
        });

  const finish = (data: Data): Inst => {
    const target = data as Record<string, unknown>;
    for (const key in target) {
      const value = target[key];
      if (typeof value === 'object' && value !== null) freezeTree(value, 0);
    }
    // The compiled parser builds the object with its prototype already.
    if (computedProto !== undefined && Object.getPrototypeOf(target) !== computedProto) {
      Object.setPrototypeOf(target, computedProto);
    }
    // Marked before it is frozen: a private field may not be added to a frozen object in time.
    new Made(target);
    Object.freeze(target);
    return target as Inst;
  };

  // The compiled parser: built on first use (or now, in `eager` mode); `null` once refused.
  let compiledModel: CompiledModel | null | undefined;
  const compiled = (): CompiledModel | undefined => {
    if (compiledModel === undefined) {
      if (getModelCompilation() === 'off') return undefined;
      compiledModel =
        compileModel(described, computedProto === undefined ? {} : { proto: computedProto }) ??
        null;
    }
    return compiledModel === null || getModelCompilation() === 'off' ? undefined : compiledModel;
  };
  if (getModelCompilation() === 'eager') compiled();

  const run = (input: unknown): SafeParseResult<Inst> => {
    if (
      !isPlainObject(input) &&
      !(typeof input === 'object' && input !== null && Made.has(input))
    ) {
      const kind = input === null ? 'null' : Array.isArray(input) ? 'array' : typeof input;
      return {
        success: false,
        error: new ValidationError(name, [
          {
            path: [],
            pointer: '',
            code: 'invalid_type',
            message: `expected an object, received ${kind}`,
          },
        ]),
      };
    }
    const { value, rename, dupes } = normalize(input as Record<string, unknown>);
    const compiledParser = compiled();
    if (compiledParser !== undefined) {
      const ctx = SYNC_PARSE;
      const payload = compiledParser.parse(value, ctx);
      if (payload.issues.length === 0 && dupes === undefined) {
        return { success: true, data: finish(payload.value as Data) };
      }
      return failure(dupes, resolveMessages(payload.issues, ctx), value, rename);
    }
    const result = schema.safeParse(value);
    if (result.success && dupes === undefined) return { success: true, data: finish(result.data) };
    return failure(dupes, result.success ? [] : result.error.issues, value, rename);
  };

  /** A failed parse: the duplicate names, then Zod's issues as the model reports them. */
  const failure = (
    dupes: readonly ValidationIssue[] | undefined,
    zodIssues: readonly unknown[],
    value: Record<string, unknown>,
    rename: ReadonlyMap<string, string> | undefined,
  ): SafeParseResult<Inst> => {
    const issues: ValidationIssue[] = dupes === undefined ? [] : [...dupes];
    for (const raw of zodIssues) {
      issues.push(...issueFromZod(raw as ZodIssueLike, objectSchema, value, rename, withBranches));
    }
    return { success: false, error: withoutStack(() => new ValidationError(name, issues)) };
  };

  const raw = (instance: Inst): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(instance)) out[k] = (instance as Record<string, unknown>)[k];
    return out;
  };

  const resolveNames = (names: readonly string[] | undefined): Set<string> | undefined =>
    names === undefined ? undefined : new Set(names.map((n) => aliasToField.get(n) ?? n));

  const model: Model<F, Ms, C> = {
    name,
    description: options.description ?? '',
    schema,
    shape: Object.freeze(shape) as Readonly<ModelShape<F, Ms>>,
    fields: Object.freeze(fields),
    aliases: Object.freeze(aliases),
    computedFields: Object.freeze(computedFields),
    mixins: Object.freeze(mixins.map((m) => m.name)),
    immutableFields: Object.freeze(immutableFields),
    extra,
    examples: Object.freeze([...(options.examples ?? [])]),
    parse(input) {
      const result = run(input);
      if (result.success) return result.data;
      // safeParse skips the stack trace (its cost is a third of a failed parse); a throw gets one.
      Error.captureStackTrace(result.error, model.parse);
      throw result.error;
    },
    safeParse: run,
    is(value): value is Inst {
      return typeof value === 'object' && value !== null && Made.has(value);
    },
    update(instance, patch) {
      if (!isPlainObject(patch)) {
        throw new ValidationError(name, [
          { path: [], pointer: '', code: 'invalid_type', message: 'a patch must be an object' },
        ]);
      }
      const { value: normalized, dupes } = normalize(patch as Record<string, unknown>);
      const current = raw(instance);
      const issues: ValidationIssue[] = [...(dupes ?? [])];
      for (const field of immutableFields) {
        if (Object.hasOwn(normalized, field) && !Object.is(normalized[field], current[field])) {
          const before = current[field];
          const after = normalized[field];
          const same =
            before instanceof Date && (after instanceof Date || typeof after === 'string')
              ? before.getTime() === new Date(after).getTime()
              : false;
          if (!same) {
            issues.push({
              path: [field],
              pointer: toJsonPointer([field]),
              code: 'immutable_field',
              message: `"${field}" cannot be changed after creation`,
            });
          }
        }
      }
      if (issues.length > 0) throw new ValidationError(name, issues);
      const next: Record<string, unknown> = { ...current, ...normalized };
      if (Object.hasOwn(shape, 'updatedAt') && !Object.hasOwn(normalized, 'updatedAt')) {
        const previous = current.updatedAt;
        const now = Date.now();
        const floor = previous instanceof Date ? previous.getTime() + 1 : now;
        next.updatedAt = new Date(Math.max(now, floor));
      }
      return model.parse(next);
    },
    dump(instance, dumpOptions = {}) {
      const include = resolveNames(dumpOptions.include);
      const exclude = resolveNames(dumpOptions.exclude);
      const withComputed = dumpOptions.computed !== false;
      const json = dumpOptions.mode === 'json';
      const reveal = dumpOptions.revealSecrets === true;
      const out: Record<string, unknown> = {};
      const keys = withComputed
        ? [...Object.keys(instance), ...computedFields]
        : Object.keys(instance);
      for (const key of keys) {
        if (include !== undefined && !include.has(key)) continue;
        if (exclude?.has(key)) continue;
        const value = (instance as Record<string, unknown>)[key];
        if (dumpOptions.excludeNone && (value === null || value === undefined)) continue;
        const outKey = dumpOptions.byAlias ? (aliases[key] ?? key) : key;
        out[outKey] = json ? toJsonValue(value, reveal) : value;
      }
      return out;
    },
    toJSONSchema(jsonOptions = {}) {
      const io = jsonOptions.io ?? 'input';
      const examples = model.examples;
      const base = z.toJSONSchema(described, {
        io,
        unrepresentable: 'any',
        override: (ctx) => {
          const meta = z.globalRegistry.get(ctx.zodSchema) as Record<string, unknown> | undefined;
          if (meta?.[SECRET_META_KEY] === true) {
            const json = ctx.jsonSchema as Record<string, unknown>;
            delete json[SECRET_META_KEY];
            // The sealed form (an encrypted value read from storage) is no input
            // anyone writes: the field is documented as its plain type.
            const [, plain] = Array.isArray(json.anyOf) ? json.anyOf : [];
            if (typeof plain === 'object' && plain !== null) {
              delete json.anyOf;
              Object.assign(json, plain);
            }
          }
          // A default made at parse time (a new id, now) is no value to document,
          // and would make every export differ.
          if (isGeneratedDefault(ctx.zodSchema)) {
            delete (ctx.jsonSchema as Record<string, unknown>).default;
          }
        },
      }) as JsonSchema;
      const out: JsonSchema = { ...base, title: name };
      if (options.description) out.description = options.description;
      if (examples.length > 0) out.examples = examples;
      if (io === 'output' && computedFields.length > 0) {
        const props = { ...((out.properties as Record<string, unknown> | undefined) ?? {}) };
        for (const c of computedFields) props[c] = { readOnly: true };
        out.properties = props;
      }
      if (jsonOptions.byAlias) {
        const props = (out.properties as Record<string, unknown> | undefined) ?? {};
        out.properties = Object.fromEntries(
          Object.entries(props).map(([k, v]) => [aliases[k] ?? k, v]),
        );
        if (Array.isArray(out.required))
          out.required = out.required.map((k: string) => aliases[k] ?? k);
        if (examples.length > 0) {
          out.examples = examples.map((e) =>
            Object.fromEntries(
              Object.entries(e as Record<string, unknown>).map(([k, v]) => [aliases[k] ?? k, v]),
            ),
          );
        }
      }
      return out;
    },
    hasMixin(mixinName) {
      return mixins.some((m) => m.name === mixinName);
    },
    compiledSource() {
      return compiled()?.source;
    },
    '~standard': {
      version: 1,
      vendor: 'alertbase',
      validate(value) {
        const result = run(value);
        if (result.success) return { value: result.data };
        return { issues: result.error.issues.map((i) => ({ message: i.message, path: i.path })) };
      },
    },
  };
  Object.freeze(model);
  registerDataParser(model, (input) => {
    const compiledParser = compiled();
    if (compiledParser === undefined) {
      const result = schema.safeParse(input);
      return result.success ? (result.data as Record<string, unknown>) : undefined;
    }
    const payload = compiledParser.parse(input, { async: false });
    return payload.issues.length === 0 ? (payload.value as Record<string, unknown>) : undefined;
  });
  if (options.register !== false) registry.set(name, model);
  return model;
}
