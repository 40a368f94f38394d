import { NotFoundError, ValidationError } from '../../base/exceptions/index.js';
import { newId } from '../../base/utils/ids.js';
import { Silence } from '../../domain/silence.js';
import type { AlertEventSink, SeriesPoint } from '../series/types.js';
import type { Database, TransactionClient } from '../types.js';
import type { CreateInput, PatchInput } from './create-repositories.js';
import { ModelRepository, type ModelRepositoryOptions } from './model-repository.js';
import { DUE_CLEAR, DUE_SET, DUE_TENANTS } from './scheduler-due.js';
import { readSilences, type SilenceIndex, type TenantSilences } from './silence-index.js';
import { SILENCES } from './specs.js';
import { prepared } from './statements.js';
import { applySilences } from './suppression.js';
import type { ActorId, CreateOptions, StatusFilter } from './types.js';

/** The scheduler kind of silences in `scheduler_due`. */
export const SILENCE_SCHEDULE = 'silences';

/**
 * After a change, the scheduler passes over the tenant once more this much
 * later: alerts that another instance validated against its older copy of
 * the silences (at most the index's age) and stored meanwhile are caught.
 */
const SETTLE_AGAIN_MS = 2_000;

const RECENT = prepared(
  `SELECT doc FROM silences
    WHERE tenant_id = $1 AND deleted_at IS NULL AND ends_at > $2::timestamptz
    ORDER BY ends_at DESC, id LIMIT $3`,
);

/** A silence as Alertmanager's `POST /api/v2/silences` carries it: with an `id` to update one. */
export type SilenceInput = CreateInput<typeof Silence> & { readonly id?: string | undefined };

function timeIssue(code: string, message: string): ValidationError {
  return new ValidationError('Silence', [{ path: ['endsAt'], pointer: '/endsAt', code, message }]);
}

function sameMatchers(a: Silence, b: Silence): boolean {
  return JSON.stringify(a.matchers) === JSON.stringify(b.matchers);
}

/**
 * Silences with Alertmanager's semantics, acting on alerts: every write
 * suppresses or un-suppresses the tenant's open alerts in its own
 * transaction (see `suppression.ts`) and tells the scheduler when the
 * tenant's next silence starts or ends.
 *
 * - A new silence must end after it starts and after now (400 otherwise); a
 *   start in the past means now.
 * - `expire` ends a silence now (a pending one: starts and ends now).
 */
export class SilenceRepository extends ModelRepository<
  Silence,
  SilenceInput,
  PatchInput<typeof Silence>,
  StatusFilter
