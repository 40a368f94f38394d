import type protobuf from 'protobufjs';
import type { AnyModel } from '../types/model.js';
import { type Codec, type CodecContext, messageOf } from './codec.js';
import { protobufLibrary } from './libraries.js';
import { checkSize, checkTree, type DecodeLimits, malformed, setKey, tooLarge } from './limits.js';
import {
  generateProto,
  PROTO_LOCK,
  PROTO_PACKAGE,
  type ProtoLock,
  type ProtoMessage,
  type ProtoRepr,
  planModel,
} from './proto-schema.js';
import { scanProtobuf } from './scan-protobuf.js';
import { toJsonValue } from './wire-value.js';

type PbType = protobuf.Type;
type Obj = Record<string, unknown>;

function newRoot(): protobuf.Root {
  const root = new (protobufLibrary().Root)();
  for (const file of ['google/protobuf/timestamp.proto', 'google/protobuf/struct.proto']) {
    const json = protobufLibrary().common.get(file);
    if (json !== null) root.addJSON(json.nested ?? {});
  }
  return root;
}

let valueType: PbType | undefined;
/** `google.protobuf.Value`: the message of data without a model. */
function getValueType(): PbType {
  // Resolved, so the scan before decoding sees the embedded message types.
  valueType ??= newRoot().resolveAll().lookupType('google.protobuf.Value');
  return valueType;
}

interface Compiled {
  readonly type: PbType;
  readonly plan: ProtoMessage;
}

const compiled = new WeakMap<AnyModel, Compiled>();

/**
 * The protobufjs message type of a model, built at run time from the
 * generated `.proto` text (`protobuf.parse`), numbered by the committed lock.
 */
export function protoTypeOf(model: AnyModel, lock: ProtoLock = PROTO_LOCK): protobuf.Type {
  return compile(model, lock).type;
}

function compile(model: AnyModel, lock: ProtoLock = PROTO_LOCK): Compiled {
  const cached = lock === PROTO_LOCK ? compiled.get(model) : undefined;
  if (cached !== undefined) return cached;
  const { proto } = generateProto([model], { lock });
  const root = newRoot();
  protobufLibrary().parse(proto, root, { keepCase: true });
  root.resolveAll();
  const result = {
    type: root.lookupType(`${PROTO_PACKAGE}.${model.name}`),
    plan: planModel(model, lock).message,
  };
  if (lock === PROTO_LOCK) compiled.set(model, result);
  return result;
}

// ------------------------------------------------------------- JSON ⇄ Value

function toValue(json: unknown): Obj {
  if (json === null || json === undefined) return { nullValue: 0 };
  switch (typeof json) {
    case 'string':
      return { stringValue: json };
    case 'number':
      return { numberValue: json };
    case 'boolean':
      return { boolValue: json };
    default:
      if (Array.isArray(json)) return { listValue: { values: json.map(toValue) } };
      if (typeof json === 'object') {
        const fields: Obj = {};
        for (const [k, v] of Object.entries(json)) if (v !== undefined) fields[k] = toValue(v);
        return { structValue: { fields } };
      }
      return { stringValue: String(json) };
  }
}

function fromValue(value: unknown): unknown {
  const v = value as Obj | null | undefined;
  if (v === null || v === undefined) return null;
  if (Object.hasOwn(v, 'stringValue')) return v.stringValue;
  if (Object.hasOwn(v, 'numberValue')) return v.numberValue;
  if (Object.hasOwn(v, 'boolValue')) return v.boolValue;
  if (Object.hasOwn(v, 'listValue')) {
    const list = v.listValue as Obj | null;
    return ((list?.values as unknown[] | undefined) ?? []).map(fromValue);
  }
  if (Object.hasOwn(v, 'structValue')) {
    const fields = ((v.structValue as Obj | null)?.fields as Obj | undefined) ?? {};
    const out: Obj = {};
    for (const [k, f] of Object.entries(fields)) setKey(out, k, fromValue(f), 'protobuf');
    return out;
  }
  return null;
}

