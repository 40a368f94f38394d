/**
 * A function of a text with the result for the last text it was given
 * kept: called again with that same text, it answers without calling `fn`.
 * Prometheus posts the alerts of one rule evaluation with one `endsAt`, so
 * a batch of resends asks for the same text dozens of times in a row.
 *
 * `fn` must be pure and its result must not be changed by the caller (give
 * a number, a string or a frozen object, never a `Date` to be handed on).
 *
 * @example
 * ```ts
 * const msOf = lastTextMemo((text) => Date.parse(text));
 * msOf('2026-01-01T00:00:00Z'); // parsed
 * msOf('2026-01-01T00:00:00Z'); // the same number, not parsed again
 * ```
 */
export function lastTextMemo<T>(fn: (text: string) => T): (text: string) => T {
  let lastText: string | undefined;
  let last: T;
  return (text) => {
    if (text !== lastText) {
      last = fn(text);
      lastText = text;
    }
    return last as T;
  };
}
