/**
 * Time intervals in Alertmanager 0.25's format (`time_intervals` and the
 * older `mute_time_intervals` of its configuration): named lists of
 * intervals, each a conjunction of times of day, weekdays, days of the
 * month, months and years, read in an IANA time zone (`location`).
 *
 * Semantics follow Alertmanager's `timeinterval.ContainsTime`: a field that
 * is absent matches every time; a field that is given matches when one of
 * its ranges does; an interval matches when every given field does; a named
 * interval is active when one of its intervals is. Times of day are
 * `[start, end)`, every other range is inclusive. A day of the month may
 * count from the end (`-1` is the last day). Names of weekdays and months
 * are case-insensitive.
 *
 * Without `location` the time is read in UTC. (Alertmanager reads it in the
 * server's local zone, which is UTC on most servers; alertbase does not let
 * the server's zone change what a tenant's interval means, so `Local` is
 * refused.)
 */
import { z } from 'zod';
import { LIMITS } from '../base/constants.js';

/** Weekday names, Sunday first (`0`), as Go's `time.Weekday`. */
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** Month names, January first (`1`). */
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** `HH:MM` from `00:00` to `23:59`, or `24:00` (the end of the day), as Alertmanager accepts it. */
const CLOCK = /^(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/;

/** An inclusive range of integers. */
export interface InclusiveRange {
  readonly begin: number;
  readonly end: number;
}

/** The outcome of reading one range: its bounds, or why it was refused. */
type RangeResult = InclusiveRange | { readonly error: string };

/** Go's `strconv.Atoi` on what a range member may be: an optional sign and decimal digits. */
function integerOf(text: string): number | undefined {
  if (!/^[+-]?[0-9]{1,9}$/.test(text)) return undefined;
  return Number(text);
}

/** Splits `a:b` (or a single `a`, meaning `a:a`) and reads each side with `member`. */
function rangeOf(
  text: string,
  member: (s: string) => number | undefined,
  kind: string,
): RangeResult {
  const lower = text.toLowerCase();
  const parts = lower.split(':');
  if (parts.length > 2 || parts.some((p) => p === '')) {
    return { error: `${JSON.stringify(text)} is not a valid ${kind} range (expected a or a:b)` };
  }
  const [first = '', second = first] = parts;
  const begin = member(first);
  const end = member(second);
  if (begin === undefined) return { error: `${first} is not a valid ${kind}` };
  if (end === undefined) return { error: `${second} is not a valid ${kind}` };
  return { begin, end };
}

const weekdayMember = (s: string): number | undefined => {
  const i = WEEKDAYS.indexOf(s);
  return i === -1 ? undefined : i;
};

const monthMember = (s: string): number | undefined => {
  const i = MONTHS.indexOf(s);
  return i === -1 ? integerOf(s) : i + 1;
};

/** Reads a weekday range (`monday`, `monday:friday`). */
export function parseWeekdayRange(text: string): RangeResult {
  const r = rangeOf(text, weekdayMember, 'weekday');
  if ('error' in r) return r;
  if (r.begin > r.end) return { error: 'start day cannot be before end day' };
  return r;
}

/** Reads a day-of-month range (`1`, `1:15`, `-1`, `-7:-1`); negative days count from the end. */
export function parseDayOfMonthRange(text: string): RangeResult {
  const r = rangeOf(text, integerOf, 'day of the month');
  if ('error' in r) return r;
  for (const day of [r.begin, r.end]) {
    if (day === 0 || day < -31 || day > 31) {
      return { error: `${day} is not a valid day of the month: out of range` };
    }
  }
  if (r.begin < 0 && r.end > 0)
    return { error: 'end day must be negative if start day is negative' };
  // As Alertmanager: a range that is empty in every month of at least 28 days is refused.
  const checkBegin = r.begin < 0 ? 28 + r.begin : r.begin;
  const checkEnd = r.end < 0 ? 28 + r.end : r.end;
  if (checkBegin > checkEnd) {
    return { error: `end day ${r.end} is always before start day ${r.begin}` };
  }
  return r;
}

/** Reads a month range (`may`, `1:3`, `march:may`). */
export function parseMonthRange(text: string): RangeResult {
  const r = rangeOf(text, monthMember, 'month');
  if ('error' in r) return r;
  for (const m of [r.begin, r.end]) {
    if (m < 1 || m > 12) return { error: `${m} is not a valid month: out of range` };
  }
  if (r.begin > r.end) {
    return { error: `end month ${MONTHS[r.end - 1]} is before start month ${MONTHS[r.begin - 1]}` };
  }
  return r;
}

/** Reads a year range (`2026`, `2026:2030`). */
export function parseYearRange(text: string): RangeResult {
  const r = rangeOf(text, integerOf, 'year');
  if ('error' in r) return r;
  if (r.begin > r.end) return { error: `end year ${r.end} is before start year ${r.begin}` };
  return r;
}

/** Minutes since midnight of `HH:MM`, or `undefined`. */
function clockMinutes(text: string): number | undefined {
  if (!CLOCK.test(text)) return undefined;
  return Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The formatter that reads a time in `zone` (cached; zones are few). */
function formatterOf(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'long',
    });
    if (formatters.size >= 512) formatters.clear();
    formatters.set(zone, f);
  }
  return f;
}

