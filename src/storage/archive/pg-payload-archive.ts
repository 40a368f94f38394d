/**
 * The PostgreSQL payload archive: entries in the `payload_archive` table of
 * the service's own database (migrations 0008 and 0011), bodies as their
 * JSON text (`body_json`), each tenant's under its row-level security. The default engine: it needs
 * nothing besides the database alertbase already has.
 */
import type { Format } from '../../base/serializers/index.js';
import type { Database } from '../types.js';
import { archivable } from './archivable.js';
import { archiveKeyOf, pageOf } from './archive-cursor.js';
import {
  ENTRY_SLOTS,
  INSERT_ENTRIES,
  PURGE,
  SUMMARY,
  WITH_BODY,
  whereOf,
} from './pg-archive-sql.js';
import type {
  ArchiveDoor,
  ArchivedPayload,
  ArchiveFilter,
  ArchiveIssue,
  ArchiveOutcome,
  ArchivePage,
  ArchiveSummary,
  PayloadArchive,
} from './types.js';

type Row = {
  id: string;
  tenant_id: string;
  received_at: Date | string;
  request_id: string;
  key_id: string;
  door: ArchiveDoor;
  format: Format;
  outcome: ArchiveOutcome;
  issues: ArchiveIssue[];
  bytes: number;
  /** The body's JSON text (`null`: an entry written without one). */
  body_json?: string | null;
};

function summaryOf(row: Row): ArchiveSummary {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    receivedAt: new Date(row.received_at),
    requestId: row.request_id,
    keyId: row.key_id,
    door: row.door,
    format: row.format,
    outcome: row.outcome,
    issues: row.issues,
    bytes: Number(row.bytes),
  };
}

const withBody = (row: Row): ArchivedPayload => ({
  ...summaryOf(row),
  body: row.body_json == null ? null : (JSON.parse(row.body_json) as unknown),
});

/** An entry's body as JSON text: the text it was received as when there is one, else written out. */
const bodyText = (entry: ArchivedPayload): string =>
  entry.bodyJson ?? JSON.stringify(archivable(entry.body)) ?? 'null';

/** An entry without its body, as the insert's JSON array holds it. */
const summaryJson = ({ body: _body, bodyJson: _text, ...summary }: ArchivedPayload): string =>
  JSON.stringify(summary);

/** The parameters of one insert: the tenant, the entries' summaries, their bodies (`NULL` padded). */
function insertParams(tenantId: string, entries: readonly ArchivedPayload[]): (string | null)[] {
  const params: (string | null)[] = [tenantId, `[${entries.map(summaryJson).join(',')}]`];
  for (let i = 0; i < ENTRY_SLOTS; i++) {
    const entry = entries[i];
    params.push(entry === undefined ? null : bodyText(entry));
  }
  return params;
}

/**
 * Creates the PostgreSQL payload archive over an open, migrated database.
 *
 * @example
 * ```ts
 * const archive = createPgPayloadArchive(db);
 * const page = await archive.list('acme', { filter: { outcome: 'rejected' }, limit: 50 });
 * ```
 */
export function createPgPayloadArchive(db: Database): PayloadArchive {
  return {
    engine: 'postgresql',
    async write(entries: readonly ArchivedPayload[]): Promise<void> {
      const byTenant = new Map<string, ArchivedPayload[]>();
      for (const entry of entries) {
        const list = byTenant.get(entry.tenantId) ?? [];
        list.push(entry);
        byTenant.set(entry.tenantId, list);
      }
      for (const [tenantId, list] of byTenant) {
        await db.withTenant(tenantId, async (tx) => {
          for (let at = 0; at < list.length; at += ENTRY_SLOTS) {
            const params = insertParams(tenantId, list.slice(at, at + ENTRY_SLOTS));
            await tx.query(INSERT_ENTRIES.text, params, INSERT_ENTRIES.options);
          }
        });
      }
    },
    async list(tenantId, options): Promise<ArchivePage> {
      const after =
        options.cursor === undefined ? undefined : archiveKeyOf(options.cursor, options.filter);
      const where = whereOf(options.filter, after);
      const { rows } = await db.withTenant(tenantId, (tx) =>
        tx.query<Row>(
          `SELECT ${SUMMARY} FROM payload_archive WHERE ${where.sql}
            ORDER BY received_at DESC, id DESC LIMIT ${Math.trunc(options.limit) + 1}`,
          [tenantId, ...where.params],
        ),
      );
      return pageOf(rows.map(summaryOf), options.limit, options.filter);
    },
    async get(tenantId, id): Promise<ArchivedPayload | undefined> {
      const { rows } = await db.withTenant(tenantId, (tx) =>
        tx.query<Row>(`SELECT ${WITH_BODY} FROM payload_archive WHERE tenant_id = $1 AND id = $2`, [
          tenantId,
          id,
        ]),
      );
      const row = rows[0];
      return row === undefined ? undefined : withBody(row);
    },
    async scan(tenantId, filter: ArchiveFilter, limit): Promise<ArchivedPayload[]> {
      const where = whereOf(filter);
      const { rows } = await db.withTenant(tenantId, (tx) =>
        tx.query<Row>(
          `SELECT ${WITH_BODY} FROM payload_archive WHERE ${where.sql}
            ORDER BY received_at, id LIMIT ${Math.trunc(limit)}`,
          [tenantId, ...where.params],
        ),
      );
      return rows.map(withBody);
    },
    async purge(tenantId, before, limit): Promise<number> {
      const { rowCount } = await db.withTenant(tenantId, (tx) =>
        tx.query(PURGE, [tenantId, before, limit]),
      );
      return rowCount ?? 0;
    },
    async ping(): Promise<void> {
      await db.query('SELECT 1');
    },
    async close(): Promise<void> {
      // The database is the service's: closed with it.
    },
  };
}
