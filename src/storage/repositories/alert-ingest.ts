/**
 * Ingest, the schedule: batches validated as they arrive (a slice per turn
 * of the event loop), heartbeats answered from the index and written behind,
 * the rest queued per tenant and committed a group at a time (group commit),
 * or, for a large batch of an idle tenant, stored while it is validated.
 * What is validated and how rows are written live in `alert-ingest-items.ts`
 * and `alert-ingest-store.ts`.
 */
import { LIMITS } from '../../base/constants.js';
import { ValidationError } from '../../base/exceptions/index.js';
import { isoString } from '../../base/utils/iso-time.js';
import { isUnavailable } from '../errors.js';
import type { AlertEventSink, SeriesPoint } from '../series/types.js';
import type { Database, TransactionClient } from '../types.js';
import { AlertChangeFeed, notifyAlertChanges } from './alert-changes.js';
import {
  type IngestContext,
  jsonOf,
  keyOf,
  type ValidItem,
  validateRange,
} from './alert-ingest-items.js';
import {
  type AuditedBatch,
  auditBatches,
  countOf,
  type FreshRows,
  storeItems,
  type Written,
} from './alert-ingest-store.js';
import type { RuleNameIndex } from './alert-rule-repository.js';
import { HeartbeatCounter } from './alert-series-points.js';
import { type AuditHead, type AuditKeys, auditLockOf } from './audit-log.js';
import { HeartbeatIndex } from './heartbeat-index.js';
import { HeartbeatWriter } from './heartbeat-writer.js';
import { newIds } from './ids.js';
import { type DEFAULT_MEMO_BUDGET_BYTES, MemoBudget } from './memo-budget.js';
import type { SilenceIndex } from './silence-index.js';
import type {
  ActorId,
  IngestItemResult,
  IngestOptions,
  IngestResult,
  IngestTransactionStats,
} from './types.js';
import { ValidationMemo } from './validation-memo.js';

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
  /**
   * Entries of the heartbeat index, all tenants together, at most
   * (`heartbeat-index.ts`); absent: only the tenants' bound.
   */
  readonly heartbeatMaxEntries?: number | undefined;
  /**
   * The bytes ingest's memo of validated alerts shares with the route's
   * memos (`memo-budget.ts`); absent: a budget of its own,
   * {@link DEFAULT_MEMO_BUDGET_BYTES}.
   */
  readonly memoBudget?: MemoBudget | undefined;
}

/** A caller's batch, validated, waiting in its tenant's ingest queue. */
interface PendingBatch extends AuditedBatch {
  readonly items: readonly ValidItem[];
  /** None of its firing items' fingerprints was in the heartbeat index (new alerts, as far as this instance knows). */
  readonly fresh: boolean;
  readonly resolve: (result: IngestResult) => void;
  readonly reject: (reason: unknown) => void;
}

/**
 * A tenant's ingest queue: the batches waiting, and the transactions begun
 * for them. One transaction holds a group at a time (they serialize on the
 * tenant's audit lock). While its statements run, the batches queued join
 * its group, each round of them one more statement in it (see
 * {@link AlertIngest.#store}); from its commit on, the next one may be begun
 * while it runs, so that its `BEGIN` and lock wait are over when that one
 * commits (see {@link AlertIngest.#begin}).
 */
interface TenantQueue {
  /** Batches validated and waiting for a transaction to take them. */
  readonly batches: PendingBatch[];
  /** A transaction is begun that has not taken its group yet. */
  next: boolean;
  /** A transaction runs its statements and takes the batches queued meanwhile into its group. */
  absorbing: boolean;
  /** Transactions begun and not ended (a failed one ends after its batches' retries). */
  open: number;
  /** A failed group's batches are being retried one by one. */
  retrying: boolean;
  /**
   * Settles when the last transaction begun has ended: true when it
   * committed after the one before it had, false when one of them failed
   * (the transaction begun after a failed one gives way to its retries).
   */
  tail: Promise<boolean>;
}

/** Thrown in a transaction begun early whose predecessor failed: it rolls back and takes nothing. */
const GIVE_WAY = new Error(
  'ingest: the group before failed; this transaction gives way to its retries',
);

