/**
 * The outbox's deliveries: claim due notifications (`FOR UPDATE SKIP
 * LOCKED`, with a lease a crashed sender's claim runs out of), record each
 * attempt with backoff, a maximum age and a dead-letter state, list them,
 * and put one back in line. See `docs/notifications.md`.
 */
import { NotFoundError } from '../../base/exceptions/index.js';
import { Notification, type NotificationState } from '../../domain/notification.js';
import {
  type BackoffOptions,
  DEFAULT_BACKOFF,
  retryDelayMs,
} from '../../domain/notification-backoff.js';
import type { NotificationMessage } from '../../domain/notification-message.js';
import type { AlertEventSink, SeriesPoint } from '../series/types.js';
import type { Database, SqlValue, TransactionClient } from '../types.js';
import { notifiedPoints } from './alert-series-points.js';
import { type AuditKeys, appendAudit } from './audit-log.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import {
  DELIVER_SCHEDULE,
  OUTBOX_CLAIM,
  OUTBOX_COLUMNS,
  OUTBOX_NEXT,
  OUTBOX_RETRY,
  OUTBOX_SETTLE_MANY,
} from './notification-sql.js';
import { DUE_CLEAR, DUE_LOCK, DUE_SET, DUE_SET_EARLIER, DUE_TENANTS } from './scheduler-due.js';
import { prepared } from './statements.js';
import type { ActorId } from './types.js';

/** Settings of {@link NotificationOutbox}. */
export interface OutboxOptions {
  /** How long a claim holds a notification before another worker may take it (ms). */
  readonly leaseMs: number;
  /** A notification still undelivered this long after it was queued is given up (ms). */
  readonly maxAgeMs: number;
  readonly backoff?: BackoffOptions;
  /** Seals its audit entries (HMAC); without them they are plain SHA-256. */
  readonly auditKeys?: AuditKeys | undefined;
  /** Receives the `notified` points of each delivery, once its settlement committed. */
  readonly events?: AlertEventSink | undefined;
}

/** A notification claimed for one attempt. */
export interface ClaimedNotification {
  readonly tenantId: string;
  readonly id: string;
  readonly channelId: string;
  readonly message: NotificationMessage;
  /** This attempt's number, from 1. */
  readonly attempt: number;
  readonly createdAt: Date;
}

/** The outcome of one attempt. */
export interface AttemptOutcome {
  readonly ok: boolean;
  readonly retryable: boolean;
  readonly status?: number | undefined;
  readonly error?: string | undefined;
  readonly retryAfterMs?: number | undefined;
  readonly durationMs: number;
}

/** Filters of {@link NotificationOutbox.list}. */
export interface NotificationFilter {
  readonly channelId?: string | undefined;
  readonly state?: readonly NotificationState[] | undefined;
  readonly alertId?: string | undefined;
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
}

type OutboxRow = {
  id: string;
  channel_id: string;
  group_id: string | null;
  receiver: string;
  action: string;
  state: string;
  alert_ids: string[];
  payload: Record<string, unknown>;
  attempts: number;
  attempt_log: unknown[];
  last_error: string | null;
  next_attempt_at: string;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
};

const GET = prepared(
  `SELECT ${OUTBOX_COLUMNS} FROM notifications WHERE tenant_id = $1 AND id = $2`,
);

function toNotification(tenantId: string, r: OutboxRow): Notification {
  return Notification.parse({
    tenantId,
    id: r.id,
    channelId: r.channel_id,
    groupId: r.group_id,
    receiver: r.receiver,
    action: r.action,
    state: r.state,
    alertIds: r.alert_ids,
    attempts: r.attempts,
    attemptLog: r.attempt_log,
    lastError: r.last_error,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deliveredAt: r.delivered_at,
    message: r.payload,
  });
}

/** The outbox on the database. */
export class NotificationOutbox {
  constructor(
    private readonly db: Database,
    private readonly options: OutboxOptions,
  ) {}

