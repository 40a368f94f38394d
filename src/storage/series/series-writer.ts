/**
 * The buffered writer between alert changes and a series store: points are
 * kept in memory and written in batches (`batchSize` points, at least every
 * `flushIntervalMs`); a failed write is retried with exponential backoff.
 * The buffer is bounded (`maxBuffer` points): when the store is away long
 * enough to fill it, new points are dropped and counted (`onDrop`), so the
 * service never blocks, never grows without bound and never fails because of
 * its time series.
 */
import { isAlertbaseError } from '../../base/exceptions/index.js';
import type { AlertEventSink, SeriesPoint, SeriesStore } from './types.js';

/** Why points were dropped. */
export type DropReason = 'buffer_full' | 'refused' | 'closed';

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
  const batchSize = options.batchSize ?? 1_000;
  const flushIntervalMs = options.flushIntervalMs ?? 1_000;
  const maxBuffer = options.maxBuffer ?? 100_000;
  const initialBackoff = options.initialBackoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let buffer: SeriesPoint[] = [];
  let written = 0;
  let dropped = 0;
  let failures = 0;
  let closed = false;
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  /** While backing off: no write before this time. */
  let retryAt = 0;

  const drop = (count: number, reason: DropReason, error?: unknown): void => {
    if (count === 0) return;
    dropped += count;
    options.onDrop?.(count, reason, error);
  };

  const schedule = (delayMs: number): void => {
    if (closed || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, delayMs);
    timer.unref();
  };

  /** Points taken from the buffer by writes in flight (they count against `maxBuffer`). */
  let writing = 0;

  /**
   * One write of the buffer's head. The batch leaves the buffer while it is
   * written and goes back to its head when the write fails and will be
   * retried, so the order of points is kept.
   */
  const writeOnce = async (): Promise<void> => {
    const batch = buffer.splice(0, batchSize);
    writing += batch.length;
    try {
      await options.store.write(batch);
      written += batch.length;
      if (failures > 0) options.onRecover?.(failures);
      failures = 0;
      retryAt = 0;
    } catch (err) {
      if (isRefusal(err)) {
        drop(batch.length, 'refused', err);
        failures = 0;
      } else {
        buffer = batch.concat(buffer);
        failures++;
        const delay = Math.min(maxBackoff, initialBackoff * 2 ** Math.min(failures - 1, 20));
        retryAt = Date.now() + delay;
        options.onRetry?.(err, delay);
      }
    } finally {
      writing -= batch.length;
    }
  };

  const flush = (): Promise<void> => {
    if (inFlight !== undefined) return inFlight;
    if (buffer.length === 0) return Promise.resolve();
    const wait = retryAt - Date.now();
    if (wait > 0 && !closed) {
      schedule(wait);
      return Promise.resolve();
    }
    const full = () => failures === 0 && buffer.length >= batchSize && !closed;
    inFlight = (async () => {
      try {
        // Full batches go out back to back, two at a time: the next batch is
        // formatted while the previous one is on the wire. A remainder waits
        // for the interval.
        const first = async () => {
          do await writeOnce();
          while (full());
        };
        const second = async () => {
          while (full()) await writeOnce();
        };
        await Promise.all([first(), second()]);
      } finally {
        inFlight = undefined;
      }
      if (buffer.length > 0) schedule(failures > 0 ? retryAt - Date.now() : flushIntervalMs);
    })();
    return inFlight;
  };

  return {
    record(points: readonly SeriesPoint[]): void {
      if (points.length === 0) return;
      if (closed) {
        drop(points.length, 'closed');
        return;
      }
      const room = maxBuffer - buffer.length - writing;
      const kept = Math.min(points.length, Math.max(room, 0));
      if (kept < points.length) drop(points.length - kept, 'buffer_full');
      if (kept === 0) return;
      // A loop, not push(...points): a spread of 100,000 arguments overflows the stack.
      for (let k = 0; k < kept; k++) buffer.push(points[k] as SeriesPoint);
      if (buffer.length >= batchSize && failures === 0) void flush();
      else schedule(failures > 0 ? Math.max(0, retryAt - Date.now()) : flushIntervalMs);
    },
    flush,
    stats: () => ({ buffered: buffer.length, written, dropped, failures }),
    async close(timeoutMs = 2_000): Promise<void> {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      const deadline = Date.now() + timeoutMs;
      retryAt = 0;
      const attempt = async (): Promise<void> => {
        await inFlight;
        while (buffer.length > 0 && Date.now() < deadline) {
          const before = failures;
          await writeOnce();
          if (failures > before) break;
        }
      };
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        attempt(),
        new Promise<void>((resolve) => {
          timeout = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timeout);
      // Points of a write still hanging are given up too (it may yet land: InfluxDB keeps a line once).
      const left = buffer.length + writing;
      buffer = [];
      drop(left, 'closed');
    },
  };
}
