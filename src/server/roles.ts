/**
 * Who may do what: a simple table from each action to the lowest role that
 * may do it (roles are ordered: each can do what the roles below it can).
 * The full permission matrix comes later; this is the table.
 */
import { Role } from '../base/enums/role.js';

/**
 * Each permission and the lowest role that has it.
 *
 * - `viewer` reads everything of its tenant;
 * - `responder` also ingests alerts and acknowledges, resolves, suppresses them;
 * - `editor` also writes rules, notification channels and silences;
 * - `admin` also manages API keys and users;
 * - `owner` can do everything within the tenant.
 *
 * Tenants themselves are managed by the platform administrator (`platform`).
 */
export const PERMISSIONS = Object.freeze({
  read: 'viewer',
  'alerts:ingest': 'responder',
  'alerts:transition': 'responder',
  'rules:write': 'editor',
  'channels:write': 'editor',
  'silences:write': 'editor',
  'keys:manage': 'admin',
  'users:manage': 'admin',
} as const satisfies Record<string, Role>);

/** A tenant-scoped permission. */
export type Permission = keyof typeof PERMISSIONS;

/** What a route requires: a tenant permission, or the platform administrator. */
export type Requirement = Permission | 'platform' | 'public';

/**
 * Does `role` have `permission`?
 *
 * @example
 * ```ts
 * allows('responder', 'alerts:transition'); // true
 * allows('responder', 'rules:write');       // false
 * ```
 */
export function allows(role: Role, permission: Permission): boolean {
  return Role.atLeast(role, PERMISSIONS[permission]);
}
