import type { Migration } from '../types.js';
import { tenantPolicies } from './tenant-policies.js';

/**
 * Notifications: the routing tree, and the transactional outbox that
 * delivers what it routes (`docs/notifications.md`).
 *
 * - `routing_trees`: a tenant's routing tree (Alertmanager's `route`
 *   format), a versioned document like the rules.
 * - `notification_events`: written in the transaction of the change that
 *   causes them (a new alert, a resolution, an acknowledgement); the
 *   notification scheduler routes them into groups and deletes them.
 * - `notification_groups`: Alertmanager's aggregation groups, one row per
 *   route and group key, with the alerts it holds and its next flush.
 * - `notification_log`: per group and channel, what was last notified
 *   (Alertmanager's notification log): a group is notified again only when
 *   that changed or its repeat interval passed.
 * - `notifications`: the outbox. One row per message to one channel, with
 *   its payload, state, attempts and next attempt; workers claim rows with
 *   `FOR UPDATE SKIP LOCKED` and a lease, so a crash mid-delivery leaves the
 *   row to be taken again (at least once; the row id is the idempotency key).
 * - `alert_escalations`: when an unacknowledged alert escalates next.
 *
 * The schedulers find due tenants through `scheduler_due` (0003).
 * Frozen once released, like every migration.
 */
export const migration0004: Migration = {
  id: 4,
  name: 'notifications',
  sql: `-- alertbase 0004: routing trees, notification events, groups, log, outbox, escalations.
CREATE TABLE routing_trees (
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  id text NOT NULL,
  name text NOT NULL,
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  doc jsonb NOT NULL CHECK (jsonb_typeof(doc) = 'object'),
  CONSTRAINT routing_trees_pkey PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX routing_trees_name_key ON routing_trees (tenant_id, name) WHERE deleted_at IS NULL;
CREATE INDEX routing_trees_created_idx ON routing_trees (tenant_id, created_at, id);
${tenantPolicies('routing_trees')}

CREATE TABLE notification_events (
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  seq bigint GENERATED ALWAYS AS IDENTITY,
  alert_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('inserted', 'resolved', 'acknowledged', 'reopened')),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT notification_events_pkey PRIMARY KEY (tenant_id, seq)
);
${tenantPolicies('notification_events')}

CREATE TABLE notification_groups (
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  id text NOT NULL,
  route_key text NOT NULL,
  receiver text NOT NULL,
  group_key text NOT NULL,
  group_labels jsonb NOT NULL,
  route jsonb NOT NULL,
  members text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  first_flush_at timestamptz,
  next_flush_at timestamptz NOT NULL,
  CONSTRAINT notification_groups_pkey PRIMARY KEY (tenant_id, id)
);
CREATE INDEX notification_groups_due_idx ON notification_groups (tenant_id, next_flush_at);
${tenantPolicies('notification_groups')}

CREATE TABLE notification_log (
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  group_id text NOT NULL,
  channel_id text NOT NULL,
  firing text[] NOT NULL,
  resolved text[] NOT NULL,
  notified_at timestamptz NOT NULL,
  CONSTRAINT notification_log_pkey PRIMARY KEY (tenant_id, group_id, channel_id)
);
${tenantPolicies('notification_log')}

CREATE TABLE notifications (
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  id text NOT NULL,
  channel_id text NOT NULL,
  group_id text,
  receiver text NOT NULL,
  action text NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'sending', 'delivered', 'dead')),
  alert_ids text[] NOT NULL,
  payload jsonb NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  attempt_log jsonb NOT NULL DEFAULT '[]',
  last_error text,
  next_attempt_at timestamptz NOT NULL,
  lease_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  CONSTRAINT notifications_pkey PRIMARY KEY (tenant_id, id)
);
CREATE INDEX notifications_due_idx ON notifications (tenant_id, next_attempt_at) WHERE state IN ('pending', 'sending');
CREATE INDEX notifications_created_idx ON notifications (tenant_id, created_at, id);
CREATE INDEX notifications_alerts_idx ON notifications USING gin (alert_ids);
${tenantPolicies('notifications')}

CREATE TABLE alert_escalations (
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  alert_id text NOT NULL,
  step integer NOT NULL DEFAULT 0,
  due_at timestamptz NOT NULL,
  CONSTRAINT alert_escalations_pkey PRIMARY KEY (tenant_id, alert_id)
);
CREATE INDEX alert_escalations_due_idx ON alert_escalations (tenant_id, due_at);
${tenantPolicies('alert_escalations')}
`,
};
