import type { AnyModel } from '../types/model.js';
import { type ChunkSource, decodeStream, encodeStream } from './batch.js';
import type { Format } from './formats.js';
import type { DecodeOptions, EncodeOptions, Serializer } from './universal-serializer.js';
import { UniversalSerializer } from './universal-serializer.js';

/** Options of {@link convert}. */
export interface ConvertOptions extends EncodeOptions, DecodeOptions {
  readonly from: Format;
  readonly to: Format;
  /** Validate every record with this model and write it exactly. */
  readonly model?: AnyModel;
  readonly serializer?: Serializer;
  /** Called after each record with the number converted so far (for a progress bar). */
  readonly onRecord?: (count: number) => void;
}

function isWholeJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

async function* firstThenRest(
  first: Buffer,
  rest: AsyncIterator<Uint8Array | string>,
): AsyncGenerator<Uint8Array | string> {
  yield first;
  for (;;) {
    const next = await rest.next();
    if (next.done === true) return;
    yield next.value;
  }
}

async function* toAsync(
  input: ChunkSource | Uint8Array | string,
): AsyncGenerator<Uint8Array | string> {
  if (typeof input === 'string' || input instanceof Uint8Array) {
    yield input;
    return;
  }
  yield* input;
}

/**
 * Converts records from one format to another, record by record, so that
 * 100,000 alerts are never all in memory twice: the input is read as a
 * stream (NDJSON, length-delimited protobuf, MessagePack sequence; YAML and
 * XML documents are read whole) and the output written as one (see
 * `encodeStream`). A JSON input starting with `[` is read as one array.
 * Secrets are kept (`revealSecrets` defaults to true here: converting must
 * not lose data).
 *
 * @example
 * ```ts
 * for await (const chunk of convert(createReadStream('alerts.ndjson'), { from: 'json', to: 'protobuf', model: Alert })) {
 *   out.write(chunk);
 * }
 * ```
 */
export async function* convert(
  input: ChunkSource | Uint8Array | string,
  options: ConvertOptions,
): AsyncGenerator<Uint8Array> {
  const serializer = options.serializer ?? UniversalSerializer;
  const source = toAsync(input)[Symbol.asyncIterator]();
  let chunks: ChunkSource = { [Symbol.asyncIterator]: () => source };
  let records: AsyncIterable<unknown>;
  if (options.from === 'json') {
    const head = await source.next();
    const first = head.done === true ? Buffer.alloc(0) : Buffer.from(head.value);
    chunks = firstThenRest(first, source);
    const text = first.toString('utf8').trimStart();
    // One pretty-printed object is a document, not NDJSON: its first line is not a whole value.
    if (
      text.startsWith('[') ||
      (text.startsWith('{') && !isWholeJson(text.split('\n', 1)[0] ?? ''))
    ) {
      const parts: Buffer[] = [];
      for await (const c of chunks) parts.push(Buffer.from(c));
      const whole = Buffer.concat(parts);
      const asArray = whole.toString('utf8').trimStart().startsWith('[');
      const values = asArray
        ? options.model === undefined
          ? serializer.decodeMany(whole, 'json', undefined, options)
          : serializer.decodeMany(whole, 'json', options.model, options)
        : [
            options.model === undefined
              ? serializer.decode(whole, 'json', undefined, options)
              : serializer.decode(whole, 'json', options.model, options),
          ];
      records = (async function* () {
        yield* values;
      })();
    }
  }
  records ??=
    options.model === undefined
      ? decodeStream(chunks, options.from, undefined, { ...options, serializer })
      : decodeStream(chunks, options.from, options.model, { ...options, serializer });
  let count = 0;
  const counted = (async function* () {
    for await (const record of records) {
      yield record;
      options.onRecord?.(++count);
    }
  })();
  yield* encodeStream(counted, options.to, {
    ...options,
    revealSecrets: options.revealSecrets ?? true,
    serializer,
    ...(options.model === undefined ? {} : { model: options.model }),
  });
}
