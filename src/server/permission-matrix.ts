/**
 * The permission matrix of alertbase, as data: every permission a tenant
 * route can require, the resource and action it stands for, and the roles
 * that have it. The route guard (`allows`), `GET /v1/permissions`, the
 * check of scoped keys and the table in docs/api.md ("Roles") all read this
 * one table; a test walks every route × role against it.
 */
import type { Role } from '../base/enums/role.js';

/** One permission: what it allows, and who has it. */
export interface PermissionEntry {
  /** The resources it covers. */
  readonly resource: string;
  /** What may be done to them. */
  readonly action: string;
  /** The roles that have it (a scoped key has it only when its scopes list it too). */
  readonly roles: readonly Role[];
}

const ALL: readonly Role[] = ['owner', 'admin', 'editor', 'responder', 'viewer'];
const RESPONDER_UP: readonly Role[] = ['owner', 'admin', 'editor', 'responder'];
const EDITOR_UP: readonly Role[] = ['owner', 'admin', 'editor'];
const ADMIN_UP: readonly Role[] = ['owner', 'admin'];

/** The matrix: permission → resources, action, roles. */
export const PERMISSION_MATRIX = Object.freeze({
  read: {
    resource:
      'rules, alerts, channels, silences, inhibition rules, routing tree, notifications, audit trail',
    action: 'read, validate and export',
    roles: ALL,
  },
  'alerts:ingest': {
    resource: 'alerts',
    action: 'ingest (POST /v1/alerts, /api/v2/alerts, the Alertmanager webhook)',
    roles: RESPONDER_UP,
  },
  'alerts:transition': {
    resource: 'alerts',
    action:
      'acknowledge, unacknowledge, resolve, reopen, suppress, unsuppress; retry a notification',
    roles: RESPONDER_UP,
  },
  'rules:write': {
    resource: 'alert rules',
    action: 'create, update, delete, restore, import',
    roles: EDITOR_UP,
  },
  'channels:write': {
    resource: 'notification channels, the routing tree',
    action:
      'create, update, delete, restore; send a test notification; import an Alertmanager configuration',
    roles: EDITOR_UP,
  },
  'silences:write': {
    resource: 'silences and inhibition rules',
    action: 'create, update, expire, delete, restore',
    roles: EDITOR_UP,
  },
  'keys:manage': {
    resource: 'API keys',
    action: 'issue (up to the caller’s role), list, revoke',
    roles: ADMIN_UP,
  },
  'users:manage': {
    resource: 'users',
    action: 'add, list, change, disable (up to the caller’s role)',
    roles: ADMIN_UP,
  },
} as const satisfies Record<string, PermissionEntry>);

/** A tenant-scoped permission. */
export type Permission = keyof typeof PERMISSION_MATRIX;

/** Every permission, in the matrix's order. */
export const PERMISSION_NAMES = Object.freeze(Object.keys(PERMISSION_MATRIX) as Permission[]);

/** The matrix as a Markdown table (docs/api.md, "Roles", holds it). */
export function permissionTable(): string {
  const roles = ALL;
  const head = `| permission | resources | action | ${roles.map((r) => `\`${r}\``).join(' | ')} |`;
  const rule = `|---|---|---|${roles.map(() => ':-:').join('|')}|`;
  const rows = PERMISSION_NAMES.map((name) => {
    const entry: PermissionEntry = PERMISSION_MATRIX[name];
    const cells = roles.map((r) => (entry.roles.includes(r) ? '✓' : ''));
    return `| \`${name}\` | ${entry.resource} | ${entry.action} | ${cells.join(' | ')} |`;
  });
  return [head, rule, ...rows].join('\n');
}