/** Why a time zone name is refused, or `undefined` when it is an IANA zone this runtime knows. */
export function timeZoneError(zone: string): string | undefined {
  if (zone === 'Local') {
    return 'the zone "Local" depends on the server; give an IANA zone such as Europe/Berlin or UTC';
  }
  if (zone.length === 0 || zone.length > 64) return `unknown time zone ${JSON.stringify(zone)}`;
  try {
    formatterOf(zone);
    return undefined;
  } catch {
    return `unknown time zone ${JSON.stringify(zone)}`;
  }
}

/** A wall-clock reading of an instant in a zone. */
interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly weekday: number;
  readonly minuteOfDay: number;
}

function wallClock(date: Date, zone: string): WallClock {
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let weekday = 0;
  for (const part of formatterOf(zone).formatToParts(date)) {
    if (part.type === 'weekday') weekday = WEEKDAYS.indexOf(part.value.toLowerCase());
    else if (part.type === 'year') year = Number(part.value);
    else if (part.type === 'month') month = Number(part.value);
    else if (part.type === 'day') day = Number(part.value);
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { year, month, day, weekday, minuteOfDay: hour * 60 + minute };
}

/** The instant of local midnight starting day 1 of `month` (1-12) of `year` in `zone`. */
function monthStart(year: number, month: number, zone: string): number {
  // Start from UTC midnight and correct by the zone's offset there (twice,
  // for a zone whose offset changes in between).
  const target = Date.UTC(year, month - 1, 1);
  let guess = target;
  for (let i = 0; i < 2; i++) {
    const w = wallClock(new Date(guess), zone);
    const seen = Date.UTC(w.year, w.month - 1, w.day) + w.minuteOfDay * 60_000;
    guess += target - seen;
  }
  return guess;
}

/**
 * Days in the month as Alertmanager 0.25 counts them: the hours from the
 * month's first local midnight to the next month's, divided by 24 and
 * truncated. (So a month that loses an hour to daylight saving time counts
 * one day less there: March in Europe/Berlin has 30 for `-1`.)
 */
function daysInMonth(year: number, month: number, zone: string): number {
  const next = month === 12 ? monthStart(year + 1, 1, zone) : monthStart(year, month + 1, zone);
  return Math.trunc((next - monthStart(year, month, zone)) / 3_600_000 / 24);
}

const clamp = (n: number, min: number, max: number): number => Math.min(Math.max(n, min), max);

/** Adds a Zod issue for each string of `values` that `read` refuses. */
function rangeList(read: (s: string) => RangeResult, example: string) {
  return z
    .array(z.string().max(64))
    .max(LIMITS.maxSilenceMatchers)
    .superRefine((values, ctx) => {
      values.forEach((value, i) => {
        const r = read(value);
        if ('error' in r) {
          ctx.addIssue({
            code: 'custom',
            path: [i],
            message: `${r.error} (as in ${example})`,
            params: { code: 'invalid_time_interval' },
          });
        }
      });
    })
    .transform((values) => values.map((v) => v.toLowerCase()));
}

/** One `times` entry: `start_time` to `end_time` (`HH:MM`, end exclusive). */
const TimeRange = z
  .union([
    z.strictObject({ start_time: z.string().max(8), end_time: z.string().max(8) }),
    // `HH:MM-HH:MM` is accepted as a shorthand and stored in Alertmanager's form.
    z
      .string()
      .max(16)
      .transform((s) => {
        const [start_time = '', end_time = ''] = s.split('-');
        return { start_time, end_time };
      }),
  ])
  .superRefine((t, ctx) => {
    const start = clockMinutes(t.start_time);
    const end = clockMinutes(t.end_time);
    if (start === undefined || end === undefined) {
      const bad = start === undefined ? t.start_time : t.end_time;
      ctx.addIssue({
        code: 'custom',
        message: `couldn't parse timestamp ${JSON.stringify(bad)}: expected HH:MM (00:00 to 24:00)`,
        params: { code: 'invalid_time_interval' },
      });
    } else if (start >= end) {
      ctx.addIssue({
        code: 'custom',
        message: 'start time cannot be equal or greater than end time',
        params: { code: 'invalid_time_interval' },
      });
    }
  });

/**
 * One interval of a named time interval, in Alertmanager's fields. Every
 * field is optional; an interval with none matches every time.
 */
export const TimeIntervalSpec = z.strictObject({
  times: z.array(TimeRange).max(LIMITS.maxSilenceMatchers).optional(),
  weekdays: rangeList(parseWeekdayRange, 'monday:friday').optional(),
  days_of_month: rangeList(parseDayOfMonthRange, '1:7 or -1').optional(),
  months: rangeList(parseMonthRange, 'january:march or 1:3').optional(),
  years: rangeList(parseYearRange, '2026:2027').optional(),
  location: z
    .string()
    .superRefine((zone, ctx) => {
      const error = timeZoneError(zone);
      if (error !== undefined) {
        ctx.addIssue({ code: 'custom', message: error, params: { code: 'unknown_time_zone' } });
      }
    })
    .optional(),
});

/** One validated interval (see `TimeIntervalSpec`). */
export type TimeIntervalSpec = z.output<typeof TimeIntervalSpec>;

/** A named time interval, as an entry of Alertmanager's `time_intervals`. */
export const NamedTimeInterval = z.strictObject({
  name: z.string().min(1).max(LIMITS.nameMaxLength),
  time_intervals: z.array(TimeIntervalSpec).max(LIMITS.maxSilenceMatchers).default([]),
});

/** A validated named time interval. */
export type NamedTimeInterval = z.output<typeof NamedTimeInterval>;

/** An interval with its ranges read once. */
interface CompiledInterval {
  readonly times: readonly InclusiveRange[] | undefined;
  readonly weekdays: readonly InclusiveRange[] | undefined;
  readonly daysOfMonth: readonly InclusiveRange[] | undefined;
  readonly months: readonly InclusiveRange[] | undefined;
  readonly years: readonly InclusiveRange[] | undefined;
  readonly zone: string;
}

const compiled = new WeakMap<TimeIntervalSpec, CompiledInterval>();

function ranges(
  values: readonly string[] | undefined,
  read: (s: string) => RangeResult,
): InclusiveRange[] | undefined {
  if (values === undefined) return undefined;
  return values.flatMap((v) => {
    const r = read(v);
    return 'error' in r ? [] : [r];
  });
}

function compile(spec: TimeIntervalSpec): CompiledInterval {
  let c = compiled.get(spec);
  if (c === undefined) {
    c = {
      times: spec.times?.map((t) => ({
        begin: clockMinutes(t.start_time) ?? 0,
        end: clockMinutes(t.end_time) ?? 0,
      })),
      weekdays: ranges(spec.weekdays, parseWeekdayRange),
      daysOfMonth: ranges(spec.days_of_month, parseDayOfMonthRange),
      months: ranges(spec.months, parseMonthRange),
      years: ranges(spec.years, parseYearRange),
      zone: spec.location ?? 'UTC',
    };
    compiled.set(spec, c);
  }
  return c;
}

const within = (list: readonly InclusiveRange[] | undefined, n: number): boolean =>
  list === undefined || list.some((r) => n >= r.begin && n <= r.end);

/** Does one interval contain the instant? (Alertmanager's `ContainsTime`.) */
export function containsTime(spec: TimeIntervalSpec, date: Date): boolean {
  const c = compile(spec);
  const t = wallClock(date, c.zone);
  if (
    c.times !== undefined &&
    !c.times.some((r) => t.minuteOfDay >= r.begin && t.minuteOfDay < r.end)
  ) {
    return false;
  }
  if (c.daysOfMonth !== undefined) {
    const days = daysInMonth(t.year, t.month, c.zone);
    const hit = c.daysOfMonth.some((r) => {
      let begin = r.begin < 0 ? days + r.begin + 1 : r.begin;
      let end = r.end < 0 ? days + r.end + 1 : r.end;
      if (begin > days) return false;
      begin = clamp(begin, -days, days);
      end = clamp(end, -days, days);
      return t.day >= begin && t.day <= end;
    });
    if (!hit) return false;
  }
  return within(c.months, t.month) && within(c.weekdays, t.weekday) && within(c.years, t.year);
}

/**
 * Is a named time interval active at `date`: does one of its intervals
 * contain it? (An empty list contains no time.)
 *
 * @example
 * ```ts
 * const businessHours = [{ times: [{ start_time: '09:00', end_time: '17:00' }], weekdays: ['monday:friday'], location: 'Europe/Berlin' }];
 * isActive(businessHours, new Date('2026-12-03T10:00:00Z')); // true: Thursday 11:00 in Berlin
 * ```
 */
export function isActive(intervals: readonly TimeIntervalSpec[], date: Date): boolean {
  return intervals.some((spec) => containsTime(spec, date));
}
