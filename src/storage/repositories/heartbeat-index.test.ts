import { describe, expect, it } from 'vitest';
import {
  HEARTBEAT_ENTRY_BYTES,
  HeartbeatIndex,
  heartbeatEntriesFor,
  type WrittenRow,
} from './heartbeat-index.js';

const row = (n: number, open = true, version = 1): WrittenRow => ({
  id: `id-${n}`,
  fingerprint: `fp-${n}`,
  status: 'firing',
  version,
  open,
  key: `key-${n}`,
});

/** One committed ingest transaction of `rows`. */
function write(index: HeartbeatIndex, tenantId: string, rows: readonly WrittenRow[]): void {
  index.endWrite(tenantId, index.beginWrite(tenantId), rows);
}

describe('HeartbeatIndex, bounded in all', () => {
  it('gives no entry to an open row past the bound in all, until entries go', () => {
    const index = new HeartbeatIndex({ maxEntries: 3 });
    write(index, 'a', [row(1), row(2)]);
    write(index, 'b', [row(3), row(4)]);
    expect([index.size('a'), index.size('b'), index.total]).toEqual([2, 1, 3]);
    expect(index.lookup('b', 'fp-4')).toBeUndefined();
    // A row written again keeps its place: its old entry goes first.
    write(index, 'a', [row(1, true, 2)]);
    expect(index.lookup('a', 'fp-1')?.version).toBe(2);
    expect(index.total).toBe(3);
    // A resolved row's entry goes, and makes room.
    write(index, 'a', [row(2, false, 2)]);
    expect(index.total).toBe(2);
    write(index, 'b', [row(4)]);
    expect([index.lookup('b', 'fp-4')?.id, index.total]).toEqual(['id-4', 3]);
    // A change told by another instance drops an entry, and counts it.
    index.changed('b', [['id-3', 5]]);
    expect([index.lookup('b', 'fp-3'), index.total]).toEqual([undefined, 2]);
    index.reset();
    expect([index.size('a'), index.size('b'), index.total]).toEqual([0, 0, 0]);
    write(index, 'c', [row(5), row(6), row(7), row(8)]);
    expect([index.size('c'), index.total]).toEqual([3, 3]);
  });

  it('is bounded by the tenants only without a bound in all', () => {
    const index = new HeartbeatIndex();
    write(
      index,
      'a',
      Array.from({ length: 1_000 }, (_, n) => row(n)),
    );
    expect(index.total).toBe(1_000);
  });

  it('holds a quarter of MAX_MEMORY_USAGE_MB at its measured cost per entry', () => {
    expect(heartbeatEntriesFor(512)).toBe(Math.floor((128 * 1_048_576) / HEARTBEAT_ENTRY_BYTES));
    expect(heartbeatEntriesFor(512)).toBe(298_261);
    expect(heartbeatEntriesFor(1)).toBe(582);
  });
});
