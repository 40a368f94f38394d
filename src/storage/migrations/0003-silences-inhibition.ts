import type { Migration } from '../types.js';

/**
 * Silences that act, inhibition rules, and the scheduler's table.
 *
 * - `inhibit_rules`: a tenant table like the others (`tenant_id` leads the
 *   key, row-level security forced).
 * - `scheduler_due`: when each tenant next needs a scheduler (today: a
 *   silence starts or ends). A tenant transaction sees its own row, like
 *   every tenant table; the service's own connection, outside any tenant
 *   (not as `alertbase_app`), may read every row, because a scheduler must
 *   find the tenants that are due before it can act as one. It holds
 *   tenant ids and times, no tenant data.
 * - `alerts_suppressed_idx`: the scheduler reads a tenant's suppressed
 *   alerts when a silence ends.
 *
 * Frozen once released, like every migration.
 */
export const migration0003: Migration = {
  id: 3,
  name: 'silences-inhibition',
  sql: `-- alertbase 0003: inhibition rules, the scheduler's due times.
CREATE TABLE inhibit_rules (
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  id text NOT NULL,
  name text NOT NULL,
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  doc jsonb NOT NULL CHECK (jsonb_typeof(doc) = 'object'),
  CONSTRAINT inhibit_rules_pkey PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX inhibit_rules_name_key ON inhibit_rules (tenant_id, name) WHERE deleted_at IS NULL;
CREATE INDEX inhibit_rules_created_idx ON inhibit_rules (tenant_id, created_at, id);

ALTER TABLE inhibit_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE inhibit_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY inhibit_rules_select ON inhibit_rules FOR SELECT USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY inhibit_rules_insert ON inhibit_rules FOR INSERT WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY inhibit_rules_update ON inhibit_rules FOR UPDATE USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')) WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY inhibit_rules_delete ON inhibit_rules FOR DELETE USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
REVOKE ALL ON inhibit_rules FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON inhibit_rules TO alertbase_app;

CREATE TABLE scheduler_due (
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  kind text NOT NULL,
  due_at timestamptz NOT NULL,
  CONSTRAINT scheduler_due_pkey PRIMARY KEY (tenant_id, kind)
);
CREATE INDEX scheduler_due_at_idx ON scheduler_due (kind, due_at);
ALTER TABLE scheduler_due ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduler_due FORCE ROW LEVEL SECURITY;
CREATE POLICY scheduler_due_select ON scheduler_due FOR SELECT USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY scheduler_due_insert ON scheduler_due FOR INSERT WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY scheduler_due_update ON scheduler_due FOR UPDATE USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')) WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY scheduler_due_delete ON scheduler_due FOR DELETE USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
-- The schedulers' scan, on the service's connection outside any tenant.
CREATE POLICY scheduler_due_scan ON scheduler_due FOR SELECT USING (current_user <> 'alertbase_app');
REVOKE ALL ON scheduler_due FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON scheduler_due TO alertbase_app;

CREATE INDEX alerts_suppressed_idx ON alerts (tenant_id, id) WHERE status = 'suppressed';
`,
};
