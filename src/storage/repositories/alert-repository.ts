import { LIMITS } from '../../base/constants.js';
import { AlertAction, AlertStatus } from '../../base/enums/index.js';
import type { InputOf } from '../../base/types/model.js';
import { Alert } from '../../domain/alert.js';
import type { Database, TransactionClient } from '../types.js';
import { notifyAlertChanges } from './alert-changes.js';
import { type AlertIndexes, AlertIngest } from './alert-ingest.js';
import { transitionPoints } from './alert-series-points.js';
import type { AuditAction } from './audit-log.js';
import { ModelRepository, type ModelRepositoryOptions } from './model-repository.js';
import { EVENT_INSERT } from './notification-sql.js';
import { ALERTS } from './specs.js';
import type {
  ActorId,
  AlertFilter,
  IngestOptions,
  IngestResult,
  IngestTransactionStats,
  WriteOptions,
} from './types.js';

export type { AlertIndexes } from './alert-ingest.js';

/** What `create` accepts: an alert without the fields the repository sets. */
export type AlertInput = Omit<InputOf<typeof Alert>, 'tenantId'> & { readonly tenantId?: string };
/** What `update` accepts. */
export type AlertPatch = Partial<InputOf<typeof Alert>>;

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
    this.#ingest = new AlertIngest(db, indexes, this.auditKeys);
  }

  readonly #indexes: AlertIndexes;
  readonly #ingest: AlertIngest;

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
  ingest(
    tenantId: string,
    alerts: readonly unknown[],
    actor: ActorId,
    options: IngestOptions = {},
  ): Promise<IngestResult> {
    return this.#ingest.ingest(tenantId, alerts, actor, options);
  }

  /**
   * Writes every heartbeat answered so far (the write-behind flushes by
   * itself within its window; call this before closing the database).
   */
  flushHeartbeats(): Promise<void> {
    return this.#ingest.flush();
  }

  /** Flushes the heartbeats and stops listening for changes (at shutdown, before the database closes). */
  close(): Promise<void> {
    return this.#ingest.close();
  }

  /** Heartbeats answered and not written yet. */
  get pendingHeartbeats(): number {
    return this.#ingest.pending;
  }

  /** Open alerts the heartbeat index holds, all tenants together. */
  get heartbeatIndexEntries(): number {
    return this.#ingest.indexed;
  }

  /** Ingest's transactions committed so far, summed (see {@link IngestTransactionStats}). */
  get ingestTransactions(): IngestTransactionStats {
    return this.#ingest.transactions;
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
    notifyAlertChanges(tx, tenantId, [[next.id, action === 'purge' ? -1 : next.version]]);
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
