/**
 * The MongoDB payload archive (`MONGODB_URL`): one document per archived
 * request in the `payload_archive` collection, through the official
 * `mongodb` driver (loaded on first use).
 *
 * Tenant isolation: MongoDB has no row-level security, so every read and
 * delete filter is built by one function, {@link tenantFilter}, which puts
 * the tenant first and lets nothing in the rest replace it; the collection
 * is reached only through this module, and a test reads this file to check
 * that every collection call passes such a filter. Stored bodies can never
 * act as operators: their keys are encoded (`mongo-keys.ts`), and values
 * are inserted as data, never used as a filter.
 */
import type { Collection, Document, MongoClient } from 'mongodb';
import type { Format } from '../../base/serializers/index.js';
import { StorageError } from '../errors.js';
import { archivable } from './archivable.js';
import { archiveKeyOf, pageOf } from './archive-cursor.js';
import { decodeKeys, encodeKeys } from './mongo-keys.js';
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

/** Options of {@link createMongoPayloadArchive}. */
export interface MongoPayloadArchiveOptions {
  /** `mongodb://[user:password@]host[:port][,host...]/[database]` (database `alertbase` by default). */
  readonly url: string;
  /** The collection (default `payload_archive`). */
  readonly collection?: string | undefined;
  /** Longest wait for a server, ms (default 5,000). */
  readonly timeoutMs?: number | undefined;
}

/** A stored document. */
interface ArchiveDocument {
  _id: string;
  tenant_id: string;
  received_at: Date;
  request_id: string;
  key_id: string;
  door: ArchiveDoor;
  format: Format;
  outcome: ArchiveOutcome;
  issues: ArchiveIssue[];
  bytes: number;
  body?: unknown;
}

/** Documents larger than this are stored without their body (BSON holds at most 16 MiB). */
const MAX_BODY_BYTES = 15 * 1_024 * 1_024;

/**
 * The only way a filter reaches the collection: `conditions` (built in this
 * module from typed values) under the tenant's own `tenant_id`. The tenant
 * is set last, so no condition can name another.
 * @throws StorageError `ALERTBASE_STORAGE_TENANT_REQUIRED` without a tenant.
 */
export function tenantFilter(tenantId: string, conditions: Document = {}): Document {
  if (typeof tenantId !== 'string' || tenantId === '') {
    throw new StorageError('ALERTBASE_STORAGE_TENANT_REQUIRED', {});
  }
  return { ...conditions, tenant_id: tenantId };
}

/** A driver error as the API answers it: 503 (a retry may succeed). */
function unavailable(err: unknown): unknown {
  if (err instanceof StorageError) return err;
  return new StorageError(
    'ALERTBASE_STORAGE_ARCHIVE_UNAVAILABLE',
    { engine: 'mongodb', reason: err instanceof Error ? err.message : String(err) },
    { cause: err },
  );
}

/** Runs a read, answering driver errors as {@link unavailable}. */
async function reading<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw unavailable(err);
  }
}

/** The conditions of a filter (typed values only: dates and enumerations). */
function conditionsOf(filter: ArchiveFilter): Document {
  const conditions: Document = {};
  if (filter.from !== undefined || filter.to !== undefined) {
    conditions.received_at = {
      ...(filter.from === undefined ? {} : { $gte: filter.from }),
      ...(filter.to === undefined ? {} : { $lt: filter.to }),
    };
  }
  if (filter.outcome !== undefined) conditions.outcome = String(filter.outcome);
  if (filter.format !== undefined) conditions.format = String(filter.format);
  if (filter.door !== undefined) conditions.door = String(filter.door);
  return conditions;
}

function summaryOf(doc: ArchiveDocument): ArchiveSummary {
  return {
    id: doc._id,
    tenantId: doc.tenant_id,
    receivedAt: doc.received_at,
    requestId: doc.request_id,
    keyId: doc.key_id,
    door: doc.door,
    format: doc.format,
    outcome: doc.outcome,
    issues: doc.issues,
    bytes: doc.bytes,
  };
}

const withBody = (doc: ArchiveDocument): ArchivedPayload => ({
  ...summaryOf(doc),
  body: decodeKeys(doc.body ?? null),
});

/** The database named in the URL's path, if any. */
function databaseOf(url: string): string {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?/]+)/.exec(url);
  return match?.[1] === undefined ? 'alertbase' : decodeURIComponent(match[1]);
}

/** A stored document of an entry (the body's keys encoded). */
function documentOf(entry: ArchivedPayload, sizeOf: (doc: Document) => number): ArchiveDocument {
  const doc: ArchiveDocument = {
    _id: entry.id,
    tenant_id: entry.tenantId,
    received_at: entry.receivedAt,
    request_id: entry.requestId,
    key_id: entry.keyId,
    door: entry.door,
    format: entry.format,
    outcome: entry.outcome,
    issues: [...entry.issues],
    bytes: entry.bytes,
    body: encodeKeys(archivable(entry.body)),
  };
  if (sizeOf(doc) <= MAX_BODY_BYTES) return doc;
  return {
    ...doc,
    body: null,
    issues: [
      ...doc.issues,
      {
        index: null,
        pointer: '',
        code: 'archive_body_too_large',
        message: `the decoded body is larger than MongoDB holds (${MAX_BODY_BYTES} bytes); not kept`,
      },
    ],
  };
}

