import type { Migration } from '../types.js';
import { tenantPolicies } from './tenant-policies.js';

/**
 * `audit_events` partitioned by month of `created_at` (UTC), so that
 * retention drops a past month's partition instead of deleting its rows one
 * by one, and `audit_cuts`, the sealed record of where retention cut each
 * tenant's chain (the chain verifies from there).
 *
 * The rows of 0006's table are moved into the monthly partitions; a DEFAULT
 * partition takes any row whose month has no partition yet, so an insert
 * never fails. `alertbase_audit_partition(t)` creates the partition of the
 * month of `t` (moving that month's rows out of the DEFAULT partition): this
 * migration calls it for every month holding rows up to two months ahead,
 * and the retention pass keeps creating the months ahead.
 *
 * The primary key must include the partition key: `(tenant_id, seq,
 * created_at)`. A chain's positions stay unique because appends are
 * serialized per tenant (`auditLockOf`) and the chain check finds a
 * duplicate position. Partitions have row-level security enabled and forced
 * with no policy and no grant: the application role reads and writes through
 * the parent only, whose policies are those of every tenant table.
 *
 * Frozen once released.
 */
export const migration0007: Migration = {
  id: 7,
  name: 'audit-partitions',
  sql: `-- alertbase 0007: audit_events partitioned by month; audit_cuts.
ALTER TABLE audit_events RENAME TO audit_events_0006;
ALTER TABLE audit_events_0006 RENAME CONSTRAINT audit_events_pkey TO audit_events_0006_pkey;
ALTER INDEX audit_events_id_key RENAME TO audit_events_0006_id_key;
ALTER INDEX audit_events_resource_idx RENAME TO audit_events_0006_resource_idx;
ALTER INDEX audit_events_created_idx RENAME TO audit_events_0006_created_idx;
-- The owner reads every row to move it, superuser or not.
ALTER TABLE audit_events_0006 NO FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_events_0006 DISABLE ROW LEVEL SECURITY;

CREATE TABLE audit_events (
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  seq bigint NOT NULL CHECK (seq >= 0),
  id text NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  resource_type text NOT NULL,
  resource_id text,
  result text NOT NULL,
  prev_hash text,
  hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  doc jsonb NOT NULL CHECK (jsonb_typeof(doc) = 'object'),
  CONSTRAINT audit_events_pkey PRIMARY KEY (tenant_id, seq, created_at)
) PARTITION BY RANGE (created_at);
CREATE INDEX audit_events_id_idx ON audit_events (tenant_id, id);
CREATE INDEX audit_events_resource_idx ON audit_events (tenant_id, resource_type, resource_id, seq);
CREATE INDEX audit_events_created_idx ON audit_events (tenant_id, created_at);

CREATE TABLE audit_events_default PARTITION OF audit_events DEFAULT;
ALTER TABLE audit_events_default ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events_default FORCE ROW LEVEL SECURITY;
REVOKE ALL ON audit_events_default FROM PUBLIC;

-- The partition of the month (UTC) of t, audit_events_YYYY_MM, created when
-- missing with that month's rows moved out of the DEFAULT partition; its name.
CREATE FUNCTION alertbase_audit_partition(t timestamptz) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
  month timestamp := date_trunc('month', t AT TIME ZONE 'UTC');
  lo timestamptz := month AT TIME ZONE 'UTC';
  hi timestamptz := (month + interval '1 month') AT TIME ZONE 'UTC';
  part text := 'audit_events_' || to_char(month, 'YYYY_MM');
BEGIN
  IF to_regclass(quote_ident(part)) IS NOT NULL THEN
    RETURN part;
  END IF;
  EXECUTE format('CREATE TABLE %I (LIKE audit_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
  -- The owner moves every tenant's rows: row-level security is lifted for
  -- this transaction only (a superuser is not subject to it anyway).
  ALTER TABLE audit_events_default NO FORCE ROW LEVEL SECURITY;
  EXECUTE format(
    'WITH moved AS (DELETE FROM audit_events_default WHERE created_at >= $1 AND created_at < $2 RETURNING *)
     INSERT INTO %I SELECT * FROM moved', part) USING lo, hi;
  ALTER TABLE audit_events_default FORCE ROW LEVEL SECURITY;
  EXECUTE format('ALTER TABLE audit_events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
  EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', part);
  EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', part);
  EXECUTE format('REVOKE ALL ON %I FROM PUBLIC', part);
  RETURN part;
END
$fn$;
REVOKE ALL ON FUNCTION alertbase_audit_partition(timestamptz) FROM PUBLIC;

SELECT alertbase_audit_partition(m AT TIME ZONE 'UTC')
  FROM generate_series(
    date_trunc('month', COALESCE((SELECT min(created_at) FROM audit_events_0006), now()) AT TIME ZONE 'UTC'),
    date_trunc('month', GREATEST((SELECT max(created_at) FROM audit_events_0006), now()) AT TIME ZONE 'UTC')
      + interval '2 months',
    interval '1 month') AS m;

INSERT INTO audit_events
  (tenant_id, seq, id, actor, action, resource_type, resource_id, result, prev_hash, hash, created_at, doc)
SELECT tenant_id, seq, id, actor, action, resource_type, resource_id, result, prev_hash, hash, created_at, doc
  FROM audit_events_0006;
DROP TABLE audit_events_0006;

${tenantPolicies('audit_events')}
-- Append-only, as before: the application role may INSERT and SELECT.
REVOKE UPDATE, DELETE ON audit_events FROM alertbase_app;

-- Where retention cut a tenant's chain: the first position kept (seq) and
-- the hash of the entry before it (the head of what was removed), sealed
-- like an entry (HMAC under key_id, or SHA-256 when key_id is null). The
-- newest cut of a tenant is where its chain is verified from.
CREATE TABLE audit_cuts (
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  seq bigint NOT NULL CHECK (seq > 0),
  prev_hash text NOT NULL,
  at timestamptz NOT NULL,
  key_id text,
  seal text NOT NULL,
  CONSTRAINT audit_cuts_pkey PRIMARY KEY (tenant_id, seq)
);

${tenantPolicies('audit_cuts')}
REVOKE UPDATE, DELETE ON audit_cuts FROM alertbase_app;
`,
};
