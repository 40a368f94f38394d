/**
 * Who may do what: the permission matrix (`permission-matrix.ts`, data)
 * read by the route guard, narrowed for a scoped key to the permissions it
 * lists.
 */
import { Role } from '../base/enums/role.js';
import {
  PERMISSION_MATRIX,
  PERMISSION_NAMES,
  type Permission,
  type PermissionEntry,
} from './permission-matrix.js';

export type { Permission } from './permission-matrix.js';

/**
 * Each permission and the lowest role that has it (the matrix's roles are
 * ordered, so this says the same as the matrix).
 */
export const PERMISSIONS: Readonly<Record<Permission, Role>> = Object.freeze(
  Object.fromEntries(
    PERMISSION_NAMES.map((name) => {
      const roles: readonly Role[] = (PERMISSION_MATRIX[name] as PermissionEntry).roles;
      const lowest = [...roles].sort((a, b) => Role.rank(a) - Role.rank(b))[0] as Role;
      return [name, lowest];
    }),
  ) as Record<Permission, Role>,
);

/** What a route requires: a tenant permission, or the platform administrator. */
export type Requirement = Permission | 'platform' | 'public';

/** Is `name` a permission of the matrix? */
export function isPermission(name: unknown): name is Permission {
  return typeof name === 'string' && Object.hasOwn(PERMISSION_MATRIX, name);
}

/**
 * Does `role` have `permission`, and, for a scoped key, do its `scopes`
 * list it too?
 *
 * @example
 * ```ts
 * allows('responder', 'alerts:transition'); // true
 * allows('responder', 'rules:write');       // false
 * allows('responder', 'alerts:transition', ['alerts:ingest']); // false: an ingest-only key
 * ```
 */
export function allows(
  role: Role,
  permission: Permission,
  scopes?: readonly string[] | null,
): boolean {
  const entry: PermissionEntry | undefined = PERMISSION_MATRIX[permission];
  if (entry === undefined || !entry.roles.includes(role)) return false;
  return scopes === undefined || scopes === null || scopes.includes(permission);
}

/** The permissions `role` has, narrowed to `scopes` when given. */
export function permissionsOf(role: Role, scopes?: readonly string[] | null): Permission[] {
  return PERMISSION_NAMES.filter((p) => allows(role, p, scopes));
}

/**
 * The permissions a grant (a role, narrowed to `scopes`) would have that
 * the caller (its role, narrowed to its scopes) lacks: a caller may give
 * no more than it has, so a scoped key cannot mint a wider key or user.
 */
export function beyondCaller(
  caller: { readonly role: Role; readonly scopes?: readonly string[] | undefined },
  role: Role,
  scopes?: readonly string[] | null,
): Permission[] {
  const has = new Set(permissionsOf(caller.role, caller.scopes));
  return permissionsOf(role, scopes).filter((p) => !has.has(p));
}
