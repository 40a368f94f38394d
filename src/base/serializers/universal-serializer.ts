import { DEFAULTS } from '../constants.js';
import type { AnyModel } from '../types/model.js';
import type { Codec, CodecContext } from './codec.js';
import { type Compression, type CompressionOptions, compress, decompress } from './compression.js';
import { type Format, isFormat, parseFormat } from './formats.js';
import { jsonCodec } from './json.js';
import { dropKindField } from './kind-field.js';
import { type DecodeLimits, resolveLimits } from './limits.js';
import { msgpackCodec } from './msgpack.js';
import { protobufCodec } from './protobuf.js';
import { modelWireType } from './wire-type.js';
import { needsRestore, restoreJsonLike, toJsonValue, toWire } from './wire-value.js';
import { xmlCodec } from './xml.js';
import { yamlCodec } from './yaml.js';

/** A model whose instances are of type `T` (any {@link AnyModel} is one). */
export type ModelOf<T> = AnyModel & { parse(input: unknown): T };

/** Options of one encode call. */
export interface EncodeOptions {
  /** Indented output (JSON, YAML, XML). Default: the serializer's `prettyPrint`. */
  readonly pretty?: boolean;
  /**
   * Write secret fields' values. Default `false`: secrets are written as
   * `**********`, so output is safe to show but does not round-trip secrets.
   * Set it for storage and for messages to trusted peers only.
   */
  readonly revealSecrets?: boolean;
  /**
   * Top-level keys as wire names (snake_case aliases) in JSON, YAML and
   * MessagePack. Default `true`. XML and protobuf always use wire names.
   */
  readonly byAlias?: boolean;
  /** Overrides the serializer's compression for this call. */
  readonly compression?: CompressionOptions;
}

/** Options of one decode call. */
export interface DecodeOptions {
  /** Overrides of the decode limits (defaults: `DECODE_LIMITS` and the serializer's). */
  readonly limits?: Partial<DecodeLimits>;
  /** The body's `Content-Encoding`; gzip is detected without it, brotli is not. */
  readonly contentEncoding?: Compression | 'identity';
  /**
   * With a model: records may name it in a `kind` field, as the files
   * `alertbase validate` reads do; the field is dropped before validation, and
   * a `kind` naming another model is refused (see `dropKindField`).
   */
  readonly kindField?: boolean;
}

/** Configuration of a serializer: the seed's `serialization` settings. */
export interface SerializerOptions {
  /** Format used when none is named (`default_format`). Default `DEFAULTS.defaultFormat`. */
  readonly defaultFormat?: Format;
  /** `pretty_print`. Default `DEFAULTS.prettyPrint`. */
  readonly prettyPrint?: boolean;
  /** `compression_enabled` (off unless given). */
  readonly compression?: CompressionOptions;
  /** Decode limits (from configuration). */
  readonly limits?: Partial<DecodeLimits>;
}

/** What {@link Serializer.encodeBody} returns: bytes and how they are marked. */
export interface EncodedBody {
  readonly bytes: Uint8Array;
  readonly format: Format;
  /** The value for `Content-Encoding`. */
  readonly contentEncoding: Compression | 'identity';
}

/** Input a decoder takes: bytes, or text for the text formats. */
export type DecodeInput = Uint8Array | string;

const CODECS: Readonly<Record<Format, Codec>> = {
  json: jsonCodec,
  yaml: yamlCodec,
  xml: xmlCodec,
  protobuf: protobufCodec,
  msgpack: msgpackCodec,
};

/** @internal The codec of a format. */
export function codecOf(format: Format | string): Codec {
  return CODECS[isFormat(format) ? format : parseFormat(format)];
}

/**
 * The serializer: every format, with or without a model. See
 * {@link createSerializer}; {@link UniversalSerializer} is the default one.
 */
