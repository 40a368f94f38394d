import type { AnyModel } from '../types/model.js';
import { messageOf } from './codec.js';
import type { Format } from './formats.js';
import { msgpackrLibrary, protobufLibrary } from './libraries.js';
import { malformed, tooLarge } from './limits.js';
import {
  type DecodeOptions,
  type EncodeOptions,
  type ModelOf,
  type Serializer,
  UniversalSerializer,
} from './universal-serializer.js';

/** Records given to a stream encoder: any iterable, sync or async. */
export type RecordSource = Iterable<unknown> | AsyncIterable<unknown>;

/** Byte chunks given to a stream decoder (a Node `Readable` is one). */
export type ChunkSource = Iterable<Uint8Array | string> | AsyncIterable<Uint8Array | string>;

/** Options of {@link encodeStream}. */
export interface EncodeStreamOptions extends EncodeOptions {
  readonly model?: AnyModel;
  /** The serializer whose settings apply (default {@link UniversalSerializer}). */
  readonly serializer?: Serializer;
}

/** Options of {@link decodeStream}. */
export interface DecodeStreamOptions extends DecodeOptions {
  readonly serializer?: Serializer;
}

const NEWLINE = Buffer.from('\n');

/**
 * Encodes records one at a time, so a large batch is never held twice:
 * JSON as NDJSON (one record per line), Protocol Buffers length-delimited,
 * MessagePack as a sequence of values, YAML as a stream of documents
 * (`---`), XML as a `<ModelList>` written record by record.
 *
 * @example
 * ```ts
 * for await (const chunk of encodeStream(alerts, 'json', { model: Alert })) out.write(chunk);
 * ```
 */
export async function* encodeStream(
  records: RecordSource,
  format: Format,
  options: EncodeStreamOptions = {},
): AsyncGenerator<Uint8Array> {
  const s = options.serializer ?? UniversalSerializer;
  const one = { ...options, compression: { enabled: false } };
  if (format === 'xml') {
    const name = options.model === undefined ? 'value' : `${options.model.name}List`;
    yield Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?>\n<${name} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"${options.model === undefined ? ' type="array"' : ''}>\n`,
    );
    for await (const record of records) {
      const text = Buffer.from(s.encode(record, 'xml', one)).toString('utf8');
      // Re-root the record's document: drop the declaration and namespace, name untyped items.
      let body = text
        .replace(/^<\?xml[^>]*\?>\n?/, '')
        .replace(' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"', '')
        .trimEnd();
      if (options.model === undefined)
        body = body.replace(/^<value/, '<item').replace(/<\/value>$/, '</item>');
      yield Buffer.from(`${body}\n`);
    }
    yield Buffer.from(`</${name}>\n`);
    return;
  }
  let first = true;
  for await (const record of records) {
    if (format === 'protobuf') {
      const bytes = s.encode(record, 'protobuf', one);
      const writer = protobufLibrary().Writer.create();
      writer.uint32(bytes.byteLength);
      yield Buffer.concat([writer.finish(), bytes]);
    } else if (format === 'json') {
      yield Buffer.concat([s.encode(record, 'json', { ...one, pretty: false }), NEWLINE]);
    } else if (format === 'yaml') {
      const doc = s.encode(record, 'yaml', one);
      yield first ? doc : Buffer.concat([Buffer.from('---\n'), doc]);
    } else {
      yield s.encode(record, format, one);
    }
    first = false;
  }
}

