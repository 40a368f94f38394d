/**
 * The payload archive: every ingest request's body as it was decoded (before
 * validation), per tenant, with who sent it, how, when and what became of it
 * — for forensics ("what did Prometheus actually send?") and for replay
 * (re-ingesting a time range after a rule or routing change).
 *
 * Engines: `createPgPayloadArchive` (the `payload_archive` table of the
 * service's database, the default) and `createMongoPayloadArchive`
 * (MongoDB, when `MONGODB_URL` is set). Every engine passes
 * `test/storage/payload-archive-contract.ts`.
 */
import type { Format } from '../../base/serializers/index.js';

/** The ingest routes whose bodies are archived (what a replay sends them back through). */
export const ARCHIVE_DOORS = ['alerts', 'alertmanager-v2', 'alertmanager-webhook'] as const;

/** `alerts`: `POST /v1/alerts`; `alertmanager-v2`: `POST /api/v2/alerts`; `alertmanager-webhook`: `POST /v1/webhooks/alertmanager`. */
export type ArchiveDoor = (typeof ARCHIVE_DOORS)[number];

/** What became of a request: processed (200, items may still be rejected), or refused whole. */
export const ARCHIVE_OUTCOMES = ['accepted', 'rejected'] as const;

/** `accepted` or `rejected`. */
export type ArchiveOutcome = (typeof ARCHIVE_OUTCOMES)[number];

/** One issue of a request: a rejected item's, or the whole request's. */
export interface ArchiveIssue {
  /** The rejected item's index in the batch; `null`: the whole request was refused. */
  readonly index: number | null;
  /** JSON Pointer inside the item (or the body, when `index` is `null`); `''` for all of it. */
  readonly pointer: string;
  readonly code: string;
  readonly message: string;
}

/** An archived request without its body (what a listing returns). */
export interface ArchiveSummary {
  /** A UUIDv7 (time-ordered). */
  readonly id: string;
  readonly tenantId: string;
  readonly receivedAt: Date;
  /** The request's id (`x-request-id`, Fastify's `request.id`). */
  readonly requestId: string;
  /** The key that sent it (`session:<id>` for a person). */
  readonly keyId: string;
  readonly door: ArchiveDoor;
  /** The body's format (from its `Content-Type`). */
  readonly format: Format;
  readonly outcome: ArchiveOutcome;
  readonly issues: readonly ArchiveIssue[];
  /** The body's size on the wire, bytes (before decompression). */
  readonly bytes: number;
}

/** An archived request with its decoded body (JSON-like data). */
export interface ArchivedPayload extends ArchiveSummary {
  /**
   * The body as decoded. Engines store `archivable(body)` (plain JSON data:
   * bytes, 64-bit integers, dates as text); what they read back is that.
   */
  readonly body: unknown;
  /**
   * The body as the JSON text it was decoded from, when ingest recorded a
   * JSON request whose text escapes no NUL and no surrogate (`jsonb` takes it): an
   * engine that stores JSON text (PostgreSQL's `body_json`) stores it as it
   * is instead of writing `body` out again. Never read back: a read entry has `body` only.
   */
  readonly bodyJson?: string | undefined;
}

/** Which archived requests a listing or a replay takes. */
export interface ArchiveFilter {
  /** Received at or after. */
  readonly from?: Date | undefined;
  /** Received before. */
  readonly to?: Date | undefined;
  readonly outcome?: ArchiveOutcome | undefined;
  readonly format?: Format | undefined;
  readonly door?: ArchiveDoor | undefined;
}

/** A page of a listing, newest first. */
export interface ArchivePage {
  readonly items: readonly ArchiveSummary[];
  /** Opaque; `null` on the last page. */
  readonly nextCursor: string | null;
}

/**
 * A store of archived payloads. Every read and delete names its tenant and
 * sees only that tenant's entries; `write` takes entries of any tenants (each
 * carries its own).
 */
export interface PayloadArchive {
  /** `postgresql` or `mongodb`. */
  readonly engine: 'postgresql' | 'mongodb';
  /** Stores entries; rejects when the store cannot be reached (the writer retries). */
  write(entries: readonly ArchivedPayload[]): Promise<void>;
  /** A page of summaries, newest first (`limit` 1–1,000). */
  list(
    tenantId: string,
    options: {
      readonly filter: ArchiveFilter;
      readonly limit: number;
      readonly cursor?: string | undefined;
    },
  ): Promise<ArchivePage>;
  /** One entry with its body, or `undefined`. */
  get(tenantId: string, id: string): Promise<ArchivedPayload | undefined>;
  /** Up to `limit` entries with their bodies, oldest first (what a replay re-ingests). */
  scan(tenantId: string, filter: ArchiveFilter, limit: number): Promise<ArchivedPayload[]>;
  /** Removes up to `limit` entries received before `before`; returns how many. */
  purge(tenantId: string, before: Date, limit: number): Promise<number>;
  /** Resolves when the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
