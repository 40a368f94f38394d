/**
 * An alert's document as every statement reads it. The heartbeat flush
 * (`heartbeat-writer.ts`) moves three fields in their columns only —
 * `ends_at`, `last_received_at`, `duplicate_count` — and leaves the stored
 * `doc` as it was: rewriting the document cost about a quarter of each
 * flushed row (`bench/README.md`). Reads lay the columns over the document,
 * so the columns are the truth for those three fields and `doc` for the rest.
 *
 * A time is read back in the form alertbase writes (`isoString`:
 * `YYYY-MM-DDTHH:MM:SS.sssZ`); where the column still holds the document's
 * own instant, the document's text is kept as it is.
 */

/** An ISO text of a `timestamptz` column, as `isoString` writes it (`null` for NULL). */
function isoOf(column: string, field: string): string {
  return `CASE WHEN ${column} IS NOT DISTINCT FROM (doc->>'${field}')::timestamptz THEN doc->'${field}'
              ELSE to_jsonb(to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) END`;
}

/**
 * The SQL expression of an alert's document over a row of `alerts`
 * (unqualified column names): `doc` with the heartbeat's three columns laid
 * over it. Select it `AS doc` wherever an alert's document is read.
 */
export const ALERT_DOCUMENT = `(doc || jsonb_build_object(
    'endsAt', ${isoOf('ends_at', 'endsAt')},
    'lastReceivedAt', ${isoOf('last_received_at', 'lastReceivedAt')},
    'duplicateCount', duplicate_count))`;
