/**
 * Deep immutability: a type and a function that freezes a value all the way down.
 */

/**
 * `T` with every property and element readonly, recursively. Tuples stay
 * tuples, arrays become readonly arrays, `Map`/`Set` their readonly views.
 * Functions and `Date` are left as they are (a `Date` keeps its setters:
 * freezing cannot reach its internal time value).
 *
 * @example
 * ```ts
 * type Rule = { labels: Record<string, string>; channels: string[] };
 * const rule: DeepReadonly<Rule> = deepFreeze({ labels: {}, channels: [] });
 * // rule.channels.push('x');  // type error
 * ```
 */
export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends Date
    ? T
    : T extends ReadonlyMap<infer K, infer V>
      ? ReadonlyMap<DeepReadonly<K>, DeepReadonly<V>>
      : T extends ReadonlySet<infer U>
        ? ReadonlySet<DeepReadonly<U>>
        : T extends object
          ? { readonly [P in keyof T]: DeepReadonly<T[P]> }
          : T;

/**
 * Freezes `value` and everything reachable from it through own data
 * properties (string and symbol keys, enumerable or not), array elements and
 * the keys and values of `Map`s and `Set`s; returns the same value, typed
 * `DeepReadonly<T>`.
 *
 * Handles cycles and shared references. Not frozen: `Date`s (freezing cannot
 * stop `setTime`), typed arrays and `ArrayBuffer`s (they cannot be frozen),
 * functions, and the contents of getters (never called). A `Map` or `Set`
 * object is frozen but its `set`/`add`/`delete` still work: use the readonly
 * type to keep them out of reach.
 *
 * @example
 * ```ts
 * const config = deepFreeze({ limits: { maxLabels: 64 }, tags: ['a'] });
 * Object.isFrozen(config.limits); // true
 * ```
 */
export function deepFreeze<T>(value: T): DeepReadonly<T> {
  const seen = new WeakSet<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (typeof current !== 'object' || current === null) continue;
    if (seen.has(current)) continue;
    seen.add(current);
    if (current instanceof Date || ArrayBuffer.isView(current) || current instanceof ArrayBuffer) {
      continue;
    }
    if (current instanceof Map) {
      for (const [k, v] of current) stack.push(k, v);
    } else if (current instanceof Set) {
      for (const v of current) stack.push(v);
    }
    for (const descriptor of Object.values(Object.getOwnPropertyDescriptors(current))) {
      if ('value' in descriptor) stack.push(descriptor.value);
    }
    for (const symbol of Object.getOwnPropertySymbols(current)) {
      const descriptor = Object.getOwnPropertyDescriptor(current, symbol);
      if (descriptor !== undefined && 'value' in descriptor) stack.push(descriptor.value);
    }
    Object.freeze(current);
  }
  return value as DeepReadonly<T>;
}
