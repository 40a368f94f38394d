import type { Migration } from '../types.js';
import { tenantPolicies } from './tenant-policies.js';

/**
 * Alert time series in PostgreSQL: `alert_series`, one row per point of a
 * tenant's alert history (created, acknowledged, resolved, status change,
 * resends per minute), which `GET /v1/stats/alerts` reads when InfluxDB is
 * not configured. Filled by the service's series writer after each change;
 * the alerts already stored are written in here once, by this migration
 * (before row-level security is forced on the table: the owner running the
 * migration reads `alerts` as its policies let it, which for a superuser,
 * the default set-up, is every row).
 *
 * No foreign key to `tenants`: the series is derived data, and must not keep
 * a tenant from being purged. Frozen once released.
 */
export const migration0006: Migration = {
  id: 6,
  name: 'alert-series',
  sql: `-- alertbase 0006: alert time series (the PostgreSQL store of GET /v1/stats/alerts).
CREATE TABLE alert_series (
  tenant_id text NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  at timestamptz NOT NULL,
  kind text NOT NULL CHECK (kind IN ('created', 'acknowledged', 'resolved', 'status', 'heartbeat')),
  rule text,
  alertname text,
  severity text,
  status text NOT NULL,
  count integer NOT NULL DEFAULT 1 CHECK (count >= 0),
  duration_ms bigint,
  CONSTRAINT alert_series_pkey PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX alert_series_kind_at_idx ON alert_series (tenant_id, kind, at);

INSERT INTO alert_series (tenant_id, at, kind, rule, alertname, severity, status, duration_ms)
SELECT tenant_id, starts_at, 'created', rule_id, labels->>'alertname', level,
       CASE WHEN status = 'suppressed' THEN 'suppressed' ELSE 'firing' END, NULL
  FROM alerts WHERE deleted_at IS NULL
UNION ALL
SELECT tenant_id, (doc->>'acknowledgedAt')::timestamptz, 'acknowledged', rule_id, labels->>'alertname', level,
       'acknowledged',
       round(extract(epoch FROM ((doc->>'acknowledgedAt')::timestamptz - starts_at)) * 1000)::bigint
  FROM alerts WHERE deleted_at IS NULL AND doc->>'acknowledgedAt' IS NOT NULL
UNION ALL
SELECT tenant_id, ends_at, 'resolved', rule_id, labels->>'alertname', level, 'resolved',
       round(extract(epoch FROM (ends_at - starts_at)) * 1000)::bigint
  FROM alerts WHERE deleted_at IS NULL AND status = 'resolved' AND ends_at IS NOT NULL;

${tenantPolicies('alert_series')}
GRANT USAGE ON SEQUENCE alert_series_seq_seq TO alertbase_app;
`,
};
