/**
 * What the time series' tests (series-writer.test.ts) do not reach: a
 * buffer bounded by weight (the payload archive's bytes), and a refusal
 * that drops its batch instead of retrying it.
 */
import { describe, expect, it } from 'vitest';
import { createBufferedWriter, type DropReason } from './buffered-writer.js';

describe('createBufferedWriter', () => {
  it('bounds the buffer by weight: items past it are dropped, in order', async () => {
    const written: number[][] = [];
    const drops: [number, DropReason][] = [];
    const writer = createBufferedWriter<number>({
      write: async (batch) => {
        written.push([...batch]);
      },
      weigh: (n) => n,
      maxBuffer: 10,
      batchSize: 100,
      flushIntervalMs: 10_000,
      onDrop: (count, reason) => drops.push([count, reason]),
    });
    writer.record([4, 5, 2, 1]);
    expect(drops).toEqual([[2, 'buffer_full']]);
    expect(writer.stats()).toMatchObject({ buffered: 2, dropped: 2 });
    await writer.flush();
    expect(written).toEqual([[4, 5]]);
    // Written: the weight is free again.
    writer.record([9]);
    expect(writer.stats().buffered).toBe(1);
    await writer.close();
    expect(written).toEqual([[4, 5], [9]]);
  });

  it('drops a refused batch and goes on; retries what is not refused', async () => {
    const drops: [number, DropReason][] = [];
    let calls = 0;
    const writer = createBufferedWriter<string>({
      write: async (batch) => {
        calls++;
        if (batch.includes('bad')) throw new Error('refused');
      },
      isRefusal: (err) => err instanceof Error && err.message === 'refused',
      batchSize: 2,
      flushIntervalMs: 10_000,
      onDrop: (count, reason) => drops.push([count, reason]),
    });
    writer.record(['bad', 'x', 'good', 'y']);
    await writer.flush();
    expect(drops).toEqual([[2, 'refused']]);
    expect(writer.stats()).toMatchObject({ buffered: 0, written: 2, failures: 0 });
    expect(calls).toBe(2);
    await writer.close();
  });
});
