import { SECRET_MASK } from '../constants.js';
import { isSecret } from '../types/secret.js';
import { isoString } from '../utils/iso-time.js';
import type { ObjectWire, WireType } from './wire-type.js';

/** How {@link toWire} writes values that JSON has no type for. */
export interface ToWireOptions {
  /** Write secrets' values (true) or the mask `**********` (false). */
  readonly revealSecrets: boolean;
  /** Keep `Date`s (MessagePack has timestamps) or write ISO 8601 strings. */
  readonly dates: 'date' | 'iso';
}

/**
 * The JSON form of any value: the custom encoders of every format.
 * `Date` → ISO 8601, `bigint` → decimal string, `Map` → object,
 * `Set` → array, `Uint8Array` → base64, `Secret` → value or mask,
 * `undefined` object members left out.
 */
export function toJsonValue(value: unknown, options: ToWireOptions): unknown {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'bigint' ? value.toString() : value;
  }
  if (value instanceof Date) return options.dates === 'date' ? value : isoString(value);
  if (isSecret(value))
    return options.revealSecrets ? toJsonValue(value.reveal(), options) : SECRET_MASK;
  if (Array.isArray(value)) return value.map((v) => toJsonValue(v, options));
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = toJsonValue(v, options);
    return out;
  }
  if (value instanceof Set) return [...value].map((v) => toJsonValue(v, options));
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = toJsonValue(v, options);
  }
  return out;
}

/** Values of this type are written exactly as they are. */
function writtenAsIs(type: WireType): boolean {
  return (
    type.kind === 'string' ||
    type.kind === 'number' ||
    type.kind === 'boolean' ||
    type.kind === 'enum' ||
    type.kind === 'literal'
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function objectToWire(
  value: Record<string, unknown>,
  type: ObjectWire,
  options: ToWireOptions,
  useWireNames: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fields) {
    const v = value[field.name];
    if (v !== undefined)
      out[useWireNames ? field.wire : field.name] = toWire(v, field.type, options);
  }
  return out;
}

/**
 * A model value in the plain form the codecs write: fields by wire name at
 * the top level (`useWireNames`), secrets revealed or masked, dates kept or
 * ISO strings, bigints as strings, `Map`s as objects and `Set`s as arrays.
 * Values that do not fit their type are written as they are (the model
 * validated them; a caller that bypassed it gets the JSON form).
 */
export function toWire(
  value: unknown,
  type: WireType,
  options: ToWireOptions,
  useWireNames = false,
): unknown {
  switch (type.kind) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'enum':
    case 'literal':
      return value;
    case 'date':
      return value instanceof Date && options.dates === 'iso' ? isoString(value) : value;
    case 'nullable':
    case 'optional':
      return value === null || value === undefined ? value : toWire(value, type.inner, options);
    case 'array':
      if (!Array.isArray(value)) return toJsonValue(value, options);
      // Items written as they are need no copy (codecs only read what they are given).
      return writtenAsIs(type.element) ? value : value.map((v) => toWire(v, type.element, options));
    case 'set':
      return value instanceof Set
        ? [...value].map((v) => toWire(v, type.element, options))
        : toJsonValue(value, options);
    case 'record':
    case 'map': {
      if (type.kind === 'record' && writtenAsIs(type.value) && isPlainObject(value)) return value;
      const entries =
        value instanceof Map
          ? [...value]
          : typeof value === 'object' && value !== null
            ? Object.entries(value)
            : undefined;
      if (entries === undefined) return toJsonValue(value, options);
      const out: Record<string, unknown> = {};
      for (const [k, v] of entries) out[String(k)] = toWire(v, type.value, options);
      return out;
    }
    case 'object':
      return typeof value === 'object' && value !== null
        ? objectToWire(value as Record<string, unknown>, type, options, useWireNames)
        : toJsonValue(value, options);
    case 'variant': {
      const tag = (value as Record<string, unknown> | null)?.[type.discriminator];
      const option = type.options.find((o) => o.tag === tag);
      return option === undefined
        ? toJsonValue(value, options)
        : objectToWire(value as Record<string, unknown>, option.type, options, false);
    }
    default:
      // secret, bigint, json
      return toJsonValue(value, options);
  }
}

/** Does restoring a JSON-like decode (JSON, YAML, MessagePack) need a pass for this type? */
export function needsRestore(type: WireType): boolean {
  switch (type.kind) {
    case 'date':
      return type.strict === true;
    case 'bigint':
    case 'set':
    case 'map':
      return true;
    case 'nullable':
    case 'optional':
      return needsRestore(type.inner);
    case 'array':
      return needsRestore(type.element);
    case 'record':
      return needsRestore(type.value);
    case 'object':
      return type.fields.some((f) => needsRestore(f.type));
    case 'variant':
      return type.options.some((o) => needsRestore(o.type));
    default:
      return false;
  }
}

/**
 * Undoes the JSON custom encoders where the type says what the value was:
 * decimal strings → `bigint`, objects → `Map`, arrays → `Set`. Anything that
 * does not fit is left for the model's validation to refuse.
 */
export function restoreJsonLike(value: unknown, type: WireType): unknown {
  switch (type.kind) {
    case 'date':
      return typeof value === 'string' && type.strict === true ? new Date(value) : value;
    case 'bigint':
      return typeof value === 'string' && /^-?\d{1,4096}$/.test(value) ? BigInt(value) : value;
    case 'nullable':
    case 'optional':
      return value === null || value === undefined ? value : restoreJsonLike(value, type.inner);
    case 'array':
    case 'set': {
      if (!Array.isArray(value)) return value;
      const items = value.map((v) => restoreJsonLike(v, type.element));
      return type.kind === 'set' ? new Set(items) : items;
    }
    case 'record':
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
      const entries = Object.entries(value).map(
        ([k, v]) => [k, restoreJsonLike(v, type.value)] as const,
      );
      return type.kind === 'map' ? new Map(entries) : Object.fromEntries(entries);
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
      const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      for (const field of type.fields) {
        for (const key of new Set([field.name, field.wire])) {
          if (Object.hasOwn(out, key)) out[key] = restoreJsonLike(out[key], field.type);
        }
      }
      return out;
    }
    case 'variant': {
      const tag = (value as Record<string, unknown> | null)?.[type.discriminator];
      const option = type.options.find((o) => o.tag === tag);
      return option === undefined ? value : restoreJsonLike(value, option.type);
    }
    default:
      return value;
  }
}
