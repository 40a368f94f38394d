import { LIMITS } from '../../base/constants.js';
import { AlertAction, AlertLevel, AlertStatus } from '../../base/enums/index.js';
import { ValidationError, type ValidationIssue } from '../../base/exceptions/index.js';
import type { InputOf } from '../../base/types/model.js';
import { contentHash } from '../../base/utils/canonical-json.js';
import { fingerprint as fingerprintOf } from '../../base/utils/fingerprint.js';
import { isoString } from '../../base/utils/iso-time.js';
import { Alert } from '../../domain/alert.js';
import type { AuditEvent } from '../../domain/audit-event.js';
import { isUnavailable } from '../errors.js';
import type { AlertEventSink, SeriesPoint } from '../series/types.js';
import type { Database, TransactionClient } from '../types.js';
import { type AlertChange, AlertChangeFeed, notifyAlertChanges } from './alert-changes.js';
import { INGEST, INGEST_FIRING, type IngestRow, type RowKind } from './alert-ingest-sql.js';
import type { RuleIdsByName, RuleNameIndex } from './alert-rule-repository.js';
import { HeartbeatCounter, ingestPoints, transitionPoints } from './alert-series-points.js';
import { type AuditAction, type AuditHead, appendAuditMany, auditLockOf } from './audit-log.js';
import { contentKeyOf, digestOf, HeartbeatIndex, type WrittenRow } from './heartbeat-index.js';
import { HeartbeatWriter } from './heartbeat-writer.js';
import { newIds } from './ids.js';
import { ModelRepository, type ModelRepositoryOptions } from './model-repository.js';
import { EVENT_INSERT } from './notification-sql.js';
import type { SilenceIndex, TenantSilences } from './silence-index.js';
import { ALERTS } from './specs.js';
import type {
  ActorId,
  AlertFilter,
  IngestCounts,
  IngestItemResult,
  IngestOptions,
  IngestResult,
  WriteOptions,
} from './types.js';

/** What `create` accepts: an alert without the fields the repository sets. */
export type AlertInput = Omit<InputOf<typeof Alert>, 'tenantId'> & { readonly tenantId?: string };
/** What `update` accepts. */
export type AlertPatch = Partial<InputOf<typeof Alert>>;

/** Fields ingest sets itself: what a sender gives for them is ignored. */
const INGEST_OWNED = new Set([
  'id',
  'tenantId',
  'status',
  'previousStatus',
  'duplicateCount',
  'lastReceivedAt',
  'createdAt',
  'updatedAt',
  'version',
  'acknowledgedBy',
  'acknowledgedAt',
  'silencedBy',
]);
const INGEST_OWNED_KEYS: ReadonlySet<string> = new Set([
  ...INGEST_OWNED,
  ...[...INGEST_OWNED].map((f) => Alert.aliases[f] ?? f),
]);

/** The in-memory indexes ingest consults (see the constructor). */
export interface AlertIndexes {
  readonly silences?: SilenceIndex | undefined;
  readonly ruleNames?: RuleNameIndex | undefined;
  /**
   * Where the points of alert changes go once their transaction has
   * committed (created, acknowledged, resolved, status changes, resends):
   * the service's series writer. Absent: none are made.
   */
  readonly events?: AlertEventSink | undefined;
  /**
   * How long a heartbeat (a resend that changes only `endsAt`,
   * `lastReceivedAt` and `duplicateCount`) may wait to be written, ms.
   * 0 (the default here; `alertbase serve` uses `INGEST_HEARTBEAT_WINDOW_MS`,
   * 1,000) writes every resend before answering.
   */
  readonly heartbeatWindowMs?: number | undefined;
  /** A heartbeat flush failed (retried with the next window). */
  readonly onHeartbeatError?: ((err: unknown) => void) | undefined;
}

/** What an ingest transaction wrote, applied to the heartbeat index after its commit. */
interface Written {
  readonly rows: WrittenRow[];
  readonly changes: AlertChange[];
  /** The series points of the rows written, when the repository has an event sink. */
  points: SeriesPoint[] | undefined;
}

/** What a batch's validation consults, read once per batch. */
interface IngestContext {
  readonly silences: TenantSilences | undefined;
  readonly ruleIds: RuleIdsByName | undefined;
}

/** An item's validated fields, as the model's schema returns them. */
type AlertData = {
  [key: string]: unknown;
  startsAt: Date;
  endsAt: Date | null;
  level: AlertLevel;
  status: string;
  ruleId: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
};

