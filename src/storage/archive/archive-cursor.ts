/**
 * Keyset pagination of archive listings, the same for every engine: newest
 * first by `(received_at, id)`, the cursor holding the last entry's pair and
 * a digest of the filter (a cursor cannot continue another listing).
 */
import { contentHash } from '../../base/utils/canonical-json.js';
import { decodeCursor, encodeCursor } from '../repositories/cursor.js';
import type { ArchiveFilter, ArchiveSummary } from './types.js';

/** Where a page starts: after this entry (in the newest-first order). */
export interface ArchiveKey {
  readonly receivedAt: Date;
  readonly id: string;
}

/** The digest of a filter that a cursor carries. */
function scopeOf(filter: ArchiveFilter): string {
  return contentHash({
    from: filter.from?.toISOString() ?? null,
    to: filter.to?.toISOString() ?? null,
    outcome: filter.outcome ?? null,
    format: filter.format ?? null,
    door: filter.door ?? null,
  }).slice(0, 16);
}

/**
 * The key a cursor continues after.
 * @throws StorageError `ALERTBASE_STORAGE_CURSOR_INVALID` for a cursor of another listing.
 */
export function archiveKeyOf(cursor: string, filter: ArchiveFilter): ArchiveKey {
  const state = decodeCursor(cursor, 'desc', scopeOf(filter));
  return { receivedAt: new Date(state.createdAt), id: state.id };
}

/** The cursor of the page after `last`. */
export function archiveCursor(last: ArchiveSummary, filter: ArchiveFilter): string {
  return encodeCursor({
    createdAt: last.receivedAt.toISOString(),
    id: last.id,
    order: 'desc',
    scope: scopeOf(filter),
  });
}

/** The page of `rows` (fetched `limit + 1`), and its next cursor. */
export function pageOf<T extends ArchiveSummary>(
  rows: readonly T[],
  limit: number,
  filter: ArchiveFilter,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? archiveCursor(last, filter) : null,
  };
}
