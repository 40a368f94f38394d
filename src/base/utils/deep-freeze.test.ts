import { describe, expect, expectTypeOf, it } from 'vitest';
import { type DeepReadonly, deepFreeze } from './deep-freeze.js';

describe('deepFreeze', () => {
  it('freezes nested objects and arrays and returns the same value', () => {
    const value = { a: { b: { c: 1 } }, list: [{ d: 2 }, [3]] };
    const frozen = deepFreeze(value);
    expect(frozen).toBe(value);
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.a.b)).toBe(true);
    expect(Object.isFrozen(value.list)).toBe(true);
    expect(Object.isFrozen(value.list[0])).toBe(true);
    expect(Object.isFrozen(value.list[1])).toBe(true);
    expect(() => {
      (value.a.b as { c: number }).c = 2;
    }).toThrow(TypeError);
  });

  it('handles cycles and shared references', () => {
    const shared = { n: 1 };
    const node: Record<string, unknown> = { shared, again: shared };
    node.self = node;
    deepFreeze(node);
    expect(Object.isFrozen(node)).toBe(true);
    expect(Object.isFrozen(shared)).toBe(true);
  });

  it('freezes symbol-keyed and non-enumerable properties, not getters', () => {
    const key = Symbol('k');
    const inner = { x: 1 };
    const hidden = { y: 2 };
    const behindGetter = { z: 3 };
    const value = { [key]: inner };
    Object.defineProperty(value, 'hidden', { value: hidden, enumerable: false });
    Object.defineProperty(value, 'lazy', { get: () => behindGetter, enumerable: true });
    deepFreeze(value);
    expect(Object.isFrozen(inner)).toBe(true);
    expect(Object.isFrozen(hidden)).toBe(true);
    expect(Object.isFrozen(behindGetter)).toBe(false);
  });

  it('leaves Dates and typed arrays unfrozen, and freezes Map and Set contents', () => {
    const when = new Date(0);
    const bytes = new Uint8Array([1, 2]);
    const key = { k: 1 };
    const mapped = { v: 1 };
    const member = { s: 1 };
    const value = {
      when,
      bytes,
      buffer: new ArrayBuffer(2),
      map: new Map([[key, mapped]]),
      set: new Set([member]),
    };
    deepFreeze(value);
    expect(Object.isFrozen(when)).toBe(false);
    when.setTime(1);
    expect(when.getTime()).toBe(1);
    expect(Object.isFrozen(bytes)).toBe(false);
    expect(Object.isFrozen(value.map)).toBe(true);
    expect(Object.isFrozen(key)).toBe(true);
    expect(Object.isFrozen(mapped)).toBe(true);
    expect(Object.isFrozen(member)).toBe(true);
  });

  it('returns primitives unchanged', () => {
    expect(deepFreeze(1)).toBe(1);
    expect(deepFreeze('x')).toBe('x');
    expect(deepFreeze(null)).toBe(null);
    expect(deepFreeze(undefined)).toBe(undefined);
  });

  it('types the result as deeply readonly', () => {
    const frozen = deepFreeze({
      labels: { a: 'b' } as Record<string, string>,
      list: [1, 2],
      pair: ['a', 1] as [string, number],
      when: new Date(0),
      map: new Map<string, { n: number }>(),
      set: new Set<{ s: string }>(),
      fn: (x: number) => x,
    });
    expectTypeOf(frozen.labels).toEqualTypeOf<{ readonly [k: string]: string }>();
    expectTypeOf(frozen.list).toEqualTypeOf<readonly number[]>();
    expectTypeOf(frozen.pair).toEqualTypeOf<readonly [string, number]>();
    expectTypeOf(frozen.when).toEqualTypeOf<Date>();
    expectTypeOf(frozen.map).toEqualTypeOf<ReadonlyMap<string, { readonly n: number }>>();
    expectTypeOf(frozen.set).toEqualTypeOf<ReadonlySet<{ readonly s: string }>>();
    expectTypeOf(frozen.fn).toEqualTypeOf<(x: number) => number>();
    expectTypeOf<DeepReadonly<string>>().toEqualTypeOf<string>();
    const mutate = (): void => {
      // @ts-expect-error readonly
      frozen.list.push(3);
    };
    expect(mutate).toThrow(TypeError);
  });
});
