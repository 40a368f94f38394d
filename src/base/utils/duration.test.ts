import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DURATIONS } from '../constants.js';
import { ValidationError } from '../exceptions/index.js';
import {
  DURATION_PATTERN,
  formatDuration,
  isDuration,
  parseDuration,
  safeParseDuration,
} from './duration.js';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const W = 7 * D;
const Y = 365 * D;

function issueCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe('ALERTBASE_VALIDATION_FAILED');
    return (err as ValidationError).issues[0]?.code;
  }
  return undefined;
}

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['250ms', 250],
    ['30s', 30 * S],
    ['5m', 5 * M],
    ['1h30m', H + 30 * M],
    ['1d', D],
    ['1w', W],
    ['1y', Y],
    ['1y2w3d4h5m6s7ms', Y + 2 * W + 3 * D + 4 * H + 5 * M + 6 * S + 7],
    ['90m', 90 * M],
    ['007s', 7 * S],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
    expect(isDuration(text)).toBe(true);
    expect(DURATION_PATTERN.test(text)).toBe(true);
  });

  it.each([
    ['', 'empty_duration'],
    ['30m1h', 'duration_unit_order'],
    ['1h1h', 'duration_unit_order'],
    ['1ms1s', 'duration_unit_order'],
    ['5', 'invalid_duration'],
    ['h', 'invalid_duration'],
    ['-5m', 'invalid_duration'],
    ['1.5h', 'unknown_duration_unit'], // as Prometheus: the unit read is "."
    [' 5m', 'invalid_duration'],
    ['5M', 'unknown_duration_unit'],
    ['5us', 'unknown_duration_unit'],
    ['5m ', 'unknown_duration_unit'],
    ['293y', 'duration_out_of_range'],
    ['99999999999999999999999s', 'duration_out_of_range'],
  ])('refuses %j with issue code %s', (text, code) => {
    expect(issueCode(() => parseDuration(text))).toBe(code);
    const result = safeParseDuration(text);
    expect(result.ok).toBe(false);
    expect(isDuration(text)).toBe(false);
  });

  it('accepts up to the largest duration Prometheus accepts (2^63 - 1 ns)', () => {
    expect(parseDuration(`${DURATIONS.maxDurationMs}ms`)).toBe(DURATIONS.maxDurationMs);
    expect(issueCode(() => parseDuration(`${DURATIONS.maxDurationMs + 1}ms`))).toBe(
      'duration_out_of_range',
    );
    expect(parseDuration('292y')).toBe(292 * Y);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [250, '250ms'],
    [1_500, '1s500ms'],
    [30 * S, '30s'],
    [5 * M, '5m'],
    [H + 30 * M, '1h30m'],
    [D, '1d'],
    [W, '1w'],
    [2 * W, '2w'],
    [8 * D, '8d'],
    [90 * D, '90d'],
    [Y, '1y'],
    [Y + D, '366d'],
    [2 * Y, '2y'],
    [D + 2 * H + 3 * M + 4 * S + 5, '1d2h3m4s5ms'],
  ])('formats %d as %s (as Prometheus Duration.String)', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, DURATIONS.maxDurationMs + 1])(
    'refuses %d',
    (ms) => {
      expect(issueCode(() => formatDuration(ms))).toBe('duration_out_of_range');
    },
  );

  it('round-trips: parseDuration(formatDuration(ms)) === ms', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: DURATIONS.maxDurationMs }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
      { numRuns: 2_000 },
    );
  });

  it('round-trips multiples of each unit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.constantFrom(1, S, M, H, D, W, Y),
        (n, unit) => {
          expect(parseDuration(formatDuration(n * unit))).toBe(n * unit);
        },
      ),
    );
  });

  it('formats canonically: formatting a parsed formatted value is stable', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: DURATIONS.maxDurationMs }), (ms) => {
        const text = formatDuration(ms);
        expect(formatDuration(parseDuration(text))).toBe(text);
      }),
    );
  });
});