/** One valid item of a batch. */
interface ValidItem {
  readonly index: number;
  readonly id: string;
  readonly data: AlertData;
  readonly fingerprint: string;
  readonly resolving: boolean;
  /**
   * The row document of the item alone, as JSON: the row of a fingerprint
   * sent once in a group. Built here, before the batch waits for its
   * transaction, so that the transaction's critical path does not.
   */
  readonly json: string;
  /** The results of the item's batch, where its own goes at `index`. */
  readonly results: IngestItemResult[];
  /** {@link contentKeyOf} the item's data, once asked for. */
  key?: string;
}

/** The content key of an item, computed once. */
function keyOf(item: ValidItem): string {
  item.key ??= contentKeyOf(item.data);
  return item.key;
}

/** A caller's batch, validated, waiting in its tenant's ingest queue. */
interface PendingBatch {
  readonly actor: ActorId;
  readonly options: IngestOptions;
  readonly firstId: string;
  readonly received: number;
  readonly now: Date;
  readonly items: readonly ValidItem[];
  /** One entry per input item; the rejected ones are filled in already. */
  readonly results: IngestItemResult[];
  readonly resolve: (result: IngestResult) => void;
  readonly reject: (reason: unknown) => void;
}

/** Items of one fingerprint that fold into one row: firing items, then resolving ones. */
interface Segment {
  readonly fingerprint: string;
  readonly items: ValidItem[];
  resolving: boolean;
}

/**
 * Items per statement when a large batch of an idle tenant is stored while
 * it is validated (see `#pipelined`); smaller batches go through the queue.
 */
const PIPELINE_SLICE = 250;

/** Items validated between two turns of the event loop (see {@link nextTurn}). */
const VALIDATION_SLICE = 20;

let turns: Promise<void> = Promise.resolve();

/**
 * Resolves on a later turn of the event loop than every turn asked for
 * before it: one validation slice per turn, across all batches, so the
 * replies of an ingest transaction in progress wait behind one slice at
 * most, not behind every batch that arrived meanwhile. The transaction's
 * statements are the critical path of group commit.
 */
