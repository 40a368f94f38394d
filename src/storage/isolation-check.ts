import { APP_ROLE } from './base-database.js';
import { StorageError } from './errors.js';
import type { SqlClient } from './types.js';

/** Options of {@link assertIsolation}. */
export interface IsolationCheckOptions {
  /** The role tenant transactions run as; default {@link APP_ROLE}. */
  readonly appRole?: string | undefined;
}

/** What {@link assertIsolation} verified. */
export interface IsolationReport {
  /** The application role checked. */
  readonly appRole: string;
  /** Every table with a `tenant_id` column (schema-qualified), all protected. */
  readonly tenantTables: readonly string[];
  /**
   * Whether this connection's own user is a superuser. Then `SET ROLE`
   * can be undone by SQL run on it: see `docs/storage.md` for connecting as a
   * login role that is only a member of the application role.
   */
  readonly sessionIsSuperuser: boolean;
}

interface RoleRow extends Record<string, unknown> {
  readonly rolsuper: boolean;
  readonly rolbypassrls: boolean;
}

interface TableRow extends Record<string, unknown> {
  readonly name: string;
  readonly owner: string;
  readonly rls: boolean;
  readonly forced: boolean;
  readonly appIsOwner: boolean;
}

/** @internal Throws `ALERTBASE_STORAGE_ISOLATION_UNSAFE`. */
function unsafe(reason: string, context: Record<string, unknown>): never {
  throw new StorageError('ALERTBASE_STORAGE_ISOLATION_UNSAFE', { ...context, reason });
}

/**
 * The start-up self-check: refuses to serve unless the database itself keeps
 * tenants apart.
 *
 * It fails when the application role is missing, a superuser or `BYPASSRLS`,
 * or when any table with a `tenant_id` column (outside the system schemas)
 * lacks enabled and forced row-level security, or is owned by the
 * application role (or by a role it is a member of), which could switch
 * the protection off.
 *
 * @throws StorageError `ALERTBASE_STORAGE_ISOLATION_UNSAFE`, with `reason` and the table or role.
 * @example
 * ```ts
 * const db = await openDatabase({ url: process.env.DATABASE_URL });
 * await assertIsolation(db); // throws before the server listens
 * ```
 */
export async function assertIsolation(
  db: SqlClient,
  options: IsolationCheckOptions = {},
): Promise<IsolationReport> {
  const appRole = options.appRole ?? APP_ROLE;
  const role = (
    await db.query<RoleRow>('SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1', [
      appRole,
    ])
  ).rows[0];
  if (role === undefined) unsafe(`the application role ${appRole} does not exist`, { appRole });
  if (role.rolsuper) unsafe(`the application role ${appRole} is a superuser`, { appRole });
  if (role.rolbypassrls) unsafe(`the application role ${appRole} has BYPASSRLS`, { appRole });

  const { rows } = await db.query<TableRow>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name,
            pg_get_userbyid(c.relowner) AS owner,
            c.relrowsecurity AS rls,
            c.relforcerowsecurity AS forced,
            pg_has_role($1, c.relowner, 'MEMBER') AS "appIsOwner"
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
      WHERE c.relkind IN ('r', 'p')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_%'
      ORDER BY 1`,
    [appRole],
  );
  for (const table of rows) {
    if (!table.rls || !table.forced) {
      unsafe(`table ${table.name} does not have row-level security enabled and forced`, {
        appRole,
        table: table.name,
      });
    }
    if (table.appIsOwner) {
      unsafe(`table ${table.name} is owned by ${table.owner}, which ${appRole} can act as`, {
        appRole,
        table: table.name,
      });
    }
  }
  const session = await db.query<{ rolsuper: boolean }>(
    'SELECT rolsuper FROM pg_roles WHERE rolname = session_user',
  );
  return {
    appRole,
    tenantTables: rows.map((r) => r.name),
    sessionIsSuperuser: session.rows[0]?.rolsuper === true,
  };
}
