/**
 * Upper bounds of the buckets, milliseconds: quarter-powers of two from
 * 0.25 ms to about 65 s, so a quantile is read with at most 19% error.
 */
const BOUNDS: readonly number[] = Array.from({ length: 73 }, (_, i) => 2 ** (i / 4 - 2));

/** Seconds of history kept. */
const WINDOW_SECONDS = 60;

/** Response times of the last minute, for a quantile. */
export interface ResponseTimeWindow {
  /** Records one response time, milliseconds. */
  record(ms: number): void;
  /**
   * The `q` quantile (0..1) of the last minute's response times, ms (the upper
   * bound of its bucket), and how many were counted; `undefined` with none.
   */
  quantile(q: number): { readonly ms: number; readonly count: number } | undefined;
}

/**
 * A sliding one-minute window of response times: one histogram per second,
 * 60 of them in a ring, so recording is O(1) and memory is fixed whatever
 * the traffic.
 *
 * @example
 * ```ts
 * const window = createResponseTimeWindow();
 * window.record(12.5);
 * window.quantile(0.95); // { ms: 13.45..., count: 1 }
 * ```
 */
export function createResponseTimeWindow(now: () => number = () => Date.now()): ResponseTimeWindow {
  const slots = Array.from({ length: WINDOW_SECONDS }, () => ({
    second: -1,
    counts: new Uint32Array(BOUNDS.length + 1),
  }));
  const slotOf = (second: number) => {
    const slot = slots[second % WINDOW_SECONDS] as (typeof slots)[number];
    if (slot.second !== second) {
      slot.second = second;
      slot.counts.fill(0);
    }
    return slot;
  };
  return {
    record(ms) {
      const slot = slotOf(Math.floor(now() / 1000));
      let i = 0;
      while (i < BOUNDS.length && ms > (BOUNDS[i] as number)) i++;
      slot.counts[i] = (slot.counts[i] ?? 0) + 1;
    },
    quantile(q) {
      const current = Math.floor(now() / 1000);
      const totals = new Float64Array(BOUNDS.length + 1);
      let count = 0;
      for (const slot of slots) {
        if (slot.second <= current - WINDOW_SECONDS || slot.second > current) continue;
        slot.counts.forEach((n, i) => {
          totals[i] = (totals[i] ?? 0) + n;
          count += n;
        });
      }
      if (count === 0) return undefined;
      const rank = Math.max(1, Math.ceil(q * count));
      let seen = 0;
      for (let i = 0; i < totals.length; i++) {
        seen += totals[i] ?? 0;
        if (seen >= rank) return { ms: BOUNDS[i] ?? Number.POSITIVE_INFINITY, count };
      }
      return { ms: Number.POSITIVE_INFINITY, count };
    },
  };
}
