/**
 * Identifiers: UUIDv7 (RFC 9562), time-ordered so that ids sort by creation
 * time and index well as primary keys.
 */

import { ValidationError } from '../exceptions/index.js';

/**
 * A UUIDv7 in canonical form: lowercase hex, hyphenated 8-4-4-4-12, version
 * nibble `7`, RFC 9562 variant (`8`, `9`, `a` or `b`).
 */
export const UUID_V7_PATTERN =
  /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Largest Unix time in milliseconds that fits the 48-bit timestamp field of a UUIDv7. */
const MAX_V7_MSECS = 2 ** 48 - 1;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

// Random bytes are drawn in blocks: one getRandomValues call per id costs
// more than the rest of making it (ids are made on every alert ingested).
const POOL = new Uint8Array(4_096);
let poolAt = POOL.length;

function randomBytes(n: number): number {
  if (poolAt + n > POOL.length) {
    globalThis.crypto.getRandomValues(POOL);
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += n;
  return at;
}

/** Time and 12-bit counter of the last id made from the clock (RFC 9562 §6.2, method 1). */
let lastMs = -1;
let counter = 0;

function format(ms: number, randA: number): string {
  const r = randomBytes(8);
  const hi = Math.floor(ms / 0x1_0000_0000);
  const lo = ms >>> 0;
  return (
    HEX[(hi >>> 8) & 0xff] +
    (HEX[hi & 0xff] as string) +
    HEX[lo >>> 24] +
    HEX[(lo >>> 16) & 0xff] +
    '-' +
    HEX[(lo >>> 8) & 0xff] +
    HEX[lo & 0xff] +
    '-' +
    HEX[0x70 | (randA >>> 8)] +
    HEX[randA & 0xff] +
    '-' +
    HEX[0x80 | ((POOL[r] as number) & 0x3f)] +
    HEX[POOL[r + 1] as number] +
    '-' +
    HEX[POOL[r + 2] as number] +
    HEX[POOL[r + 3] as number] +
    HEX[POOL[r + 4] as number] +
    HEX[POOL[r + 5] as number] +
    HEX[POOL[r + 6] as number] +
    HEX[POOL[r + 7] as number]
  );
}

function fromClock(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    // Start the counter in its lower half so that many ids fit in one millisecond.
    const r = randomBytes(2);
    counter = (((POOL[r] as number) << 8) | (POOL[r + 1] as number)) & 0x7ff;
  } else {
    counter++;
    if (counter > 0xfff) {
      // The counter ran out within one millisecond: borrow the next one.
      lastMs++;
      counter = 0;
    }
  }
  return format(lastMs, counter);
}

/**
 * A new UUIDv7. Ids made in one process are strictly increasing, even within
 * one millisecond.
 *
 * @param at the time to embed instead of now (for backfills and tests); a
 *   `Date` or Unix milliseconds, between the epoch and 2^48 - 1 ms.
 * @throws ValidationError (`ALERTBASE_VALIDATION_FAILED`) when `at` is outside that range.
 * @example
 * ```ts
 * const id = newId();                          // '01950b2e-7a3c-7c4e-9d1f-...'
 * const old = newId(new Date('2020-01-01Z'));  // sorts before `id`
 * ```
 */
export function newId(at?: Date | number): string {
  if (at === undefined) return fromClock();
  const msecs = at instanceof Date ? at.getTime() : at;
  if (!Number.isInteger(msecs) || msecs < 0 || msecs > MAX_V7_MSECS) {
    throw new ValidationError('Id', [
      {
        path: [],
        pointer: '',
        code: 'invalid_timestamp',
        message: `expected a time between the Unix epoch and 2^48 - 1 ms, got ${String(msecs)}`,
      },
    ]);
  }
  const r = randomBytes(2);
  return format(msecs, (((POOL[r] as number) << 8) | (POOL[r + 1] as number)) & 0xfff);
}

/**
 * Is `value` a UUIDv7 in canonical lowercase form?
 *
 * @example
 * ```ts
 * isUuidV7(newId());                                  // true
 * isUuidV7('550e8400-e29b-41d4-a716-446655440000');   // false: version 4
 * ```
 */
export function isUuidV7(value: unknown): value is string {
  return typeof value === 'string' && UUID_V7_PATTERN.test(value);
}

/**
 * The creation time embedded in a UUIDv7, as Unix milliseconds (its first 48 bits).
 *
 * @throws ValidationError (`ALERTBASE_VALIDATION_FAILED`, issue code `invalid_uuid_v7`)
 *   when `id` is not a canonical UUIDv7.
 * @example
 * ```ts
 * uuidV7Timestamp(newId(1_700_000_000_000)); // 1700000000000
 * new Date(uuidV7Timestamp(id));             // when the entity was created
 * ```
 */
export function uuidV7Timestamp(id: string): number {
  if (!isUuidV7(id)) {
    throw new ValidationError('Id', [
      {
        path: [],
        pointer: '',
        code: 'invalid_uuid_v7',
        message: 'expected a lowercase UUIDv7 (xxxxxxxx-xxxx-7xxx-[89ab]xxx-xxxxxxxxxxxx)',
      },
    ]);
  }
  // 12 hex digits = 48 bits < 2^53: exact as a number.
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
