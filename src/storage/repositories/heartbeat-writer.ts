/**
 * The write-behind of heartbeats: resends answered from the heartbeat index
 * are coalesced per alert (latest `endsAt` and receive time, count) and
 * written at most `windowMs` later, one transaction per 100 alerts. The
 * statement never moves `ends_at` or `last_received_at` backwards
 * (`GREATEST`), moves `ends_at` only while the row is open, and changes
 * nothing else: a flush that comes after a change (in any order, from any
 * instance) cannot undo it. It does not move the row's `version` (nothing a
 * user acts on changed), and writes no notification event. It writes the
 * three columns only, not the stored document: reads lay the columns over
 * it (`alert-document.ts`).
 *
 * Each transaction moves the tenant's `heartbeats` write counter, so the
 * tenant's data version moves with it (cached lists are not served stale;
 * `data-version.ts`), and never takes the tenant's audit lock, which every
 * ingest transaction holds from its start: a flush holding it while it
 * updated 1,000 rows (15-65 ms on the PostgreSQL server) kept changed alerts
 * waiting. Flushes of one tenant take a lock of their own (two instances may
 * flush the same alerts). When a tenant's heartbeats are written, one audit
 * event sums them up (how many resends, how many alerts), appended alone
 * under the audit lock: the trail keeps a line per flush, not per chunk.
 */
import type { Database } from '../types.js';
import { type AuditKeys, appendAuditMany } from './audit-log.js';
import { countWrite } from './data-version.js';
import { prepared } from './statements.js';
import type { ActorId } from './types.js';

/** The actor of heartbeat flushes in the audit trail. */
export const HEARTBEAT_ACTOR: ActorId = 'system:heartbeats';

/**
 * Rows per flush transaction. A chunk's transaction holds row locks on its
 * alerts until it commits, and a changed alert of the same tenant waits for
 * them: 100 rows take about 1.5 ms on the PostgreSQL server.
 */
const FLUSH_ROWS = 100;

/** The write counter a flush moves (`write_counters.source`). */
const COUNTER = 'heartbeats';

/** The lock that orders one tenant's flushes (each instance has its own writer). */
const flushLockOf = (tenantId: string): string => `heartbeats:${tenantId}`;

/**
 * `$2`: `[{i: id, e: latest endsAt or null, r: latest receive time, n: resends}]`
 * (times as ISO strings), `$3` the same ids as an array: their primary-key
 * lookups bound the plan (joined on the JSON alone, a planner without
 * statistics hashes the tenant's every row: 0.55 s per 1,000 alerts among
 * 20,000 on PGlite). `ends_at` moves only forward and only on an open row
 * whose `ends_at` is set (a reopened or resolved row keeps its own).
 */
const MOVE_END = `x.ends > a.ends_at AND a.status NOT IN ('resolved', 'expired') AND a.deleted_at IS NULL`;
const FLUSH = prepared(
  `UPDATE alerts a
      SET ends_at = CASE WHEN ${MOVE_END} THEN x.ends ELSE a.ends_at END,
          last_received_at = GREATEST(a.last_received_at, x.received),
          duplicate_count = a.duplicate_count + x.n
     FROM (SELECT e->>'i' AS id, (e->>'e')::timestamptz AS ends, (e->>'r')::timestamptz AS received,
                  (e->>'n')::int AS n FROM jsonb_array_elements($2::jsonb) AS e) x
    WHERE a.tenant_id = $1 AND a.id = ANY($3::text[]) AND a.id = x.id`,
);

/** One alert's coalesced heartbeats. */
interface Pending {
  e: string | null;
  r: string;
  n: number;
}

/** Options of {@link HeartbeatWriter}. */
export interface HeartbeatWriterOptions {
  /** The longest a heartbeat waits before it is written, ms (> 0). */
  readonly windowMs: number;
  /** A flush that failed (it is retried with the next window). */
  readonly onError?: ((err: unknown) => void) | undefined;
  /**
   * The keys the repository seals its audit entries with: a flush's entry
   * is sealed like every other, or a keyed chain stops verifying (`unkeyed`).
   */
  readonly auditKeys?: AuditKeys | undefined;
}

