/**
 * A write-behind buffer in front of a store: items are kept in memory and
 * written in batches (`batchSize` items, at least every `flushIntervalMs`);
 * a failed write is retried with exponential backoff. The buffer is bounded
 * (`maxBuffer`, in items or in the weight `weigh` gives each): when the
 * store is away long enough to fill it, new items are dropped and counted
 * (`onDrop`), so the caller never blocks, never grows without bound and
 * never fails because of the store. With `concurrency` 2, the next batch
 * is prepared (formatted by the store's `write`) while the previous one is
 * on the wire. The time series (`series/series-writer.ts`, two writes in
 * flight) and the payload archive (bounded by bytes) write through it.
 */

/** Why items were dropped. */
export type DropReason = 'buffer_full' | 'refused' | 'closed';

/** Options of {@link createBufferedWriter}. */
export interface BufferedWriterOptions<T> {
  /** Writes one batch; rejects when the store refuses or cannot be reached. */
  readonly write: (batch: readonly T[]) => Promise<void>;
  /** A failure the store will repeat (the batch's content): dropped (`refused`), not retried. */
  readonly isRefusal?: ((err: unknown) => boolean) | undefined;
  /** The weight of an item against `maxBuffer` (default 1: `maxBuffer` counts items). */
  readonly weigh?: ((item: T) => number) | undefined;
  /** Items per write (default 1,000). */
  readonly batchSize?: number | undefined;
  /** Writes in flight at once when full batches are waiting (default 1). */
  readonly concurrency?: number | undefined;
  /** Longest wait before buffered items are written, ms (default 1,000). */
  readonly flushIntervalMs?: number | undefined;
  /** Weight kept while the store is away (default 100,000); past it, new items are dropped. */
  readonly maxBuffer?: number | undefined;
  /** First retry delay after a failed write, ms (default 500), doubled up to `maxBackoffMs`. */
  readonly initialBackoffMs?: number | undefined;
  /** Longest retry delay, ms (default 30,000). */
  readonly maxBackoffMs?: number | undefined;
  /** Items dropped (counted by the caller: a metric and a log line). */
  readonly onDrop?: ((count: number, reason: DropReason, error?: unknown) => void) | undefined;
  /** A write failed and will be retried. */
  readonly onRetry?: ((error: unknown, delayMs: number) => void) | undefined;
  /** Writes resumed after failures. */
  readonly onRecover?: ((failures: number) => void) | undefined;
}

/** Counters of a writer (in items). */
export interface BufferedWriterStats {
  readonly buffered: number;
  readonly written: number;
  readonly dropped: number;
  /** Failed writes in a row (0: the last write succeeded). */
  readonly failures: number;
}

/** A buffered writer. */
export interface BufferedWriter<T> {
  /** Buffers items; never blocks, never throws (past the bound they are dropped). */
  record(items: readonly T[]): void;
  /** Writes what is buffered now (resolves when done or failed; never rejects). */
  flush(): Promise<void>;
  stats(): BufferedWriterStats;
  /**
   * Stops the timer and tries once more to write what is buffered
   * (`concurrency` writes at a time, up to the first failed write), waiting
   * at most `timeoutMs` (default 2,000); what is left is dropped (`closed`).
   */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Creates a writer over a store's batch write.
 *
 * @example
 * ```ts
 * const writer = createBufferedWriter({ write: (b) => store.write(b), onDrop: (n, why) => log.warn(`${n} dropped: ${why}`) });
 * writer.record(items); // never blocks, never throws
 * await writer.close();
 * ```
 */
export function createBufferedWriter<T>(options: BufferedWriterOptions<T>): BufferedWriter<T> {
  const batchSize = options.batchSize ?? 1_000;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const flushIntervalMs = options.flushIntervalMs ?? 1_000;
  const maxBuffer = options.maxBuffer ?? 100_000;
  const initialBackoff = options.initialBackoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  const weigh = options.weigh ?? (() => 1);
  const isRefusal = options.isRefusal ?? (() => false);
  let buffer: T[] = [];
  /** The weight of `buffer`. */
  let weight = 0;
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

  /** Weight and items taken from the buffer by writes in flight (they count against `maxBuffer`). */
  let writingWeight = 0;
  let writingItems = 0;

  /**
   * One write of the buffer's head. The batch leaves the buffer while it is
   * written and goes back to its head when the write fails and will be
   * retried, so the order of items is kept.
   */
  const writeOnce = async (): Promise<void> => {
    const batch = buffer.splice(0, batchSize);
    let batchWeight = 0;
    for (const item of batch) batchWeight += weigh(item);
    weight -= batchWeight;
    writingWeight += batchWeight;
    writingItems += batch.length;
    try {
      await options.write(batch);
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
        weight += batchWeight;
        failures++;
        const delay = Math.min(maxBackoff, initialBackoff * 2 ** Math.min(failures - 1, 20));
        retryAt = Date.now() + delay;
        options.onRetry?.(err, delay);
      }
    } finally {
      writingWeight -= batchWeight;
      writingItems -= batch.length;
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
        // Full batches go out back to back, `concurrency` at a time; a
        // remainder waits for the interval.
        const first = async () => {
          do await writeOnce();
          while (full());
        };
        const more = async () => {
          while (full()) await writeOnce();
        };
        await Promise.all([first(), ...Array.from({ length: concurrency - 1 }, more)]);
      } finally {
        inFlight = undefined;
      }
      if (buffer.length > 0) schedule(failures > 0 ? retryAt - Date.now() : flushIntervalMs);
    })();
    return inFlight;
  };

  return {
    record(items: readonly T[]): void {
      if (items.length === 0) return;
      if (closed) {
        drop(items.length, 'closed');
        return;
      }
      // In order, until the first item that does not fit; the rest are dropped.
      // A loop, not push(...items): a spread of 100,000 arguments overflows the stack.
      let kept = 0;
      for (; kept < items.length; kept++) {
        const item = items[kept] as T;
        const w = weigh(item);
        if (weight + writingWeight + w > maxBuffer) break;
        buffer.push(item);
        weight += w;
      }
      if (kept < items.length) drop(items.length - kept, 'buffer_full');
      if (kept === 0) return;
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
      // What is left goes out `concurrency` writes at a time, as in `flush`,
      // until the deadline or the first failed write.
      let failed = false;
      const drain = async (): Promise<void> => {
        while (!failed && buffer.length > 0 && Date.now() < deadline) {
          const before = failures;
          await writeOnce();
          if (failures > before) failed = true;
        }
      };
      const attempt = async (): Promise<void> => {
        await inFlight;
        await Promise.all(Array.from({ length: concurrency }, drain));
      };
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        attempt(),
        new Promise<void>((resolve) => {
          timeout = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timeout);
      // Items of a write still hanging are given up too (it may yet land).
      const left = buffer.length + writingItems;
      buffer = [];
      weight = 0;
      drop(left, 'closed');
    },
  };
}
