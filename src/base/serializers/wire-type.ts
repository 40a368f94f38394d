import { z } from 'zod';
import { DurationMs, Timestamp } from '../types/fields.js';
import type { AnyModel } from '../types/model.js';
import { SECRET_META_KEY } from '../types/secret.js';

/** A field of an object {@link WireType}. */
export interface WireField {
  /** The name in the model (camelCase). */
  readonly name: string;
  /** The name on the wire (the model's alias at the top level, the name below). */
  readonly wire: string;
  readonly type: WireType;
  /** The Zod schema of the field, for generators and tests. */
  readonly schema: z.ZodType;
}

/** An object {@link WireType}. */
export interface ObjectWire {
  readonly kind: 'object';
  readonly fields: readonly WireField[];
}

/**
 * What a value of a schema's output is, as the codecs need to know it:
 * the shape the serializers walk to restore what a format loses (XML keeps
 * only text, protobuf has no `null`). Derived once per schema from Zod.
 *
 * `json` stands for anything without a fixed shape (scalar unions,
 * `z.unknown()`): such values are written in a self-describing form.
 */
export type WireType =
  | { readonly kind: 'string' }
  | { readonly kind: 'number'; readonly int: boolean }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'bigint' }
  /** `strict`: the schema takes only `Date`s (`z.date()`), not ISO strings. */
  | { readonly kind: 'date'; readonly strict?: true }
  | { readonly kind: 'secret' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'literal'; readonly value: string | number | boolean }
  | { readonly kind: 'array'; readonly element: WireType }
  | { readonly kind: 'set'; readonly element: WireType }
  | { readonly kind: 'record'; readonly value: WireType }
  | { readonly kind: 'map'; readonly value: WireType }
  | ObjectWire
  | {
      readonly kind: 'variant';
      readonly discriminator: string;
      readonly options: readonly { readonly tag: string; readonly type: ObjectWire }[];
    }
  | { readonly kind: 'nullable'; readonly inner: WireType }
  | { readonly kind: 'optional'; readonly inner: WireType }
  | { readonly kind: 'json' };

interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly keyType?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
  readonly entries?: Record<string, string | number>;
  readonly values?: readonly unknown[];
  readonly format?: string;
  readonly checks?: readonly { readonly _zod: { readonly def: { readonly format?: string } } }[];
}

const defOf = (schema: z.ZodType): Def => schema._zod.def as unknown as Def;

const JSON_TYPE: WireType = Object.freeze({ kind: 'json' });
const INT_FORMATS = new Set(['safeint', 'int32', 'uint32']);

const cache = new WeakMap<z.ZodType, WireType>();

function isSecretSchema(schema: z.ZodType): boolean {
  const meta = z.globalRegistry.get(schema) as Record<string, unknown> | undefined;
  return meta?.[SECRET_META_KEY] === true;
}

function objectOf(shape: Record<string, z.ZodType>, aliases?: Readonly<Record<string, string>>) {
  const fields = Object.entries(shape).map(
    ([name, schema]): WireField => ({
      name,
      wire: aliases?.[name] ?? name,
      type: wireTypeOf(schema),
      schema,
    }),
  );
  return Object.freeze({ kind: 'object' as const, fields: Object.freeze(fields) });
}

function compute(schema: z.ZodType): WireType {
  if (schema === Timestamp) return { kind: 'date' };
  if (schema === DurationMs) return { kind: 'number', int: true };
  if (isSecretSchema(schema)) return { kind: 'secret' };
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      return { kind: 'string' };
    case 'number': {
      const int =
        INT_FORMATS.has(def.format ?? '') ||
        (def.checks ?? []).some((c) => INT_FORMATS.has(c._zod.def.format ?? ''));
      return { kind: 'number', int };
    }
    case 'boolean':
      return { kind: 'boolean' };
    case 'bigint':
      return { kind: 'bigint' };
    case 'date':
      return { kind: 'date', strict: true };
    case 'enum': {
      const values = Object.values(def.entries ?? {});
      return values.every((v) => typeof v === 'string')
        ? { kind: 'enum', values: values as string[] }
        : JSON_TYPE;
    }
    case 'literal': {
      const values = def.values ?? [];
      const [only] = values;
      if (values.length === 1 && ['string', 'number', 'boolean'].includes(typeof only)) {
        return { kind: 'literal', value: only as string | number | boolean };
      }
      return values.every((v) => typeof v === 'string')
        ? { kind: 'enum', values: values as string[] }
        : JSON_TYPE;
    }
    case 'nullable':
      return { kind: 'nullable', inner: wireTypeOf(def.innerType as z.ZodType) };
    case 'optional':
      return { kind: 'optional', inner: wireTypeOf(def.innerType as z.ZodType) };
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return wireTypeOf(def.innerType as z.ZodType);
    case 'pipe': {
      const out = def.out as z.ZodType;
      // A transform's output has no schema: only a known field type can say what it is.
      return defOf(out).type === 'transform' ? JSON_TYPE : wireTypeOf(out);
    }
    case 'array':
      return { kind: 'array', element: wireTypeOf(def.element as z.ZodType) };
    case 'set':
      return { kind: 'set', element: wireTypeOf(def.valueType as z.ZodType) };
    case 'record':
      return { kind: 'record', value: wireTypeOf(def.valueType as z.ZodType) };
    case 'map': {
      const key = wireTypeOf(def.keyType as z.ZodType);
      return key.kind === 'string' || key.kind === 'enum'
        ? { kind: 'map', value: wireTypeOf(def.valueType as z.ZodType) }
        : JSON_TYPE;
    }
    case 'object':
      return objectOf(def.shape ?? {});
    case 'union':
      return unionOf(def);
    default:
      return JSON_TYPE;
  }
}

function unionOf(def: Def): WireType {
  const discriminator = def.discriminator;
  if (discriminator === undefined) return JSON_TYPE;
  const options: { tag: string; type: ObjectWire }[] = [];
  for (const option of def.options ?? []) {
    const type = wireTypeOf(option);
    const tagField =
      type.kind === 'object' ? type.fields.find((f) => f.name === discriminator) : undefined;
    if (type.kind !== 'object' || tagField?.type.kind !== 'literal') return JSON_TYPE;
    if (typeof tagField.type.value !== 'string') return JSON_TYPE;
    options.push({ tag: tagField.type.value, type });
  }
  return { kind: 'variant', discriminator, options };
}

/** The {@link WireType} of a Zod schema (cached per schema). */
export function wireTypeOf(schema: z.ZodType): WireType {
  let type = cache.get(schema);
  if (type === undefined) {
    type = compute(schema);
    cache.set(schema, type);
  }
  return type;
}

const modelCache = new WeakMap<AnyModel, ObjectWire>();

/**
 * The {@link WireType} of a model: its fields in declaration order, each with
 * its wire name (the model's alias).
 */
export function modelWireType(model: AnyModel): ObjectWire {
  let type = modelCache.get(model);
  if (type === undefined) {
    const shape = defOf(model.schema).shape ?? {};
    type = objectOf(shape, model.aliases);
    modelCache.set(model, type);
  }
  return type;
}

/** Strips `nullable` and `optional`, telling which were there. */
export function unwrapWire(type: WireType): {
  readonly inner: WireType;
  readonly nullable: boolean;
  readonly optional: boolean;
} {
  let inner = type;
  let nullable = false;
  let optional = false;
  for (;;) {
    if (inner.kind === 'nullable') nullable = true;
    else if (inner.kind === 'optional') optional = true;
    else return { inner, nullable, optional };
    inner = inner.inner;
  }
}
