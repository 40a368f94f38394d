/**
 * What both series stores return before it becomes `StatsRow`s: one partial
 * row per bucket, group and kind, merged and sorted the same way for both.
 */
import type { DurationStats, StatsRow } from './types.js';

/** One bucket × group × kind, as a store's query returns it. */
export interface PartialRow {
  readonly time: number;
  /** `''` or `null`: no value. */
  readonly key: string | null;
  readonly kind: 'created' | 'acknowledged' | 'resolved';
  /** `created`: the alerts created; otherwise the number of durations. */
  readonly count: number;
  readonly mean: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
}

/** Means are kept to the microsecond: both stores agree to that, not to the last bit. */
const round = (ms: number): number => Math.round(ms * 1_000) / 1_000;

function durations(row: PartialRow): DurationStats | null {
  if (row.count === 0 || row.mean === null || row.p50 === null || row.p90 === null) return null;
  return { count: row.count, mean: round(row.mean), p50: row.p50, p90: row.p90 };
}

/** Merges partial rows into `StatsRow`s sorted by time, then key (`null` first). */
export function mergeRows(partials: Iterable<PartialRow>): StatsRow[] {
  const rows = new Map<string, { -readonly [K in keyof StatsRow]: StatsRow[K] }>();
  for (const p of partials) {
    const key = p.key === '' ? null : p.key;
    const id = `${p.time}\u0000${key ?? ''}`;
    let row = rows.get(id);
    if (row === undefined) {
      row = { time: p.time, key, created: 0, timeToAcknowledge: null, timeToResolve: null };
      rows.set(id, row);
    }
    if (p.kind === 'created') row.created += p.count;
    else if (p.kind === 'acknowledged') row.timeToAcknowledge = durations(p);
    else row.timeToResolve = durations(p);
  }
  return [...rows.values()].sort(
    (a, b) =>
      a.time - b.time ||
      (a.key === b.key ? 0 : a.key === null ? -1 : b.key === null ? 1 : a.key < b.key ? -1 : 1),
  );
}
