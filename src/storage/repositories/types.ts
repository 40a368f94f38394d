/**
 * The store-independent contract of alertbase repositories: what the
 * PostgreSQL repositories implement and what a MongoDB (or other) store must
 * implement the same way. Nothing here names SQL.
 */

import type { AlertLevel } from '../../base/enums/index.js';
import type { ValidationIssue } from '../../base/exceptions/index.js';
import type { TransactionClient } from '../types.js';

/**
 * Who makes a change: a user, an API key (`key:ab_3f9c…`) or a system
 * component. Written into `createdBy`/`updatedBy` and the audit trail.
 */
export type ActorId = string;

/** Options of a create (and of every write). */
export interface CreateOptions {
  /**
   * Run in this transaction (from `db.withTenant` for the same tenant) instead
   * of one of its own, so several writes commit or roll back together.
   */
  readonly transaction?: TransactionClient | undefined;
}

/** Options of a change (update, delete, restore, purge), which may name the version it expects. */
export interface WriteOptions extends CreateOptions {
  /**
   * The version the caller read. When given and the stored version differs,
   * the write fails with `ConflictError` (`ALERTBASE_RESOURCE_VERSION_CONFLICT`)
   * whose context carries `currentVersion`. When left out the write applies
   * to whatever version is current (last writer wins).
   */
  readonly expectedVersion?: number | undefined;
}

/** Options of a read. */
export interface GetOptions {
  /** Also return a soft-deleted record. Default false. */
  readonly includeDeleted?: boolean | undefined;
}

/** Sort direction of a list: by (creation time, id). */
export type ListOrder = 'asc' | 'desc';

/** Options of a list call. `F` is the repository's filter type. */
export interface ListOptions<F> {
  /** Page size, 1 to {@link MAX_PAGE_SIZE}; default {@link DEFAULT_PAGE_SIZE}. */
  readonly limit?: number | undefined;
  /** `nextCursor` of the previous page; omit for the first page. */
  readonly cursor?: string | undefined;
  /** Oldest first (`asc`, default) or newest first (`desc`). */
  readonly order?: ListOrder | undefined;
  /** Include soft-deleted records. Default false. */
  readonly includeDeleted?: boolean | undefined;
  /** What to keep; a cursor only continues the listing it came from (same filter and order). */
  readonly filter?: F | undefined;
}

/** Default page size of list calls. */
export const DEFAULT_PAGE_SIZE = 50;
/** Largest page size of list calls. */
export const MAX_PAGE_SIZE = 1_000;

/** One page of a keyset-paginated listing. */
export interface Page<T> {
  readonly items: readonly T[];
  /** Opaque: pass it as `cursor` for the next page; `null` on the last page. */
  readonly nextCursor: string | null;
}

/** Filter by labels: every given label must be present with that value. */
export interface LabelFilter {
  readonly labels?: Readonly<Record<string, string>> | undefined;
}

/** Filters of alert listings. */
export interface AlertFilter extends LabelFilter {
  /** One status or any of several. */
  readonly status?: string | readonly string[] | undefined;
  /** Only alerts of this level or more severe. */
  readonly levelAtLeast?: AlertLevel | undefined;
  /** Only alerts of this fingerprint (all its occurrences). */
  readonly fingerprint?: string | undefined;
  /**
   * Only alerts still active at or after this time: open (`endsAt` null) or
   * ending at or after it (`ends_at >= activeSince`). With
   * {@link activeUntil}: the alerts active within `[activeSince, activeUntil)`.
   * Must not be after `activeUntil`.
   */
  readonly activeSince?: Date | undefined;
  /** Only alerts that started before this time (`starts_at < activeUntil`). */
  readonly activeUntil?: Date | undefined;
}

/** Filters of alert-rule listings; a rule's status is `enabled` or `disabled`. */
export interface AlertRuleFilter extends LabelFilter {
  readonly status?: string | readonly string[] | undefined;
  readonly levelAtLeast?: AlertLevel | undefined;
}

/** Filters of listings whose records only have a status (channels, silences, API keys). */
export interface StatusFilter {
  readonly status?: string | readonly string[] | undefined;
}

/**
 * The contract of a tenant-scoped repository of one model: every call names
 * its tenant and can only see and change that tenant's records.
 *
 * - `create` sets `id` (unless given), `tenantId`, timestamps, `version` 1,
 *   `createdBy`/`updatedBy` from `actor`; values the caller gave for those are
 *   replaced, and a `tenantId` naming another tenant is refused.
 * - `update` validates the patch with the model (immutable fields refused)
 *   and bumps `version`.
 * - `delete` is soft: the record is hidden unless asked for, and `restore`
 *   brings it back; only `purge` removes it.
 * - Every change writes one audit event in the same transaction.
 *
 * @typeParam T the model's instance type.
 * @typeParam I what `create` accepts.
 * @typeParam P what `update` accepts.
 * @typeParam F the list filter.
 */
