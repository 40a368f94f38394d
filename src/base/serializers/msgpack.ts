import type { Packr } from 'msgpackr';
import { type Codec, type CodecContext, messageOf } from './codec.js';
import { msgpackrLibrary } from './libraries.js';
import { checkSize, checkTree, type DecodeLimits, malformed, tooLarge } from './limits.js';
import { scanMsgpack } from './scan-msgpack.js';

// Single values as plain maps; arrays of records with record structures
// (each key list written once), which msgpackr embeds in the message.
// Made on first use (see libraries.ts).
let packrs: { readonly single: Packr; readonly records: Packr } | undefined;
function packers(): { readonly single: Packr; readonly records: Packr } {
  if (packrs === undefined) {
    const { Packr } = msgpackrLibrary();
    packrs = {
      single: new Packr({ useRecords: false, variableMapSize: true }),
      records: new Packr({ useRecords: true, variableMapSize: true }),
    };
  }
  return packrs;
}

const PROTO_KEY = Buffer.from('__proto__');

/**
 * msgpackr turns a `__proto__` key into `__proto_` (so the prototype stays
 * clean): when the bytes hold `__proto__`, a `__proto_` key is that key.
 */
function checkRenamedProto(value: unknown, depth: number): void {
  if (typeof value !== 'object' || value === null || depth > 256) return;
  if (Array.isArray(value)) {
    for (const item of value) checkRenamedProto(item, depth + 1);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    if (key === '__proto_')
      throw malformed('msgpack', 'the key "__proto__" is not allowed', { key: '__proto__' });
    checkRenamedProto(v, depth + 1);
  }
}

/** Only data types: msgpackr's extensions for errors, regexps, sets and typed arrays are refused. */
function checkPlain(value: unknown, depth: number): void {
  if (typeof value !== 'object' || value === null || depth > 256) return;
  if (Array.isArray(value)) {
    for (const item of value) checkPlain(item, depth + 1);
    return;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw malformed('msgpack', 'an invalid timestamp');
    return;
  }
  if (value instanceof Uint8Array) return;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw malformed('msgpack', 'an unsupported MessagePack extension type');
  }
  for (const v of Object.values(value)) checkPlain(v, depth + 1);
}

function unpack(bytes: Uint8Array, limits: DecodeLimits): unknown {
  checkSize(bytes.byteLength, 'msgpack', limits);
  scanMsgpack(bytes, limits);
  // A fresh decoder per message: record structures of one message never apply to another.
  const { Unpackr } = msgpackrLibrary();
  const unpackr = new Unpackr({
    useRecords: true,
    mapsAsObjects: true,
    structuredClone: false,
    int64AsType: 'number',
  });
  let value: unknown;
  try {
    value = unpackr.unpack(bytes);
  } catch (cause) {
    if (cause instanceof RangeError && /call stack/i.test(cause.message)) {
      throw tooLarge('msgpack', limits.maxDepth, 'levels of nesting', { reason: cause.message });
    }
    throw malformed('msgpack', messageOf(cause), {}, cause);
  }
  checkTree(value, 'msgpack', limits);
  checkPlain(value, 0);
  if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(PROTO_KEY)) {
    checkRenamedProto(value, 0);
  }
  return value;
}

function pack(packr: Packr, value: unknown): Uint8Array {
  try {
    return packr.pack(value);
  } catch (cause) {
    throw malformed('msgpack', `cannot encode: ${messageOf(cause)}`, {}, cause);
  }
}

/**
 * MessagePack (msgpackr). Dates are MessagePack timestamps (millisecond
 * exact). Arrays of records use msgpackr record structures: smaller than
 * plain maps and faster to decode.
 */
export const msgpackCodec: Codec = {
  format: 'msgpack',
  keepsDates: true,
  encode: (value) => pack(packers().single, value),
  decode: (bytes, context: CodecContext) => unpack(bytes, context.limits),
  encodeMany: (values) => pack(packers().records, values),
  scan: (bytes, context) => scanMsgpack(bytes, context.limits),
  decodeMany(bytes, context) {
    const value = unpack(bytes, context.limits);
    if (!Array.isArray(value)) throw malformed('msgpack', 'expected an array of records');
    return value;
  },
};