export interface Serializer {
  /** This serializer's settings, resolved. */
  readonly options: Readonly<Required<Omit<SerializerOptions, 'compression' | 'limits'>>> & {
    readonly compression: CompressionOptions;
    readonly limits: DecodeLimits;
  };
  /**
   * Encodes one value. With a model, the value is validated by it first
   * (unless it is already its instance) and written exactly (see
   * `docs/serialization.md`); without one, it is written as JSON-like data.
   * @throws ValidationError when the value is not valid for the model.
   */
  encode(
    value: unknown,
    format?: Format,
    options?: EncodeOptions & { readonly model?: AnyModel },
  ): Uint8Array;
  /** {@link Serializer.encode}, plus the `Content-Encoding` of the result. */
  encodeBody(
    value: unknown,
    format?: Format,
    options?: EncodeOptions & { readonly model?: AnyModel },
  ): EncodedBody;
  /**
   * Decodes one value. With a model, the result is its validated instance.
   * @throws SerializationError for input that is not well-formed or breaks a limit.
   * @throws ValidationError for well-formed input that the model refuses.
   */
  decode<T>(
    input: DecodeInput,
    format: Format | undefined,
    model: ModelOf<T>,
    options?: DecodeOptions,
  ): T;
  decode(input: DecodeInput, format?: Format, model?: undefined, options?: DecodeOptions): unknown;
  /** Encodes an array of records (msgpack: record structures; protobuf: length-delimited). */
  encodeMany(
    values: readonly unknown[],
    format?: Format,
    options?: EncodeOptions & { readonly model?: AnyModel },
  ): Uint8Array;
  /** Decodes an array of records. */
  decodeMany<T>(
    input: DecodeInput,
    format: Format | undefined,
    model: ModelOf<T>,
    options?: DecodeOptions,
  ): T[];
  decodeMany(
    input: DecodeInput,
    format?: Format,
    model?: undefined,
    options?: DecodeOptions,
  ): unknown[];
  /** JSON text. */
  toJson(value: unknown, model?: AnyModel, options?: EncodeOptions): string;
  /** YAML text. */
  toYaml(value: unknown, model?: AnyModel, options?: EncodeOptions): string;
  /** XML text. */
  toXml(value: unknown, model?: AnyModel, options?: EncodeOptions): string;
  /** Protocol Buffers bytes. */
  toProtobuf(value: unknown, model?: AnyModel, options?: EncodeOptions): Uint8Array;
  /** MessagePack bytes. */
  toMsgpack(value: unknown, model?: AnyModel, options?: EncodeOptions): Uint8Array;
  fromJson<T>(input: DecodeInput, model: ModelOf<T>, options?: DecodeOptions): T;
  fromJson(input: DecodeInput, model?: undefined, options?: DecodeOptions): unknown;
  fromYaml<T>(input: DecodeInput, model: ModelOf<T>, options?: DecodeOptions): T;
  fromYaml(input: DecodeInput, model?: undefined, options?: DecodeOptions): unknown;
  fromXml<T>(input: DecodeInput, model: ModelOf<T>, options?: DecodeOptions): T;
  fromXml(input: DecodeInput, model?: undefined, options?: DecodeOptions): unknown;
  fromProtobuf<T>(input: DecodeInput, model: ModelOf<T>, options?: DecodeOptions): T;
  fromProtobuf(input: DecodeInput, model?: undefined, options?: DecodeOptions): unknown;
  fromMsgpack<T>(input: DecodeInput, model: ModelOf<T>, options?: DecodeOptions): T;
  fromMsgpack(input: DecodeInput, model?: undefined, options?: DecodeOptions): unknown;
}

const textOf = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
const bytesOf = (input: DecodeInput): Uint8Array =>
  typeof input === 'string' ? Buffer.from(input, 'utf8') : input;

/**
 * Creates a serializer from the seed's `serialization` settings.
 *
 * @example
 * ```ts
 * const s = createSerializer({ defaultFormat: 'yaml', compression: { enabled: true } });
 * const bytes = s.encode(rule, 'protobuf', { model: AlertRule, revealSecrets: true });
 * const again = s.decode(bytes, 'protobuf', AlertRule); // deep-equals rule
 * ```
 */
