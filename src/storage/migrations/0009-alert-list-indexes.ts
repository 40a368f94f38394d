import type { Migration } from '../types.js';

/**
 * Indexes in the order alert listings read (`ORDER BY created_at, id`), so
 * that every filter of `GET /v1/alerts` that narrows the tenant sharply has
 * an index walked in list order and stopped by the page's `LIMIT` (see
 * `docs/storage.md`, "List plans"):
 *
 * - `alerts_status_idx` becomes `(tenant_id, status, created_at, id)`: each
 *   status of a status filter is one ordered range, merged with the others
 *   (it was `(tenant_id, status, level_rank)`, which only a bitmap scan and
 *   a sort of every matching row could serve; the level of a status+level
 *   filter is checked on the rows of that walk);
 * - `alerts_fingerprint_created_idx`: the occurrences of one fingerprint in
 *   list order (`alerts_fingerprint_idx`, by start, stays for ingest, which
 *   looks a resolved row up by fingerprint and start);
 * - `alerts_starts_idx` is dropped: no statement walks alerts by start (a
 *   time window is checked on the rows of the ordered walk), and every index
 *   costs each inserted alert.
 *
 * The number of indexes on `alerts` is unchanged. Frozen once released.
 */
export const migration0009: Migration = {
  id: 9,
  name: 'alert-list-indexes',
  sql: `-- alertbase 0009: alert indexes in list order.
DROP INDEX alerts_status_idx;
CREATE INDEX alerts_status_idx ON alerts (tenant_id, status, created_at, id);
CREATE INDEX alerts_fingerprint_created_idx ON alerts (tenant_id, fingerprint, created_at, id);
DROP INDEX alerts_starts_idx;
`,
};
