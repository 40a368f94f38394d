import { defineOrderedEnum } from './define-enum.js';

/**
 * A member's role within a tenant, ordered from `owner` (rank 5) to `viewer` (rank 1).
 * Each role can do everything the roles below it can.
 *
 * - `owner`: billing, tenant deletion, ownership transfer.
 * - `admin`: members, channels, tenant settings.
 * - `editor`: alert rules and silences.
 * - `responder`: acknowledge, resolve, suppress alerts.
 * - `viewer`: read only.
 *
 * @example
 * ```ts
 * if (!Role.atLeast(member.role, 'editor')) throw forbidden;
 * ```
 */
export const Role = defineOrderedEnum('Role', ['owner', 'admin', 'editor', 'responder', 'viewer'], {
  order: 'descending',
  description: 'Role of a member within a tenant, owner highest.',
});
/** A member's role within a tenant: `owner` > `admin` > `editor` > `responder` > `viewer`. */
export type Role = (typeof Role.values)[number];
