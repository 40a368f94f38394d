import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MEMO_BUDGET_BYTES,
  MemoBudget,
  memoBudgetBytes,
  START_OVER_INTERVAL_MS,
} from './memo-budget.js';
import {
  BoundedTenantMap,
  MAX_MEMO_ENTRIES,
  MAX_MEMO_ENTRIES_PER_TENANT,
  validationEntryBytes,
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

describe('BoundedTenantMap within a MemoBudget', () => {
  it("charges each new entry to its tenant, replaces a kept key at no charge, and gives a tenant's bytes back when its entries start over", () => {
    const budget = new MemoBudget(10_000_000, { startOverIntervalMs: 0 });
    const map = new BoundedTenantMap<number>(budget);
    expect(map.set('a', 'k', 1, 100)).toBe(true);
    expect(map.set('a', 'k', 2, 100)).toBe(true);
    map.set('b', 'k', 3, 50);
    expect([map.get('a', 'k'), map.bytes('a'), map.bytes('b'), budget.used]).toEqual([
      2, 100, 50, 150,
    ]);
    for (let i = 1; i < MAX_MEMO_ENTRIES_PER_TENANT; i++) map.set('a', `k${i}`, i, 10);
    const full = 100 + 10 * (MAX_MEMO_ENTRIES_PER_TENANT - 1);
    expect([map.bytes('a'), budget.used]).toEqual([full, full + 50]);
    // Past the tenant's bound its entries start over: their bytes are given back.
    map.set('a', 'one more', 0, 7);
    expect([map.size('a'), map.bytes('a'), map.bytes('b'), budget.used]).toEqual([1, 7, 50, 57]);
  });

  it('keeps no entry that does not fit until the interval since the last start-over has passed, then starts every memo of the budget over; keeps none larger than the budget', () => {
    let now = 5_000;
    const budget = new MemoBudget(300, { now: () => now });
    const first = new BoundedTenantMap<string>(budget);
    const second = new BoundedTenantMap<string, number>(budget);
    first.set('a', 'x', 'kept', 200);
    second.set('b', 1, 'kept too', 100);
    expect([budget.used, budget.startOvers]).toEqual([300, 0]);
    // 1 byte more, within the interval of the budget's making: not kept, the rest kept.
    now += START_OVER_INTERVAL_MS - 1;
    expect(second.set('b', 2, 'new', 1)).toBe(false);
    expect([first.get('a', 'x'), second.get('b', 1), second.get('b', 2)]).toEqual([
      'kept',
      'kept too',
      undefined,
    ]);
    expect([budget.used, budget.startOvers, budget.refused]).toEqual([300, 0, 1]);
    // Past it: both start over, then the new entry is kept and charged.
    now += 1;
    expect(second.set('b', 2, 'new', 1)).toBe(true);
    expect([first.get('a', 'x'), second.get('b', 1), second.get('b', 2)]).toEqual([
      undefined,
      undefined,
      'new',
    ]);
    expect([budget.used, budget.startOvers, first.bytes('a'), second.bytes('b')]).toEqual([
      1, 1, 0, 1,
    ]);
    // Larger than the whole budget: not kept, nothing started over.
    expect(first.set('a', 'huge', 'no', 301)).toBe(false);
    expect([first.get('a', 'huge'), second.get('b', 2), budget.startOvers]).toEqual([
      undefined,
      'new',
      1,
    ]);
    expect(first.charge('a', 301)).toBe(false);
    expect(first.charge('a', 0)).toBe(true);
    // The next start-over waits for the interval again, counted from this one.
    first.set('a', 'y', 'fills', 299);
    now += START_OVER_INTERVAL_MS - 1;
    expect(first.set('a', 'z', 'no room', 1)).toBe(false);
    now += 1;
    expect(first.set('a', 'z', 'room', 1)).toBe(true);
    expect([budget.startOvers, budget.refused, budget.used]).toEqual([2, 2, 1]);
  });

  it('starts a tenant over by its entry bound at most once in the interval, keeping no new entry in between', () => {
    let now = 0;
    const budget = new MemoBudget(Number.MAX_SAFE_INTEGER, { now: () => now });
    const map = new BoundedTenantMap<number>(budget);
    for (let i = 0; i < MAX_MEMO_ENTRIES_PER_TENANT; i++) map.set('a', `k${i}`, i, 2);
    now = START_OVER_INTERVAL_MS - 1;
    // Full, within the interval of the map's making: a new key is not kept, a kept one is replaced.
    expect(map.set('a', 'new', 1, 2)).toBe(false);
    expect(map.set('a', 'k0', -1, 2)).toBe(true);
    expect([map.size('a'), map.get('a', 'new'), map.get('a', 'k0'), budget.refused]).toEqual([
      MAX_MEMO_ENTRIES_PER_TENANT,
      undefined,
      -1,
      1,
    ]);
    // Another tenant is not held back.
    expect(map.set('b', 'k', 1, 2)).toBe(true);
    now = START_OVER_INTERVAL_MS;
    expect(map.set('a', 'new', 1, 2)).toBe(true);
    expect([map.size('a'), map.bytes('a'), budget.used]).toEqual([1, 2, 4]);
    // Full again right after: the next start-over waits for a whole interval.
    for (let i = 1; i < MAX_MEMO_ENTRIES_PER_TENANT; i++) map.set('a', `k${i}`, i);
    expect(map.set('a', 'newer', 1)).toBe(false);
    now = 2 * START_OVER_INTERVAL_MS;
    expect(map.set('a', 'newer', 1)).toBe(true);
  });

  it("gives every tenant's bytes back when the total bound starts the map over", () => {
    const budget = new MemoBudget(Number.MAX_SAFE_INTEGER, { startOverIntervalMs: 0 });
    const map = new BoundedTenantMap<number>(budget);
    const tenants = Math.ceil(MAX_MEMO_ENTRIES / (MAX_MEMO_ENTRIES_PER_TENANT - 1));
    for (let t = 0; t < tenants; t++) {
      for (let i = 0; i < MAX_MEMO_ENTRIES_PER_TENANT - 1; i++) map.set(`t${t}`, `k${i}`, i, 3);
    }
    // The total bound started everyone over once: what is charged is what is kept.
    expect(map.total).toBeLessThan(MAX_MEMO_ENTRIES);
    let kept = 0;
    for (let t = 0; t < tenants; t++) kept += map.bytes(`t${t}`);
    expect(kept).toBe(3 * map.total);
    expect(budget.used).toBe(kept);
  });
});

describe('MemoBudget', () => {
  it('refuses a bound that is not a whole number of bytes', () => {
    expect(() => new MemoBudget(-1)).toThrow(RangeError);
    expect(() => new MemoBudget(1.5)).toThrow(/whole number of bytes, got 1.5/);
    expect(new MemoBudget().maxBytes).toBe(DEFAULT_MEMO_BUDGET_BYTES);
  });

  it('is a quarter of MAX_MEMORY_USAGE_MB: 128 MiB at the default 512', () => {
    expect(DEFAULT_MEMO_BUDGET_BYTES).toBe(128 * 1_048_576);
    expect(memoBudgetBytes(1)).toBe(262_144);
    expect(memoBudgetBytes(3)).toBe(786_432);
  });

  it('never counts below 0 when more is given back than was charged', () => {
    const budget = new MemoBudget(100);
    budget.charge(10);
    budget.release(25);
    expect(budget.used).toBe(0);
  });
});

describe('validationEntryBytes', () => {
  it('grows with the key: 1 KiB and two and a half bytes per character', () => {
    expect(validationEntryBytes('')).toBe(1_024);
    expect(validationEntryBytes('x'.repeat(330))).toBe(1_849);
    expect(validationEntryBytes('x'.repeat(3))).toBe(1_032);
  });
});
