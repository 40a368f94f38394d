import { type Codec, type CodecContext, decodeUtf8, encodeUtf8, messageOf } from './codec.js';
import { checkSize, checkTree, lineColumn, malformed } from './limits.js';
import { scanJson } from './scan-json.js';

/** Where a `JSON.parse` error happened, from V8's message (`... at position 12`). */
function positionOf(text: string, cause: unknown): Record<string, number> {
  const match = /position (\d+)/.exec(messageOf(cause));
  if (match?.[1] !== undefined) {
    const offset = Number(match[1]);
    return { offset, ...lineColumn(text, offset) };
  }
  // "Unexpected end of JSON input" names no position: the end is where it failed.
  return { offset: text.length, ...lineColumn(text, text.length) };
}

/** @internal Parses JSON text under the limits. */
export function parseJsonText(text: string, context: CodecContext): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw malformed('json', 'invalid JSON', positionOf(text, cause), cause);
  }
  checkTree(value, 'json', context.limits);
  return value;
}

function parse(bytes: Uint8Array, context: CodecContext): unknown {
  checkSize(bytes.byteLength, 'json', context.limits);
  scanJson(bytes, context.limits);
  return parseJsonText(decodeUtf8(bytes, 'json'), context);
}

function stringify(value: unknown, context: CodecContext): Uint8Array {
  return encodeUtf8(JSON.stringify(value, null, context.pretty ? 2 : undefined) ?? 'null');
}

/**
 * JSON (RFC 8259), UTF-8. Arrays of records are a JSON array; streams of
 * records are NDJSON (see `batch.ts`).
 */
export const jsonCodec: Codec = {
  format: 'json',
  keepsDates: false,
  encode: stringify,
  decode: parse,
  encodeMany: stringify,
  scan: (bytes, context) => scanJson(bytes, context.limits),
  decodeMany(bytes, context) {
    const value = parse(bytes, context);
    if (!Array.isArray(value)) throw malformed('json', 'expected a JSON array of records');
    return value;
  },
};
