import type { Database, TransactionClient } from '../../../src/storage/index.js';

/** Every tenant table. */
export const TENANT_TABLES = [
  'tenants',
  'alert_rules',
  'alerts',
  'notification_channels',
  'silences',
  'api_keys',
  'audit_events',
  'inhibit_rules',
  'scheduler_due',
  'routing_trees',
  'notification_events',
  'notification_groups',
  'notification_log',
  'notifications',
  'alert_escalations',
  'users',
  'sessions',
  'alert_series',
  'audit_cuts',
  'payload_archive',
  'write_counters',
] as const;

/** A tenant table name. */
export type TenantTable = (typeof TENANT_TABLES)[number];

const T = "current_setting('app.tenant_id')";

/** INSERTs of `n` rows with minimal valid documents, for the current tenant. */
export function seedSql(table: Exclude<TenantTable, 'tenants'>, from: number, to: number): string {
  const g = `generate_series(${from}, ${to}) g`;
  switch (table) {
    case 'alert_rules':
      return `INSERT INTO alert_rules (tenant_id, id, name, status, level, level_rank, labels, doc)
        SELECT ${T}, 'rule-' || g, 'rule ' || g, 'enabled', 'high', 3,
               jsonb_build_object('team', 't' || (g % 3)), jsonb_build_object('id', 'rule-' || g) FROM ${g}`;
    case 'alerts':
      return `INSERT INTO alerts (tenant_id, id, fingerprint, status, starts_at, labels, doc)
        SELECT ${T}, 'alert-' || g, lpad(to_hex(g), 16, '0'), 'firing', now(),
               jsonb_build_object('alertname', 'a' || g), jsonb_build_object('id', 'alert-' || g) FROM ${g}`;
    case 'notification_channels':
      return `INSERT INTO notification_channels (tenant_id, id, name, type, status, doc)
        SELECT ${T}, 'ch-' || g, 'channel ' || g, 'webhook', 'active', '{}' FROM ${g}`;
    case 'silences':
      return `INSERT INTO silences (tenant_id, id, status, starts_at, ends_at, doc)
        SELECT ${T}, 'sil-' || g, 'active', now(), now() + interval '1 hour', '{}' FROM ${g}`;
    case 'api_keys':
      return `INSERT INTO api_keys (tenant_id, id, name, status, key_prefix, key_hash, doc)
        SELECT ${T}, 'key-' || g, 'key ' || g, 'active', 'ab_' || g, md5(${T} || g), '{}' FROM ${g}`;
    case 'inhibit_rules':
      return `INSERT INTO inhibit_rules (tenant_id, id, name, doc)
        SELECT ${T}, 'inh-' || g, 'rule ' || g, '{}' FROM ${g}`;
    case 'write_counters':
      return `INSERT INTO write_counters (tenant_id, source, value)
        SELECT ${T}, 'source-' || g, g FROM ${g}`;
    case 'scheduler_due':
      return `INSERT INTO scheduler_due (tenant_id, kind, due_at)
        SELECT ${T}, 'kind-' || g, now() FROM ${g}`;
    case 'routing_trees':
      return `INSERT INTO routing_trees (tenant_id, id, name, doc)
        SELECT ${T}, 'tree-' || g, 'tree ' || g, '{}' FROM ${g}`;
    case 'notification_events':
      return `INSERT INTO notification_events (tenant_id, alert_id, kind)
        SELECT ${T}, 'alert-' || g, 'inserted' FROM ${g}`;
    case 'notification_groups':
      return `INSERT INTO notification_groups (tenant_id, id, route_key, receiver, group_key, group_labels, route, next_flush_at)
        SELECT ${T}, 'grp-' || g, '{}', 'r', '{}:{}', '{}', '{}', now() FROM ${g}`;
    case 'notification_log':
      return `INSERT INTO notification_log (tenant_id, group_id, channel_id, firing, resolved, notified_at)
        SELECT ${T}, 'grp-' || g, 'ch-' || g, '{}', '{}', now() FROM ${g}`;
    case 'notifications':
      return `INSERT INTO notifications (tenant_id, id, channel_id, receiver, action, state, alert_ids, payload, next_attempt_at)
        SELECT ${T}, 'ntf-' || g, 'ch-' || g, 'r', 'notify', 'pending', '{}', '{}', now() FROM ${g}`;
    case 'alert_escalations':
      return `INSERT INTO alert_escalations (tenant_id, alert_id, due_at)
        SELECT ${T}, 'alert-' || g, now() FROM ${g}`;
    case 'users':
      return `INSERT INTO users (tenant_id, id, email, role, status, doc)
        SELECT ${T}, 'user-' || g, 'u' || g || '@example.com', 'viewer', 'active', '{}' FROM ${g}`;
    case 'sessions':
      return `INSERT INTO sessions (tenant_id, id, user_id, token_hash, expires_at)
        SELECT ${T}, 'ses-' || g, 'user-' || g, encode(sha256(convert_to(${T} || g, 'UTF8')), 'hex'),
               now() + interval '1 hour' FROM ${g}`;
    case 'alert_series':
      return `INSERT INTO alert_series (tenant_id, at, kind, status)
        SELECT ${T}, now(), 'created', 'firing' FROM ${g}`;
    case 'audit_cuts':
      return `INSERT INTO audit_cuts (tenant_id, seq, prev_hash, at, seal)
        SELECT ${T}, g, md5(g::text), now(), md5(${T} || g) FROM ${g}`;
    case 'payload_archive':
      return `INSERT INTO payload_archive (tenant_id, id, received_at, request_id, key_id, door, format, outcome, bytes, body)
        SELECT ${T}, 'pa-' || g, now(), 'req-' || g, 'key-1', 'alerts', 'json', 'accepted', 2, '[]' FROM ${g}`;
    case 'audit_events':
      return `INSERT INTO audit_events (tenant_id, seq, id, actor, action, resource_type, result, hash, doc)
        SELECT ${T}, g - 1, 'ev-' || g, 'seed', 'create', 'alert', 'success',
               encode(sha256(convert_to(g::text, 'UTF8')), 'hex'), '{}' FROM ${g}`;
  }
}

/** Inserts the tenant row for the current tenant. */
export async function insertTenant(tx: TransactionClient, tenantId: string): Promise<void> {
  await tx.query('INSERT INTO tenants (tenant_id, name, status, doc) VALUES ($1, $2, $3, $4)', [
    tenantId,
    `Tenant ${tenantId}`,
    'active',
    { id: tenantId },
  ]);
}

/** The tenant row plus `rows` rows in every other tenant table, as the app role. */
export async function seedTenant(db: Database, tenantId: string, rows = 100): Promise<void> {
  await db.withTenant(tenantId, async (tx) => {
    await insertTenant(tx, tenantId);
    for (const table of TENANT_TABLES) {
      if (table !== 'tenants') await tx.query(seedSql(table, 1, rows));
    }
  });
}
