import type { AnyModel } from '../types/model.js';
import type { Format } from './formats.js';
import type { DecodeLimits } from './limits.js';
import { malformed } from './limits.js';
import type { ObjectWire } from './wire-type.js';

/** What a codec is told about one encode or decode call. */
export interface CodecContext {
  /** The model of the records, when known. */
  readonly model: AnyModel | undefined;
  /** Its wire type (fields, wire names), when a model is given. */
  readonly type: ObjectWire | undefined;
  readonly limits: DecodeLimits;
  /** Indented, human-friendly output where the format has such a thing. */
  readonly pretty: boolean;
}

/**
 * One format's encoder and decoder of plain data. The serializer turns model
 * instances into plain data (`toWire`) before `encode`, and validates what
 * `decode` returns with the model.
 *
 * `encode` takes data in wire form (dates as ISO strings, except for codecs
 * with `keepsDates`); `decode` returns data that the model's `parse` accepts
 * (text formats restore what they lose using `context.type`).
 */
export interface Codec {
  readonly format: Format;
  /** Writes `Date`s natively (MessagePack, Protocol Buffers). */
  readonly keepsDates: boolean;
  encode(value: unknown, context: CodecContext): Uint8Array;
  decode(bytes: Uint8Array, context: CodecContext): unknown;
  encodeMany(values: readonly unknown[], context: CodecContext): Uint8Array;
  decodeMany(bytes: Uint8Array, context: CodecContext): unknown[];
  /**
   * Counts the values that `bytes` (possibly a truncated prefix: a partial
   * decompression) hold and throws at the first count limit; the decoders
   * run it too. `many`: the bytes are an array of records.
   */
  scan?(bytes: Uint8Array, context: CodecContext, many: boolean): void;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** @internal Decodes UTF-8 strictly (a byte-order mark is dropped). */
export function decodeUtf8(bytes: Uint8Array, format: Format): string {
  try {
    return utf8.decode(bytes);
  } catch (cause) {
    throw malformed(format, 'the input is not valid UTF-8', {}, cause);
  }
}

/** @internal Encodes a string as UTF-8. */
export function encodeUtf8(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

/** @internal The message of a caught value. */
export function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