export function createSerializer(settings: SerializerOptions = {}): Serializer {
  const options = {
    defaultFormat: settings.defaultFormat ?? (DEFAULTS.defaultFormat as Format),
    prettyPrint: settings.prettyPrint ?? DEFAULTS.prettyPrint,
    compression: settings.compression ?? { enabled: false },
    limits: resolveLimits(settings.limits),
  };

  const contextOf = (
    model: AnyModel | undefined,
    pretty: boolean | undefined,
    limits: Partial<DecodeLimits> | undefined,
  ): CodecContext => ({
    model,
    type: model === undefined ? undefined : modelWireType(model),
    limits: limits === undefined ? options.limits : { ...options.limits, ...limits },
    pretty: pretty ?? options.prettyPrint,
  });

  const prepare = (
    value: unknown,
    codec: Codec,
    model: AnyModel | undefined,
    opts: EncodeOptions,
  ): unknown => {
    const wire = {
      revealSecrets: opts.revealSecrets === true,
      dates: codec.keepsDates ? 'date' : 'iso',
    } as const;
    if (model === undefined) return toJsonValue(value, wire);
    const instance = model.is(value) ? value : model.parse(value);
    const fixed = codec.format === 'xml' || codec.format === 'protobuf';
    return toWire(instance, modelWireType(model), wire, fixed || opts.byAlias !== false);
  };

  const finish = (
    raw: unknown,
    model: AnyModel | undefined,
    format: Format,
    opts: DecodeOptions,
  ): unknown => {
    if (model === undefined) return raw;
    const data = opts.kindField === true ? dropKindField(raw, model, format) : raw;
    const type = modelWireType(model);
    return model.parse(needsRestore(type) ? restoreJsonLike(data, type) : data);
  };

  const encodeBody = (
    value: unknown,
    format: Format = options.defaultFormat,
    opts: EncodeOptions & { readonly model?: AnyModel } = {},
  ): EncodedBody => {
    const codec = codecOf(format);
    const context = contextOf(opts.model, opts.pretty, undefined);
    const bytes = codec.encode(prepare(value, codec, opts.model, opts), context);
    const packed = compress(bytes, opts.compression ?? options.compression);
    return { bytes: packed.bytes, format: codec.format, contentEncoding: packed.encoding };
  };

  const decodeRaw = (
    input: DecodeInput,
    format: Format,
    model: AnyModel | undefined,
    opts: DecodeOptions,
    many: boolean,
  ): unknown => {
    const codec = codecOf(format);
    const context = contextOf(model, false, opts.limits);
    const bytes = decompress(
      bytesOf(input),
      codec.format,
      context.limits.maxBytes,
      opts.contentEncoding,
      codec.scan === undefined ? undefined : (partial) => codec.scan?.(partial, context, many),
    );
    if (many)
      return codec
        .decodeMany(bytes, context)
        .map((item) => finish(item, model, codec.format, opts));
    return finish(codec.decode(bytes, context), model, codec.format, opts);
  };

  const serializer: Serializer = {
    options,
    encode: (value, format, opts) => encodeBody(value, format, opts).bytes,
    encodeBody,
    decode: (input: DecodeInput, format?: Format, model?: AnyModel, opts: DecodeOptions = {}) =>
      decodeRaw(input, format ?? options.defaultFormat, model, opts, false) as never,
    encodeMany(values, format = options.defaultFormat, opts = {}) {
      const codec = codecOf(format);
      const context = contextOf(opts.model, opts.pretty, undefined);
      const bytes = codec.encodeMany(
        values.map((v) => prepare(v, codec, opts.model, opts)),
        context,
      );
      return compress(bytes, opts.compression ?? options.compression).bytes;
    },
    decodeMany: (input: DecodeInput, format?: Format, model?: AnyModel, opts: DecodeOptions = {}) =>
      decodeRaw(input, format ?? options.defaultFormat, model, opts, true) as never,
    toJson: (value, model, opts = {}) =>
      textOf(
        serializer.encode(value, 'json', {
          ...opts,
          compression: { enabled: false },
          ...(model === undefined ? {} : { model }),
        }),
      ),
    toYaml: (value, model, opts = {}) =>
      textOf(
        serializer.encode(value, 'yaml', {
          ...opts,
          compression: { enabled: false },
          ...(model === undefined ? {} : { model }),
        }),
      ),
    toXml: (value, model, opts = {}) =>
      textOf(
        serializer.encode(value, 'xml', {
          ...opts,
          compression: { enabled: false },
          ...(model === undefined ? {} : { model }),
        }),
      ),
    toProtobuf: (value, model, opts = {}) =>
      serializer.encode(value, 'protobuf', { ...opts, ...(model === undefined ? {} : { model }) }),
    toMsgpack: (value, model, opts = {}) =>
      serializer.encode(value, 'msgpack', { ...opts, ...(model === undefined ? {} : { model }) }),
    fromJson: (input: DecodeInput, model?: AnyModel, opts?: DecodeOptions) =>
      decodeRaw(input, 'json', model, opts ?? {}, false) as never,
    fromYaml: (input: DecodeInput, model?: AnyModel, opts?: DecodeOptions) =>
      decodeRaw(input, 'yaml', model, opts ?? {}, false) as never,
    fromXml: (input: DecodeInput, model?: AnyModel, opts?: DecodeOptions) =>
      decodeRaw(input, 'xml', model, opts ?? {}, false) as never,
    fromProtobuf: (input: DecodeInput, model?: AnyModel, opts?: DecodeOptions) =>
      decodeRaw(input, 'protobuf', model, opts ?? {}, false) as never,
    fromMsgpack: (input: DecodeInput, model?: AnyModel, opts?: DecodeOptions) =>
      decodeRaw(input, 'msgpack', model, opts ?? {}, false) as never,
  };
  return Object.freeze(serializer);
}

/**
 * The default serializer (the seed's `UniversalSerializer`): JSON by
 * default, compact output, no compression, limits from `DECODE_LIMITS`.
 *
 * @example
 * ```ts
 * const xml = UniversalSerializer.toXml(alert, Alert);
 * const back = UniversalSerializer.fromXml(xml, Alert); // deep-equals alert
 * ```
 */
export const UniversalSerializer: Serializer = createSerializer();
