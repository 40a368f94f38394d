/**
 * A tenant, moved between deployments: every row of every tenant table
 * (`tenant-archive-tables.ts`), as newline-delimited JSON — a header, chunks of
 * rows per table, and a trailer with each table's row count — read back
 * into another database of the same schema in one transaction.
 *
 * Rows are copied as stored: ids, versions, timestamps, the audit chain
 * (so it verifies in the new deployment) and encrypted fields (whose key ring
 * the new deployment needs: docs/storage.md, "Moving a tenant"). The export
 * pages through each table by its primary key in short transactions, so a
 * running server keeps serving; rows written while it runs may or may not be
 * in it (take it while the tenant is quiet for an exact copy).
 */
import { z } from 'zod';
import { ConflictError } from '../base/exceptions/index.js';
import { UniversalSerializer } from '../base/serializers/index.js';
import { StorageError } from './errors.js';
import { type ArchiveTable, archiveTables } from './tenant-archive-tables.js';
import type { Database, TransactionClient } from './types.js';

/** The `format` of a tenant archive's header. */
export const TENANT_ARCHIVE_FORMAT = 'alertbase.tenant-archive';
/** The archive layout this version writes and reads. */
export const TENANT_ARCHIVE_VERSION = 1;
/** The media type of an archive (gzip-compressed newline-delimited JSON). */
export const TENANT_ARCHIVE_MEDIA_TYPE = 'application/x-ndjson';

/** Rows read per query, and the most bytes of rows in one line. */
const PAGE_ROWS = 250;
const LINE_BYTES = 4 * 1_024 * 1_024;
/** A line longer than this is refused (the decoder's document limit). */
export const MAX_ARCHIVE_LINE_BYTES = 10 * 1_024 * 1_024;

const Header = z.strictObject({
  format: z.literal(TENANT_ARCHIVE_FORMAT),
  version: z.literal(TENANT_ARCHIVE_VERSION),
  tenant: z.string().min(1).max(256),
  migrations: z.array(z.number().int()).max(10_000),
  tables: z.array(z.string()).max(1_000),
  exportedAt: z.string(),
});
const Chunk = z.strictObject({
  table: z.string(),
  rows: z.array(z.record(z.string(), z.unknown())).min(1),
});
const Trailer = z.strictObject({ end: z.literal(true), rows: z.record(z.string(), z.number()) });

/** The first line of an archive. */
export type TenantArchiveHeader = z.infer<typeof Header>;

/** What an import wrote: the tenant and the rows per table. */
export interface TenantImportResult {
  readonly tenant: string;
  readonly rows: Readonly<Record<string, number>>;
}

const invalid = (reason: string): StorageError =>
  new StorageError('ALERTBASE_STORAGE_ARCHIVE_INVALID', { reason });

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

async function appliedMigrations(db: Database): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    'SELECT id FROM alertbase_migrations ORDER BY id',
  );
  return rows.map((r) => Number(r.id));
}

/** `SELECT` of one page of a table, after the key of the previous page's last row. */
function pageSql(table: ArchiveTable, after: boolean): string {
  const key = table.key.map((k) => quote(k.name)).join(', ');
  const params = table.key.map((k, i) => `$${i + 1}::${k.type}`).join(', ');
  const where = after ? ` WHERE (${key}) > (${params})` : '';
  return `SELECT to_jsonb(t) AS row FROM ${quote(table.name)} t${where} ORDER BY ${key} LIMIT ${PAGE_ROWS}`;
}