const JSON_WIRE = { revealSecrets: true, dates: 'iso' } as const;

// ------------------------------------------------------ data ⇄ protobufjs

function encodeRepr(value: unknown, repr: ProtoRepr): unknown {
  switch (repr.k) {
    case 'timestamp': {
      if (!(value instanceof Date)) return value;
      const ms = value.getTime();
      const seconds = Math.floor(ms / 1000);
      return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
    }
    case 'enum':
      return typeof value === 'string' ? (repr.en.numbers.get(value) ?? value) : value;
    case 'bigint':
      return typeof value === 'bigint' ? value.toString() : value;
    case 'message':
      return typeof value === 'object' && value !== null
        ? encodeMessage(value as Obj, repr.msg)
        : value;
    case 'variant': {
      const tag = (value as Obj | null)?.[repr.discriminator];
      const field = typeof tag === 'string' ? repr.options.get(tag) : undefined;
      if (field === undefined || field.repr.k !== 'message') return value;
      return { [field.protoName]: encodeMessage(value as Obj, field.repr.msg) };
    }
    case 'value':
      return toValue(toJsonValue(value, JSON_WIRE));
    default:
      return value;
  }
}

/** Representations {@link encodeRepr} gives back unchanged. */
const AS_IS: ReadonlySet<string> = new Set(['string', 'int64', 'double', 'bool']);

function encodeMessage(data: Obj, msg: ProtoMessage): Obj {
  const out: Obj = {};
  for (const f of msg.fields) {
    const value = data[f.key];
    if (value === undefined || (value === null && f.repr.k !== 'value')) continue;
    const asIs = AS_IS.has(f.repr.k);
    if (f.label === 'repeated') {
      const items = value instanceof Set ? [...value] : value;
      out[f.protoName] =
        Array.isArray(items) && !asIs ? items.map((v) => encodeRepr(v, f.repr)) : items;
    } else if (f.label === 'map' && asIs && !(value instanceof Map)) {
      // protobufjs reads a map field from a plain object: strings and numbers need no copy.
      out[f.protoName] = value;
    } else if (f.label === 'map') {
      const entries = value instanceof Map ? [...value] : Object.entries(value as Obj);
      const map: Obj = {};
      for (const [k, v] of entries) map[String(k)] = encodeRepr(v, f.repr);
      out[f.protoName] = map;
    } else {
      out[f.protoName] = encodeRepr(value, f.repr);
    }
  }
  return out;
}

function toNumber(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && 'toNumber' in value) {
    return (value as { toNumber(): number }).toNumber();
  }
  return value;
}

function decodeRepr(value: unknown, repr: ProtoRepr): unknown {
  switch (repr.k) {
    case 'int64':
      return toNumber(value);
    case 'timestamp': {
      const t = value as Obj;
      return new Date(
        Number(toNumber(t.seconds ?? 0)) * 1000 + Math.floor(Number(t.nanos ?? 0) / 1_000_000),
      );
    }
    case 'enum':
      return repr.en.values.get(value as number) ?? value;
    case 'bigint':
      return typeof value === 'string' && /^-?\d{1,4096}$/.test(value) ? BigInt(value) : value;
    case 'message':
      return decodeMessage(value as Obj, repr.msg);
    case 'variant': {
      for (const [tag, field] of repr.options) {
        if (Object.hasOwn(value as Obj, field.protoName) && field.repr.k === 'message') {
          const inner = decodeMessage((value as Obj)[field.protoName] as Obj, field.repr.msg);
          return { [repr.discriminator]: tag, ...inner };
        }
      }
      return {};
    }
    case 'value':
      return fromValue(value);
    default:
      return value;
  }
}