> {
  readonly #index: SilenceIndex;
  readonly #events: AlertEventSink | undefined;
  /** The `status` points of a write's suppressions, until its transaction is done. */
  readonly #pending = new WeakMap<TransactionClient, SeriesPoint[]>();

  constructor(
    db: Database,
    index: SilenceIndex,
    options: ModelRepositoryOptions & {
      /** Receives the `status` points of the alerts silences suppress or release. */
      readonly events?: AlertEventSink | undefined;
    } = {},
  ) {
    super(db, SILENCES, options);
    this.#index = index;
    this.#events = options.events;
  }

  /** The tenant's silences that have not ended, from memory (see `SilenceIndex`). */
  current(tenantId: string): Promise<TenantSilences> {
    return this.#index.get(tenantId);
  }

  /**
   * The silences Alertmanager's API lists: those not deleted that ended
   * after `since` (Alertmanager keeps expired silences for its retention,
   * five days by default), the latest-ending first, at most `limit`.
   */
  async recent(tenantId: string, since: Date, limit: number): Promise<Silence[]> {
    const { rows } = await this.db.withTenant(tenantId, (tx) =>
      tx.query<{ doc: Record<string, unknown> }>(
        RECENT.text,
        [tenantId, since, limit],
        RECENT.options,
      ),
    );
    return rows.map((r) => Silence.parse(r.doc));
  }

  protected override build(tenantId: string, input: unknown, actor: ActorId, now: Date): Silence {
    const built = super.build(tenantId, input, actor, now);
    const at = now.getTime();
    if (built.endsAt.getTime() <= built.startsAt.getTime()) {
      throw timeIssue('ends_before_start', 'endsAt must be after startsAt');
    }
    if (built.endsAt.getTime() < at) {
      throw timeIssue('ends_in_past', "endsAt can't be in the past");
    }
    if (built.startsAt.getTime() >= at) return built;
    return Silence.parse({ ...Silence.dump(built, { computed: false }), startsAt: now });
  }

  protected override async afterWrite(
    tx: TransactionClient,
    tenantId: string,
    now: Date,
  ): Promise<void> {
    const points = await this.#settle(tx, tenantId, now, true);
    if (points.length > 0) this.#pending.set(tx, points);
  }

  protected override afterCommit(tenantId: string, tx: TransactionClient | undefined): void {
    this.#index.invalidate(tenantId);
    const points = tx === undefined ? undefined : this.#pending.get(tx);
    if (points !== undefined && tx !== undefined) {
      this.#pending.delete(tx);
      this.#events?.record(points);
    }
  }

  /**
   * Ends a silence now, as Alertmanager's `DELETE /api/v2/silence/{id}`:
   * an active one ends now, a pending one starts and ends now, an expired
   * one is left as it is. Audited as `update` (`details.action: expire`).
   *
   * @throws NotFoundError
   */
  async expire(tenantId: string, id: string, actor: ActorId): Promise<Silence> {
    return this.change(tenantId, id, actor, {}, 'update', false, (current, owned, _row, now) => {
      const at = now.getTime();
      if (current.endsAt.getTime() <= at) return undefined;
      const startsAt = current.startsAt.getTime() > at ? now : current.startsAt;
      return {
        next: Silence.update(current, { ...owned, startsAt, endsAt: now }),
        deleted: undefined,
        details: { action: 'expire' },
      };
    });
  }

  /**
   * Alertmanager's `POST /api/v2/silences`: without `id`, a new silence;
   * with the `id` of a silence that has the same matchers and whose times
   * may change (an active one keeps its start; a pending one may not start
   * in the past), that silence is updated; otherwise it is expired and a
   * new silence, with a new id, replaces it.
   *
   * @returns the id of the silence that holds the input.
   * @throws NotFoundError for an unknown `id`; ValidationError.
   */
  async put(
    tenantId: string,
    input: SilenceInput,
    actor: ActorId,
    options: CreateOptions = {},
  ): Promise<string> {
    const { id, ...rest } = input;
    if (id === undefined || id === '') {
      return (await this.create(tenantId, rest, actor, options)).id;
    }
    const previous = await this.find(tenantId, id);
    if (previous === undefined) throw new NotFoundError('Silence', id);
    const now = new Date();
    // The checks of a new silence (400s) come first, as in Alertmanager's API.
    const next = this.build(tenantId, { ...rest, id }, actor, now);
    const given = Silence.parse({ ...rest, id, tenantId });
    const at = now.getTime();
    const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);
    const state =
      previous.startsAt.getTime() > at
        ? 'pending'
        : previous.endsAt.getTime() > at
          ? 'active'
          : 'expired';
    const updatable =
      sameMatchers(previous, next) &&
      ((state === 'pending' && given.startsAt.getTime() >= at) ||
        (state === 'active' && seconds(given.startsAt) === seconds(previous.startsAt)));
    if (updatable) {
      const patch = {
        comment: given.comment,
        createdBy: given.createdBy,
        startsAt: given.startsAt,
        endsAt: given.endsAt,
      };
      await this.update(tenantId, id, patch, actor);
      return id;
    }
    if (state !== 'expired') await this.expire(tenantId, id, actor);
    return (await this.create(tenantId, { ...rest, id: newId() }, actor)).id;
  }

  /**
   * The scheduler's pass: for each tenant whose next silence start or end
   * has come (at most `limit`), applies the silences to its alerts and sets
   * its next due time. Idempotent: two instances that pass over the same
   * tenant change it once (the second finds nothing to do).
   *
   * @returns the tenants passed over.
   */
  async settleDue(now: Date, limit = 100): Promise<string[]> {
    const { rows } = await this.db.query<{ tenant_id: string }>(
      DUE_TENANTS.text,
      [SILENCE_SCHEDULE, now, limit],
      DUE_TENANTS.options,
    );
    const tenants = rows.map((r) => r.tenant_id);
    for (const tenantId of tenants) {
      const points = await this.db.withTenant(tenantId, (tx) =>
        this.#settle(tx, tenantId, now, false),
      );
      this.#index.invalidate(tenantId);
      if (points.length > 0) this.#events?.record(points);
    }
    return tenants;
  }

  /**
   * Applies the tenant's silences at `now` and schedules its next pass.
   * @returns the `status` points of the alerts it suppressed or released.
   */
  async #settle(
    tx: TransactionClient,
    tenantId: string,
    now: Date,
    changed: boolean,
  ): Promise<SeriesPoint[]> {
    const silences = await readSilences(tx, tenantId, now);
    const points: SeriesPoint[] = [];
    await applySilences(tx, tenantId, silences, now, this.auditKeys, points);
    const at = now.getTime();
    let due = silences.nextBoundary(at);
    if (changed && (due === undefined || due > at + SETTLE_AGAIN_MS)) due = at + SETTLE_AGAIN_MS;
    if (due === undefined) {
      await tx.query(DUE_CLEAR.text, [tenantId, SILENCE_SCHEDULE], DUE_CLEAR.options);
    } else {
      await tx.query(DUE_SET.text, [tenantId, SILENCE_SCHEDULE, new Date(due)], DUE_SET.options);
    }
    return points;
  }
}
