/**
 * InfluxDB 1.x line protocol: escaping of measurement names, tag keys and
 * tag values, and the text of one point. What the protocol cannot carry is
 * refused with `ALERTBASE_STORAGE_POINT_INVALID`, never written half-right:
 *
 * - a line break (`\n`, `\r`) anywhere: the protocol has no escape for it;
 * - a backslash at the end of a name or value, or before a character that
 *   needs escaping: InfluxDB 1.x reads `\\` as a backslash followed by an
 *   escape, so such text does not read back as written;
 * - an empty tag key (an empty tag value means "no tag" and is left out).
 *
 * Commas, spaces and equals signs are escaped with a backslash; any other
 * character, Unicode included, is written as it is.
 */
import { StorageError } from '../errors.js';

/** A name or value the protocol cannot carry: refused. */
function refuse(reason: string): never {
  throw new StorageError('ALERTBASE_STORAGE_POINT_INVALID', { reason });
}

const BACKSLASH = 92;

/**
 * Escapes `text` in one pass: a backslash before each character of
 * `special` (char codes), refusing what no escaping can carry.
 */
function escapeWith(text: string, what: string, special: (code: number) => boolean): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 10 || code === 13) refuse(`${what} ${JSON.stringify(text)} contains a line break`);
    if (code === BACKSLASH) {
      if (i === text.length - 1) refuse(`${what} ${JSON.stringify(text)} ends with a backslash`);
      const next = text.charCodeAt(i + 1);
      if (next === BACKSLASH || special(next)) {
        refuse(
          `${what} ${JSON.stringify(text)} has a backslash before ${JSON.stringify(text[i + 1])}`,
        );
      }
    } else if (special(code)) {
      out += `${text.slice(from, i)}\\`;
      from = i;
    }
  }
  return out === '' ? text : out + text.slice(from);
}

/** `,` `=` and space. */
const tagSpecial = (code: number): boolean => code === 44 || code === 61 || code === 32;
/** `,` and space. */
const measurementSpecial = (code: number): boolean => code === 44 || code === 32;

/** A tag key or tag value, escaped. @throws StorageError (`ALERTBASE_STORAGE_POINT_INVALID`). */
export function escapeTag(text: string, what = 'tag'): string {
  return escapeWith(text, what, tagSpecial);
}

/** A measurement name, escaped. @throws StorageError (`ALERTBASE_STORAGE_POINT_INVALID`). */
export function escapeMeasurement(text: string): string {
  if (text === '') refuse('empty measurement name');
  return escapeWith(text, 'measurement', measurementSpecial);
}

/** One point: integer fields only (alertbase writes counts and milliseconds). */
export interface LinePoint {
  readonly measurement: string;
  /** Tag key → value; `null` or `''` leaves the tag out. Written sorted by key. */
  readonly tags: Readonly<Record<string, string | null>>;
  /** Field key → integer; `null` leaves the field out. At least one is needed. */
  readonly fields: Readonly<Record<string, number | null>>;
  /** Nanoseconds since the epoch, as decimal digits. */
  readonly timeNs: string;
}

/**
 * The line of one point (without the line break).
 *
 * @throws StorageError (`ALERTBASE_STORAGE_POINT_INVALID`) for what the
 *   protocol cannot carry, a field that is not a safe integer, no field, or
 *   a time that is not a non-negative integer.
 * @example
 * ```ts
 * formatLine({ measurement: 'alert_created', tags: { tenant: 'acme', alertname: 'High CPU' },
 *   fields: { count: 1 }, timeNs: '1700000000000000000' });
 * // 'alert_created,alertname=High\\ CPU,tenant=acme count=1i 1700000000000000000'
 * ```
 */
export function formatLine(point: LinePoint): string {
  let line = escapeMeasurement(point.measurement);
  for (const key of Object.keys(point.tags).sort()) {
    const value = point.tags[key];
    if (value === null || value === undefined || value === '') continue;
    if (key === '') refuse('empty tag key');
    line += `,${escapeTag(key, 'tag key')}=${escapeTag(value, 'tag value')}`;
  }
  const fields: string[] = [];
  for (const key of Object.keys(point.fields).sort()) {
    const value = point.fields[key];
    if (value === null || value === undefined) continue;
    if (!Number.isSafeInteger(value)) refuse(`field ${key} is not an integer: ${value}`);
    if (key === '') refuse('empty field key');
    fields.push(`${escapeTag(key, 'field key')}=${value}i`);
  }
  if (fields.length === 0) refuse('a point needs at least one field');
  if (!/^(0|[1-9][0-9]{0,18})$/.test(point.timeNs)) refuse(`bad timestamp ${point.timeNs}`);
  return `${line} ${fields.join(',')} ${point.timeNs}`;
}

/**
 * A string literal of InfluxQL (`'...'`, with `\` and `'` escaped).
 * @throws StorageError for a line break (the query language cannot carry it either).
 */
export function influxqlString(text: string): string {
  if (/[\n\r]/.test(text)) refuse(`${JSON.stringify(text)} contains a line break`);
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** An InfluxQL identifier (`"..."`, with `\` and `"` escaped). */
export function influxqlIdentifier(text: string): string {
  if (/[\n\r]/.test(text)) refuse(`${JSON.stringify(text)} contains a line break`);
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