  /**
   * Claims up to `limit` due notifications across the due tenants, each
   * tenant in its own short transaction (nothing is held while sending).
   */
  async claim(now: Date, limit = 64): Promise<ClaimedNotification[]> {
    const { rows } = await this.db.query<{ tenant_id: string }>(
      DUE_TENANTS.text,
      [DELIVER_SCHEDULE, now, 50],
      DUE_TENANTS.options,
    );
    const out: ClaimedNotification[] = [];
    for (const { tenant_id: tenantId } of rows) {
      if (out.length >= limit) break;
      const claimed = await this.db.withTenant(tenantId, async (tx) => {
        const lease = new Date(now.getTime() + this.options.leaseMs);
        const taken = await tx.query<{
          id: string;
          channel_id: string;
          payload: NotificationMessage;
          attempts: number;
          created_at: Date;
        }>(OUTBOX_CLAIM.text, [tenantId, now, lease, limit - out.length], OUTBOX_CLAIM.options);
        await this.#reschedule(tx, tenantId);
        return taken.rows;
      });
      for (const r of claimed) {
        out.push({
          tenantId,
          id: r.id,
          channelId: r.channel_id,
          message: r.payload,
          attempt: r.attempts,
          createdAt: new Date(r.created_at),
        });
      }
    }
    return out;
  }

