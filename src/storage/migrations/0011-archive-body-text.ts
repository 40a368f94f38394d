import type { Migration } from '../types.js';

/**
 * Archived bodies as the JSON text they were received as: `body_json`, a
 * `text` column PostgreSQL stores without parsing it. As `jsonb`, every
 * archived request was parsed a second time by PostgreSQL: on Prometheus's
 * resends that was about two thirds of the database's work (bench/README.md,
 * "http"). `body` keeps the rows written before; readers take
 * `coalesce(body_json, body::text)`. Where the server has LZ4 (PostgreSQL 14
 * built with it) the column is compressed with it, about three times cheaper
 * than the default `pglz` on these bodies; PGlite has only `pglz`. Frozen
 * once released.
 */
export const migration0011: Migration = {
  id: 11,
  name: 'archive-body-text',
  sql: `-- alertbase 0011: archived bodies as their JSON text.
ALTER TABLE payload_archive ADD COLUMN body_json text;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings
              WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    ALTER TABLE payload_archive ALTER COLUMN body_json SET COMPRESSION lz4;
  END IF;
END $$;
`,
};
