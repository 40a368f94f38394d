/**
 * Prometheus durations (`30s`, `5m`, `1h30m`, `1d`, `1w`, `1y`, `250ms`) to and
 * from milliseconds, with the rules of Prometheus `model.ParseDuration` and
 * `model.Duration.String` (prometheus/common `model/time.go`): units
 * `y w d h m s ms`, each at most once and in that order, a year is 365 days,
 * a week 7 days, a day 24 hours; `0` alone is allowed; no sign, no fractions.
 *
 * Errors: `parseDuration` throws a `ValidationError` (the project's way for
 * invalid input); `safeParseDuration` returns a result instead, for callers
 * that report rather than throw (the Zod field `DurationMs` uses it).
 */

import { DURATIONS } from '../constants.js';
import { ValidationError } from '../exceptions/index.js';

/** Units in the only order they may appear, with their length in milliseconds. */
const UNITS = [
  ['y', 365 * 24 * 60 * 60 * 1_000],
  ['w', 7 * 24 * 60 * 60 * 1_000],
  ['d', 24 * 60 * 60 * 1_000],
  ['h', 60 * 60 * 1_000],
  ['m', 60 * 1_000],
  ['s', 1_000],
  ['ms', 1],
] as const;

/** A duration unit of Prometheus. */
export type DurationUnit = (typeof UNITS)[number][0];

/**
 * The syntax of a Prometheus duration, for JSON Schema and quick checks.
 * It does not check the range (see `DURATIONS.maxDurationMs`).
 */
export const DURATION_PATTERN =
  /^(?:0|(?!$)(?:[0-9]+y)?(?:[0-9]+w)?(?:[0-9]+d)?(?:[0-9]+h)?(?:[0-9]+m)?(?:[0-9]+s)?(?:[0-9]+ms)?)$/;

const UNIT_INDEX: ReadonlyMap<string, number> = new Map(UNITS.map(([unit], i) => [unit, i]));

/** Why a duration string was refused. */
export type DurationErrorCode =
  | 'empty_duration'
  | 'invalid_duration'
  | 'unknown_duration_unit'
  | 'duration_unit_order'
  | 'duration_out_of_range';

/** The outcome of `safeParseDuration`. */
export type DurationParseResult =
  | { readonly ok: true; readonly ms: number }
  | { readonly ok: false; readonly code: DurationErrorCode; readonly message: string };

const fail = (code: DurationErrorCode, message: string): DurationParseResult => ({
  ok: false,
  code,
  message,
});

/** The message of a string that is no duration: written only on refusal (most durations parse). */
const notADuration = (text: string): string =>
  `expected a duration such as 30s, 5m or 1h30m (units y w d h m s ms), got ${JSON.stringify(text)}`;

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/**
 * Parses a Prometheus duration to milliseconds without throwing.
 *
 * @example
 * ```ts
 * safeParseDuration('1h30m'); // { ok: true, ms: 5400000 }
 * safeParseDuration('30m1h'); // { ok: false, code: 'duration_unit_order', message: '...' }
 * ```
 */
export function safeParseDuration(text: string): DurationParseResult {
  if (text === '0') return { ok: true, ms: 0 };
  if (text === '') return fail('empty_duration', 'expected a duration such as 30s, 5m or 1h30m');
  let ms = 0;
  let lastUnit = -1;
  let i = 0;
  while (i < text.length) {
    const start = i;
    while (i < text.length && isDigit(text.charCodeAt(i))) i++;
    if (i === start) return fail('invalid_duration', notADuration(text));
    const digits = text.slice(start, i);
    const unitStart = i;
    while (i < text.length && !isDigit(text.charCodeAt(i))) i++;
    if (i === unitStart) return fail('invalid_duration', notADuration(text));
    const unit = text.slice(unitStart, i);
    const index = UNIT_INDEX.get(unit);
    if (index === undefined) {
      return fail(
        'unknown_duration_unit',
        `unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}; expected one of y w d h m s ms`,
      );
    }
    if (index <= lastUnit) {
      return fail(
        'duration_unit_order',
        `units of duration ${JSON.stringify(text)} must go from largest to smallest, each at most once (as in 1h30m)`,
      );
    }
    lastUnit = index;
    // While the total stays at most maxDurationMs (< 2^53) every step is exact;
    // a larger (possibly inexact) total is refused right below.
    ms += Number(digits) * (UNITS[index]?.[1] ?? 1);
    if (ms > DURATIONS.maxDurationMs) {
      return fail(
        'duration_out_of_range',
        `duration ${JSON.stringify(text)} is longer than the maximum of ${formatDuration(DURATIONS.maxDurationMs)}`,
      );
    }
  }
  return { ok: true, ms };
}

/**
 * Parses a Prometheus duration to milliseconds.
 *
 * @throws ValidationError (`ALERTBASE_VALIDATION_FAILED`) whose single issue's
 *   `code` is a `DurationErrorCode`.
 * @example
 * ```ts
 * parseDuration('1h30m'); // 5400000
 * parseDuration('250ms'); // 250
 * parseDuration('0');     // 0
 * parseDuration('30m1h'); // throws: units out of order
 * ```
 */
export function parseDuration(text: string): number {
  const result = safeParseDuration(text);
  if (result.ok) return result.ms;
  throw new ValidationError('Duration', [
    { path: [], pointer: '', code: result.code, message: result.message },
  ]);
}

/** Is `text` a valid Prometheus duration? */
export function isDuration(text: string): boolean {
  return safeParseDuration(text).ok;
}

/**
 * Formats milliseconds as Prometheus does (`model.Duration.String`): largest
 * units first, zero parts left out, `0s` for zero. Years and weeks are used
 * only when they divide the whole duration (Prometheus prints `8d`, not `1w1d`).
 * `parseDuration(formatDuration(ms)) === ms` for every valid `ms`.
 *
 * @throws ValidationError (issue code `duration_out_of_range`) for a negative,
 *   fractional or too large value.
 * @example
 * ```ts
 * formatDuration(5_400_000);   // '1h30m'
 * formatDuration(0);           // '0s'
 * formatDuration(691_200_000); // '8d'
 * formatDuration(1_500);       // '1s500ms'
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms > DURATIONS.maxDurationMs) {
    throw new ValidationError('Duration', [
      {
        path: [],
        pointer: '',
        code: 'duration_out_of_range',
        message: `expected a whole number of milliseconds from 0 to ${DURATIONS.maxDurationMs}, got ${String(ms)}`,
      },
    ]);
  }
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of UNITS) {
    if ((unit === 'y' || unit === 'w') && rest % size !== 0) continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
