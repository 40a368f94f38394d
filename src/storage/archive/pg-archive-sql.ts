/**
 * The SQL of the PostgreSQL payload archive (migration 0008's
 * `payload_archive`, with 0011's `body_json`). Filters are fixed texts with numbered parameters; no
 * value is ever spliced into the text.
 */
import { prepared } from '../repositories/statements.js';
import type { SqlValue } from '../types.js';
import type { ArchiveFilter } from './types.js';

/** Entries per insert statement: each body is a parameter of its own. */
export const ENTRY_SLOTS = 16;

/**
 * Inserts up to {@link ENTRY_SLOTS} entries of a tenant: `$1` the tenant,
 * `$2` a JSON array of the entries without their bodies, `$3` to `$18` the
 * bodies' JSON texts in the same order (`NULL` past the last entry). A body
 * is a `text` parameter, stored as it is: PostgreSQL never parses it.
 */
export const INSERT_ENTRIES = prepared(`INSERT INTO payload_archive
  (tenant_id, id, received_at, request_id, key_id, door, format, outcome, issues, bytes, body_json)
SELECT $1, e->>'id', (e->>'receivedAt')::timestamptz, e->>'requestId', e->>'keyId', e->>'door',
       e->>'format', e->>'outcome', e->'issues', (e->>'bytes')::int, b.body
  FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS x(e, n)
  JOIN (VALUES ${Array.from({ length: ENTRY_SLOTS }, (_, i) => `(${i + 1}, $${i + 3}::text)`).join(', ')}) AS b(n, body)
    ON b.n = x.n
ON CONFLICT (tenant_id, id) DO NOTHING`);

const SUMMARY_COLUMNS = `id, tenant_id, received_at, request_id, key_id, door, format, outcome, issues, bytes`;

/** The columns of a summary, and with the body. */
export const SUMMARY = SUMMARY_COLUMNS;
/** Rows written before migration 0011 hold their body in `body` (`jsonb`). */
export const WITH_BODY = `${SUMMARY_COLUMNS}, coalesce(body_json, body::text) AS body_json`;

/** A WHERE clause (after `tenant_id = $1`) and its parameters, from `$2` on. */
export function whereOf(
  filter: ArchiveFilter,
  after?: { readonly receivedAt: Date; readonly id: string },
): { sql: string; params: SqlValue[] } {
  const clauses = ['tenant_id = $1'];
  const params: SqlValue[] = [];
  const add = (clause: (n: string) => string, value: SqlValue): void => {
    params.push(value);
    clauses.push(clause(`$${params.length + 1}`));
  };
  if (filter.from !== undefined) add((n) => `received_at >= ${n}::timestamptz`, filter.from);
  if (filter.to !== undefined) add((n) => `received_at < ${n}::timestamptz`, filter.to);
  if (filter.outcome !== undefined) add((n) => `outcome = ${n}`, filter.outcome);
  if (filter.format !== undefined) add((n) => `format = ${n}`, filter.format);
  if (filter.door !== undefined) add((n) => `door = ${n}`, filter.door);
  if (after !== undefined) {
    params.push(after.receivedAt, after.id);
    const [t, i] = [`$${params.length}`, `$${params.length + 1}`];
    clauses.push(`(received_at, id) < (${t}::timestamptz, ${i})`);
  }
  return { sql: clauses.join(' AND '), params };
}

/** Removes up to `$3` entries of tenant `$1` received before `$2`. */
export const PURGE = `DELETE FROM payload_archive
 WHERE tenant_id = $1 AND id IN (
   SELECT id FROM payload_archive
    WHERE tenant_id = $1 AND received_at < $2::timestamptz
    ORDER BY received_at LIMIT $3)`;
