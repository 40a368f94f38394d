import { describe, expect, it } from 'vitest';
import { GO_ZERO_TIME, goEndOf, isGoZeroTime, optionalGoTime } from './go-time.js';

describe('Go times', () => {
  it('reads the zero time in the forms Go prints it as "not set"', () => {
    expect(isGoZeroTime(GO_ZERO_TIME)).toBe(true);
    expect(isGoZeroTime('0001-01-01T00:00:00.000000000Z')).toBe(true);
    expect(isGoZeroTime('0001-01-01T00:00:00+00:00')).toBe(true);
    expect(isGoZeroTime('2026-01-01T00:00:00Z')).toBe(false);
    expect(optionalGoTime(' ')).toBeUndefined();
    expect(optionalGoTime(null)).toBeUndefined();
    expect(optionalGoTime('2026-01-01T00:00:00Z')).toBe('2026-01-01T00:00:00Z');
  });

  it('gives an end text and its time, the same for the same text and another for another', () => {
    const nanos = '2026-12-01T00:05:00.123456789Z';
    const first = goEndOf(nanos);
    expect(first).toEqual({ endsAt: nanos, ms: Date.parse('2026-12-01T00:05:00.123Z') });
    expect(goEndOf(nanos)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    const zero = goEndOf(GO_ZERO_TIME);
    expect(zero.endsAt).toBeUndefined();
    expect(Number.isNaN(zero.ms)).toBe(true);
    expect(goEndOf('garbage')).toEqual({ endsAt: 'garbage', ms: Number.NaN });
    expect(goEndOf(nanos)).toEqual(first);
  });
});
