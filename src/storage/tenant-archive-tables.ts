/**
 * The tables a tenant archive moves, read from the catalog rather than listed
 * by hand, so that a migration adding a tenant table is exported and imported
 * without a change here: every table of the current schema with a `tenant_id`
 * column, in an order where each table comes after the tables its foreign
 * keys reference (the `tenants` row first).
 */
import type { Database } from './types.js';

/** Tables a tenant archive leaves out, and why (docs/storage.md, "Moving a tenant"). */
export const NOT_MOVED: Readonly<Record<string, string>> = {
  sessions: 'login sessions belong to the deployment that issued them: people log in again',
  notification_events:
    'the queue between ingest and the notification scheduler, drained within seconds',
  payload_archive:
    'raw ingest bodies as this deployment received them, for its own forensics and replay; kept by retention',
};

/** A column of a moved table. */
export interface ArchiveColumn {
  readonly name: string;
  /** The column's SQL type (`format_type`), for the keyset cast. */
  readonly type: string;
}

/** A moved table: its insertable columns and its primary key. */
export interface ArchiveTable {
  readonly name: string;
  /** Columns that are not generated, in the table's order. */
  readonly columns: readonly ArchiveColumn[];
  /** The primary key's columns, in the key's order (`tenant_id` leads). */
  readonly key: readonly ArchiveColumn[];
  /** Tables its foreign keys reference. */
  readonly references: readonly string[];
}

const CATALOG = `
SELECT c.relname AS name,
  (SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod)) ORDER BY a.attnum)
     FROM pg_attribute a
    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '') AS columns,
  (SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod)) ORDER BY k.ord)
     FROM pg_index i
     CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
    WHERE i.indrelid = c.oid AND i.indisprimary) AS key,
  (SELECT coalesce(json_agg(DISTINCT r.relname), '[]'::json)
     FROM pg_constraint f JOIN pg_class r ON r.oid = f.confrelid
    WHERE f.conrelid = c.oid AND f.contype = 'f' AND f.confrelid <> c.oid) AS references
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
  -- A partitioned table moves through its parent, never partition by partition.
  AND NOT c.relispartition
  AND EXISTS (SELECT 1 FROM pg_attribute t
               WHERE t.attrelid = c.oid AND t.attname = 'tenant_id' AND NOT t.attisdropped)
ORDER BY c.relname`;

type CatalogRow = {
  name: string;
  columns: ArchiveColumn[];
  key: ArchiveColumn[] | null;
  references: string[];
};

/**
 * The tenant tables an archive moves, parents before children.
 * @throws Error when a tenant table has no primary key (the export pages by it).
 */
export async function archiveTables(db: Database): Promise<ArchiveTable[]> {
  const { rows } = await db.query<CatalogRow>(CATALOG);
  const tables = new Map<string, ArchiveTable>();
  for (const row of rows) {
    if (Object.hasOwn(NOT_MOVED, row.name)) continue;
    if (row.key === null) throw new Error(`the tenant table ${row.name} has no primary key`);
    tables.set(row.name, {
      name: row.name,
      columns: row.columns,
      key: row.key,
      references: row.references,
    });
  }
  return parentsFirst(tables);
}

/** Kahn's order over the foreign keys: among the ready ones `tenants` first, then by name. */
function parentsFirst(tables: ReadonlyMap<string, ArchiveTable>): ArchiveTable[] {
  const order: ArchiveTable[] = [];
  const placed = new Set<string>();
  while (order.length < tables.size) {
    const ready = [...tables.values()]
      .filter((t) => !placed.has(t.name))
      .filter((t) => t.references.every((r) => placed.has(r) || !tables.has(r) || r === t.name))
      // The tenant's own row first, then by name.
      .sort((a, b) =>
        a.name === 'tenants' ? -1 : b.name === 'tenants' ? 1 : a.name.localeCompare(b.name),
      );
    const next = ready[0];
    if (next === undefined) throw new Error('the tenant tables reference each other in a cycle');
    order.push(next);
    placed.add(next.name);
  }
  return order;
}