async function* bytesOf(source: ChunkSource): AsyncGenerator<Buffer> {
  for await (const chunk of source)
    yield typeof chunk === 'string'
      ? Buffer.from(chunk)
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Decodes a stream of records written by {@link encodeStream}, yielding
 * each as soon as it is complete: NDJSON, length-delimited protobuf,
 * MessagePack sequences. YAML and XML are read whole (up to the byte limit)
 * and their records yielded one by one. Each record is checked against the
 * limits on its own, and validated by `model` when given.
 */
export function decodeStream<T>(
  chunks: ChunkSource,
  format: Format,
  model: ModelOf<T>,
  options?: DecodeStreamOptions,
): AsyncGenerator<T>;
export function decodeStream(
  chunks: ChunkSource,
  format: Format,
  model?: undefined,
  options?: DecodeStreamOptions,
): AsyncGenerator<unknown>;
export async function* decodeStream(
  chunks: ChunkSource,
  format: Format,
  model?: AnyModel,
  options: DecodeStreamOptions = {},
): AsyncGenerator<unknown> {
  const s = options.serializer ?? UniversalSerializer;
  const limits = { ...s.options.limits, ...options.limits };
  const decodeOne = (bytes: Uint8Array): unknown =>
    model === undefined
      ? s.decode(bytes, format, undefined, options)
      : s.decode(bytes, format, model, options);
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  const at = () => ({ record: index });
  const withIndex = (fn: () => unknown): unknown => {
    try {
      return fn();
    } finally {
      index++;
    }
  };

  if (format === 'yaml' || format === 'xml') {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of bytesOf(chunks)) {
      size += chunk.byteLength;
      if (size > limits.maxBytes) throw tooLarge(format, limits.maxBytes, 'bytes');
      parts.push(chunk);
    }
    const whole = Buffer.concat(parts);
    if (format === 'xml') {
      const values =
        model === undefined
          ? s.decodeMany(whole, 'xml', undefined, options)
          : s.decodeMany(whole, 'xml', model, options);
      yield* values;
      return;
    }
    for (const doc of whole.toString('utf8').split(/^---[ \t]*$/m)) {
      if (doc.trim() === '') continue;
      yield withIndex(() => decodeOne(Buffer.from(doc)));
    }
    return;
  }

  for await (const chunk of bytesOf(chunks)) {
    pending = pending.byteLength === 0 ? chunk : Buffer.concat([pending, chunk]);
    if (format === 'json') {
      let start = 0;
      for (let nl = pending.indexOf(10); nl !== -1; nl = pending.indexOf(10, start)) {
        const line = pending.subarray(start, nl);
        start = nl + 1;
        if (line.toString('utf8').trim() === '') continue;
        yield withIndex(() => decodeOne(line));
      }
      pending = pending.subarray(start);
      if (pending.byteLength > limits.maxBytes)
        throw tooLarge('json', limits.maxBytes, 'bytes', at());
    } else if (format === 'protobuf') {
      for (;;) {
        const reader = protobufLibrary().Reader.create(pending);
        let length: number;
        try {
          length = reader.uint32();
        } catch {
          break; // the length itself is incomplete
        }
        if (length > limits.maxBytes) throw tooLarge('protobuf', limits.maxBytes, 'bytes', at());
        if (reader.pos + length > pending.byteLength) break;
        const message = pending.subarray(reader.pos, reader.pos + length);
        pending = pending.subarray(reader.pos + length);
        yield withIndex(() => decodeOne(message));
      }
      if (pending.byteLength > limits.maxBytes + 10)
        throw tooLarge('protobuf', limits.maxBytes, 'bytes', at());
    } else {
      const ends: number[] = [];
      try {
        new (msgpackrLibrary().Unpackr)({
          useRecords: true,
          structuredClone: false,
        }).unpackMultiple(pending, (_v, _start, end) => {
          ends.push(end as number);
        });
      } catch (cause) {
        if ((cause as { incomplete?: boolean }).incomplete !== true) {
          throw malformed('msgpack', messageOf(cause), at(), cause);
        }
      }
      let start = 0;
      for (const end of ends) {
        const value = pending.subarray(start, end);
        start = end;
        yield withIndex(() => decodeOne(value));
      }
      pending = pending.subarray(start);
      if (pending.byteLength > limits.maxBytes)
        throw tooLarge('msgpack', limits.maxBytes, 'bytes', at());
    }
  }
  if (format === 'json' && pending.toString('utf8').trim() !== '')
    yield withIndex(() => decodeOne(pending));
  else if (format !== 'json' && pending.byteLength > 0) {
    throw malformed(format, 'the stream ends inside a record', {
      ...at(),
      offset: pending.byteLength,
    });
  }
}