export interface TenantRepository<T, I, P, F> {
  /** The model's name (`AlertRule`), used as the audit entity type and in errors. */
  readonly resource: string;
  /**
   * Validates and stores a new record.
   * @throws ValidationError for invalid input; ConflictError
   *   (`ALERTBASE_RESOURCE_ALREADY_EXISTS`) when the id or a unique key is taken;
   *   NotFoundError when the tenant does not exist.
   */
  create(tenantId: string, input: I, actor: ActorId, options?: CreateOptions): Promise<T>;
  /** The record, or `undefined` (also for another tenant's id). */
  find(tenantId: string, id: string, options?: GetOptions): Promise<T | undefined>;
  /** The record. @throws NotFoundError (`ALERTBASE_RESOURCE_NOT_FOUND`). */
  get(tenantId: string, id: string, options?: GetOptions): Promise<T>;
  /** The stored version of a record (also for models without a `version` field). */
  versionOf(tenantId: string, id: string): Promise<number>;
  /**
   * Applies a validated patch.
   * @throws NotFoundError, ConflictError, ValidationError.
   */
  update(
    tenantId: string,
    id: string,
    patch: P,
    actor: ActorId,
    options?: WriteOptions,
  ): Promise<T>;
  /** Soft-deletes (idempotent). @throws NotFoundError, ConflictError. */
  delete(tenantId: string, id: string, actor: ActorId, options?: WriteOptions): Promise<T>;
  /** Undoes a soft delete (idempotent). @throws NotFoundError, ConflictError. */
  restore(tenantId: string, id: string, actor: ActorId, options?: WriteOptions): Promise<T>;
  /** Removes the record for good, deleted or not. @throws NotFoundError, ConflictError. */
  purge(tenantId: string, id: string, actor: ActorId, options?: WriteOptions): Promise<void>;
  /** A page of records, filtered, in (creation time, id) order. */
  list(tenantId: string, options?: ListOptions<F>): Promise<Page<T>>;
}

/** What happened to one item of an ingest batch. */
export type IngestOutcome = 'created' | 'deduplicated' | 'resolved' | 'rejected';

/** The result of one item of an ingest batch, by its position in the batch. */
export type IngestItemResult =
  | {
      readonly index: number;
      readonly outcome: 'created' | 'deduplicated' | 'resolved';
      /** The row the item was stored in or folded into. */
      readonly id: string;
      readonly fingerprint: string;
      /** The row's status after the batch. */
      readonly status: string;
    }
  | {
      readonly index: number;
      readonly outcome: 'rejected';
      /** Why: the model's validation issues (codes and JSON pointers). */
      readonly issues: readonly ValidationIssue[];
    };

/** Counts of an ingest batch by outcome. */
export type IngestCounts = Readonly<Record<IngestOutcome, number>>;

/** The result of an ingest batch. */
export interface IngestResult {
  /** One entry per item, in batch order. */
  readonly items: readonly IngestItemResult[];
  readonly counts: IngestCounts;
  /**
   * The audit event of the batch; `null` when nothing of it was written
   * before the answer: every item was rejected, or a heartbeat (written
   * behind, audited by the flush; see docs/storage.md, "Heartbeats").
   */
  readonly auditEventId: string | null;
}

/**
 * Ingest's transactions committed since the repository was made, summed
 * (the service exports them as `alertbase_ingest_transactions_total` and its
 * siblings). A transaction commits a group of callers' batches (group
 * commit), a large batch stored while it is validated, or a failed group's
 * batch retried alone. Heartbeats answered from the index are in none.
 */
export interface IngestTransactionStats {
  /** Transactions committed. */
  readonly committed: number;
  /** Callers' batches they committed. */
  readonly batches: number;
  /** Alerts they stored: the batches' items that went to the database. */
  readonly alerts: number;
  /**
   * Seconds from each transaction's first statement to its commit
   * acknowledged, summed: the time it held the tenant's audit lock, which
   * the tenant's next transaction waits for.
   */
  readonly seconds: number;
}

/** Options of an ingest batch. */
export interface IngestOptions {
  /** A caller's id of the batch (request id), recorded in the audit event. */
  readonly batchId?: string | undefined;
  /** The time the batch is received; default now. Decides which alerts are resolved. */
  readonly receivedAt?: Date | undefined;
  /**
   * @internal A memo key per alert, by index (`validation-memo.ts`): alerts
   * given the same key must be equal in every field but `endsAt`, and both
   * have an `endsAt` or neither. An alert whose key was seen before is built
   * from what its first validation gave, `endsAt` checked afresh.
   */
  readonly memoKeys?: readonly (string | undefined)[] | undefined;
}

/** Result of {@link verifyAuditChain}-style checks. */
export type AuditChainVerification =
  | {
      readonly ok: true;
      readonly length: number;
      /**
       * Entries written before the chain was keyed (plain SHA-256), vouched
       * for by the sealed entry after them; absent when there are none.
       */
      readonly unkeyedPrefix?: number;
      /**
       * The first position still stored when retention cut the chain (its
       * newest cut in `audit_cuts`): entries before it were removed, and the
       * chain was verified from the cut's sealed hash. Absent when uncut.
       */
      readonly from?: number;
    }
  | {
      readonly ok: false;
      /** Position (from 0) of the first entry that does not verify. */
      readonly index: number;
      /**
       * `seq_mismatch`, `prev_hash_mismatch`, `hash_mismatch`, `column_mismatch`,
       * `invalid_entry`, `unkeyed` (a plain SHA-256 entry where keys are
       * required), `unknown_key` (sealed under a key not at hand) or
       * `bad_cut` (the newest retention cut's seal does not verify; `index`
       * is the cut's position).
       */
      readonly reason: AuditChainFailure;
    };

/** Why an audit chain does not verify. */
export type AuditChainFailure =
  | 'seq_mismatch'
  | 'prev_hash_mismatch'
  | 'hash_mismatch'
  | 'column_mismatch'
  | 'invalid_entry'
  | 'unkeyed'
  | 'unknown_key'
  | 'bad_cut';
