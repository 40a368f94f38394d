/**
 * The monthly partitions of `audit_events` (migration 0007): created ahead
 * of time, listed, and dropped when every row in one is before its tenant's
 * retention cut. These statements act on every tenant's rows at once, so
 * they run as the owner, outside `withTenant`.
 */
import type { Database, SqlClient } from './types.js';

/** Months ahead of the current one whose partitions a pass keeps ready (default). */
export const AUDIT_MONTHS_AHEAD = 2;

/** At most this many months of DEFAULT-partition rows get their partition per pass. */
const DEFAULT_MONTHS_PER_PASS = 24;

/** One monthly partition: `[from, to)` in UTC. */
export interface AuditPartition {
  readonly name: string;
  readonly from: Date;
  readonly to: Date;
}

const NAME = /^audit_events_(\d{4})_(\d{2})$/;

/** The partition of the month (UTC) of `at`: its name and bounds. */
export function auditPartitionOf(at: Date): AuditPartition {
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  return {
    name: `audit_events_${String(year).padStart(4, '0')}_${String(month + 1).padStart(2, '0')}`,
    from: new Date(Date.UTC(year, month, 1)),
    to: new Date(Date.UTC(year, month + 1, 1)),
  };
}

/**
 * Creates the partitions of the current month and of `monthsAhead` months
 * after it, and of the months of rows that went to the DEFAULT partition
 * (moving them out, at most 24 months per call), when missing. Does nothing
 * on a connection that does not own the table ({@link ownsAuditTrail}).
 * @returns the partitions checked, oldest first.
 */
export async function ensureAuditPartitions(
  db: Database,
  now: Date = new Date(),
  monthsAhead: number = AUDIT_MONTHS_AHEAD,
): Promise<string[]> {
  if (!(await ownsAuditTrail(db))) return [];
  const months = Array.from({ length: monthsAhead + 1 }, (_, k) =>
    auditPartitionOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + k, 1))),
  );
  const stray = await db.query<{ m: Date }>(
    `SELECT DISTINCT date_trunc('month', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS m
       FROM audit_events_default ORDER BY 1 LIMIT ${DEFAULT_MONTHS_PER_PASS}`,
  );
  for (const { m } of stray.rows) months.push(auditPartitionOf(m));
  const names = [...new Set(months.map((p) => p.name))].sort();
  for (const month of months.sort((a, b) => a.from.getTime() - b.from.getTime())) {
    // One transaction per month: creating and attaching locks the table briefly.
    await db.transaction((tx) =>
      tx.query('SELECT alertbase_audit_partition($1::timestamptz)', [month.from]),
    );
  }
  return names;
}

/** The monthly partitions that exist, oldest first (the DEFAULT partition is not one). */
export async function listAuditPartitions(db: SqlClient): Promise<AuditPartition[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'audit_events'::regclass ORDER BY 1`,
  );
  const partitions: AuditPartition[] = [];
  for (const { name } of rows) {
    const match = NAME.exec(name);
    if (match === null) continue;
    partitions.push(auditPartitionOf(new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1))));
  }
  return partitions;
}

/**
 * Whether this connection's role owns `audit_events` (or is a member of its
 * owner): creating partitions and deleting audit rows need it. A login that
 * is only a member of the application role does neither.
 */
export async function ownsAuditTrail(db: SqlClient): Promise<boolean> {
  const { rows } = await db.query<{ owns: boolean }>(
    `SELECT pg_has_role(current_user, relowner, 'USAGE') AS owns
       FROM pg_class WHERE oid = 'audit_events'::regclass`,
  );
  return rows[0]?.owns === true;
}

/**
 * Whether this connection's role reads every tenant's rows (a superuser or
 * `BYPASSRLS`): dropping a partition needs to see all of them, or it would
 * take a partition it sees as empty for one that may go.
 */
export async function seesAllTenants(db: SqlClient): Promise<boolean> {
  const { rows } = await db.query<{ all: boolean }>(
    'SELECT rolsuper OR rolbypassrls AS all FROM pg_roles WHERE rolname = current_user',
  );
  return rows[0]?.all === true;
}

/**
 * Drops the partition when every row in it is before its tenant's newest
 * cut (`audit_cuts`): for each tenant with rows in it, its highest position
 * there is below the cut, so the drop removes only entries the cut already
 * accounts for. Checked and dropped in one transaction that locks the
 * partition first, so no row arrives in between.
 * @returns whether it was dropped.
 */
export async function dropAuditPartitionIfCut(
  db: Database,
  partition: AuditPartition,
): Promise<boolean> {
  if (!NAME.test(partition.name)) throw new TypeError(`not an audit partition: ${partition.name}`);
  const p = partition.name;
  return db.transaction(async (tx) => {
    await tx.exec(`LOCK TABLE ${p} IN ACCESS EXCLUSIVE MODE`);
    // The tenants in the partition by skipping along its primary key, one probe each.
    const { rows } = await tx.query<{ tenant_id: string }>(
      `WITH RECURSIVE t AS (
         (SELECT tenant_id FROM ${p} ORDER BY tenant_id LIMIT 1)
         UNION ALL
         SELECT (SELECT x.tenant_id FROM ${p} x WHERE x.tenant_id > t.tenant_id ORDER BY x.tenant_id LIMIT 1)
           FROM t WHERE t.tenant_id IS NOT NULL)
       SELECT t.tenant_id FROM t
        WHERE t.tenant_id IS NOT NULL
          AND (SELECT max(x.seq) FROM ${p} x WHERE x.tenant_id = t.tenant_id)
              >= COALESCE((SELECT max(c.seq) FROM audit_cuts c WHERE c.tenant_id = t.tenant_id), 0)
        LIMIT 1`,
    );
    if (rows.length > 0) return false;
    await tx.exec(`DROP TABLE ${p}`);
    return true;
  });
}