  /** Sets the tenant's next delivery time from its outbox. */
  async #reschedule(tx: TransactionClient, tenantId: string): Promise<void> {
    // Another instance may be queueing notifications of this tenant right
    // now (a group flush: DUE_SET_EARLIER at its end). Without the lock, the
    // next due time read below could miss them and be written over theirs,
    // leaving them to wait for a lease to run out (25 s).
    await tx.query(DUE_LOCK.text, [tenantId, DELIVER_SCHEDULE], DUE_LOCK.options);
    const next = await tx.query<{ due: Date | null }>(
      OUTBOX_NEXT.text,
      [tenantId],
      OUTBOX_NEXT.options,
    );
    const due = next.rows[0]?.due ?? null;
    if (due === null) {
      await tx.query(DUE_CLEAR.text, [tenantId, DELIVER_SCHEDULE], DUE_CLEAR.options);
    } else {
      await tx.query(DUE_SET.text, [tenantId, DELIVER_SCHEDULE, due], DUE_SET.options);
    }
  }

  /**
   * Records an attempt: delivered; or retried after a backoff with jitter;
   * or dead (not retryable, or older than the maximum age). Ignored when the
   * claim was lost meanwhile (its lease ran out and another worker took it).
   */
  async settle(
    n: ClaimedNotification,
    outcome: AttemptOutcome,
    now: Date,
  ): Promise<NotificationState> {
    const [state] = await this.settleMany(n.tenantId, [{ notification: n, outcome }], now);
    return state as NotificationState;
  }

  /** {@link settle} for several attempts of one tenant, in one transaction; states in order. */
  async settleMany(
    tenantId: string,
    attempts: readonly { notification: ClaimedNotification; outcome: AttemptOutcome }[],
    now: Date,
  ): Promise<NotificationState[]> {
    const backoff = this.options.backoff ?? DEFAULT_BACKOFF;
    const states: NotificationState[] = [];
    let earliest: number | undefined;
    const rows = attempts.map(({ notification: n, outcome }) => {
      const age = now.getTime() - n.createdAt.getTime();
      const delay = retryDelayMs(n.attempt, backoff, Math.random(), outcome.retryAfterMs ?? 0);
      let state: NotificationState;
      if (outcome.ok) state = 'delivered';
      else if (!outcome.retryable || age + delay > this.options.maxAgeMs) state = 'dead';
      else state = 'pending';
      states.push(state);
      const next = state === 'pending' ? now.getTime() + delay : undefined;
      if (next !== undefined && (earliest === undefined || next < earliest)) earliest = next;
      const error = outcome.error === undefined ? null : outcome.error.slice(0, 1_024);
      return {
        id: n.id,
        n: n.attempt,
        state,
        next: next === undefined ? null : new Date(next).toISOString(),
        error,
        attempt: {
          at: now.toISOString(),
          outcome: outcome.ok ? 'delivered' : state === 'pending' ? 'retry' : 'failed',
          status: outcome.status ?? null,
          error,
          durationMs: Math.round(outcome.durationMs),
        },
      };
    });
    const settled = await this.db.withTenant(tenantId, async (tx) => {
      const { rows: updated } = await tx.query<{ id: string }>(
        OUTBOX_SETTLE_MANY.text,
        [tenantId, now, JSON.stringify(rows)],
        OUTBOX_SETTLE_MANY.options,
      );
      if (earliest !== undefined) {
        await tx.query(
          DUE_SET_EARLIER.text,
          [tenantId, DELIVER_SCHEDULE, new Date(earliest)],
          DUE_SET_EARLIER.options,
        );
      }
      return new Set(updated.map((r) => r.id));
    });
    const events = this.options.events;
    if (events !== undefined) {
      const points: SeriesPoint[] = [];
      for (const [i, { notification: n }] of attempts.entries()) {
        // A claim lost meanwhile was not settled here: its delivery is the other worker's to count.
        if (states[i] === 'delivered' && settled.has(n.id)) {
          points.push(...notifiedPoints(n.message, now.getTime()));
        }
      }
      if (points.length > 0) events.record(points);
    }
    return states;
  }

  /** One notification. @throws NotFoundError */
  async get(tenantId: string, id: string): Promise<Notification> {
    const { rows } = await this.db.withTenant(tenantId, (tx) =>
      tx.query<OutboxRow>(GET.text, [tenantId, id], GET.options),
    );
    const row = rows[0];
    if (row === undefined) throw new NotFoundError('Notification', id);
    return toNotification(tenantId, row);
  }

  /** The tenant's notifications, newest first, filtered; keyset pages. */
  async list(
    tenantId: string,
    filter: NotificationFilter = {},
  ): Promise<{ items: Notification[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 1_000);
    const params: SqlValue[] = [tenantId];
    const where = ['tenant_id = $1'];
    const add = (v: SqlValue): string => {
      params.push(v);
      return `$${params.length}`;
    };
    if (filter.channelId !== undefined) where.push(`channel_id = ${add(filter.channelId)}`);
    if (filter.state !== undefined) where.push(`state = ANY(${add([...filter.state])}::text[])`);
    if (filter.alertId !== undefined)
      where.push(`alert_ids @> ARRAY[${add(filter.alertId)}::text]`);
    const scope = JSON.stringify([filter.channelId, filter.state, filter.alertId]);
    if (filter.cursor !== undefined) {
      const c = decodeCursor(filter.cursor, 'desc', scope);
      where.push(
        `(notifications.created_at, notifications.id) < (${add(c.createdAt)}::timestamptz, ${add(c.id)})`,
      );
    }
    const sql = `SELECT ${OUTBOX_COLUMNS} FROM notifications WHERE ${where.join(' AND ')}
                 ORDER BY notifications.created_at DESC, notifications.id DESC LIMIT ${add(limit + 1)}`;
    const { rows } = await this.db.withTenant(tenantId, (tx) => tx.query<OutboxRow>(sql, params));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > limit && last !== undefined
        ? encodeCursor({ createdAt: last.created_at, id: last.id, order: 'desc', scope })
        : null;
    return { items: page.map((r) => toNotification(tenantId, r)), nextCursor };
  }

  /**
   * Puts a notification (dead, delivered or waiting) back in line now, audited.
   * @throws NotFoundError; a notification being sent is left alone (its state is returned).
   */
  async retry(
    tenantId: string,
    id: string,
    actor: ActorId,
    now = new Date(),
  ): Promise<Notification> {
    await this.db.withTenant(tenantId, async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        OUTBOX_RETRY.text,
        [tenantId, id, now],
        OUTBOX_RETRY.options,
      );
      if (rows.length === 0) {
        const exists = await tx.query<OutboxRow>(GET.text, [tenantId, id], GET.options);
        if (exists.rows.length === 0) throw new NotFoundError('Notification', id);
        return;
      }
      await tx.query(
        DUE_SET_EARLIER.text,
        [tenantId, DELIVER_SCHEDULE, now],
        DUE_SET_EARLIER.options,
      );
      await appendAudit(
        tx,
        tenantId,
        {
          actor,
          action: 'notification.retry',
          entityType: 'Notification',
          entityId: id,
          before: null,
          after: null,
        },
        now,
        this.options.auditKeys,
      );
    });
    return this.get(tenantId, id);
  }
}
