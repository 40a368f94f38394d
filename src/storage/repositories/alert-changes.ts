/**
 * Changes of stored alerts, told to every instance: each transaction that
 * changes alerts (ingest that writes, a transition, an update or delete,
 * silences applied) sends `NOTIFY alertbase_alert_changes` with the ids and
 * new versions of the rows it changed, delivered at its commit to every
 * listening session in commit order. The heartbeat index of each instance
 * (`heartbeat-index.ts`) drops what the change made stale.
 *
 * `AlertChangeFeed.sync()` is the read barrier: on a server it sends a ping
 * through the same channel and resolves once the ping comes back, so every
 * change committed before the call has been applied to the index by then
 * (commit order). PGlite delivers a transaction's notifications before its
 * commit returns, so there the barrier costs nothing. That is what lets an instance answer from its index without ever
 * showing a status older than an answer another instance has already given.
 */
import { randomBytes } from 'node:crypto';
import type { ChannelSubscription, Database, TransactionClient } from '../types.js';
import { notifySql, prepared } from './statements.js';

/** The channel of alert changes. */
export const ALERT_CHANGES_CHANNEL = 'alertbase_alert_changes';

/**
 * One changed row: id, its version after the change (`-1`: the row is gone),
 * and for ingest the digest of what a resend compares (`heartbeat-index.ts`),
 * so that another instance keeps an entry whose content did not change.
 */
export type AlertChange = readonly [id: string, version: number, digest?: string];

/** Changes per notification: a payload stays under PostgreSQL's 8,000 bytes. */
const PER_NOTIFICATION = 100;

const NOTIFY = prepared('SELECT pg_notify($1, $2)');
/**
 * Tells every instance, at the commit of `tx`, that these rows of the
 * tenant changed: a notification per 100 rows (nothing for none), sent with
 * the transaction's COMMIT (`TransactionClient.atCommit`).
 */
export function notifyAlertChanges(
  tx: TransactionClient,
  tenantId: string,
  changes: readonly AlertChange[],
): void {
  if (changes.length === 0) return;
  const payloads: string[] = [];
  for (let start = 0; start < changes.length; start += PER_NOTIFICATION) {
    payloads.push(
      JSON.stringify({ t: tenantId, c: changes.slice(start, start + PER_NOTIFICATION) }),
    );
  }
  tx.atCommit(notifySql(ALERT_CHANGES_CHANNEL, payloads));
}

/** What the feed calls. */
export interface AlertChangeHandlers {
  /** Rows of a tenant changed (in commit order). */
  changed(tenantId: string, changes: readonly AlertChange[]): void;
  /** Notifications may have been lost (the listening connection was replaced): forget everything. */
  reset(): void;
}

/** How long a ping may take before {@link AlertChangeFeed.sync} gives up. */
const PING_TIMEOUT_MS = 2_000;

/** Parses a payload; anything malformed is ignored (it is not ours). */
function parse(payload: string): { t: string; c: AlertChange[] } | { p: string } | undefined {
  try {
    const value = JSON.parse(payload) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const v = value as { t?: unknown; c?: unknown; p?: unknown };
    if (typeof v.p === 'string') return { p: v.p };
    if (typeof v.t === 'string' && Array.isArray(v.c)) {
      const changes = v.c.filter(
        (c): c is AlertChange =>
          Array.isArray(c) && typeof c[0] === 'string' && typeof c[1] === 'number',
      );
      return { t: v.t, c: changes };
    }
  } catch {
    // Not a payload of alertbase's.
  }
  return undefined;
}

/**
 * The listening side of the alert changes, with the read barrier
 * {@link sync}. One per repository set; `start` once, `close` at the end.
 */
export class AlertChangeFeed {
  readonly #db: Database;
  readonly #handlers: AlertChangeHandlers;
  readonly #instance = randomBytes(6).toString('hex');
  #subscription: ChannelSubscription | undefined;
  #starting: Promise<void> | undefined;
  #pings = 0;
  readonly #waiting = new Map<number, (ok: boolean) => void>();
  #current: Promise<boolean> | undefined;
  #next: Promise<boolean> | undefined;
  #closed = false;

  constructor(db: Database, handlers: AlertChangeHandlers) {
    this.#db = db;
    this.#handlers = handlers;
  }

  /** Starts listening (idempotent); a failure is retried by the next `sync`. */
  start(): Promise<void> {
    this.#starting ??= this.#db
      .listen(
        ALERT_CHANGES_CHANNEL,
        (payload) => this.#receive(payload),
        () => this.#handlers.reset(),
      )
      .then(
        (subscription) => {
          if (this.#closed) {
            void subscription.close();
            return;
          }
          this.#subscription = subscription;
        },
        () => {
          this.#starting = undefined;
        },
      );
    return this.#starting;
  }

  /**
   * Resolves `true` once every alert change committed before the call has
   * been handled; `false` when that cannot be known (not listening, the
   * ping failed or took more than 2 s): then the index must not be trusted.
   */
  async sync(): Promise<boolean> {
    if (this.#closed) return false;
    if (this.#subscription === undefined) {
      await this.start();
      if (this.#subscription === undefined) return false;
    }
    if (!this.#subscription.live) return false;
    // PGlite runs in this process (one process per directory) and hands a
    // transaction's notifications to the listeners before its commit
    // returns: whatever committed before this call has been applied.
    if (this.#db.engine === 'pglite') return true;
    if (this.#next !== undefined) return this.#next;
    if (this.#current === undefined) return this.#ping();
    // The ping in flight may have been sent before this call: wait for the
    // next one. When the one in flight fails, so does this barrier, at once:
    // `false` only sends the batch to the database, and a second ping into a
    // database that just failed would add another timeout to the request.
    const next = this.#current.then((ok) => {
      this.#next = undefined;
      return ok ? this.#ping() : false;
    });
    this.#next = next;
    return next;
  }

  /** Stops listening; pending `sync` calls resolve `false`. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const done of this.#waiting.values()) done(false);
    this.#waiting.clear();
    await this.#starting;
    await this.#subscription?.close();
  }

  #ping(): Promise<boolean> {
    const n = ++this.#pings;
    const ping = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(n);
        resolve(false);
      }, PING_TIMEOUT_MS);
      timer.unref();
      this.#waiting.set(n, (ok) => {
        clearTimeout(timer);
        resolve(ok);
      });
      this.#db
        .query(
          NOTIFY.text,
          [ALERT_CHANGES_CHANNEL, JSON.stringify({ p: `${this.#instance}:${n}` })],
          NOTIFY.options,
        )
        .catch(() => {
          this.#waiting.get(n)?.(false);
          this.#waiting.delete(n);
        });
    });
    const current = ping.finally(() => {
      if (this.#current === current) this.#current = undefined;
    });
    this.#current = current;
    return current;
  }

  #receive(payload: string): void {
    const message = parse(payload);
    if (message === undefined) return;
    if ('p' in message) {
      const [instance, n] = message.p.split(':');
      if (instance !== this.#instance) return;
      // Pings come back in order: this one answers every earlier one too.
      const upTo = Number(n);
      for (const [k, done] of this.#waiting) {
        if (k <= upTo) {
          this.#waiting.delete(k);
          done(true);
        }
      }
      return;
    }
    this.#handlers.changed(message.t, message.c);
  }
}
