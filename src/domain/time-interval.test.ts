import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  containsTime,
  isActive,
  NamedTimeInterval,
  parseDayOfMonthRange,
  parseMonthRange,
  parseWeekdayRange,
  parseYearRange,
  TimeIntervalSpec,
  timeZoneError,
} from './time-interval.js';

const spec = (input: z.input<typeof TimeIntervalSpec>) => TimeIntervalSpec.parse(input);
const at = (iso: string) => new Date(iso);

/** The `params.code` (or Zod code) of each issue a refused input gets, with its path. */
function codes(input: unknown): string[] {
  const parsed = TimeIntervalSpec.safeParse(input);
  if (parsed.success) return [];
  return parsed.error.issues.map((i) => {
    const custom =
      i.code === 'custom' ? (i as { params?: { code?: string } }).params?.code : undefined;
    return `${i.path.join('.')} ${custom ?? i.code}`;
  });
}

describe('ranges as Alertmanager 0.25 reads them', () => {
  it('weekdays by name, case-insensitive, single or ranges', () => {
    expect(parseWeekdayRange('Monday:FRIDAY')).toEqual({ begin: 1, end: 5 });
    expect(parseWeekdayRange('sunday')).toEqual({ begin: 0, end: 0 });
    expect(parseWeekdayRange('friday:monday')).toEqual({
      error: 'start day cannot be before end day',
    });
    expect(parseWeekdayRange('funday')).toEqual({ error: 'funday is not a valid weekday' });
    expect(parseWeekdayRange('1')).toEqual({ error: '1 is not a valid weekday' });
  });

  it('days of the month, negatives from the end', () => {
    expect(parseDayOfMonthRange('1:15')).toEqual({ begin: 1, end: 15 });
    expect(parseDayOfMonthRange('-7:-1')).toEqual({ begin: -7, end: -1 });
    expect(parseDayOfMonthRange('0')).toEqual({
      error: '0 is not a valid day of the month: out of range',
    });
    expect(parseDayOfMonthRange('32')).toEqual({
      error: '32 is not a valid day of the month: out of range',
    });
    expect(parseDayOfMonthRange('-3:5')).toEqual({
      error: 'end day must be negative if start day is negative',
    });
    expect(parseDayOfMonthRange('20:-10')).toEqual({
      error: 'end day -10 is always before start day 20',
    });
    expect(parseDayOfMonthRange('1:2:3')).toEqual({
      error: '"1:2:3" is not a valid day of the month range (expected a or a:b)',
    });
  });

  it('months by name or number, years', () => {
    expect(parseMonthRange('march:May')).toEqual({ begin: 3, end: 5 });
    expect(parseMonthRange('1:3')).toEqual({ begin: 1, end: 3 });
    expect(parseMonthRange('13')).toEqual({ error: '13 is not a valid month: out of range' });
    expect(parseMonthRange('may:march')).toEqual({
      error: 'end month march is before start month may',
    });
    expect(parseMonthRange('smarch')).toEqual({ error: 'smarch is not a valid month' });
    expect(parseYearRange('2026:2030')).toEqual({ begin: 2026, end: 2030 });
    expect(parseYearRange('2030:2026')).toEqual({
      error: 'end year 2026 is before start year 2030',
    });
  });

  it('time zones: IANA names; Local and unknown names are refused', () => {
    expect(timeZoneError('Europe/Berlin')).toBeUndefined();
    expect(timeZoneError('UTC')).toBeUndefined();
    expect(timeZoneError('Local')).toMatch(/depends on the server/);
    expect(timeZoneError('Mars/Olympus')).toBe('unknown time zone "Mars/Olympus"');
    expect(timeZoneError('')).toBe('unknown time zone ""');
  });
});

describe('TimeIntervalSpec', () => {
  it('keeps Alertmanager fields, lowercases names, accepts the HH:MM-HH:MM shorthand', () => {
    expect(
      spec({
        times: ['09:00-17:00', { start_time: '18:00', end_time: '24:00' }],
        weekdays: ['Monday:Friday'],
        months: ['December'],
        location: 'Europe/Berlin',
      }),
    ).toEqual({
      times: [
        { start_time: '09:00', end_time: '17:00' },
        { start_time: '18:00', end_time: '24:00' },
      ],
      weekdays: ['monday:friday'],
      months: ['december'],
      location: 'Europe/Berlin',
    });
  });

  it('refuses bad times, ranges, zones and unknown fields with paths and codes', () => {
    expect(codes({ times: [{ start_time: '9:00', end_time: '17:00' }] })).toEqual([
      'times.0 invalid_time_interval',
    ]);
    expect(codes({ times: [{ start_time: '17:00', end_time: '09:00' }] })).toEqual([
      'times.0 invalid_time_interval',
    ]);
    expect(codes({ times: ['25:00-26:00'] })).toEqual(['times.0 invalid_time_interval']);
    expect(codes({ weekdays: ['monday', 'someday'] })).toEqual([
      'weekdays.1 invalid_time_interval',
    ]);
    expect(codes({ days_of_month: ['0'] })).toEqual(['days_of_month.0 invalid_time_interval']);
    expect(codes({ months: ['13'] })).toEqual(['months.0 invalid_time_interval']);
    expect(codes({ years: ['x'] })).toEqual(['years.0 invalid_time_interval']);
    expect(codes({ location: 'Local' })).toEqual(['location unknown_time_zone']);
    expect(codes({ time_zone: 'UTC' })).toEqual([' unrecognized_keys']);
  });

  it('a named interval defaults to no intervals', () => {
    expect(NamedTimeInterval.parse({ name: 'never' })).toEqual({
      name: 'never',
      time_intervals: [],
    });
  });
});

