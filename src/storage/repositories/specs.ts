import { AlertLevel } from '../../base/enums/index.js';
import { secretPaths } from '../../base/types/secret.js';
import { Alert } from '../../domain/alert.js';
import { AlertRule } from '../../domain/alert-rule.js';
import { ApiKey } from '../../domain/api-key.js';
import { InhibitRule } from '../../domain/inhibit-rule.js';
import { NotificationChannel } from '../../domain/notification-channel.js';
import { RoutingTree } from '../../domain/routing-tree.js';
import { Silence } from '../../domain/silence.js';
import { User } from '../../domain/user.js';
import { ALERT_DOCUMENT_COLUMNS, type AlertDocumentRow, alertDocument } from './alert-document.js';
import type { TableSpec } from './model-repository.js';

/** @internal The status stored for a silence at write time (lists compute it from the times). */
export function silenceStatus(s: Silence, at: Date): 'active' | 'pending' | 'expired' {
  const now = at.getTime();
  if (s.startsAt.getTime() > now) return 'pending';
  return s.endsAt.getTime() > now ? 'active' : 'expired';
}

/** @internal `alert_rules`: status is `enabled`/`disabled`. */
export const ALERT_RULES: TableSpec<AlertRule> = {
  table: 'alert_rules',
  model: AlertRule,
  columns: [
    { name: 'name' },
    { name: 'status' },
    { name: 'level' },
    { name: 'level_rank' },
    { name: 'labels', cast: '::jsonb' },
    { name: 'annotations', cast: '::jsonb' },
  ],
  values: (r) => [
    r.name,
    r.enabled ? 'enabled' : 'disabled',
    r.level,
    AlertLevel.rank(r.level),
    r.labels,
    r.annotations,
  ],
  filters: { status: 'column', level: true, labels: true },
};

/** @internal `alerts`. */
export const ALERTS: TableSpec<Alert> = {
  table: 'alerts',
  model: Alert,
  columns: [
    { name: 'fingerprint' },
    { name: 'rule_id' },
    { name: 'status' },
    { name: 'level' },
    { name: 'level_rank' },
    { name: 'labels', cast: '::jsonb' },
    { name: 'annotations', cast: '::jsonb' },
    { name: 'starts_at' },
    { name: 'ends_at' },
    { name: 'last_received_at' },
    { name: 'duplicate_count' },
  ],
  values: (a) => [
    a.fingerprint,
    a.ruleId,
    a.status,
    a.level,
    AlertLevel.rank(a.level),
    a.labels,
    a.annotations,
    a.startsAt,
    a.endsAt,
    a.lastReceivedAt,
    a.duplicateCount,
  ],
  filters: { status: 'ordered', level: true, labels: true, fingerprint: true, activeWindow: true },
  document: {
    columns: ALERT_DOCUMENT_COLUMNS,
    read: (row) => alertDocument(row as unknown as AlertDocumentRow),
  },
};

/** @internal `notification_channels`: status is `enabled`/`disabled`. */
export const NOTIFICATION_CHANNELS: TableSpec<NotificationChannel> = {
  table: 'notification_channels',
  model: NotificationChannel,
  columns: [{ name: 'name' }, { name: 'type' }, { name: 'status' }],
  values: (c) => [c.name, c.type, c.enabled ? 'enabled' : 'disabled'],
  filters: { status: 'column' },
  secretFields: secretPaths(NotificationChannel.shape),
};

/** @internal `silences`: the status filter (`active`, `pending`, `expired`) is computed from the times. */
export const SILENCES: TableSpec<Silence> = {
  table: 'silences',
  model: Silence,
  columns: [{ name: 'status' }, { name: 'starts_at' }, { name: 'ends_at' }, { name: 'created_by' }],
  values: (s, at) => [silenceStatus(s, at), s.startsAt, s.endsAt, s.createdBy],
  filters: { status: 'window' },
};

/** @internal `inhibit_rules`. */
export const INHIBIT_RULES: TableSpec<InhibitRule> = {
  table: 'inhibit_rules',
  model: InhibitRule,
  columns: [{ name: 'name' }],
  values: (r) => [r.name],
  filters: {},
};

/** @internal `api_keys`: status is `active`/`revoked`. */
export const API_KEYS: TableSpec<ApiKey> = {
  table: 'api_keys',
  model: ApiKey,
  columns: [
    { name: 'name' },
    { name: 'status' },
    { name: 'key_prefix' },
    { name: 'key_hash' },
    { name: 'expires_at' },
    { name: 'last_used_at' },
  ],
  values: (k) => [
    k.name,
    k.revokedAt === null ? 'active' : 'revoked',
    k.prefix,
    k.keyHash.reveal(),
    k.expiresAt,
    k.lastUsedAt,
  ],
  filters: { status: 'column' },
};

/** The name of a tenant's routing tree (one per tenant). */
export const ROUTING_TREE_NAME = 'default';

/** @internal `routing_trees`: one live tree per tenant, named `default`. */
export const ROUTING_TREES: TableSpec<RoutingTree> = {
  table: 'routing_trees',
  model: RoutingTree,
  columns: [{ name: 'name' }],
  values: () => [ROUTING_TREE_NAME],
  filters: {},
};

/** @internal `users`: status is `active`/`disabled`; the e-mail column is lower case. */
export const USERS: TableSpec<User> = {
  table: 'users',
  model: User,
  columns: [{ name: 'email' }, { name: 'role' }, { name: 'status' }],
  values: (u) => [u.email, u.role, u.disabledAt === null ? 'active' : 'disabled'],
  filters: { status: 'column' },
};