function keyOf(table: ArchiveTable, row: Record<string, unknown>): string[] {
  return table.key.map((k) => {
    const value = row[k.name];
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

/**
 * The archive of `tenantId`, line by line (each ends with `\n`).
 * @throws StorageError `ALERTBASE_STORAGE_ARCHIVE_INVALID` when the tenant does not exist.
 */
export async function* exportTenant(db: Database, tenantId: string): AsyncGenerator<string> {
  const tables = await archiveTables(db);
  const exists = await db.withTenant(tenantId, async (tx) => {
    const { rows } = await tx.query('SELECT 1 FROM tenants WHERE tenant_id = $1', [tenantId]);
    return rows.length === 1;
  });
  if (!exists) throw invalid(`there is no tenant ${JSON.stringify(tenantId)} to export`);
  const header: TenantArchiveHeader = {
    format: TENANT_ARCHIVE_FORMAT,
    version: TENANT_ARCHIVE_VERSION,
    tenant: tenantId,
    migrations: await appliedMigrations(db),
    tables: tables.map((t) => t.name),
    exportedAt: new Date().toISOString(),
  };
  yield `${JSON.stringify(header)}\n`;
  const counts: Record<string, number> = {};
  for (const table of tables) {
    let count = 0;
    let after: string[] | undefined;
    for (;;) {
      const page = await db.withTenant(tenantId, async (tx) => {
        const { rows } = await tx.query<{ row: Record<string, unknown> }>(
          pageSql(table, after !== undefined),
          after ?? [],
        );
        return rows.map((r) => r.row);
      });
      if (page.length === 0) break;
      count += page.length;
      yield* linesOf(table.name, page);
      const last = page.at(-1);
      if (page.length < PAGE_ROWS || last === undefined) break;
      after = keyOf(table, last);
    }
    counts[table.name] = count;
  }
  yield `${JSON.stringify({ end: true, rows: counts })}\n`;
}

/** One page of rows as lines of at most about {@link LINE_BYTES} each. */
function* linesOf(table: string, rows: readonly Record<string, unknown>[]): Generator<string> {
  let batch: string[] = [];
  let bytes = 0;
  const flush = (): string => {
    const line = `{"table":${JSON.stringify(table)},"rows":[${batch.join(',')}]}\n`;
    batch = [];
    bytes = 0;
    return line;
  };
  for (const row of rows) {
    const text = JSON.stringify(row);
    if (batch.length > 0 && bytes + text.length > LINE_BYTES) yield flush();
    batch.push(text);
    bytes += text.length;
  }
  if (batch.length > 0) yield flush();
}

function parseJson(line: string, index: number): unknown {
  try {
    return UniversalSerializer.decode(line, 'json');
  } catch (err) {
    throw invalid(`line ${index} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function check<T>(schema: z.ZodType<T>, value: unknown, what: string, index: number): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue === undefined ? '' : ` at ${issue.path.join('.') || '(root)'}`;
    throw invalid(`line ${index} is not ${what}${at}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

const isTrailer = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && Object.hasOwn(value, 'end');

async function insertRows(
  tx: TransactionClient,
  table: ArchiveTable,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  const columns = table.columns.map((c) => quote(c.name)).join(', ');
  await tx.query(
    `INSERT INTO ${quote(table.name)} (${columns}) OVERRIDING SYSTEM VALUE
     SELECT ${columns} FROM jsonb_populate_recordset(NULL::${quote(table.name)}, $1::jsonb)`,
    [JSON.stringify(rows)],
  );
}

/**
 * Imports an archive (its lines, without the `\n`) into `db`, in one
 * transaction: nothing is written unless every line is valid, the trailer
 * is there and its counts match.
 * @throws StorageError `ALERTBASE_STORAGE_ARCHIVE_INVALID` for a malformed,
 *   truncated or foreign archive, or one from another schema version.
 * @throws ConflictError `ALERTBASE_RESOURCE_ALREADY_EXISTS` when the tenant exists here.
 */
export async function importTenant(
  db: Database,
  lines: AsyncIterable<string>,
): Promise<TenantImportResult> {
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done === true) throw invalid('the archive is empty');
  const header = check(Header, parseJson(first.value, 1), 'an alertbase tenant archive header', 1);
  const migrations = await appliedMigrations(db);
  if (migrations.join(',') !== header.migrations.join(',')) {
    throw invalid(
      `it was exported with migrations ${header.migrations.join(', ')}, this database has ${migrations.join(', ')}: upgrade the older deployment first`,
    );
  }
  const known = new Map((await archiveTables(db)).map((t) => [t.name, t]));
  const order = header.tables.map((name) => {
    const table = known.get(name);
    if (table === undefined) throw invalid(`it holds the table ${name}, which is not moved here`);
    return table;
  });
  const tenant = header.tenant;
  return db.withTenant(tenant, async (tx) => {
    const { rows: existing } = await tx.query('SELECT 1 FROM tenants WHERE tenant_id = $1', [
      tenant,
    ]);
    if (existing.length > 0) {
      throw new ConflictError('ALERTBASE_RESOURCE_ALREADY_EXISTS', {
        resource: 'tenant',
        id: tenant,
      });
    }
    const counts: Record<string, number> = Object.fromEntries(order.map((t) => [t.name, 0]));
    let position = 0;
    let index = 1;
    for (;;) {
      const next = await iterator.next();
      index++;
      if (next.done === true) throw invalid('it ends before its trailer (truncated)');
      const value = parseJson(next.value, index);
      if (isTrailer(value)) {
        const trailer = check(Trailer, value, 'a trailer', index);
        for (const table of order) {
          const expected = trailer.rows[table.name] ?? 0;
          if (expected !== counts[table.name]) {
            throw invalid(
              `its trailer counts ${expected} rows of ${table.name}, the archive holds ${counts[table.name]}`,
            );
          }
        }
        if ((await iterator.next()).done !== true) throw invalid('it goes on after its trailer');
        return { tenant, rows: counts };
      }
      const chunk = check(Chunk, value, 'a chunk of rows', index);
      const at = order.findIndex((t) => t.name === chunk.table);
      if (at < position) {
        throw invalid(`line ${index} holds rows of ${chunk.table}, out of the header's order`);
      }
      position = at;
      for (const row of chunk.rows) {
        if (row.tenant_id !== tenant) {
          throw invalid(`line ${index} holds a row of another tenant (${String(row.tenant_id)})`);
        }
      }
      const table = order[at] as ArchiveTable;
      await insertRows(tx, table, chunk.rows);
      counts[table.name] = (counts[table.name] ?? 0) + chunk.rows.length;
    }
  });
}

/**
 * The lines of a byte stream, each at most {@link MAX_ARCHIVE_LINE_BYTES}
 * (counted as they arrive: an endless line is refused at the limit).
 */
export async function* archiveLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes = MAX_ARCHIVE_LINE_BYTES,
): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const take = (tail: Uint8Array): string => {
    const parts = [...pending, tail];
    pending = [];
    pendingBytes = 0;
    try {
      return decoder.decode(Buffer.concat(parts));
    } catch {
      throw invalid('it is not UTF-8 text');
    }
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      if (pendingBytes + nl - start > maxLineBytes) throw tooLong(maxLineBytes);
      const line = take(chunk.subarray(start, nl));
      start = nl + 1;
      if (line !== '') yield line;
    }
    const rest = chunk.subarray(start);
    pendingBytes += rest.length;
    if (pendingBytes > maxLineBytes) throw tooLong(maxLineBytes);
    if (rest.length > 0) pending.push(Uint8Array.from(rest));
  }
  if (pendingBytes > 0) {
    const line = take(new Uint8Array(0));
    if (line !== '') yield line;
  }
}

const tooLong = (max: number): StorageError =>
  invalid(`a line is longer than ${max} bytes (an alertbase archive's lines are shorter)`);
