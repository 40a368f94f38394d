import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateOfRfc3339, isoString } from './iso-time.js';

/** The engine's own range of time values: ±100,000,000 days around the epoch. */
const MAX_TIME = 8.64e15;
const YEAR_0 = Date.parse('0000-01-01T00:00:00Z');
const YEAR_10000 = Date.parse('+010000-01-01T00:00:00Z');

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

describe('isoString', () => {
  it('equals toISOString over the four-digit years', () => {
    fc.assert(
      fc.property(fc.integer({ min: YEAR_0, max: YEAR_10000 - 1 }), (ms) => {
        const date = new Date(ms);
        expect(isoString(date)).toBe(date.toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('equals toISOString over the whole range of dates (six-digit years go to the engine)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX_TIME, max: MAX_TIME }), (ms) => {
        const date = new Date(ms);
        expect(isoString(date)).toBe(date.toISOString());
      }),
      { numRuns: 5_000 },
    );
  });

  it.each([
    ['0000-01-01T00:00:00.000Z'],
    ['0000-02-29T23:59:59.999Z'],
    ['1899-12-31T23:59:59.999Z'],
    ['1900-02-28T12:00:00.000Z'],
    ['1900-03-01T00:00:00.000Z'],
    ['1969-12-31T23:59:59.999Z'],
    ['1970-01-01T00:00:00.000Z'],
    ['2000-02-29T00:00:00.001Z'],
    ['2024-12-31T23:59:59.999Z'],
    ['2100-03-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z'],
    ['+010000-01-01T00:00:00.000Z'],
    ['-000001-12-31T23:59:59.999Z'],
  ])('writes %s as the engine does', (text) => {
    expect(isoString(new Date(text))).toBe(text);
  });

  it('gives each time its own text when times share a slot of its cache', () => {
    const base = Date.UTC(2026, 10, 28, 6);
    for (const ms of [base, base + 32, base, base + 32_000, base - 32, base, base + 32]) {
      expect(isoString(new Date(ms))).toBe(new Date(ms).toISOString());
    }
  });

  it('throws the engine’s RangeError for an Invalid Date', () => {
    expect(() => isoString(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('dateOfRfc3339', () => {
  /** RFC 3339 text of `ms` at a UTC offset, with `fraction` digits (Go writes up to nine). */
  const arbitraryText = fc
    .record({
      ms: fc.integer({ min: Date.UTC(100, 0, 2), max: Date.UTC(9999, 11, 30) }),
      offsetMinutes: fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
      fraction: fc.integer({ min: 0, max: 9 }),
      extra: fc.integer({ min: 0, max: 999_999 }),
      zulu: fc.boolean(),
    })
    .map(({ ms, offsetMinutes, fraction, extra, zulu }) => {
      const offset = zulu ? 0 : offsetMinutes;
      const local = new Date(ms + offset * 60_000).toISOString(); // wall-clock time at the offset
      const digits = (local.slice(20, 23) + pad(extra, 6)).slice(0, fraction);
      const zone = zulu
        ? 'Z'
        : `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60), 2)}:${pad(Math.abs(offset) % 60, 2)}`;
      return `${local.slice(0, 19)}${fraction > 0 ? `.${digits}` : ''}${zone}`;
    });

  it('equals the engine’s parse of the text cut to milliseconds', () => {
    fc.assert(
      fc.property(arbitraryText, (text) => {
        const dot = text.indexOf('.', 19);
        const zone = text.search(/[Z+-](\d\d:\d\d)?$/);
        const cut = dot === -1 ? text : text.slice(0, Math.min(dot + 4, zone)) + text.slice(zone);
        expect(dateOfRfc3339(text).getTime()).toBe(new Date(cut).getTime());
      }),
      { numRuns: 20_000 },
    );
  });

  it.each([
    ['2026-11-28T06:00:00Z', '2026-11-28T06:00:00.000Z'],
    ['2026-11-28T06:00:00.5Z', '2026-11-28T06:00:00.500Z'],
    ['2026-11-28T06:00:00.05+00:00', '2026-11-28T06:00:00.050Z'],
    ['2026-11-28T06:00:00.123456789+01:00', '2026-11-28T05:00:00.123Z'],
    ['2026-11-28T06:00:00.999999999999999999999Z', '2026-11-28T06:00:00.999Z'],
    ['2026-01-01T00:30:00-02:30', '2026-01-01T03:00:00.000Z'],
    ['2024-02-29T23:59:59.999-23:59', '2024-03-01T23:58:59.999Z'],
    // Years before 100 go to the engine (Date.UTC would read them as 19xx).
    ['0050-06-01T00:00:00.25Z', '0050-06-01T00:00:00.250Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['0099-12-31T23:59:59.123456Z', '0099-12-31T23:59:59.123Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(dateOfRfc3339(text).toISOString()).toBe(iso);
  });
});
