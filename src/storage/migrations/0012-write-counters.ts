import type { Migration } from '../types.js';
import { tenantPolicies } from './tenant-policies.js';

/**
 * `write_counters`: per tenant, counters that writes outside the audit chain
 * move in their own transaction (`source` names the writer: `heartbeats`, the
 * write-behind of resends). A tenant's data version is the head of its audit
 * chain and the sum of its counters (`data-version.ts`), so a heartbeat flush
 * moves it without the tenant's audit lock, which every ingest transaction
 * holds: a flush of 1,000 rows held it 15-65 ms, and changed alerts waited
 * behind it (bench/README.md, "http"). Frozen once released.
 */
export const migration0012: Migration = {
  id: 12,
  name: 'write-counters',
  sql: `-- alertbase 0012: counters of writes outside the audit chain.
CREATE TABLE write_counters (
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  source text NOT NULL,
  value bigint NOT NULL DEFAULT 0 CHECK (value >= 0),
  CONSTRAINT write_counters_pkey PRIMARY KEY (tenant_id, source)
);

${tenantPolicies('write_counters')}
`,
};