describe('containsTime / isActive at known dates', () => {
  const businessHours = spec({
    times: [{ start_time: '09:00', end_time: '17:00' }],
    weekdays: ['monday:friday'],
    location: 'Europe/Berlin',
  });

  it("reads the time in the interval's zone (Berlin is UTC+1 in winter, UTC+2 in summer)", () => {
    // Thursday 2026-12-03, CET: 08:59 and 09:00 local; the end is exclusive.
    expect(containsTime(businessHours, at('2026-12-03T07:59:00Z'))).toBe(false);
    expect(containsTime(businessHours, at('2026-12-03T08:00:00Z'))).toBe(true);
    expect(containsTime(businessHours, at('2026-12-03T15:59:59Z'))).toBe(true);
    expect(containsTime(businessHours, at('2026-12-03T16:00:00Z'))).toBe(false);
    // Summer (CEST): 09:00 local is 07:00 UTC.
    expect(containsTime(businessHours, at('2026-07-01T07:00:00Z'))).toBe(true);
    expect(containsTime(businessHours, at('2026-07-01T06:59:00Z'))).toBe(false);
    // Saturday 2026-12-05 at noon.
    expect(containsTime(businessHours, at('2026-12-05T11:00:00Z'))).toBe(false);
  });

  it('the weekday is the one in the zone: Friday 23:30 in New York is Saturday in Tokyo', () => {
    const instant = at('2026-12-05T04:30:00Z');
    expect(
      containsTime(spec({ weekdays: ['friday'], location: 'America/New_York' }), instant),
    ).toBe(true);
    expect(containsTime(spec({ weekdays: ['saturday'], location: 'Asia/Tokyo' }), instant)).toBe(
      true,
    );
    expect(containsTime(spec({ weekdays: ['saturday'] }), instant)).toBe(true); // UTC without location
    expect(containsTime(spec({ weekdays: ['friday'] }), instant)).toBe(false);
  });

  it('negative days count from the end of the month', () => {
    const lastThree = spec({ days_of_month: ['-3:-1'] });
    expect(containsTime(lastThree, at('2026-02-25T12:00:00Z'))).toBe(false);
    expect(containsTime(lastThree, at('2026-02-26T12:00:00Z'))).toBe(true);
    expect(containsTime(lastThree, at('2026-02-28T23:59:00Z'))).toBe(true);
    expect(containsTime(lastThree, at('2026-12-28T12:00:00Z'))).toBe(false);
    expect(containsTime(lastThree, at('2026-12-29T12:00:00Z'))).toBe(true);
    // Leap year: 29 days.
    expect(containsTime(spec({ days_of_month: ['-1'] }), at('2028-02-29T00:00:00Z'))).toBe(true);
  });

  it('ranges past the end of a short month are clamped, or skipped when they start after it', () => {
    expect(containsTime(spec({ days_of_month: ['25:31'] }), at('2026-02-28T12:00:00Z'))).toBe(true);
    expect(containsTime(spec({ days_of_month: ['30:31'] }), at('2026-02-28T12:00:00Z'))).toBe(
      false,
    );
    expect(containsTime(spec({ days_of_month: ['30:31'] }), at('2026-03-31T12:00:00Z'))).toBe(true);
  });

  it("counts a month's days as Alertmanager 0.25 does: March loses a day where it loses an hour", () => {
    const last = spec({ days_of_month: ['-1'], location: 'Europe/Berlin' });
    // 743 hours from 1 March to 1 April in Berlin: Alertmanager counts 30 days.
    expect(containsTime(last, at('2026-03-30T12:00:00Z'))).toBe(true);
    expect(containsTime(last, at('2026-03-31T12:00:00Z'))).toBe(false);
    // October gains an hour: 31 days.
    expect(containsTime(last, at('2026-10-31T12:00:00Z'))).toBe(true);
    // In UTC March has 31.
    expect(containsTime(spec({ days_of_month: ['-1'] }), at('2026-03-31T12:00:00Z'))).toBe(true);
  });

  it('months, years and times to the end of the day combine as a conjunction', () => {
    const evenings = spec({
      times: [{ start_time: '18:00', end_time: '24:00' }],
      months: ['december', '1:2'],
      years: ['2026:2027'],
    });
    expect(containsTime(evenings, at('2026-12-24T23:59:00Z'))).toBe(true);
    expect(containsTime(evenings, at('2027-01-10T18:00:00Z'))).toBe(true);
    expect(containsTime(evenings, at('2027-03-10T18:00:00Z'))).toBe(false);
    expect(containsTime(evenings, at('2028-12-24T20:00:00Z'))).toBe(false);
    expect(containsTime(evenings, at('2026-12-24T17:59:00Z'))).toBe(false);
  });

  it('an empty interval holds every time; a named interval is active when one interval is', () => {
    expect(containsTime(spec({}), at('2026-01-01T00:00:00Z'))).toBe(true);
    expect(isActive([], at('2026-01-01T00:00:00Z'))).toBe(false);
    const weekends = [spec({ weekdays: ['saturday'] }), spec({ weekdays: ['sunday'] })];
    expect(isActive(weekends, at('2026-12-06T10:00:00Z'))).toBe(true); // Sunday
    expect(isActive(weekends, at('2026-12-07T10:00:00Z'))).toBe(false); // Monday
  });
});
