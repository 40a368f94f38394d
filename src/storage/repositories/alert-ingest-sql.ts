/**
 * The SQL of alert ingest: one statement per group of batches, derived from
 * a JSON array of rows (see `docs/storage.md`, "Alert ingest"), and the
 * shape of what it returns. `AlertRepository` builds the array and reads
 * the rows.
 */
import { AUDIT_HEAD_SQL } from './audit-log.js';
import { ingestEventsCte } from './notification-sql.js';
import { prepared } from './statements.js';

/** @internal What the statement did to a segment's row. */
export type RowKind = 'inserted' | 'updated' | 'resolved' | 'twin';

/** Keys of a newer copy that must not replace the stored alert's on de-duplication. */
const KEEP_KEYS = `ARRAY['id','tenantId','ruleId','labels','startsAt','createdAt','status','previousStatus','acknowledgedBy','acknowledgedAt','silencedBy','duplicateCount','version']`;
/** An open row of `alias` (the predicate of the partial unique index, qualified). */
const openRow = (alias: string): string =>
  `${alias}status NOT IN ('resolved', 'expired') AND ${alias}deleted_at IS NULL`;
const OPEN = openRow('');
/**
 * The id of one row of the tenant that meets `where` (which names the item
 * `i`), or NULL: one index lookup per item. As `EXISTS`, the planner may
 * turn it into a join, and on PGlite, whose statistics stay those of its
 * last ANALYZE, it did: a generic plan that walked the tenant's open rows
 * for each resolving item until one had its fingerprint (21,497 rows for
 * three items among 20,000 open alerts, 65 ms). A scalar subquery is never
 * joined: it runs per item, its fingerprint an index condition.
 */
const perItem = (where: string): string =>
  `(SELECT o.id FROM alerts o WHERE o.tenant_id = $1 AND ${where} LIMIT 1)`;

/**
 * The ingest statement: one per group of batches (see `docs/storage.md`).
 * `$2` is a JSON array with one element per row, `{f: fingerprint, r: level
 * rank, n: duplicates, d: the row's document}`; the columns are derived from
 * the document, so the text (and its prepared plan) does not depend on the
 * batch size, no batch meets the 65,535-parameter limit, and each value is
 * sent once. Times come from the documents, since batches received at
 * different times may share a statement.
 *
 * Each resolving item finds its row with a LATERAL index lookup, so the
 * plan never scans the tenant's rows (PGlite has no autovacuum: its
 * statistics stay those of an empty table).
 *
 * - `res`: a resolving item closes the open alert of its fingerprint;
 * - `twin`: a resolving item with no open alert folds into the resolved row
 *   of the same fingerprint and start (a resent resolved alert);
 * - `up`: everything else is inserted; a firing item whose fingerprint is
 *   open conflicts on the partial unique index and is folded into it.
 */
const INPUT_CTE = `WITH input AS (
  SELECT d->>'id' AS id, e->>'f' AS fingerprint, d->>'ruleId' AS rule_id, d->>'status' AS status,
         d->>'level' AS level, (e->>'r')::smallint AS level_rank, d->'labels' AS labels,
         d->'annotations' AS annotations, (d->>'startsAt')::timestamptz AS starts_at,
         (d->>'endsAt')::timestamptz AS ends_at, (d->>'createdAt')::timestamptz AS created,
         (d->>'lastReceivedAt')::timestamptz AS received, (e->>'n')::int AS dup, d AS doc
    FROM jsonb_array_elements($2::jsonb) AS e, LATERAL (SELECT e->'d' AS d) AS x
),
`;
/** The insert of the non-resolving items' rows, from `input i` after an optional filter. */
const insertRows = (
  filter: string,
): string => `INSERT INTO alerts AS a (tenant_id, id, fingerprint, rule_id, status, level, level_rank, labels,
                           annotations, starts_at, ends_at, last_received_at, duplicate_count, version,
                           created_at, updated_at, doc)
  SELECT $1, i.id, i.fingerprint, i.rule_id, i.status, i.level, i.level_rank, i.labels, i.annotations,
         i.starts_at, i.ends_at, i.received, i.dup, 1, i.created, i.received, i.doc
    FROM input i
${filter}`;
/** The upsert of the non-resolving items, after an optional filter on `input i`. */
const upCte = (filter: string): string => `up AS (
  ${insertRows(filter)}  ON CONFLICT (tenant_id, fingerprint) WHERE ${OPEN}
  DO UPDATE SET
         status = CASE WHEN a.status = 'acknowledged' AND EXCLUDED.level_rank > a.level_rank
                       THEN 'firing' ELSE a.status END,
         level = EXCLUDED.level, level_rank = EXCLUDED.level_rank, annotations = EXCLUDED.annotations,
         ends_at = EXCLUDED.ends_at, last_received_at = EXCLUDED.last_received_at,
         duplicate_count = a.duplicate_count + EXCLUDED.duplicate_count + 1,
         version = a.version + 1, updated_at = EXCLUDED.updated_at,
         doc = a.doc || (EXCLUDED.doc - ${KEEP_KEYS}) || jsonb_build_object(
               'status', CASE WHEN a.status = 'acknowledged' AND EXCLUDED.level_rank > a.level_rank
                              THEN 'firing' ELSE a.status END,
               'duplicateCount', a.duplicate_count + EXCLUDED.duplicate_count + 1,
               'version', a.version + 1)
  RETURNING a.id, a.fingerprint, a.status, a.rule_id, a.version,
            CASE WHEN a.xmax = 0 THEN 'inserted' ELSE 'updated' END AS kind
)
`;
/**
 * The head of the tenant's audit chain as one more row (`kind` 'head', `id`
 * its seq, `fingerprint` its hash), read under the audit lock that ingest
 * takes with its transaction: the audit insert then needs no statement of
 * its own to find it.
 */