function decodeMessage(message: Obj, msg: ProtoMessage): Obj {
  const out: Obj = {};
  for (const f of msg.fields) {
    const present = Object.hasOwn(message, f.protoName);
    const value = present ? message[f.protoName] : undefined;
    if (f.label === 'repeated') {
      const items = ((value as unknown[] | undefined) ?? []).map((v) => decodeRepr(v, f.repr));
      if (items.length > 0 || !f.optional)
        out[f.key] = f.collection === 'set' ? new Set(items) : items;
    } else if (f.label === 'map') {
      const entries = Object.entries((value as Obj | undefined) ?? {}).map(
        ([k, v]) => [k, decodeRepr(v, f.repr)] as const,
      );
      if (entries.length > 0 || !f.optional) {
        out[f.key] = f.collection === 'map' ? new Map(entries) : Object.fromEntries(entries);
      }
    } else if (present && value !== null) {
      out[f.key] = decodeRepr(value, f.repr);
    } else if (f.nullable) {
      out[f.key] = null;
    }
  }
  return out;
}

// ------------------------------------------------------------------ codec

function fail(cause: unknown, limits: DecodeLimits): never {
  const reason = messageOf(cause);
  if (/depth|call stack/i.test(reason)) {
    throw tooLarge('protobuf', limits.maxDepth, 'levels of nesting', { reason });
  }
  throw malformed('protobuf', reason, {}, cause);
}

function encodeOne(
  value: unknown,
  context: CodecContext,
  writer?: protobuf.Writer,
): protobuf.Writer {
  try {
    if (context.model !== undefined) {
      const { type, plan } = compile(context.model);
      const message = encodeMessage(value as Obj, plan);
      return writer === undefined ? type.encode(message) : type.encodeDelimited(message, writer);
    }
    const message = toValue(toJsonValue(value, JSON_WIRE));
    const type = getValueType();
    return writer === undefined ? type.encode(message) : type.encodeDelimited(message, writer);
  } catch (cause) {
    throw malformed('protobuf', `cannot encode: ${messageOf(cause)}`, {}, cause);
  }
}

/** The message type bytes are read as: the model's, or `google.protobuf.Value`. */
function typeFor(context: CodecContext): PbType {
  return context.model === undefined ? getValueType() : compile(context.model).type;
}

function decodeWith(context: CodecContext, read: (type: PbType) => protobuf.Message): unknown {
  let value: unknown;
  if (context.model !== undefined) {
    const { type, plan } = compile(context.model);
    let message: protobuf.Message;
    try {
      message = read(type);
    } catch (cause) {
      fail(cause, context.limits);
    }
    value = decodeMessage(message as unknown as Obj, plan);
  } else {
    let message: protobuf.Message;
    try {
      message = read(getValueType());
    } catch (cause) {
      fail(cause, context.limits);
    }
    value = fromValue(message);
  }
  checkTree(value, 'protobuf', context.limits);
  return value;
}

/**
 * Protocol Buffers (proto3, protobufjs). With a model: the message generated
 * from it (see {@link generateProto}). Without: `google.protobuf.Value`.
 * Arrays of records are length-delimited messages, one after the other.
 */
export const protobufCodec: Codec = {
  format: 'protobuf',
  keepsDates: true,
  encode: (value, context) => encodeOne(value, context).finish(),
  decode(bytes, context) {
    checkSize(bytes.byteLength, 'protobuf', context.limits);
    scanProtobuf(bytes, typeFor(context), context.limits);
    return decodeWith(context, (type) => type.decode(bytes));
  },
  encodeMany(values, context) {
    const writer = protobufLibrary().Writer.create();
    for (const value of values) encodeOne(value, context, writer);
    return writer.finish();
  },
  scan: (bytes, context, many) => scanProtobuf(bytes, typeFor(context), context.limits, many),
  decodeMany(bytes, context) {
    checkSize(bytes.byteLength, 'protobuf', context.limits);
    scanProtobuf(bytes, typeFor(context), context.limits, true);
    const reader = protobufLibrary().Reader.create(bytes);
    const out: unknown[] = [];
    while (reader.pos < reader.len) {
      if (out.length >= context.limits.maxItems) {
        throw tooLarge('protobuf', context.limits.maxItems, 'items in an array');
      }
      out.push(decodeWith(context, (type) => type.decodeDelimited(reader)));
    }
    return out;
  },
};