/** Coalesces heartbeats per alert and writes them behind; see the module comment. */
export class HeartbeatWriter {
  readonly #db: Database;
  readonly #windowMs: number;
  readonly #onError: (err: unknown) => void;
  readonly #auditKeys: AuditKeys | undefined;
  #buffers = new Map<string, Map<string, Pending>>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(db: Database, options: HeartbeatWriterOptions) {
    this.#db = db;
    this.#windowMs = options.windowMs;
    this.#onError = options.onError ?? (() => {});
    this.#auditKeys = options.auditKeys;
  }

  /** Heartbeats waiting to be written. */
  get pending(): number {
    let n = 0;
    for (const buffer of this.#buffers.values()) for (const p of buffer.values()) n += p.n;
    return n;
  }

  /**
   * Records a resend of alert `id` (`endsAt`, `receivedAt` as ISO strings
   * of the same format, so that they compare as text).
   */
  add(tenantId: string, id: string, endsAt: string | null, receivedAt: string): void {
    let buffer = this.#buffers.get(tenantId);
    if (buffer === undefined) {
      buffer = new Map();
      this.#buffers.set(tenantId, buffer);
    }
    const p = buffer.get(id);
    if (p === undefined) {
      buffer.set(id, { e: endsAt, r: receivedAt, n: 1 });
    } else {
      if (endsAt !== null && (p.e === null || endsAt > p.e)) p.e = endsAt;
      if (receivedAt > p.r) p.r = receivedAt;
      p.n++;
    }
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.flush();
      }, this.#windowMs);
      this.#timer.unref();
    }
  }

  /** Writes every heartbeat recorded so far (after any flush under way). */
  flush(): Promise<void> {
    // A flush never rejects (its failures go to onError), so the chain stays usable.
    this.#flushing = this.#flushing.then(() => this.#flushAll()).catch(this.#onError);
    return this.#flushing;
  }

  /** Writes what is left and stops the timer (at shutdown). */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  async #flushAll(): Promise<void> {
    const buffers = this.#buffers;
    this.#buffers = new Map();
    for (const [tenantId, buffer] of buffers) {
      const entries = [...buffer];
      const written = { alerts: 0, resends: 0 };
      for (let start = 0; start < entries.length; start += FLUSH_ROWS) {
        const chunk = entries.slice(start, start + FLUSH_ROWS);
        try {
          written.resends += await this.#write(tenantId, chunk);
          written.alerts += chunk.length;
        } catch (err) {
          this.#onError(err);
          if (this.#db.closed) continue;
          // Kept for the next window (merged with what came meanwhile).
          for (const [id, p] of entries.slice(start)) {
            this.#merge(tenantId, id, p);
          }
          break;
        }
      }
      if (written.alerts > 0) {
        await this.#audit(tenantId, entries[0]?.[0] ?? '', written).catch(this.#onError);
      }
    }
  }

  #merge(tenantId: string, id: string, p: Pending): void {
    this.add(tenantId, id, p.e, p.r);
    const merged = this.#buffers.get(tenantId)?.get(id);
    if (merged !== undefined) merged.n += p.n - 1;
  }

  /** Writes one chunk and moves the tenant's write counter; gives the resends it carried. */
  async #write(tenantId: string, chunk: readonly (readonly [string, Pending])[]): Promise<number> {
    let input = '[';
    let resends = 0;
    chunk.forEach(([id, p], k) => {
      if (k > 0) input += ',';
      input += JSON.stringify({ i: id, e: p.e, r: p.r, n: p.n });
      resends += p.n;
    });
    input += ']';
    await this.#db.withTenant(
      tenantId,
      async (tx) => {
        await tx.query(FLUSH.text, [tenantId, input, chunk.map(([id]) => id)], FLUSH.options);
        tx.atCommit(countWrite(tenantId, COUNTER));
      },
      { advisoryLock: flushLockOf(tenantId) },
    );
    return resends;
  }

  /** The audit line of a tenant's flush: what was written, in a transaction of its own. */
  async #audit(
    tenantId: string,
    first: string,
    written: { readonly alerts: number; readonly resends: number },
  ): Promise<void> {
    await this.#db.withTenant(tenantId, async (tx) => {
      await appendAuditMany(
        tx,
        tenantId,
        [
          {
            entry: {
              actor: HEARTBEAT_ACTOR,
              action: 'ingest',
              entityType: 'Alert',
              entityId: `heartbeats:${first}`,
              before: null,
              after: null,
              details: { heartbeats: written.resends, alerts: written.alerts },
            },
            at: new Date(),
          },
        ],
        undefined,
        this.#auditKeys,
      );
    });
  }
}
