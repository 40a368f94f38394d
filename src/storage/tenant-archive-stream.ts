/**
 * The byte form of a tenant archive, shared by the API and the command:
 * written gzip-compressed; read compressed or not (told by gzip's magic
 * bytes), then split into lines by `archiveLines`.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip, type Gzip } from 'node:zlib';
import { StorageError } from './errors.js';

/** The media type of a compressed archive. */
export const TENANT_ARCHIVE_GZIP_MEDIA_TYPE = 'application/gzip';

/**
 * The archive's lines, gzip-compressed, as a stream. A failure midway
 * destroys the stream with the error (`onError` hears it first).
 */
export function gzipArchive(lines: AsyncIterable<string>, onError?: (err: Error) => void): Gzip {
  const gzip = createGzip();
  pipeline(Readable.from(lines), gzip).catch((err: unknown) => {
    const error = err instanceof Error ? err : new Error(String(err));
    onError?.(error);
    gzip.destroy(error);
  });
  return gzip;
}

/**
 * The bytes of an archive, decompressed when they are gzip.
 * @throws StorageError `ALERTBASE_STORAGE_ARCHIVE_INVALID` for a damaged gzip stream.
 */
export async function* archiveBytes(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const iterator = body[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done === true) return;
  const all = async function* (): AsyncGenerator<Uint8Array> {
    yield first.value;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield next.value;
    }
  };
  if (first.value[0] !== 0x1f || first.value[1] !== 0x8b) {
    yield* all();
    return;
  }
  const gunzip = createGunzip();
  const feeding = pipeline(Readable.from(all()), gunzip).catch(() => {
    // The error reaches the reader through the gunzip stream.
  });
  try {
    for await (const chunk of gunzip) yield chunk as Uint8Array;
  } catch (err) {
    throw new StorageError('ALERTBASE_STORAGE_ARCHIVE_INVALID', {
      reason: `it is not a readable gzip stream (${err instanceof Error ? err.message : String(err)})`,
    });
  } finally {
    gunzip.destroy();
    await feeding;
  }
}
