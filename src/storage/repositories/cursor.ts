import { StorageError } from '../errors.js';
import type { ListOrder } from './types.js';

/** @internal What a cursor holds: the last row's key, the order, and the listing it belongs to. */
export interface CursorState {
  /** `created_at` of the last row, as PostgreSQL printed it (microseconds kept). */
  readonly createdAt: string;
  readonly id: string;
  readonly order: ListOrder;
  /** A digest of the filter, so a cursor cannot continue another listing. */
  readonly scope: string;
}

const VERSION = 1;

/** @internal Encodes a cursor as base64url JSON. Opaque to callers. */
export function encodeCursor(state: CursorState): string {
  return Buffer.from(
    JSON.stringify([VERSION, state.createdAt, state.id, state.order, state.scope]),
    'utf8',
  ).toString('base64url');
}

/** The form PostgreSQL prints a `timestamptz` in `to_json` (what cursors hold). */
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?(?:Z|[+-](?:0\d|1[0-5]):[0-5]\d)$/;

/**
 * Is `text` a timestamp PostgreSQL parses as cursors write it? `Date.parse`
 * alone is not enough: it takes `2026-02-30`, year 0 and free text, which
 * PostgreSQL refuses (the listing failed with a 500).
 */
function isCursorTimestamp(text: string): boolean {
  const m = TIMESTAMP.exec(text);
  if (m === null) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function invalid(reason: string): StorageError {
  return new StorageError('ALERTBASE_STORAGE_CURSOR_INVALID', { reason });
}

/**
 * @internal Decodes a cursor and checks it belongs to this listing.
 * @throws StorageError `ALERTBASE_STORAGE_CURSOR_INVALID`.
 */
export function decodeCursor(cursor: string, order: ListOrder, scope: string): CursorState {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not a cursor of this API');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 5 ||
    parsed[0] !== VERSION ||
    typeof parsed[1] !== 'string' ||
    !isCursorTimestamp(parsed[1]) ||
    typeof parsed[2] !== 'string' ||
    (parsed[3] !== 'asc' && parsed[3] !== 'desc') ||
    typeof parsed[4] !== 'string'
  ) {
    throw invalid('not a cursor of this API');
  }
  if (parsed[3] !== order || parsed[4] !== scope) {
    throw invalid('the cursor belongs to a listing with another filter or order');
  }
  return { createdAt: parsed[1], id: parsed[2], order, scope };
}
