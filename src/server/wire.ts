/**
 * Bodies in every format: the content-type parser that hands raw bytes to
 * `UniversalSerializer` (after Fastify's `bodyLimit`, so the cap is applied
 * before any parsing), `Accept` negotiation, and the reply helper.
 *
 * Bodies are schemaless on the wire (no model is given to the codec): every
 * format carries the same tree, which a model then validates. XML uses the
 * serializer's self-describing mapping (`type="number"`, `<item>`), Protocol
 * Buffers carry a `google.protobuf.Value`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SerializationError } from '../base/exceptions/index.js';
import {
  type Compression,
  FORMAT_MIME_TYPES,
  type Format,
  formatFromMimeType,
  negotiateFormat,
  type Serializer,
} from '../base/serializers/index.js';
import { mayHoldUnstorableEscape } from '../base/utils/pg-text.js';
import type { MemoBudget } from '../storage/repositories/memo-budget.js';
import { JsonItemMemo } from './json-item-memo.js';
import { PROBLEM_JSON } from './problems.js';
import { checkStorableText, checkStorableUrl } from './storable-text.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route takes JSON arrays whose items come again and again (what
     * Prometheus resends): its JSON bodies are decoded item by item, the
     * items met before built from memory (see `json-item-memo.ts`).
     */
    memoItems?: boolean;
  }
  interface FastifyRequest {
    /** The format of the response body, from `Accept` (JSON when absent). */
    responseFormat: Format;
    /** Where the time and size of each body encoded or decoded are reported (metrics). */
    serialization: SerializationObserver | undefined;
  }
}

/** Receives each body encoded or decoded: format, direction, seconds, bytes. */
export interface SerializationObserver {
  serialization(
    format: Format,
    direction: 'encode' | 'decode',
    seconds: number,
    bytes: number,
  ): void;
}

/** What was read of a request body: its format and its size on the wire (before decompression). */
export interface ReceivedBody {
  readonly format: Format;
  readonly bytes: number;
  /**
   * The body's bytes when it was JSON sent without `Content-Encoding` whose
   * text escapes no NUL and no surrogate: text PostgreSQL stores as it is
   * (the payload archive keeps it so).
   */
  readonly json?: Buffer | undefined;
}

/** Each request body decoded, by request. */
export const receivedBodies = new WeakMap<FastifyRequest, ReceivedBody>();

const ENCODINGS: ReadonlySet<string> = new Set(['identity', 'gzip', 'br']);

/** Media types of every format alertbase writes, and of its errors. */
const COMPRESSIBLE_TYPES: ReadonlySet<string> = new Set([
  ...Object.values(FORMAT_MIME_TYPES),
  PROBLEM_JSON,
]);

/**
 * Is a response of this `Content-Type` worth compressing? Every format
 * alertbase writes is (the binary ones carry repeated keys and label
 * strings too), and problem details. Other types (the `/docs` files) are
 * left to the compression plugin's own list.
 */
export function isCompressibleType(contentType: string): boolean {
  return COMPRESSIBLE_TYPES.has(contentType.split(';', 1)[0]?.trim().toLowerCase() ?? '');
}

/** @internal The `Content-Encoding` of a request, checked. */
function contentEncodingOf(request: FastifyRequest): Compression | 'identity' | undefined {
  const header = request.headers['content-encoding'];
  if (header === undefined || header === '') return undefined;
  const value = header.trim().toLowerCase();
  if (!ENCODINGS.has(value)) {
    throw new SerializationError('ALERTBASE_SERIALIZATION_UNSUPPORTED_FORMAT', {
      format: `Content-Encoding ${value}`,
      supported: 'identity, gzip, br',
    });
  }
  return value as Compression | 'identity';
}

/**
 * Makes `scope` read every body through the serializer: any `Content-Type`
 * reaches one parser that receives the bytes (already capped by Fastify's
 * `bodyLimit`) and decodes them by the format of the type, or fails with 415
 * (`ALERTBASE_SERIALIZATION_UNSUPPORTED_FORMAT`). An empty body is `undefined`.
 * Also negotiates the response format from `Accept` before anything else
 * runs, so a request that cannot be answered (406) changes nothing. A route
 * with `config.memoItems` has its JSON bodies decoded item by item
 * (`json-item-memo.ts`), the items kept within `memoBudget`.
 */
export function useSerializer(
  scope: FastifyInstance,
  serializer: Serializer,
  observer?: SerializationObserver | undefined,
  memoBudget?: MemoBudget | undefined,
): void {
  scope.removeAllContentTypeParsers();
  const items = new JsonItemMemo(memoBudget);
  const decodeJson = (bytes: Buffer): unknown => serializer.decode(bytes, 'json');
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      const bytes = body as Buffer;
      if (bytes.byteLength === 0) {
        done(null, undefined);
        return;
      }
      const format = formatFromMimeType(request.headers['content-type'] ?? '');
      const encoding = contentEncodingOf(request);
      // JSON can carry NUL and surrogates only as `\u` escapes: text without
      // such an escape needs no walk, and is what the archive stores.
      const json =
        format === 'json' &&
        encoding === undefined &&
        (bytes.indexOf('\\u') === -1 || !mayHoldUnstorableEscape(bytes.toString('latin1')))
          ? bytes
          : undefined;
      receivedBodies.set(
        request,
        json === undefined
          ? { format, bytes: bytes.byteLength }
          : { format, bytes: bytes.byteLength, json },
      );
      const started = performance.now();
      const principal = request.principal;
      const value =
        json !== undefined &&
        principal?.kind === 'tenant' &&
        request.routeOptions.config.memoItems === true
          ? items.decode(json, principal.tenantId, serializer.options.limits, decodeJson)
          : serializer.decode(
              bytes,
              format,
              undefined,
              encoding === undefined ? {} : { contentEncoding: encoding },
            );
      observer?.serialization(
        format,
        'decode',
        (performance.now() - started) / 1000,
        bytes.byteLength,
      );
      if (json === undefined) checkStorableText(value, format);
      done(null, value);
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  scope.decorateRequest('responseFormat', 'json');
  // A getter: Fastify refuses an object as a request decorator's value.
  scope.decorateRequest('serialization', { getter: () => observer });
  scope.addHook('onRequest', async (request) => {
    checkStorableUrl(request.url);
    // A stream answers text/event-stream, and its errors in JSON, whatever `Accept` says.
    if (request.routeOptions.config.eventStream === true) return;
    request.responseFormat = negotiateFormat(request.headers.accept);
  });
}

/**
 * Sends `data` (plain JSON-like data) in the negotiated format.
 *
 * @example
 * ```ts
 * return send(reply, 201, AlertRule.dump(rule, DUMP));
 * ```
 */
export function send(
  reply: FastifyReply,
  status: number,
  data: unknown,
  serializer: Serializer,
): FastifyReply {
  const format = reply.request.responseFormat;
  const started = performance.now();
  const bytes = serializer.encode(data, format, { compression: { enabled: false } });
  reply.request.serialization?.serialization(
    format,
    'encode',
    (performance.now() - started) / 1000,
    bytes.byteLength,
  );
  return reply
    .code(status)
    .header(
      'content-type',
      `${FORMAT_MIME_TYPES[format]}${format === 'json' || format === 'yaml' || format === 'xml' ? '; charset=utf-8' : ''}`,
    )
    .header('vary', 'Accept')
    .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
