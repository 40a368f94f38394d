import {
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  gunzipSync,
  gzipSync,
} from 'node:zlib';
import { DEFAULTS } from '../constants.js';
import { SerializationError } from '../exceptions/errors.js';
import { messageOf } from './codec.js';
import { malformed, tooLarge } from './limits.js';

/** A compression algorithm, named as in HTTP `Content-Encoding`. */
export type Compression = 'gzip' | 'br';

/** The seed's `serialization.compression_enabled` and its threshold. */
export interface CompressionOptions {
  /** Compress bodies at or above the threshold (default `false` here; configuration turns it on). */
  readonly enabled: boolean;
  /** `gzip` (default: self-marking, every decoder recognises it) or `br` (brotli). */
  readonly algorithm?: Compression;
  /** Smallest body compressed, in bytes (default `DEFAULTS.compressionThresholdBytes`). */
  readonly thresholdBytes?: number;
}

/** Does `bytes` start with the gzip magic number (`1f 8b`)? */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Compresses `bytes` when `options` say so and they are large enough.
 * Returns the bytes and the `Content-Encoding` that marks them. A gzip body
 * is also marked by its magic number, which `decompress` recognises alone;
 * a brotli body has no such mark and must travel with its `Content-Encoding`.
 */
export function compress(
  bytes: Uint8Array,
  options: CompressionOptions | undefined,
): { bytes: Uint8Array; encoding: Compression | 'identity' } {
  const threshold = options?.thresholdBytes ?? DEFAULTS.compressionThresholdBytes;
  if (options?.enabled !== true || bytes.byteLength < threshold)
    return { bytes, encoding: 'identity' };
  if (options.algorithm === 'br') {
    return {
      bytes: brotliCompressSync(bytes, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 5,
          [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
        },
      }),
      encoding: 'br',
    };
  }
  return { bytes: gzipSync(bytes, { level: 6 }), encoding: 'gzip' };
}

/** Compressed bytes of the first partial decompression {@link decompress} scans. */
const FIRST_PREFIX = 1_024;

/** The output of a prefix of a compressed body (a flush, not an end: truncation is fine). */
function inflatePrefix(prefix: Uint8Array, algorithm: Compression, maxBytes: number): Uint8Array {
  return algorithm === 'br'
    ? brotliDecompressSync(prefix, {
        maxOutputLength: maxBytes,
        finishFlush: constants.BROTLI_OPERATION_FLUSH,
      })
    : gunzipSync(prefix, { maxOutputLength: maxBytes, finishFlush: constants.Z_SYNC_FLUSH });
}

/**
 * Undoes {@link compress}: `encoding` as given by `Content-Encoding`, or
 * detected for gzip. Output beyond `maxBytes` (a decompression bomb) fails
 * with `ALERTBASE_SERIALIZATION_TOO_LARGE`; a corrupt body with
 * `ALERTBASE_SERIALIZATION_FAILED`.
 *
 * With `scan` (a decoder's counting pass, which throws at its limits), the
 * body is first decompressed in growing prefixes (1 KiB of compressed bytes,
 * then 4×, 16×, …; at most 4/3 of the work of one decompression) and each
 * partial output is scanned: a body of a few KB that stands for millions of
 * values is refused after inflating its first KB, not all of its 10 MiB.
 */
export function decompress(
  bytes: Uint8Array,
  format: string,
  maxBytes: number,
  encoding?: Compression | 'identity',
  scan?: (partial: Uint8Array) => void,
): Uint8Array {
  const algorithm = encoding ?? (isGzip(bytes) ? 'gzip' : 'identity');
  if (algorithm === 'identity') return bytes;
  try {
    if (scan !== undefined) {
      for (let prefix = FIRST_PREFIX; prefix < bytes.byteLength; prefix *= 4) {
        scan(inflatePrefix(bytes.subarray(0, prefix), algorithm, maxBytes));
      }
    }
    return algorithm === 'br'
      ? brotliDecompressSync(bytes, { maxOutputLength: maxBytes })
      : gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (cause) {
    if (cause instanceof SerializationError) throw cause;
    if ((cause as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLarge(format, maxBytes, 'bytes', { reason: 'decompressed size' });
    }
    throw malformed(format, `cannot decompress ${algorithm}: ${messageOf(cause)}`, {}, cause);
  }
}