const HEAD_ROW = `UNION ALL SELECT h.seq::text, h.hash, NULL, 0, 'head' FROM (${AUDIT_HEAD_SQL}) h`;

/** @internal The ingest statement with resolving items. */
export const INGEST = prepared(
  `${INPUT_CTE}res AS (
  UPDATE alerts a
     SET status = 'resolved', level = i.level, level_rank = i.level_rank, annotations = i.annotations,
         ends_at = i.ends_at, last_received_at = i.received,
         duplicate_count = a.duplicate_count + i.dup + 1, version = a.version + 1, updated_at = i.received,
         doc = a.doc || (i.doc - ${KEEP_KEYS}) || jsonb_build_object('status', 'resolved',
               'duplicateCount', a.duplicate_count + i.dup + 1, 'version', a.version + 1)
    FROM input i
   CROSS JOIN LATERAL (SELECT o.id FROM alerts o
                        WHERE o.tenant_id = $1 AND o.fingerprint = i.fingerprint
                          AND o.status NOT IN ('resolved', 'expired') AND o.deleted_at IS NULL
                        LIMIT 1) m
   WHERE i.status = 'resolved' AND a.tenant_id = $1 AND a.id = m.id
  RETURNING a.id, a.fingerprint, a.status, a.rule_id, a.version, 'resolved'::text AS kind
),
twin AS (
  UPDATE alerts a
     SET last_received_at = i.received, duplicate_count = a.duplicate_count + i.dup + 1,
         version = a.version + 1, updated_at = i.received,
         doc = a.doc || jsonb_build_object('lastReceivedAt', i.doc->'lastReceivedAt',
               'updatedAt', i.doc->'lastReceivedAt',
               'duplicateCount', a.duplicate_count + i.dup + 1, 'version', a.version + 1)
    FROM input i
   CROSS JOIN LATERAL (SELECT o.id FROM alerts o
                        WHERE o.tenant_id = $1 AND o.fingerprint = i.fingerprint
                          AND o.starts_at = i.starts_at AND o.status = 'resolved' AND o.deleted_at IS NULL
                        LIMIT 1) m
   WHERE i.status = 'resolved' AND a.tenant_id = $1 AND a.id = m.id
     AND ${perItem(`o.fingerprint = i.fingerprint AND ${openRow('o.')}`)} IS NULL
  RETURNING a.id, a.fingerprint, a.status, a.version, 'twin'::text AS kind
),
taken AS (
  -- Resolving items that res or twin handle.
  SELECT i.fingerprint FROM input i
   WHERE i.status = 'resolved' AND ${perItem(
     `o.fingerprint = i.fingerprint AND o.deleted_at IS NULL
              AND (o.status NOT IN ('resolved', 'expired') OR (o.status = 'resolved' AND o.starts_at = i.starts_at))`,
   )} IS NOT NULL
),
${upCte('   WHERE NOT EXISTS (SELECT 1 FROM taken t WHERE t.fingerprint = i.fingerprint)\n')},
${ingestEventsCte(true)}SELECT id, fingerprint, status, version, kind FROM res
UNION ALL SELECT id, fingerprint, status, version, kind FROM twin
UNION ALL SELECT id, fingerprint, status, version, kind FROM up
${HEAD_ROW}`,
);

/**
 * The common case, a batch in which nothing resolves: only the upsert,
 * without the lookups resolving items need (a planner that hashes them
 * scans every row of the tenant per batch).
 */
export const INGEST_FIRING = prepared(
  `${INPUT_CTE}${upCte('')},
${ingestEventsCte(false)}SELECT id, fingerprint, status, version, kind FROM up
${HEAD_ROW}`,
);

/** @internal A row the ingest statement returns. */
export type IngestRow = {
  readonly id: string;
  readonly fingerprint: string;
  readonly status: string;
  readonly version: number;
  readonly kind: RowKind | 'head';
};

/**
 * Rows that are all new: a plain insert, without the speculative insertion
 * of `ON CONFLICT` (10-14 µs a row on the PostgreSQL server). An open row of
 * one of the fingerprints makes it fail on the partial unique index
 * (unique_violation); the caller then runs {@link INGEST_FIRING} instead.
 */
export const INGEST_NEW = prepared(
  `${INPUT_CTE}up AS (
  ${insertRows('')}  RETURNING a.id, a.fingerprint, a.status, a.rule_id, a.version, 'inserted'::text AS kind
),
${ingestEventsCte(false)}SELECT id, fingerprint, status, version, kind FROM up
${HEAD_ROW}`,
);
