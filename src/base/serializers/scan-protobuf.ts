import type protobuf from 'protobufjs';
import { cannotExceedCounts, ElementCounter } from './element-counter.js';
import { protobufLibrary } from './libraries.js';
import type { DecodeLimits } from './limits.js';

const FIXED64_TYPES: ReadonlySet<string> = new Set(['double', 'fixed64', 'sfixed64']);
const FIXED32_TYPES: ReadonlySet<string> = new Set(['float', 'fixed32', 'sfixed32']);
const LENGTH_TYPES: ReadonlySet<string> = new Set(['string', 'bytes']);

/** Stops the scan where the bytes do not parse: the decoder reports that. */
class Truncated extends Error {}

/** A message without known fields: groups and unknown fields are only skipped. */
let opaque: protobuf.Type | undefined;
const OPAQUE = (): protobuf.Type => {
  opaque ??= new (protobufLibrary().Type)('Opaque');
  return opaque;
};

/** @internal A reader of the protobuf wire format that only counts. */
class WireScanner {
  pos = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly counter: ElementCounter,
  ) {}

  varint(): number {
    let result = 0;
    let shift = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.bytes[this.pos++];
      if (b === undefined) throw new Truncated();
      // Only lengths and tags are used: precision beyond 2^53 does not matter.
      result += (b & 0x7f) * shift;
      shift *= 128;
      if (b < 0x80) return result;
    }
    throw new Truncated();
  }

  private skip(n: number, end: number): void {
    if (this.pos + n > end) throw new Truncated();
    this.pos += n;
  }

  /**
   * Reads the fields of one message of `type` up to `end` (or its group's end
   * tag). A repeated field counts its items, a map field its keys.
   */
  message(type: protobuf.Type, end: number): void {
    // Items per repeated or map field; allocated only when the message has one.
    let seen: Map<number, number> | undefined;
    while (this.pos < end) {
      const start = this.pos;
      const tag = this.varint();
      const id = Math.floor(tag / 8);
      const wire = tag & 7;
      if (wire === 4) return;
      const field = type.fieldsById[id];
      const many = field !== undefined && (field.repeated || field.map);
      if (wire === 2) {
        const length = this.varint();
        const stop = this.pos + length;
        // A truncated body (a partial decompression) is counted as far as it goes.
        const bounded = Math.min(stop, end);
        const packed =
          field?.repeated && field.resolvedType === null && !LENGTH_TYPES.has(field.type);
        const n = packed ? this.packedCount(field.type, bounded) : 1;
        if (many) {
          seen ??= new Map();
          const count = (seen.get(id) ?? 0) + n;
          seen.set(id, count);
          this.counter.check(count, field.map ? 'object' : 'array', start);
        }
        this.counter.values(n, start);
        this.nested(field, start, bounded);
        if (stop > end) throw new Truncated();
        this.pos = stop;
        continue;
      }
      if (many) {
        seen ??= new Map();
        const count = (seen.get(id) ?? 0) + 1;
        seen.set(id, count);
        this.counter.check(count, 'array', start);
      }
      this.counter.value(start);
      if (wire === 0) this.varint();
      else if (wire === 1) this.skip(8, end);
      else if (wire === 5) this.skip(4, end);
      else if (wire === 3) {
        this.counter.open('message', start, false);
        this.message(OPAQUE(), end);
        this.counter.close();
      } else throw new Truncated();
    }
  }

  /** Reads into an embedded message (or map entry) of `field`, if it is one. */
  private nested(field: protobuf.Field | undefined, start: number, stop: number): void {
    if (field === undefined) return;
    const resolved = field.resolvedType;
    const inner = field.map
      ? resolved instanceof protobufLibrary().Type
        ? entryType(resolved)
        : undefined
      : resolved instanceof protobufLibrary().Type
        ? resolved
        : undefined;
    if (inner === undefined) return;
    this.counter.open('message', start, false);
    this.message(inner, stop);
    this.counter.close();
  }

  private packedCount(type: string, stop: number): number {
    const length = stop - this.pos;
    if (FIXED64_TYPES.has(type)) return Math.floor(length / 8);
    if (FIXED32_TYPES.has(type)) return Math.floor(length / 4);
    let n = 0;
    for (let i = this.pos; i < stop; i++) if ((this.bytes[i] ?? 0) < 0x80) n++;
    return n;
  }
}

const entryTypes = new WeakMap<protobuf.Type, protobuf.Type>();

/** The message of a map entry (key = 1, value = 2) whose value is a `value` message. */
function entryType(value: protobuf.Type): protobuf.Type {
  let entry = entryTypes.get(value);
  if (entry === undefined) {
    entry = new (protobufLibrary().Type)('Entry');
    const field = new (protobufLibrary().Field)('value', 2, value.name);
    field.resolvedType = value;
    entry.add(field);
    entryTypes.set(value, entry);
  }
  return entry;
}

/**
 * @internal Counts the values of a protobuf message of `type` (or of a
 * sequence of length-delimited ones, `delimited`) from its wire bytes, before
 * protobufjs builds them, and throws `ALERTBASE_SERIALIZATION_TOO_LARGE` at
 * the first count limit reached. Bytes that do not parse are left to the
 * decoder to report.
 */
export function scanProtobuf(
  bytes: Uint8Array,
  type: protobuf.Type,
  limits: DecodeLimits,
  delimited = false,
): void {
  if (cannotExceedCounts(bytes.byteLength, limits)) return;
  const counter = new ElementCounter('protobuf', limits, 3);
  const scanner = new WireScanner(bytes, counter);
  try {
    if (!delimited) {
      scanner.message(type, bytes.byteLength);
      return;
    }
    counter.open('array', 0);
    while (scanner.pos < bytes.byteLength) {
      const start = scanner.pos;
      const length = scanner.varint();
      const stop = scanner.pos + length;
      counter.open('message', start);
      scanner.message(type, Math.min(stop, bytes.byteLength));
      counter.close();
      scanner.pos = stop;
    }
  } catch (error) {
    if (!(error instanceof Truncated)) throw error;
  }
}
