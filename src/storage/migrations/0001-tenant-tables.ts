import type { Migration } from '../types.js';

/**
 * The first schema: the seven tenant tables, the `alertbase_app` role and
 * row-level security on every table.
 *
 * Frozen: once released, an applied migration must never change (its
 * checksum is verified on every start). Change the schema with a new file.
 */
export const migration0001: Migration = {
  id: 1,
  name: 'tenant-tables',
  sql: `-- alertbase 0001: the seven tenant tables, the application role, row-level security.
-- Every tenant table: tenant_id leads the primary key and every index; key
-- columns that repositories filter on are typed; doc holds the whole model.

CREATE EXTENSION IF NOT EXISTS btree_gin;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'alertbase_app') THEN
    BEGIN
      CREATE ROLE alertbase_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- another database of the same server created it first
    END;
  END IF;
  -- The migrating user must be able to SET ROLE to it (superusers always can).
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT alertbase_app TO %I', current_user);
  END IF;
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO alertbase_app', current_schema());
END
$$;

CREATE TABLE tenants (
  tenant_id text NOT NULL CHECK (tenant_id <> ''),
  name text NOT NULL,
  status text NOT NULL,
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  doc jsonb NOT NULL CHECK (jsonb_typeof(doc) = 'object'),
  CONSTRAINT tenants_pkey PRIMARY KEY (tenant_id)
);

CREATE TABLE alert_rules (
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  id text NOT NULL,
  name text NOT NULL,
  status text NOT NULL,
  level text,
  level_rank smallint,
  labels jsonb NOT NULL DEFAULT '{}',
  annotations jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  doc jsonb NOT NULL CHECK (jsonb_typeof(doc) = 'object'),
  CONSTRAINT alert_rules_pkey PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX alert_rules_name_key ON alert_rules (tenant_id, name) WHERE deleted_at IS NULL;
CREATE INDEX alert_rules_created_idx ON alert_rules (tenant_id, created_at, id);
CREATE INDEX alert_rules_status_idx ON alert_rules (tenant_id, status, level_rank);
CREATE INDEX alert_rules_labels_idx ON alert_rules USING gin (tenant_id, labels);

CREATE TABLE alerts (
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  id text NOT NULL,
  fingerprint text NOT NULL,
  rule_id text,
  status text NOT NULL,
  level text,
  level_rank smallint,
  labels jsonb NOT NULL DEFAULT '{}',
  annotations jsonb NOT NULL DEFAULT '{}',
  starts_at timestamptz NOT NULL,
  ends_at timestamptz,
  last_received_at timestamptz NOT NULL DEFAULT now(),
  duplicate_count integer NOT NULL DEFAULT 0 CHECK (duplicate_count >= 0),
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  doc jsonb NOT NULL CHECK (jsonb_typeof(doc) = 'object'),
  CONSTRAINT alerts_pkey PRIMARY KEY (tenant_id, id)
);
-- At most one open alert per fingerprint: ingest upserts with
-- ON CONFLICT (tenant_id, fingerprint) WHERE status NOT IN ('resolved', 'expired') AND deleted_at IS NULL
CREATE UNIQUE INDEX alerts_open_fingerprint_key ON alerts (tenant_id, fingerprint)
  WHERE status NOT IN ('resolved', 'expired') AND deleted_at IS NULL;
CREATE INDEX alerts_created_idx ON alerts (tenant_id, created_at, id);
CREATE INDEX alerts_status_idx ON alerts (tenant_id, status, level_rank);
CREATE INDEX alerts_starts_idx ON alerts (tenant_id, starts_at, id);
-- Earlier rows of an alert, open or not: ingest folds a resent resolved alert
-- (Prometheus resends them for 15 minutes) into the row it already resolved.
CREATE INDEX alerts_fingerprint_idx ON alerts (tenant_id, fingerprint, starts_at);
CREATE INDEX alerts_labels_idx ON alerts USING gin (tenant_id, labels);

CREATE TABLE notification_channels (
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  id text NOT NULL,
  name text NOT NULL,
  type text NOT NULL,
  status text NOT NULL,
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  doc jsonb NOT NULL CHECK (jsonb_typeof(doc) = 'object'),
  CONSTRAINT notification_channels_pkey PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX notification_channels_name_key ON notification_channels (tenant_id, name)
  WHERE deleted_at IS NULL;
CREATE INDEX notification_channels_created_idx ON notification_channels (tenant_id, created_at, id);

CREATE TABLE silences (
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  id text NOT NULL,
  status text NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  created_by text,
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  doc jsonb NOT NULL CHECK (jsonb_typeof(doc) = 'object'),
  CONSTRAINT silences_pkey PRIMARY KEY (tenant_id, id)
);
CREATE INDEX silences_active_idx ON silences (tenant_id, ends_at, starts_at);
CREATE INDEX silences_created_idx ON silences (tenant_id, created_at, id);

CREATE TABLE api_keys (
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  id text NOT NULL,
  name text NOT NULL,
  status text NOT NULL,
  key_prefix text NOT NULL,
  key_hash text NOT NULL,
  expires_at timestamptz,
  last_used_at timestamptz,
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  doc jsonb NOT NULL CHECK (jsonb_typeof(doc) = 'object'),
  CONSTRAINT api_keys_pkey PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX api_keys_hash_key ON api_keys (tenant_id, key_hash);
CREATE INDEX api_keys_prefix_idx ON api_keys (tenant_id, key_prefix);
CREATE INDEX api_keys_created_idx ON api_keys (tenant_id, created_at, id);

-- Append-only: the application role may INSERT and SELECT, never UPDATE or DELETE.
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
  CONSTRAINT audit_events_pkey PRIMARY KEY (tenant_id, seq)
);
CREATE UNIQUE INDEX audit_events_id_key ON audit_events (tenant_id, id);
CREATE INDEX audit_events_resource_idx ON audit_events (tenant_id, resource_type, resource_id, seq);
CREATE INDEX audit_events_created_idx ON audit_events (tenant_id, created_at);

-- Row-level security, enabled and forced (the owner is subject to it too).
-- An unset or empty app.tenant_id (it reads back as '' after a transaction) matches no row.

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenants_select ON tenants FOR SELECT USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY tenants_insert ON tenants FOR INSERT WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY tenants_update ON tenants FOR UPDATE USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')) WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY tenants_delete ON tenants FOR DELETE USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));

ALTER TABLE alert_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE alert_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY alert_rules_select ON alert_rules FOR SELECT USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY alert_rules_insert ON alert_rules FOR INSERT WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY alert_rules_update ON alert_rules FOR UPDATE USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')) WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY alert_rules_delete ON alert_rules FOR DELETE USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));

ALTER TABLE alerts ENABLE ROW LEVEL SECURITY;
ALTER TABLE alerts FORCE ROW LEVEL SECURITY;
CREATE POLICY alerts_select ON alerts FOR SELECT USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY alerts_insert ON alerts FOR INSERT WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY alerts_update ON alerts FOR UPDATE USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')) WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY alerts_delete ON alerts FOR DELETE USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));

ALTER TABLE notification_channels ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_channels FORCE ROW LEVEL SECURITY;
CREATE POLICY notification_channels_select ON notification_channels FOR SELECT USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY notification_channels_insert ON notification_channels FOR INSERT WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY notification_channels_update ON notification_channels FOR UPDATE USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')) WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY notification_channels_delete ON notification_channels FOR DELETE USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));

ALTER TABLE silences ENABLE ROW LEVEL SECURITY;
ALTER TABLE silences FORCE ROW LEVEL SECURITY;
CREATE POLICY silences_select ON silences FOR SELECT USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY silences_insert ON silences FOR INSERT WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY silences_update ON silences FOR UPDATE USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')) WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY silences_delete ON silences FOR DELETE USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY api_keys_select ON api_keys FOR SELECT USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY api_keys_insert ON api_keys FOR INSERT WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY api_keys_update ON api_keys FOR UPDATE USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')) WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY api_keys_delete ON api_keys FOR DELETE USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_events_select ON audit_events FOR SELECT USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY audit_events_insert ON audit_events FOR INSERT WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY audit_events_update ON audit_events FOR UPDATE USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')) WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));
CREATE POLICY audit_events_delete ON audit_events FOR DELETE USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));

REVOKE ALL ON tenants, alert_rules, alerts, notification_channels, silences, api_keys, audit_events
  FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE
  ON tenants, alert_rules, alerts, notification_channels, silences, api_keys
  TO alertbase_app;
GRANT SELECT, INSERT ON audit_events TO alertbase_app;
`,
};