/**
 * Items per statement when a large batch of an idle tenant is stored while
 * it is validated (see `#pipelined`); smaller batches go through the queue.
 */
const PIPELINE_SLICE = 250;

/**
 * Groups of a tenant that upsert at once after one whose plain insert met
 * open rows ({@link FreshRows}): a failed try costs a statement and two
 * round trips, a successful one saves the speculative insertion of every row.
 */
const FRESH_PAUSE = 64;

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

/** The ingest of one alert repository (see `AlertRepository.ingest`). */
export class AlertIngest {
  constructor(db: Database, indexes: AlertIndexes, auditKeys: AuditKeys | undefined) {
    this.#db = db;
    this.#indexes = indexes;
    this.#auditKeys = auditKeys;
    this.#memo = new ValidationMemo(indexes.memoBudget ?? new MemoBudget());
    const windowMs = indexes.heartbeatWindowMs ?? 0;
    if (windowMs > 0) {
      const index = new HeartbeatIndex({ maxEntries: indexes.heartbeatMaxEntries });
      this.#heartbeats = {
        index,
        writer: new HeartbeatWriter(db, {
          windowMs,
          onError: indexes.onHeartbeatError,
          auditKeys,
        }),
        feed: new AlertChangeFeed(db, {
          changed: (tenantId, changes) => index.changed(tenantId, changes),
          reset: () => index.reset(),
        }),
      };
    }
  }

  readonly #db: Database;
  readonly #auditKeys: AuditKeys | undefined;
  readonly #indexes: AlertIndexes;

  /** The heartbeat path (see `heartbeat-index.ts`), when its window is above 0. */
  readonly #heartbeats:
    | {
        readonly index: HeartbeatIndex;
        readonly writer: HeartbeatWriter;
        readonly feed: AlertChangeFeed;
      }
    | undefined;

  /** What earlier items' validation gave, by their callers' memo keys. */
  readonly #memo: ValidationMemo;

  /** Per tenant, the last batch admitted to the heartbeat decision (they are admitted in order). */
  readonly #admissions = new Map<string, Promise<boolean>>();

  /** Per tenant, the batches waiting for a transaction and the transactions begun (see {@link TenantQueue}). */
  readonly #queues = new Map<string, TenantQueue>();
  /** Groups left before a tenant tries the plain insert again ({@link #triesFresh}). */
  readonly #freshPaused = new Map<string, number>();

  /** The transactions committed so far (see {@link transactions}). */
  readonly #transactions = { committed: 0, batches: 0, alerts: 0, seconds: 0 };

  /** See `AlertRepository.ingest`. */
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
    const context: IngestContext =
      options.memoKeys === undefined
        ? { silences, ruleIds }
        : { silences, ruleIds, memo: { keys: options.memoKeys, store: this.#memo } };
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
      items.push(...validateRange(tenantId, alerts, ids, now, results, start, end, context));
    }
    const { stored, fresh } = await this.#answerHeartbeats(tenantId, items, now);
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
        fresh,
        results,
        resolve,
        reject,
      };
      const queue = this.#queues.get(tenantId) ?? this.#newQueue(tenantId, 0);
      queue.batches.push(batch);
      if (
        !queue.next &&
        !queue.absorbing &&
        !queue.retrying &&
        (queue.open === 0 || this.#roomToBeginEarly())
      ) {
        this.#begin(tenantId, queue);
      }
    });
  }

  /**
   * Answers the heartbeats of a validated batch from the index and hands
   * them to the write-behind; returns the items that go to the database, in
   * order, each marked as on its way (so that a later resend of its
   * fingerprint waits for it), and whether the index held none of the
   * batch's firing fingerprints (`fresh`: their rows are tried with a plain
   * insert, see {@link FreshRows}). The index is read only after the read barrier
   * (`AlertChangeFeed.sync`): every change committed before it is applied.
   * Decided and marked in one turn of the event loop, so batches queued
   * before are seen.
   */
  async #answerHeartbeats(
    tenantId: string,
    items: readonly ValidItem[],
    now: Date,
  ): Promise<{ readonly stored: readonly ValidItem[]; readonly fresh: boolean }> {
    const hb = this.#heartbeats;
    if (hb === undefined) {
      for (const item of items) jsonOf(item);
      return { stored: items, fresh: false };
    }
    // The barrier is asked for now (it covers what committed before this
    // batch); batches are admitted in the order they got here. A batch none
    // of whose firing items has an entry (new alerts) asks none: without the
    // barrier nothing of it is answered from the index (a change told late
    // only ever removes entries, so a miss is never stale; an entry that an
    // earlier batch adds meanwhile is not used).
    const needsBarrier = items.some(
      (item) => !item.resolving && hb.index.holds(tenantId, item.fingerprint),
    );
    if (!needsBarrier) void hb.feed.start();
    const barrier = needsBarrier ? hb.feed.sync() : Promise.resolve(false);
    const previous = this.#admissions.get(tenantId) ?? Promise.resolve();
    const admitted = previous.then(() => barrier);
    this.#admissions.set(tenantId, admitted);
    const synced = await admitted;
    if (this.#admissions.get(tenantId) === admitted) this.#admissions.delete(tenantId);
    const stored: ValidItem[] = [];
    let received: string | undefined;
    // The resends of one evaluation share their `endsAt`: its text is made once.
    let lastEndMs = Number.NaN;
    let lastEndText = '';
    const endText = (end: Date): string => {
      if (end.getTime() !== lastEndMs) {
        lastEndMs = end.getTime();
        lastEndText = isoString(end);
      }
      return lastEndText;
    };
    const events = this.#indexes.events;
    const counted = events === undefined ? undefined : new HeartbeatCounter();
    for (const item of items) {
      const entry =
        synced && !item.resolving ? hb.index.lookup(tenantId, item.fingerprint) : undefined;
      if (entry !== undefined && entry.key === keyOf(item)) {
        received ??= isoString(now);
        counted?.add(tenantId, item.tags, now.getTime(), 1);
        const endsAt = item.endsAt;
        hb.writer.add(tenantId, entry.id, endsAt === null ? null : endText(endsAt), received);
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
      jsonOf(item);
      stored.push(item);
    }
    if (counted !== undefined) {
      // Heartbeats answered here are counted as the stored resends are.
      const points: SeriesPoint[] = [];
      counted.drainInto(points);
      if (points.length > 0) events?.record(points);
    }
    return { stored, fresh: !needsBarrier };
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
  async flush(): Promise<void> {
    await this.#heartbeats?.writer.flush();
  }

  /** Flushes the heartbeats and stops listening for changes (at shutdown, before the database closes). */
  async close(): Promise<void> {
    if (this.#heartbeats === undefined) return;
    await this.#heartbeats.writer.close();
    await this.#heartbeats.feed.close();
  }

  /** Heartbeats answered and not written yet. */
  get pending(): number {
    return this.#heartbeats?.writer.pending ?? 0;
  }

  /** Entries of the heartbeat index, all tenants together (0 without the heartbeat path). */
  get indexed(): number {
    return this.#heartbeats?.index.total ?? 0;
  }

  /** The transactions committed so far, summed (a copy). */
  get transactions(): IngestTransactionStats {
    return { ...this.#transactions };
  }

  /** Counts a committed transaction: its batches, their alerts stored, from its first statement (`started`, ms) to now. */
  #committed(batches: number, alerts: number, started: number): void {
    const t = this.#transactions;
    t.committed++;
    t.batches += batches;
    t.alerts += alerts;
    t.seconds += (performance.now() - started) / 1_000;
  }

  /** A tenant's queue, registered; `open` counts a transaction the caller runs itself. */
  #newQueue(tenantId: string, open: number): TenantQueue {
    const queue: TenantQueue = {
      batches: [],
      next: false,
      absorbing: false,
      open,
      retrying: false,
      tail: Promise.resolve(true),
    };
    this.#queues.set(tenantId, queue);
    return queue;
  }

  /**
   * Whether the pool has room for a transaction that waits: one begun early
   * holds a connection while it waits for the tenant's audit lock, so it is
   * begun only while at least one more connection stays free for everything
   * else (never on PGlite, whose one connection runs one thing at a time).
   */
  #roomToBeginEarly(): boolean {
    const stats = this.#db.poolStats?.();
    return stats !== undefined && stats.inUse + stats.waiting + 1 < stats.max;
  }

  /**
   * Begins a transaction for the tenant's next group. Its `BEGIN` takes the
   * audit lock, so one begun while another of the tenant runs waits in the
   * database and holds the lock the moment that one commits: the round trip
   * of `BEGIN` is off the path from one group's commit to the next group's
   * statement (on a busy machine it waited 5–14 ms for a core). It takes its
   * group (what is queued then) only once the transaction before it has
   * ended, so groups commit in the order they are taken, as one after the
   * other. If the one before failed, it rolls back and takes nothing: the
   * failed group's batches are retried first.
   */
  #begin(tenantId: string, queue: TenantQueue): void {
    queue.next = true;
    queue.open++;
    const prior = queue.tail;
    let end: (ok: boolean) => void = () => {};
    queue.tail = new Promise<boolean>((resolve) => {
      end = resolve;
    });
    void this.#run(tenantId, queue, prior, end);
  }

  /** The queue's first group, up to `LIMITS.maxIngestGroupSize` alerts (at least one batch). */
  #take(tenantId: string, queue: TenantQueue): PendingBatch[] {
    queue.next = false;
    const group = this.#more(queue, 0);
    if (queue.batches.length > 0 && this.#roomToBeginEarly()) this.#begin(tenantId, queue);
    return group;
  }

  /**
   * The queued batches that fit in a group already holding `size` alerts
   * (`LIMITS.maxIngestGroupSize`; an empty group takes one batch at least).
   */
  #more(queue: TenantQueue, size: number): PendingBatch[] {
    let total = size;
    let take = 0;
    for (const batch of queue.batches) {
      if ((take > 0 || size > 0) && total + batch.items.length > LIMITS.maxIngestGroupSize) break;
      total += batch.items.length;
      take++;
    }
    return queue.batches.splice(0, take);
  }

  /** The transaction of {@link #begin}: its group stored and settled; never throws. */
  async #run(
    tenantId: string,
    queue: TenantQueue,
    prior: Promise<boolean>,
    end: (ok: boolean) => void,
  ): Promise<void> {
    let priorEnded = false;
    void prior.then(() => {
      priorEnded = true;
    });
    let group: PendingBatch[] | undefined;
    let began: number | undefined;
    let started = 0;
    const written: Written = {
      rows: this.#heartbeats === undefined ? undefined : [],
      changes: [],
      points: undefined,
    };
    let stored: IngestResult[];
    try {
      // The audit lock comes with the transaction, so the ingest statement
      // can read the chain's head (see HEAD_ROW).
      stored = await this.#db.withTenant(
        tenantId,
        async (tx) => {
          if (!(await prior)) throw GIVE_WAY;
          group = this.#take(tenantId, queue);
          started = performance.now();
          began = this.#heartbeats?.index.beginWrite(tenantId) ?? 0;
          written.points = this.#indexes.events === undefined ? undefined : [];
          return this.#store(tx, tenantId, group, written, queue);
        },
        { advisoryLock: auditLockOf(tenantId) },
      );
    } catch (err) {
      const failed: PendingBatch[] | undefined = group;
      if (failed === undefined) {
        // Nothing taken. Given way, or failed while it waited for the one
        // before (a lock wait behind a long group): the batches stay queued
        // for the next transaction. Failed on its own: its group fails.
        const waiting = !priorEnded;
        const ok = await prior;
        if (err === GIVE_WAY || !ok || waiting) {
          queue.next = false;
          end(ok);
          this.#ended(tenantId, queue);
          return;
        }
        await this.#fail(tenantId, queue, this.#take(tenantId, queue), err, undefined, end);
        return;
      }
      await this.#fail(tenantId, queue, failed, err, began, end);
      return;
    }
    this.#settle(tenantId, group ?? [], stored, written, began ?? 0, started);
    end(true);
    this.#ended(tenantId, queue);
  }

  /**
   * A group's transaction failed: retried batch by batch so that a batch
   * fails only for its own sake; but when the database is away or too slow
   * it fails for every batch, and retrying them one by one would multiply
   * the wait (DATABASE_TIMEOUT_MS) by the group. The batches queued behind
   * it would each wait another DATABASE_TIMEOUT_MS for the same answer: they
   * get it now (503, retried by the sender), which keeps a request's wait
   * during an outage to about one timeout.
   */
  async #fail(
    tenantId: string,
    queue: TenantQueue,
    group: readonly PendingBatch[],
    err: unknown,
    began: number | undefined,
    end: (ok: boolean) => void,
  ): Promise<void> {
    if (began !== undefined) this.#heartbeats?.index.endWrite(tenantId, began, []);
    // The transaction begun after this one gives way, and none begins until the retries are done.
    queue.retrying = true;
    end(false);
    const unavailable = isUnavailable(err);
    const refused = unavailable ? [...group, ...queue.batches.splice(0)] : group;
    if (group.length > 1 && !unavailable) {
      for (const batch of group) await this.#commitAlone(tenantId, batch);
    } else {
      for (const batch of refused) {
        this.#release(tenantId, batch.items);
        batch.reject(err);
      }
    }
    queue.retrying = false;
    this.#ended(tenantId, queue);
  }

  /** A transaction of the queue ended: the next begins if batches wait; the queue goes once idle. */
  #ended(tenantId: string, queue: TenantQueue): void {
    queue.open--;
    if (queue.open > 0 || queue.next) return;
    if (queue.batches.length === 0) {
      this.#queues.delete(tenantId);
      return;
    }
    // Every transaction begun has ended: whatever failed has been retried.
    queue.tail = Promise.resolve(true);
    this.#begin(tenantId, queue);
  }

  /** Stores one batch in a transaction of its own (a failed group's retry) and settles it. */
  async #commitAlone(tenantId: string, batch: PendingBatch): Promise<void> {
    const written: Written = {
      rows: this.#heartbeats === undefined ? undefined : [],
      changes: [],
      points: undefined,
    };
    const began = this.#heartbeats?.index.beginWrite(tenantId) ?? 0;
    let started = 0;
    let stored: IngestResult[];
    try {
      stored = await this.#db.withTenant(
        tenantId,
        (tx) => {
          started = performance.now();
          written.points = this.#indexes.events === undefined ? undefined : [];
          return this.#store(tx, tenantId, [batch], written);
        },
        { advisoryLock: auditLockOf(tenantId) },
      );
    } catch (err) {
      this.#heartbeats?.index.endWrite(tenantId, began, []);
      this.#release(tenantId, batch.items);
      batch.reject(err);
      return;
    }
    this.#settle(tenantId, [batch], stored, written, began, started);
  }

  /** After a group's commit: counted, its series points recorded, the index told, each batch answered. */
  #settle(
    tenantId: string,
    group: readonly PendingBatch[],
    stored: readonly IngestResult[],
    written: Written,
    began: number,
    started: number,
  ): void {
    let alerts = 0;
    for (const batch of group) alerts += batch.items.length;
    this.#committed(group.length, alerts, started);
    if (written.points !== undefined) this.#indexes.events?.record(written.points);
    this.#heartbeats?.index.endWrite(tenantId, began, written.rows ?? []);
    group.forEach((batch, k) => {
      this.#release(tenantId, batch.items);
      batch.resolve(stored[k] as IngestResult);
    });
  }

  /**
   * Whether a tenant's group of new-looking rows tries the plain insert: not
   * for the {@link FRESH_PAUSE} groups after one that met open rows (an
   * instance that just started, or alerts another instance writes, would
   * otherwise fail a plain insert per group).
   */
  #triesFresh(tenantId: string): boolean {
    const paused = this.#freshPaused.get(tenantId);
    if (paused === undefined) return true;
    if (paused <= 1) this.#freshPaused.delete(tenantId);
    else this.#freshPaused.set(tenantId, paused - 1);
    return false;
  }

  /**
   * The statements of one group: the rows, then one audit event per batch
   * (sent with the COMMIT). With the tenant's `queue`, the batches queued
   * while a statement ran join the group (appended to `group`) and are
   * stored by one more statement, until none are queued or the group is
   * full: at the rate batches come, a statement more costs less than a
   * transaction of their own (its `BEGIN`, its `COMMIT`), and they are
   * committed as soon. Groups still commit in the order they are taken.
   */
  async #store(
    tx: TransactionClient,
    tenantId: string,
    group: PendingBatch[],
    written: Written,
    queue?: TenantQueue,
  ): Promise<IngestResult[]> {
    let head: AuditHead | null = null;
    let round: readonly PendingBatch[] = group;
    let size = 0;
    if (queue !== undefined && !queue.next) queue.absorbing = true;
    try {
      while (round.length > 0) {
        const fresh: FreshRows | undefined =
          round.every((batch) => batch.fresh) && this.#triesFresh(tenantId)
            ? { conflicted: false }
            : undefined;
        const items = round.flatMap((batch) => batch.items);
        size += items.length;
        // The audit chain's head, read by each statement under the lock the transaction holds.
        head = (await storeItems(tx, tenantId, items, written, fresh)) ?? head;
        if (fresh?.conflicted) this.#freshPaused.set(tenantId, FRESH_PAUSE);
        round = queue?.absorbing === true ? this.#more(queue, size) : [];
        group.push(...round);
      }
    } finally {
      if (queue !== undefined) queue.absorbing = false;
    }
    // Full: what is still queued waits for the next transaction, begun now.
    if (
      queue !== undefined &&
      queue.batches.length > 0 &&
      !queue.next &&
      this.#roomToBeginEarly()
    ) {
      this.#begin(tenantId, queue);
    }
    notifyAlertChanges(tx, tenantId, written.changes);
    return auditBatches(tx, tenantId, group, head, this.#auditKeys);
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
    // Counted as the queue's transaction in progress: batches that arrive
    // meanwhile wait for it, as behind any ingest transaction.
    const queue = this.#newQueue(tenantId, 1);
    // Nothing is begun behind it before it holds the audit lock: one begun
    // first could take the lock and then wait for it.
    queue.next = true;
    let finish: (ok: boolean) => void = () => {};
    queue.tail = new Promise<boolean>((resolve) => {
      finish = resolve;
    });
    const now = options.receivedAt ?? new Date();
    const ids = newIds(alerts.length);
    const results: IngestItemResult[] = new Array(alerts.length);
    const hb = this.#heartbeats;
    hb?.index.beginStream(tenantId);
    const written: Written = {
      rows: this.#heartbeats === undefined ? undefined : [],
      changes: [],
      points: undefined,
    };
    const began = hb?.index.beginWrite(tenantId) ?? 0;
    let committed = false;
    let holding = false;
    let started = 0;
    let alertsStored = 0;
    try {
      const result = await this.#db.withTenant(
        tenantId,
        async (tx) => {
          holding = true;
          started = performance.now();
          queue.next = false;
          if (queue.batches.length > 0 && this.#roomToBeginEarly()) this.#begin(tenantId, queue);
          written.points = this.#indexes.events === undefined ? undefined : [];
          let head: AuditHead | null | undefined;
          let storing: Promise<AuditHead | null> | undefined;
          for (let start = 0; start < alerts.length; start += PIPELINE_SLICE) {
            const end = Math.min(start + PIPELINE_SLICE, alerts.length);
            const items = validateRange(tenantId, alerts, ids, now, results, start, end, context);
            if (storing !== undefined) head = await storing;
            alertsStored += items.length;
            storing = items.length === 0 ? undefined : storeItems(tx, tenantId, items, written);
          }
          if (storing !== undefined) head = await storing;
          notifyAlertChanges(tx, tenantId, written.changes);
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
          const [stored] = await auditBatches(tx, tenantId, [batch], head, this.#auditKeys);
          return stored as IngestResult;
        },
        { advisoryLock: auditLockOf(tenantId) },
      );
      if (written.points !== undefined) this.#indexes.events?.record(written.points);
      committed = true;
      this.#committed(1, alertsStored, started);
      return result;
    } finally {
      hb?.index.endWrite(tenantId, began, committed ? (written.rows ?? []) : []);
      hb?.index.endStream(tenantId);
      // Its batch is answered, failed or not: the groups behind it go on.
      if (!holding) queue.next = false;
      finish(true);
      this.#ended(tenantId, queue);
    }
  }
}
