import { describe, expect, it } from 'vitest';
import { StorageError } from '../errors.js';
import { createSeriesWriter, type DropReason } from './series-writer.js';
import type { SeriesPoint, SeriesStore } from './types.js';

const point = (k: number): SeriesPoint => ({
  kind: 'created',
  tenantId: 't',
  time: k,
  rule: null,
  alertname: null,
  severity: null,
  status: 'firing',
  count: 1,
  durationMs: null,
});
const points = (n: number, from = 0): SeriesPoint[] =>
  Array.from({ length: n }, (_, k) => point(from + k));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A store that records batches, and fails while `down` holds an error. */
function fakeStore() {
  const batches: number[][] = [];
  const state: { down: Error | undefined; delayMs: number } = { down: undefined, delayMs: 0 };
  const store: SeriesStore = {
    engine: 'fake',
    async write(ps) {
      if (state.delayMs > 0) await sleep(state.delayMs);
      if (state.down !== undefined) throw state.down;
      batches.push(ps.map((p) => p.time));
    },
    stats: async () => [],
    ping: async () => {},
    close: async () => {},
  };
  return { store, batches, state };
}

describe('series writer', () => {
  it('writes full batches at once and the remainder after the interval, in order', async () => {
    const { store, batches } = fakeStore();
    const writer = createSeriesWriter({ store, batchSize: 3, flushIntervalMs: 30 });
    writer.record(points(7));
    await sleep(5);
    expect(batches).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    await sleep(60);
    expect(batches.at(-1)).toEqual([6]);
    expect(writer.stats()).toEqual({ buffered: 0, written: 7, dropped: 0, failures: 0 });
    await writer.close();
  });

  it('keeps two writes in flight: the next batch is prepared while the previous one is on the wire', async () => {
    let running = 0;
    let most = 0;
    const written: number[][] = [];
    const store: SeriesStore = {
      engine: 'slow',
      async write(ps) {
        running++;
        most = Math.max(most, running);
        await sleep(20);
        written.push(ps.map((p) => p.time));
        running--;
      },
      stats: async () => [],
      ping: async () => {},
      close: async () => {},
    };
    const writer = createSeriesWriter({ store, batchSize: 2, flushIntervalMs: 60_000 });
    writer.record(points(8));
    await writer.flush();
    expect(most).toBe(2);
    expect(written.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(writer.stats()).toEqual({ buffered: 0, written: 8, dropped: 0, failures: 0 });
    await writer.close();
  });

  it('keeps points up to the bound while the store is away, drops and counts the rest, then resumes', async () => {
    const { store, batches, state } = fakeStore();
    const drops: [number, DropReason][] = [];
    const retries: number[] = [];
    let recovered = 0;
    state.down = new StorageError('ALERTBASE_STORAGE_SERIES_UNAVAILABLE', {
      engine: 'fake',
      reason: 'down',
    });
    const writer = createSeriesWriter({
      store,
      batchSize: 2,
      flushIntervalMs: 5,
      maxBuffer: 5,
      initialBackoffMs: 10,
      maxBackoffMs: 20,
      onDrop: (n, why) => drops.push([n, why]),
      onRetry: (_err, delay) => retries.push(delay),
      onRecover: (n) => {
        recovered = n;
      },
    });
    writer.record(points(3));
    writer.record(points(4, 3)); // two fit, two dropped
    writer.record(points(1, 7)); // full: dropped
    expect(drops).toEqual([
      [2, 'buffer_full'],
      [1, 'buffer_full'],
    ]);
    await sleep(60);
    expect(batches).toEqual([]);
    expect(retries.slice(0, 3)).toEqual([10, 20, 20]);
    expect(writer.stats()).toMatchObject({ buffered: 5, dropped: 3 });
    state.down = undefined;
    await sleep(60);
    expect(batches.flat()).toEqual([0, 1, 2, 3, 4]);
    expect(recovered).toBeGreaterThan(0);
    expect(writer.stats()).toEqual({ buffered: 0, written: 5, dropped: 3, failures: 0 });
    await writer.close();
  });

  it('drops a batch the store refuses for its content instead of retrying it', async () => {
    const { store, batches, state } = fakeStore();
    const drops: [number, DropReason][] = [];
    state.down = new StorageError('ALERTBASE_STORAGE_SERIES_REFUSED', {
      engine: 'fake',
      reason: 'bad',
    });
    const writer = createSeriesWriter({
      store,
      batchSize: 2,
      onDrop: (n, why) => drops.push([n, why]),
    });
    writer.record(points(2));
    await sleep(5);
    expect(drops).toEqual([[2, 'refused']]);
    state.down = undefined;
    writer.record(points(2, 2));
    await sleep(5);
    expect(batches).toEqual([[2, 3]]);
    await writer.close();
  });

  it('close writes what is buffered, then drops what arrives later', async () => {
    const { store, batches } = fakeStore();
    const drops: [number, DropReason][] = [];
    const writer = createSeriesWriter({
      store,
      batchSize: 10,
      flushIntervalMs: 60_000,
      onDrop: (n, why) => drops.push([n, why]),
    });
    writer.record(points(3));
    await writer.close();
    expect(batches).toEqual([[0, 1, 2]]);
    writer.record(points(1));
    expect(drops).toEqual([[1, 'closed']]);
    await writer.close(); // idempotent
  });

  it('close drains what is buffered two writes at a time, as flushing does', async () => {
    /** Writes started once close was called, running at once. */
    let closing = false;
    let running = 0;
    let most = 0;
    const written: number[] = [];
    const store: SeriesStore = {
      engine: 'slow',
      async write(ps) {
        const counted = closing;
        if (counted) most = Math.max(most, ++running);
        await sleep(20);
        written.push(...ps.map((p) => p.time));
        if (counted) running--;
      },
      stats: async () => [],
      ping: async () => {},
      close: async () => {},
    };
    const writer = createSeriesWriter({ store, batchSize: 2, flushIntervalMs: 60_000 });
    writer.record(points(11)); // the first two batches are on the wire
    closing = true;
    await writer.close(5_000);
    expect(most).toBe(2);
    expect(written.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(writer.stats()).toEqual({ buffered: 0, written: 11, dropped: 0, failures: 0 });
  });

  it('close gives up after its timeout when the store hangs, and counts what it leaves', async () => {
    const { store, state } = fakeStore();
    const drops: [number, DropReason][] = [];
    state.delayMs = 500;
    const writer = createSeriesWriter({
      store,
      batchSize: 10,
      flushIntervalMs: 60_000,
      onDrop: (n, why) => drops.push([n, why]),
    });
    writer.record(points(4));
    const started = Date.now();
    await writer.close(50);
    expect(Date.now() - started).toBeLessThan(400);
    expect(drops).toEqual([[4, 'closed']]);
  });

  it('close stops after a failed write instead of spinning until its timeout', async () => {
    const { store, state } = fakeStore();
    state.down = new Error('connect ECONNREFUSED');
    const drops: [number, DropReason][] = [];
    const writer = createSeriesWriter({ store, onDrop: (n, why) => drops.push([n, why]) });
    writer.record(points(2));
    const started = Date.now();
    await writer.close(1_000);
    expect(Date.now() - started).toBeLessThan(500);
    expect(drops).toEqual([[2, 'closed']]);
  });

  it('takes a record of 300,000 points at once', async () => {
    const { store, batches } = fakeStore();
    const drops: number[] = [];
    const big = createSeriesWriter({
      store,
      batchSize: 100_000,
      maxBuffer: 250_000,
      onDrop: (n) => drops.push(n),
    });
    big.record(points(300_000));
    await big.close(10_000);
    expect(drops).toEqual([50_000]);
    expect(batches.map((b) => b.length)).toEqual([100_000, 100_000, 50_000]);
  });

  it('an explicit flush with nothing buffered resolves at once; empty records are ignored', async () => {
    const { store, batches } = fakeStore();
    const writer = createSeriesWriter({ store });
    writer.record([]);
    await writer.flush();
    expect(batches).toEqual([]);
    await writer.close();
  });
});
