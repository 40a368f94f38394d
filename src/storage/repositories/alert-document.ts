/**
 * An alert's document as every read sees it. The heartbeat flush
 * (`heartbeat-writer.ts`) moves three fields in their columns only —
 * `ends_at`, `last_received_at`, `duplicate_count` — and leaves the stored
 * `doc` as it was: rewriting the document cost about a quarter of each
 * flushed row (`bench/README.md`). A read selects those columns beside `doc`
 * and lays them over it ({@link alertDocument}), so the columns are the
 * truth for those three fields and `doc` for the rest.
 *
 * Laid over in JavaScript, not in SQL: building the document in the
 * statement (`doc || jsonb_build_object(...)`, the times formatted by
 * `to_char`) made a list of 100 alerts on PGlite 1.3-1.8x slower.
 */
import { isoString } from '../../base/utils/iso-time.js';

/** The columns a read selects beside `doc` (unqualified names of `alerts`). */
export const ALERT_DOCUMENT_COLUMNS = ['ends_at', 'last_received_at', 'duplicate_count'] as const;

/** A row read with `doc` and {@link ALERT_DOCUMENT_COLUMNS}. */
export type AlertDocumentRow = {
  readonly doc: Record<string, unknown>;
  readonly ends_at: Date | null;
  readonly last_received_at: Date;
  readonly duplicate_count: number;
};

/**
 * The row's document with the three columns laid over it (in place: the
 * document was parsed for this read), times written as alertbase writes
 * them (`isoString`).
 */
export function alertDocument(row: AlertDocumentRow): Record<string, unknown> {
  const doc = row.doc;
  doc.endsAt = row.ends_at === null ? null : isoString(row.ends_at);
  doc.lastReceivedAt = isoString(row.last_received_at);
  doc.duplicateCount = row.duplicate_count;
  return doc;
}
