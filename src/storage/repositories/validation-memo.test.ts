import { describe, expect, it } from 'vitest';
import {
  BoundedTenantMap,
  MAX_MEMO_ENTRIES,
  MAX_MEMO_ENTRIES_PER_TENANT,
} from './validation-memo.js';

describe('BoundedTenantMap', () => {
  it('keeps values per tenant, apart', () => {
    const map = new BoundedTenantMap<number>();
    map.set('a', 'k', 1);
    map.set('b', 'k', 2);
    map.set('a', 'k', 3);
    expect([map.get('a', 'k'), map.get('b', 'k'), map.get('c', 'k')]).toEqual([3, 2, undefined]);
    expect([map.size('a'), map.size('b'), map.total]).toEqual([1, 1, 2]);
  });

  it("starts a tenant's entries over past its bound, and everyone's past the total bound", () => {
    const map = new BoundedTenantMap<number>();
    for (let i = 0; i < MAX_MEMO_ENTRIES_PER_TENANT; i++) map.set('a', `k${i}`, i);
    map.set('b', 'kept', 1);
    expect([map.size('a'), map.total]).toEqual([
      MAX_MEMO_ENTRIES_PER_TENANT,
      MAX_MEMO_ENTRIES_PER_TENANT + 1,
    ]);
    map.set('a', 'one more', 0);
    expect([map.size('a'), map.get('a', 'k0'), map.get('b', 'kept'), map.total]).toEqual([
      1,
      undefined,
      1,
      2,
    ]);
    const tenants = Math.ceil(MAX_MEMO_ENTRIES / (MAX_MEMO_ENTRIES_PER_TENANT - 1));
    for (let t = 0; t < tenants; t++) {
      for (let i = 0; i < MAX_MEMO_ENTRIES_PER_TENANT - 1; i++) map.set(`t${t}`, `k${i}`, i);
    }
    // The set that found the total at its bound started every tenant over.
    expect(map.total).toBeLessThan(MAX_MEMO_ENTRIES);
    expect(map.get('b', 'kept')).toBeUndefined();
  });
});
