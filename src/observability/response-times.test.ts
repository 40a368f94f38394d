import { describe, expect, it } from 'vitest';
import { createResponseTimeWindow } from './response-times.js';

describe('createResponseTimeWindow', () => {
  it('is undefined with nothing recorded', () => {
    expect(createResponseTimeWindow(() => 0).quantile(0.95)).toBeUndefined();
  });

  it('reads p95 from the last minute, within a bucket (19%)', () => {
    let now = 1_000_000;
    const w = createResponseTimeWindow(() => now);
    for (let i = 0; i < 95; i++) w.record(2);
    for (let i = 0; i < 5; i++) w.record(500);
    const p95 = w.quantile(0.95);
    expect(p95?.count).toBe(100);
    expect(p95?.ms).toBeGreaterThanOrEqual(2);
    expect(p95?.ms).toBeLessThan(2 * 1.19);
    expect(w.quantile(1)?.ms).toBeGreaterThanOrEqual(500);
    expect(w.quantile(1)?.ms).toBeLessThan(500 * 1.19);
    // 30 s later the same; 61 s later all of it has left the window.
    now += 30_000;
    expect(w.quantile(0.95)?.count).toBe(100);
    now += 31_000;
    expect(w.quantile(0.95)).toBeUndefined();
  });

  it('reuses a second slot a minute later without the old counts', () => {
    let now = 0;
    const w = createResponseTimeWindow(() => now);
    w.record(1);
    now = 60_000;
    w.record(1000);
    expect(w.quantile(0.5)).toMatchObject({ count: 1 });
    expect(w.quantile(0.5)?.ms).toBeGreaterThanOrEqual(1000);
  });

  it('puts times beyond the last bound in an open bucket', () => {
    const w = createResponseTimeWindow(() => 5_000);
    w.record(10_000_000);
    expect(w.quantile(0.5)?.ms).toBe(Number.POSITIVE_INFINITY);
  });
});
