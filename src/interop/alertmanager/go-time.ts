/**
 * Go's `time.Time` as Alertmanager writes it: RFC 3339 with up to nine
 * fractional digits, and the zero value `0001-01-01T00:00:00Z` for "unset".
 */

import { lastTextMemo } from '../../base/utils/last-text.js';

/** Go's zero `time.Time` in RFC 3339: Alertmanager's "no end yet". */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * Is this text Go's zero time (in any of the forms Go prints it)?
 *
 * @example
 * ```ts
 * isGoZeroTime('0001-01-01T00:00:00Z');           // true
 * isGoZeroTime('0001-01-01T00:00:00.000000000Z'); // true
 * isGoZeroTime('2026-01-01T00:00:00Z');           // false
 * ```
 */
export function isGoZeroTime(text: string): boolean {
  return /^0001-01-01T00:00:00(?:\.0+)?(?:Z|[+-]00:00)$/.test(text.trim());
}

/**
 * A timestamp field of an Alertmanager payload: absent, empty and Go's zero
 * time mean "not set" (`undefined`); anything else is passed on unchanged for
 * the alertbase `Timestamp` type to check (it accepts nanoseconds).
 */
export function optionalGoTime(value: string | null | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value.trim() === '' || isGoZeroTime(value)) return undefined;
  return value;
}

/** What an `endsAt` text of a postable alert means: {@link optionalGoTime} of it, and its time. */
export interface GoEnd {
  /** The text, or undefined when it means "not set". */
  readonly endsAt: string | undefined;
  /** `Date.parse` of `endsAt` (NaN when not set). */
  readonly ms: number;
}

/**
 * {@link GoEnd} of a text, kept for the last text (`lastTextMemo`): the
 * alerts of one evaluation, resent together, carry the same `endsAt`.
 */
export const goEndOf: (text: string) => GoEnd = lastTextMemo((text) => {
  const endsAt = optionalGoTime(text);
  return Object.freeze({ endsAt, ms: endsAt === undefined ? Number.NaN : Date.parse(endsAt) });
});