/**
 * Creates the MongoDB payload archive. Nothing connects until first use.
 *
 * @example
 * ```ts
 * const archive = createMongoPayloadArchive({ url: 'mongodb://127.0.0.1:27017/alertbase' });
 * await archive.write(entries);
 * ```
 */
export function createMongoPayloadArchive(options: MongoPayloadArchiveOptions): PayloadArchive {
  const timeoutMs = options.timeoutMs ?? 5_000;
  let opened:
    | Promise<{
        client: MongoClient;
        coll: Collection<ArchiveDocument>;
        sizeOf: (doc: Document) => number;
      }>
    | undefined;
  const open = () => {
    opened ??= (async () => {
      const { MongoClient, BSON } = await import('mongodb');
      const client = new MongoClient(options.url, {
        serverSelectionTimeoutMS: timeoutMs,
        connectTimeoutMS: timeoutMs,
      });
      const coll = client
        .db(databaseOf(options.url))
        .collection<ArchiveDocument>(options.collection ?? 'payload_archive');
      return { client, coll, sizeOf: (doc: Document) => BSON.calculateObjectSize(doc) };
    })();
    return opened;
  };
  let indexed: Promise<unknown> | undefined;
  const collection = async () => {
    const { coll, sizeOf } = await open();
    indexed ??= coll
      .createIndex({ tenant_id: 1, received_at: -1, _id: -1 }, { name: 'tenant_received' })
      .catch((err: unknown) => {
        indexed = undefined;
        throw err;
      });
    await indexed;
    return { coll, sizeOf };
  };
  return {
    engine: 'mongodb',
    async write(entries: readonly ArchivedPayload[]): Promise<void> {
      if (entries.length === 0) return;
      const { coll, sizeOf } = await collection();
      const docs = entries.map((e) => documentOf(e, sizeOf));
      try {
        await coll.insertMany(docs, { ordered: false });
      } catch (err) {
        // A batch written again after a failure: the entries already stored keep their ids.
        if ((err as { code?: unknown }).code !== 11000) throw err;
      }
    },
    list(tenantId, listOptions): Promise<ArchivePage> {
      return reading(async () => {
        const { coll } = await collection();
        const conditions = conditionsOf(listOptions.filter);
        if (listOptions.cursor !== undefined) {
          const after = archiveKeyOf(listOptions.cursor, listOptions.filter);
          conditions.$or = [
            { received_at: { $lt: after.receivedAt } },
            { received_at: after.receivedAt, _id: { $lt: after.id } },
          ];
        }
        const docs = await coll
          .find(tenantFilter(tenantId, conditions), { projection: { body: 0 } })
          .sort({ received_at: -1, _id: -1 })
          .limit(Math.trunc(listOptions.limit) + 1)
          .toArray();
        return pageOf(docs.map(summaryOf), listOptions.limit, listOptions.filter);
      });
    },
    get(tenantId, id): Promise<ArchivedPayload | undefined> {
      return reading(async () => {
        const { coll } = await collection();
        const doc = await coll.findOne(tenantFilter(tenantId, { _id: String(id) }));
        return doc === null ? undefined : withBody(doc);
      });
    },
    scan(tenantId, filter, limit): Promise<ArchivedPayload[]> {
      return reading(async () => {
        const { coll } = await collection();
        const docs = await coll
          .find(tenantFilter(tenantId, conditionsOf(filter)))
          .sort({ received_at: 1, _id: 1 })
          .limit(Math.trunc(limit))
          .toArray();
        return docs.map(withBody);
      });
    },
    purge(tenantId, before, limit): Promise<number> {
      return reading(async () => {
        const { coll } = await collection();
        const doomed = await coll
          .find(tenantFilter(tenantId, { received_at: { $lt: before } }), {
            projection: { _id: 1 },
          })
          .sort({ received_at: 1 })
          .limit(Math.trunc(limit))
          .toArray();
        if (doomed.length === 0) return 0;
        const { deletedCount } = await coll.deleteMany(
          tenantFilter(tenantId, { _id: { $in: doomed.map((d) => d._id) } }),
        );
        return deletedCount;
      });
    },
    ping(): Promise<void> {
      return reading(async () => {
        const { client } = await open();
        await client.db(databaseOf(options.url)).command({ ping: 1 });
      });
    },
    async close(): Promise<void> {
      const current = opened;
      opened = undefined;
      indexed = undefined;
      if (current !== undefined) await (await current).client.close();
    },
  };
}
