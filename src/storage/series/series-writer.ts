/**
 * The buffered writer between alert changes and a series store: points are
 * kept in memory and written in batches (`batchSize` points, at least every
 * `flushIntervalMs`); a failed write is retried with exponential backoff.
 * The buffer is bounded (`maxBuffer` points): when the store is away long
 * enough to fill it, new points are dropped and counted (`onDrop`), so the
 * service never blocks, never grows without bound and never fails because of
 * its time series. Two writes are in flight at once: the next batch's line
 * protocol is formatted while the previous one is on the wire. The
 * mechanics are those of `createBufferedWriter`.
 */
import { isAlertbaseError } from '../../base/exceptions/index.js';
import { createBufferedWriter, type DropReason } from '../buffered-writer.js';
import type { AlertEventSink, SeriesPoint, SeriesStore } from './types.js';

export type { DropReason } from '../buffered-writer.js';

/** Options of {@link createSeriesWriter}. */
export interface SeriesWriterOptions {
  readonly store: SeriesStore;
  /** Points per write (default 1,000). */
  readonly batchSize?: number | undefined;
  /** Longest wait before buffered points are written, ms (default 1,000). */
  readonly flushIntervalMs?: number | undefined;
  /** Points kept while the store is away (default 100,000); past it, new points are dropped. */
  readonly maxBuffer?: number | undefined;
  /** First retry delay after a failed write, ms (default 500), doubled up to `maxBackoffMs`. */
  readonly initialBackoffMs?: number | undefined;
  /** Longest retry delay, ms (default 30,000). */
  readonly maxBackoffMs?: number | undefined;
  /** Points dropped (counted by the caller: a metric and a log line). */
  readonly onDrop?: ((count: number, reason: DropReason, error?: unknown) => void) | undefined;
  /** A write failed and will be retried. */
  readonly onRetry?: ((error: unknown, delayMs: number) => void) | undefined;
  /** Writes resumed after failures. */
  readonly onRecover?: ((failures: number) => void) | undefined;
}

/** Counters of a writer. */
export interface SeriesWriterStats {
  readonly buffered: number;
  readonly written: number;
  readonly dropped: number;
  /** Failed writes in a row (0: the last write succeeded). */
  readonly failures: number;
}

/** A buffered writer; also the sink the repositories record into. */
export interface SeriesWriter extends AlertEventSink {
  /** Writes what is buffered now (resolves when done or failed; never rejects). */
  flush(): Promise<void>;
  stats(): SeriesWriterStats;
  /**
   * Stops the timer and tries once more to write what is buffered, waiting
   * at most `timeoutMs` (default 2,000); what is left is dropped (`closed`).
   */
  close(timeoutMs?: number): Promise<void>;
}

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