function nextTurn(): Promise<void> {
  const turn = turns.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
  turns = turn;
  return turn;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A row's document as JSON. Dates are written by `isoString`: through
 * `JSON.stringify`, each of an alert's five dates would call `toJSON`, and
 * together they would cost more than the rest of the document.
 */
function documentJson(data: Readonly<Record<string, unknown>>): string {
  const out: Record<string, unknown> = {};
  for (const key in data) {
    const value = data[key];
    out[key] = value instanceof Date ? isoString(value) : value;
  }
  return JSON.stringify(out);
}

/** Counts of a batch's outcomes. */
function countOf(results: readonly IngestItemResult[]): IngestCounts {
  const counts = { created: 0, deduplicated: 0, resolved: 0, rejected: 0 };
  for (const r of results) counts[r.outcome]++;
  return counts;
}

/** @internal The outcome of each item of a segment, from what the statement did to its row. */
function outcomes(segment: Segment, kind: RowKind): IngestItemResult['outcome'][] {
  let resolvedReported = false;
  return segment.items.map((item, k) => {
    if (kind === 'twin' || kind === 'updated') return 'deduplicated';
    if (kind === 'inserted' && k === 0) return 'created';
    // An inserted row resolves something only if it fired first in this batch.
    const closes = kind === 'resolved' || segment.items[0]?.resolving === false;
    if (item.resolving && !resolvedReported && closes) {
      resolvedReported = true;
      return 'resolved';
    }
    return 'deduplicated';
  });
}

/**
 * Alerts: the {@link ModelRepository} contract plus batch ingest with
 * de-duplication by fingerprint, and status transitions.
 */
export class AlertRepository extends ModelRepository<Alert, AlertInput, AlertPatch, AlertFilter> {
  /**
   * @param indexes what ingest consults in memory. `silences`: a new alert
   *   that an active silence matches is stored `suppressed`. `ruleNames`: an
   *   alert without a rule id is tied to the rule named as its `alertname`.
   *   Without them, ingest does neither.
   */
  constructor(db: Database, indexes: AlertIndexes = {}, options: ModelRepositoryOptions = {}) {
    super(db, ALERTS, options);
    this.#indexes = indexes;
    const windowMs = indexes.heartbeatWindowMs ?? 0;
    if (windowMs > 0) {
      const index = new HeartbeatIndex();
      this.#heartbeats = {
        index,
        writer: new HeartbeatWriter(db, {
          windowMs,
          onError: indexes.onHeartbeatError,
          auditKeys: this.auditKeys,
        }),
        feed: new AlertChangeFeed(db, {
          changed: (tenantId, changes) => index.changed(tenantId, changes),
          reset: () => index.reset(),
        }),
      };
    }
  }

  readonly #indexes: AlertIndexes;

  /** The heartbeat path (see `heartbeat-index.ts`), when its window is above 0. */
  readonly #heartbeats:
    | {
        readonly index: HeartbeatIndex;
        readonly writer: HeartbeatWriter;
        readonly feed: AlertChangeFeed;
      }
    | undefined;

  /** Per tenant, the last batch admitted to the heartbeat decision (they are admitted in order). */
  readonly #admissions = new Map<string, Promise<boolean>>();

  /** Per tenant, the batches waiting for the transaction in progress to end. */
  readonly #queues = new Map<string, PendingBatch[]>();

  /**
   * Validates, de-duplicates and stores a batch of alerts in one transaction,
   * with one audit event (`ingest`) for the batch.
   *
   * Group commit: while a tenant's ingest transaction runs, the batches that
   * are validated meanwhile queue and then share the next transaction (up to
   * `LIMITS.maxIngestGroupSize` alerts, one statement for all, one more per
   * alert that resolves and fires again), in the order they were queued,
   * each with its own audit event and results, exactly as if they had been
   * stored one after the other. A batch is answered only when its
   * transaction has committed. When a shared transaction fails, each of its
   * batches is retried alone, so a batch fails only for its own sake. A batch
   * of more than 250 items that finds its tenant idle starts at once and is
   * stored 250 items per statement while the next ones are validated.
   *
   * Per item: `created` (a new row), `deduplicated` (folded into an open
   * alert of the same fingerprint: `duplicateCount` +1, `lastReceivedAt`,
   * `endsAt`, annotations, value, level and priority from the newer copy),
   * `resolved` (its `endsAt` has passed: the open alert is resolved), or
   * `rejected` with the model's issues. A rejected item never blocks the
   * others. Fields the repository owns (`id`, `status`, counters, times,
   * acknowledgement) are ignored in the input.
   *
   * @throws ValidationError when `alerts` is not an array or exceeds
   *   `LIMITS.maxBatchSize`; StorageError when the database fails (then
   *   nothing of the batch is written).
   * @example
   * ```ts
   * const { counts } = await alerts.ingest('acme', body.alerts, 'key:ab_3f9c');
   * // { created: 3, deduplicated: 1, resolved: 0, rejected: 1 }
   * ```
   */
  async ingest(
    tenantId: string,
    alerts: readonly unknown[],
    actor: ActorId,
    options: IngestOptions = {},
  ): Promise<IngestResult> {
    if (!Array.isArray(alerts) || alerts.length > LIMITS.maxBatchSize) {
      throw new ValidationError('AlertBatch', [
        {
          path: [],
          pointer: '',
          code: Array.isArray(alerts) ? 'too_big' : 'invalid_type',
          message: `expected an array of at most ${LIMITS.maxBatchSize} alerts`,
        },
      ]);
    }
    const [silences, ruleIds] = await Promise.all([
      this.#indexes.silences?.get(tenantId),
      this.#indexes.ruleNames?.get(tenantId),
    ]);
    const context: IngestContext = { silences, ruleIds };
    if (alerts.length > PIPELINE_SLICE && !this.#queues.has(tenantId)) {
      return this.#pipelined(tenantId, alerts, actor, options, context);
    }
    const now = options.receivedAt ?? new Date();
    const ids = newIds(alerts.length);
    const results: IngestItemResult[] = new Array(alerts.length);
    const items: ValidItem[] = [];
    for (let start = 0; start < alerts.length; start += VALIDATION_SLICE) {
      if (start > 0 && this.#queues.size > 0) await nextTurn();
      const end = Math.min(start + VALIDATION_SLICE, alerts.length);
      items.push(...this.#validateRange(tenantId, alerts, ids, now, results, start, end, context));
    }
    const stored = await this.#answerHeartbeats(tenantId, items, now);
    if (stored.length === 0) {
      return { items: results, counts: countOf(results), auditEventId: null };
    }
    return new Promise<IngestResult>((resolve, reject) => {
      const batch: PendingBatch = {
        actor,
        options,
        firstId: ids[0] as string,
        received: alerts.length,
        now,
        items: stored,
        results,
        resolve,
        reject,
      };
      const queue = this.#queues.get(tenantId);
      if (queue !== undefined) {
        queue.push(batch);
        return;
      }
      const fresh = [batch];
      this.#queues.set(tenantId, fresh);
      void this.#drain(tenantId, fresh);
    });
  }

  /**
   * Answers the heartbeats of a validated batch from the index and hands
   * them to the write-behind; returns the items that go to the database, in
   * order, each marked as on its way (so that a later resend of its
   * fingerprint waits for it). The index is read only after the read barrier
   * (`AlertChangeFeed.sync`): every change committed before it is applied.
   * Decided and marked in one turn of the event loop, so batches queued
   * before are seen.
   */
  async #answerHeartbeats(
    tenantId: string,
    items: readonly ValidItem[],
    now: Date,
  ): Promise<readonly ValidItem[]> {
    const hb = this.#heartbeats;
    if (hb === undefined) return items;
    // The barrier is asked for now (it covers what committed before this
    // batch); batches are admitted in the order they got here.
    const needsBarrier = hb.index.hasEntries(tenantId) && items.some((item) => !item.resolving);
    if (!needsBarrier) void hb.feed.start();
    const barrier = needsBarrier ? hb.feed.sync() : Promise.resolve(false);
    const previous = this.#admissions.get(tenantId) ?? Promise.resolve();
    const admitted = previous.then(() => barrier);
    this.#admissions.set(tenantId, admitted);
    const synced = await admitted;
    if (this.#admissions.get(tenantId) === admitted) this.#admissions.delete(tenantId);
    const stored: ValidItem[] = [];
    let received: string | undefined;
    for (const item of items) {
      const entry =
        synced && !item.resolving ? hb.index.lookup(tenantId, item.fingerprint) : undefined;
      if (entry !== undefined && entry.key === keyOf(item)) {
        received ??= isoString(now);
        const endsAt = item.data.endsAt;
        hb.writer.add(tenantId, entry.id, endsAt === null ? null : isoString(endsAt), received);
        item.results[item.index] = {
          index: item.index,
          outcome: 'deduplicated',
          id: entry.id,
          fingerprint: item.fingerprint,
          status: entry.status,
        };
        continue;
      }
      hb.index.hold(tenantId, item.fingerprint);
      stored.push(item);
    }
    return stored;
  }

  /** Undoes the marks of {@link #answerHeartbeats} once items are committed or failed. */
  #release(tenantId: string, items: readonly ValidItem[]): void {
    this.#heartbeats?.index.release(
      tenantId,
      items.map((item) => item.fingerprint),
    );
  }

  /**
   * Writes every heartbeat answered so far (the write-behind flushes by
   * itself within its window; call this before closing the database).
   */
  async flushHeartbeats(): Promise<void> {
    await this.#heartbeats?.writer.flush();
  }

  /** Flushes the heartbeats and stops listening for changes (at shutdown, before the database closes). */
  async close(): Promise<void> {
    if (this.#heartbeats === undefined) return;
    await this.#heartbeats.writer.close();
    await this.#heartbeats.feed.close();
  }

  /** Heartbeats answered and not written yet. */
  get pendingHeartbeats(): number {
    return this.#heartbeats?.writer.pending ?? 0;
  }

  /** Commits the tenant's queued batches, a group at a time, until none is left. */
  async #drain(tenantId: string, queue: PendingBatch[]): Promise<void> {
    while (queue.length > 0) {
      let size = 0;
      let take = 0;
      for (const batch of queue) {
        if (take > 0 && size + batch.items.length > LIMITS.maxIngestGroupSize) break;
        size += batch.items.length;
        take++;
      }
      await this.#commit(tenantId, queue.splice(0, take));
    }
    // Nothing can have been queued since the loop's last check: no await between.
    this.#queues.delete(tenantId);
  }

  /** Stores a group of batches in one transaction and settles each; never throws. */
  async #commit(tenantId: string, group: readonly PendingBatch[]): Promise<void> {
    let stored: IngestResult[];
    const written: Written = { rows: [], changes: [], points: undefined };
    const began = this.#heartbeats?.index.beginWrite(tenantId) ?? 0;
    try {
      // The audit lock comes with the transaction, so the ingest statement
      // can read the chain's head (see HEAD_ROW).
      stored = await this.db.withTenant(
        tenantId,
        (tx) => {
          written.points = this.#indexes.events === undefined ? undefined : [];
          return this.#store(tx, tenantId, group, written);
        },
        { advisoryLock: auditLockOf(tenantId) },
      );
    } catch (err) {
      this.#heartbeats?.index.endWrite(tenantId, began, []);
      // Retried alone so that a batch fails only for its own sake; but when the
      // database is away or too slow it fails for every batch, and retrying
      // them one by one would multiply the wait (DATABASE_TIMEOUT_MS) by the group.
      if (group.length > 1 && !isUnavailable(err)) {
        for (const batch of group) await this.#commit(tenantId, [batch]);
      } else {
        for (const batch of group) {
          this.#release(tenantId, batch.items);
          batch.reject(err);
        }
      }
      return;
    }
    if (written.points !== undefined) this.#indexes.events?.record(written.points);
    this.#heartbeats?.index.endWrite(tenantId, began, written.rows);
    group.forEach((batch, k) => {
      this.#release(tenantId, batch.items);
      batch.resolve(stored[k] as IngestResult);
    });
  }

  /** The statements of one group: the rows, then one audit event per batch. */
  async #store(
    tx: TransactionClient,
    tenantId: string,
    group: readonly PendingBatch[],
    written: Written,
  ): Promise<IngestResult[]> {
    const items = group.flatMap((batch) => batch.items);
    const head = await this.#storeItems(tx, tenantId, items, written);
    await notifyAlertChanges(tx, tenantId, written.changes);
    return this.#audit(tx, tenantId, group, head);
  }

  /**
   * Stores validated items in order (folded by fingerprint, as one after the
   * other) and records each one's result; returns the audit chain's head.
   */
  async #storeItems(
    tx: TransactionClient,
    tenantId: string,
    items: readonly ValidItem[],
    written: Written,
  ): Promise<AuditHead | null> {
    const segments = new Map<string, Segment[]>();
    for (const item of items) {
      let list = segments.get(item.fingerprint);
      if (list === undefined) {
        list = [];
        segments.set(item.fingerprint, list);
      }
      let current = list[list.length - 1];
      // A firing item after a resolving one starts a new occurrence (a new row).
      if (current === undefined || (current.resolving && !item.resolving)) {
        current = { fingerprint: item.fingerprint, items: [], resolving: false };
        list.push(current);
      }
      current.items.push(item);
      if (item.resolving) current.resolving = true;
    }
    let head: AuditHead | null = null;
    for (let round = 0; ; round++) {
      const segs = [...segments.values()]
        .map((list) => list[round])
        .filter((s): s is Segment => s !== undefined);
      if (segs.length === 0) return head;
      head = await this.#upsert(tx, tenantId, segs, written);
    }
  }

  /** One audit event per batch, after its rows; the results of each batch. */
  async #audit(
    tx: TransactionClient,
    tenantId: string,
    group: readonly Omit<PendingBatch, 'items' | 'resolve' | 'reject'>[],
    head: AuditHead | null,
  ): Promise<IngestResult[]> {
    const entries = group.map((batch) => {
      const counts = countOf(batch.results);
      const stored = batch.results.flatMap((r) =>
        r.outcome === 'rejected' ? [] : [[r.id, r.outcome]],
      );
      const batchId = batch.options.batchId;
      return {
        counts,
        entry: {
          actor: batch.actor,
          action: 'ingest' as const,
          entityType: 'Alert',
          entityId: batchId ?? `batch:${batch.firstId}`,
          before: null,
          after: contentHash(stored),
          details: {
            ...(batchId === undefined ? {} : { batchId }),
            received: batch.received,
            ...counts,
          },
        },
        at: batch.now,
      };
    });
    const events = await appendAuditMany(tx, tenantId, entries, head, this.auditKeys);
    return group.map((batch, k) => ({
      items: batch.results,
      counts: (entries[k] as (typeof entries)[number]).counts,
      auditEventId: (events[k] as AuditEvent).id,
    }));
  }

  /**
   * A large batch of an idle tenant: its transaction starts at once and
   * stores it a slice at a time, validating the next slice while the
   * database stores the previous one. Batches that arrive meanwhile wait
   * in the tenant's queue, as behind any ingest transaction.
   */
  async #pipelined(
    tenantId: string,
    alerts: readonly unknown[],
    actor: ActorId,
    options: IngestOptions,
    context: IngestContext,
  ): Promise<IngestResult> {
    const queue: PendingBatch[] = [];
    this.#queues.set(tenantId, queue);
    const now = options.receivedAt ?? new Date();
    const ids = newIds(alerts.length);
    const results: IngestItemResult[] = new Array(alerts.length);
    const hb = this.#heartbeats;
    hb?.index.beginStream(tenantId);
    const written: Written = { rows: [], changes: [], points: undefined };
    const began = hb?.index.beginWrite(tenantId) ?? 0;
    let committed = false;
    try {
      const result = await this.db.withTenant(
        tenantId,
        async (tx) => {
          written.points = this.#indexes.events === undefined ? undefined : [];
          let head: AuditHead | null | undefined;
          let storing: Promise<AuditHead | null> | undefined;
          for (let start = 0; start < alerts.length; start += PIPELINE_SLICE) {
            const end = Math.min(start + PIPELINE_SLICE, alerts.length);
            const items = this.#validateRange(
              tenantId,
              alerts,
              ids,
              now,
              results,
              start,
              end,
              context,
            );
            if (storing !== undefined) head = await storing;
            storing =
              items.length === 0 ? undefined : this.#storeItems(tx, tenantId, items, written);
          }
          if (storing !== undefined) head = await storing;
          await notifyAlertChanges(tx, tenantId, written.changes);
          // Nothing valid: nothing written, no audit event (as on the queued path).
          if (head === undefined) {
            return { items: results, counts: countOf(results), auditEventId: null };
          }
          const batch = {
            actor,
            options,
            firstId: ids[0] as string,
            received: alerts.length,
            now,
            results,
          };
          const [stored] = await this.#audit(tx, tenantId, [batch], head);
          return stored as IngestResult;
        },
        { advisoryLock: auditLockOf(tenantId) },
      );
      if (written.points !== undefined) this.#indexes.events?.record(written.points);
      committed = true;
      return result;
    } finally {
      hb?.index.endWrite(tenantId, began, committed ? written.rows : []);
      hb?.index.endStream(tenantId);
      void this.#drain(tenantId, queue);
    }
  }

  /**
   * Validates the items `start` to `end` (excluded) of a batch: a rejected
   * item's result goes into `results`; the valid items are returned.
   */
  #validateRange(
    tenantId: string,
    alerts: readonly unknown[],
    ids: readonly string[],
    now: Date,
    results: IngestItemResult[],
    start: number,
    end: number,
    context: IngestContext,
  ): ValidItem[] {
    const valid: ValidItem[] = [];
    for (let index = start; index < end; index++) {
      const item = this.#validate(
        tenantId,
        alerts[index],
        ids[index] as string,
        now,
        index,
        results,
        context,
      );
      if ('issues' in item) results[index] = item;
      else valid.push(item);
    }
    return valid;
  }

  /** Validates one item: the model's schema on the fast path, the model itself for issues. */
  #validate(
    tenantId: string,
    raw: unknown,
    id: string,
    now: Date,
    index: number,
    results: IngestItemResult[],
    { silences, ruleIds }: IngestContext,
  ): ValidItem | { index: number; outcome: 'rejected'; issues: readonly ValidationIssue[] } {
    if (!isRecord(raw)) {
      const parsed = Alert.safeParse(raw);
      return { index, outcome: 'rejected', issues: parsed.success ? [] : parsed.error.issues };
    }
    if (raw.tenantId !== undefined && raw.tenantId !== tenantId) {
      return {
        index,
        outcome: 'rejected',
        issues: [
          {
            path: ['tenantId'],
            pointer: '/tenantId',
            code: 'tenant_mismatch',
            message: 'the alert names another tenant',
          },
        ],
      };
    }
    const input: Record<string, unknown> = {};
    for (const key in raw) if (!INGEST_OWNED_KEYS.has(key)) input[key] = raw[key];
    Object.assign(input, {
      id,
      tenantId,
      status: 'firing',
      previousStatus: null,
      duplicateCount: 0,
      lastReceivedAt: now,
      createdAt: now,
      updatedAt: now,
      version: 1,
      acknowledgedBy: null,
      acknowledgedAt: null,
    });
    // The model's own schema accepts exactly what `Alert.parse` accepts for
    // input in field names; skipping the frozen instance it builds triples
    // the ingest rate. Anything it refuses (wire names, bad values) goes
    // through `Alert.safeParse`, which normalizes aliases and maps issues.
    let data: Record<string, unknown>;
    const fast = Alert.schema.safeParse(input);
    if (fast.success) {
      data = fast.data as Record<string, unknown>;
    } else {
      const parsed = Alert.safeParse(input);
      if (!parsed.success) return { index, outcome: 'rejected', issues: parsed.error.issues };
      data = Alert.dump(parsed.data, { computed: false });
    }
    const typed = data as ValidItem['data'] & {
      labels: Record<string, string>;
      endsAt: Date | null;
    };
    if (typed.ruleId === null && ruleIds !== undefined && ruleIds.size > 0) {
      const alertname = Object.hasOwn(typed.labels, 'alertname')
        ? typed.labels.alertname
        : undefined;
      const ruleId = alertname === undefined ? undefined : ruleIds.get(alertname);
      if (ruleId !== undefined) typed.ruleId = ruleId;
    }
    const resolving = typed.endsAt !== null && typed.endsAt.getTime() <= now.getTime();
    if (resolving) {
      typed.status = 'resolved';
    } else if (silences !== undefined && !silences.empty) {
      // A new alert an active silence matches is stored suppressed; an open
      // one keeps its status (the silence's own pass suppressed it).
      const silencedBy = silences.silencedBy(typed.labels, now.getTime());
      if (silencedBy.length > 0) {
        typed.status = 'suppressed';
        typed.previousStatus = 'firing';
        typed.silencedBy = silencedBy;
      }
    }
    return {
      index,
      id,
      data: typed,
      fingerprint: fingerprintOf(typed.labels),
      resolving,
      json: documentJson(typed),
      results,
    };
  }

  /**
   * Runs the ingest statement for one segment per fingerprint and records
   * each item's outcome; returns the head of the audit chain.
   */
  async #upsert(
    tx: TransactionClient,
    tenantId: string,
    batch: readonly Segment[],
    written: Written,
  ): Promise<AuditHead | null> {
    // One JSON array for all rows: the statement derives the columns from
    // each document, so every value is sent once, without array escaping.
    let input = '[';
    for (let k = 0; k < batch.length; k++) {
      const segment = batch[k] as Segment;
      const first = segment.items[0] as ValidItem;
      let doc = first.json;
      let level = first.data.level;
      if (segment.items.length > 1) {
        const last = segment.items[segment.items.length - 1] as ValidItem;
        level = last.data.level;
        let start = first.data.startsAt;
        for (const item of segment.items)
          if (item.data.startsAt < start) start = item.data.startsAt;
        doc = documentJson({
          ...last.data,
          id: first.id,
          startsAt: start,
          createdAt: first.data.createdAt,
          duplicateCount: segment.items.length - 1,
          status: segment.resolving ? 'resolved' : last.data.status,
        });
      }
      if (k > 0) input += ',';
      input += `{"f":"${segment.fingerprint}","r":${AlertLevel.rank(level)},"n":${segment.items.length - 1},"d":${doc}}`;
    }
    input += ']';
    const resolving = batch.some((segment) => segment.resolving);
    const statement = resolving ? INGEST : INGEST_FIRING;
    const { rows } = await tx.query<IngestRow>(
      statement.text,
      [tenantId, input],
      statement.options,
    );
    let head: AuditHead | null = null;
    const byFingerprint = new Map<string, IngestRow & { kind: RowKind }>();
    for (const r of rows) {
      if (r.kind === 'head') head = { seq: Number(r.id), hash: r.fingerprint };
      else byFingerprint.set(r.fingerprint, r as IngestRow & { kind: RowKind });
    }
    const points = written.points;
    const heartbeats = points === undefined ? undefined : new HeartbeatCounter();
    for (const segment of batch) {
      const row = byFingerprint.get(segment.fingerprint);
      /* v8 ignore next -- every input row yields exactly one output row */
      if (row === undefined) throw new Error(`ingest: no row returned for ${segment.fingerprint}`);
      const kinds = outcomes(segment, row.kind);
      const open = row.kind === 'inserted' || row.kind === 'updated';
      const last = segment.items[segment.items.length - 1] as ValidItem;
      if (this.#heartbeats !== undefined) {
        written.rows.push({
          id: row.id,
          fingerprint: segment.fingerprint,
          status: row.status,
          version: row.version,
          open: open && row.status !== 'resolved',
          key: open ? keyOf(last) : '',
        });
      }
      // A new row is news to no instance's index; a changed one is.
      if (row.kind !== 'inserted') {
        written.changes.push(
          open ? [row.id, row.version, digestOf(keyOf(last), row.status)] : [row.id, row.version],
        );
      }
      segment.items.forEach((item, k) => {
        item.results[item.index] = {
          index: item.index,
          outcome: kinds[k] as 'created' | 'deduplicated' | 'resolved',
          id: row.id,
          fingerprint: segment.fingerprint,
          status: row.status,
        };
      });
      if (points !== undefined && heartbeats !== undefined) {
        const received = (segment.items[0] as ValidItem).data.lastReceivedAt;
        ingestPoints(
          tenantId,
          segment.items,
          row.kind,
          received instanceof Date ? received.getTime() : Date.now(),
          points,
          heartbeats,
        );
      }
    }
    if (points !== undefined) heartbeats?.drainInto(points);
    return head;
  }

  /**
   * A status change that notifications act on (acknowledged, resolved,
   * reopened) leaves its event in the same transaction, so it is never
   * committed without the notification it causes.
   */
  protected override async beforeChange(
    tx: TransactionClient,
    tenantId: string,
    current: Alert,
    next: Alert,
    _deletedAt: Date | null,
    action: AuditAction,
  ): Promise<void> {
    // Every instance's heartbeat index drops the row (a purge: whatever its version).
    await notifyAlertChanges(tx, tenantId, [[next.id, action === 'purge' ? -1 : next.version]]);
    if (action !== 'transition' || current.status === next.status) return;
    const kind =
      next.status === 'acknowledged'
        ? 'acknowledged'
        : next.status === 'resolved'
          ? 'resolved'
          : current.status === 'resolved'
            ? 'reopened'
            : undefined;
    if (kind === undefined) return;
    await tx.query(EVENT_INSERT.text, [tenantId, next.id, kind, next.ruleId], EVENT_INSERT.options);
  }

  /**
   * Applies a status action (`acknowledge`, `resolve`, `suppress`, ...)
   * following `AlertStatus`'s transition table, records who acknowledged and
   * the status before a suppression, and audits it (`transition`).
   *
   * @throws InvalidTransitionError (`ALERTBASE_STATUS_INVALID_TRANSITION`),
   *   UnknownValueError for an unknown action, NotFoundError, ConflictError
   *   (a stale `expectedVersion`, or `reopen` while another occurrence of the
   *   fingerprint is open).
   * @example
   * ```ts
   * await alerts.transition('acme', id, 'acknowledge', 'user:42', { expectedVersion: 3 });
   * ```
   */
  async transition(
    tenantId: string,
    id: string,
    action: AlertAction,
    actor: ActorId,
    options: WriteOptions = {},
  ): Promise<Alert> {
    const act = AlertAction.parse(action);
    let before: Alert | undefined;
    const next = await this.change(
      tenantId,
      id,
      actor,
      options,
      'transition',
      false,
      (current, owned, _row, now) => {
        before = current;
        const to = AlertStatus.transition(current.status, act, {
          previousStatus: current.previousStatus ?? undefined,
        });
        const patch: Record<string, unknown> = { ...owned, status: to };
        switch (act) {
          case 'acknowledge':
            patch.acknowledgedBy = actor.slice(0, LIMITS.nameMaxLength);
            patch.acknowledgedAt = now;
            break;
          case 'unacknowledge':
            patch.acknowledgedBy = null;
            patch.acknowledgedAt = null;
            break;
          case 'suppress':
            patch.previousStatus = current.status;
            break;
          case 'unsuppress':
            patch.previousStatus = null;
            break;
          case 'resolve':
            patch.endsAt =
              current.endsAt !== null && current.endsAt.getTime() <= now.getTime()
                ? current.endsAt
                : now;
            break;
          case 'reopen':
            patch.endsAt = null;
            break;
          default:
            break;
        }
        return {
          next: Alert.update(current, patch),
          deleted: undefined,
          details: { action: act, from: current.status, to },
        };
      },
    );
    const events = this.#indexes.events;
    if (events !== undefined && before !== undefined) {
      events.record(transitionPoints(tenantId, before, next));
    }
    return next;
  }
}
