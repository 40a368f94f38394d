/**
 * The buffered writer between alert changes and a series store: points are
 * kept in memory and written in batches (`batchSize` points, at least every
 * `flushIntervalMs`); a failed write is retried with exponential backoff.
 * The buffer is bounded (`maxBuffer` points): when the store is away long
 * enough to fill it, new points are dropped and counted (`onDrop`), so the
 * service never blocks, never grows without bound and never fails because of
 * its time series. Two writes are in flight at once, when flushing and when
 * closing: the next batch's line protocol is formatted while the previous
 * one is on the wire. The mechanics are those of `createBufferedWriter`.
 */
import { isAlertbaseError } from '../../base/exceptions/index.js';
import {
  type BufferedWriter,
  type BufferedWriterOptions,
  type BufferedWriterStats,
  createBufferedWriter,
} from '../buffered-writer.js';
import type { AlertEventSink, SeriesPoint, SeriesStore } from './types.js';

export type { DropReason } from '../buffered-writer.js';

/**
 * Options of {@link createSeriesWriter}: the store, and the buffer's options
 * (`batchSize`, `flushIntervalMs`, `maxBuffer` in points, backoff, `onDrop`,
 * `onRetry`, `onRecover`; see `BufferedWriterOptions`).
 */
export type SeriesWriterOptions = Omit<
  BufferedWriterOptions<SeriesPoint>,
  'write' | 'isRefusal' | 'weigh' | 'concurrency'
> & { readonly store: SeriesStore };

/** Counters of a writer, in points. */
export type SeriesWriterStats = BufferedWriterStats;

/** A buffered writer of points; also the sink the repositories record into. */
export type SeriesWriter = BufferedWriter<SeriesPoint> & AlertEventSink;

/**
 * A write the store refused for its content (HTTP 400, a bad point): retrying
 * it would fail again, so its points are dropped (`refused`).
 */
function isRefusal(err: unknown): boolean {
  return (
    isAlertbaseError(err) &&
    (err.code === 'ALERTBASE_STORAGE_SERIES_REFUSED' ||
      err.code === 'ALERTBASE_STORAGE_POINT_INVALID')
  );
}

/**
 * Creates a writer over a store.
 *
 * @example
 * ```ts
 * const writer = createSeriesWriter({ store, onDrop: (n, why) => log.warn(`${n} points dropped: ${why}`) });
 * writer.record(points); // never blocks, never throws
 * await writer.close();
 * ```
 */
export function createSeriesWriter(options: SeriesWriterOptions): SeriesWriter {
  const { store, ...rest } = options;
  return createBufferedWriter<SeriesPoint>({
    ...rest,
    write: (batch) => store.write(batch),
    isRefusal,
    concurrency: 2,
  });
}
