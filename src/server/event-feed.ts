/**
 * The change feed behind `GET /v1/events`: what a tenant's audit trail
 * records (every committed change of its data appends an audit event in the
 * change's own transaction), read by one poller per tenant with at least
 * one subscriber and fanned out to its subscribers. Because the trail lives
 * in the database, a change made through any instance reaches the
 * subscribers of every instance, within one poll interval. Audited reads
 * (`read` events) are not changes and are left out.
 */
import type { AuditEvent } from '../domain/audit-event.js';
import { dataVersionOf } from '../storage/repositories/data-version.js';
import type { AuditRepository } from '../storage/repositories/index.js';
import type { Database } from '../storage/types.js';

/** Events read per poll at most; a full page is followed at once by the next. */
const PAGE = 500;

/** One subscriber: where it is in the chain, and how it is given events. */
interface Subscriber {
  /** The `seq` of the last event it was given. */
  cursor: number;
  readonly deliver: (events: readonly AuditEvent[]) => void;
}

/** One tenant's poller and its subscribers. */
interface TenantFeed {
  readonly subscribers: Set<Subscriber>;
  timer: NodeJS.Timeout | undefined;
  running: boolean;
}

/** Options of {@link createEventFeed}. */
export interface EventFeedOptions {
  readonly db: Database;
  readonly audit: AuditRepository;
  /** Time between two reads of a tenant's trail while it has subscribers, ms (default 1,000). */
  readonly pollMs?: number | undefined;
  /** Called when a poll fails (the poller carries on). */
  readonly onError?: ((err: unknown) => void) | undefined;
}

/** A subscription: stop it when the client goes away. */
export interface EventSubscription {
  /** The `seq` the subscription starts after. */
  readonly after: number;
  unsubscribe(): void;
}

/** The feed of changes of every tenant with subscribers. */
export interface EventFeed {
  /**
   * Subscribes to a tenant's changes after `after` (a `seq`; default: the
   * trail's current head, so only new changes). Events arrive in chain order.
   */
  subscribe(
    tenantId: string,
    deliver: (events: readonly AuditEvent[]) => void,
    after?: number,
  ): Promise<EventSubscription>;
  /** Subscribers of a tenant in this process. */
  count(tenantId: string): number;
  /** Stops every poller (subscribers stay until they unsubscribe). */
  close(): void;
}

/**
 * Creates the feed. One poll per tenant and interval whatever the number of
 * subscribers: it reads from the oldest subscriber's cursor and gives each
 * subscriber the events after its own.
 *
 * @example
 * ```ts
 * const feed = createEventFeed({ db, audit: repos.audit });
 * const sub = await feed.subscribe('acme', (events) => console.log(events));
 * sub.unsubscribe();
 * ```
 */
export function createEventFeed(options: EventFeedOptions): EventFeed {
  const pollMs = options.pollMs ?? 1_000;
  const tenants = new Map<string, TenantFeed>();
  let closed = false;

  const schedule = (tenantId: string, feed: TenantFeed, delayMs: number): void => {
    if (closed || feed.subscribers.size === 0 || feed.timer !== undefined || feed.running) return;
    feed.timer = setTimeout(() => {
      feed.timer = undefined;
      void poll(tenantId, feed);
    }, delayMs);
    feed.timer.unref();
  };

  const poll = async (tenantId: string, feed: TenantFeed): Promise<void> => {
    feed.running = true;
    let full = false;
    try {
      let from = Number.POSITIVE_INFINITY;
      for (const s of feed.subscribers) from = Math.min(from, s.cursor);
      if (from !== Number.POSITIVE_INFINITY) {
        const page = await options.audit.page(tenantId, { afterSeq: from, limit: PAGE });
        full = page.items.length === PAGE;
        const last = page.items.at(-1)?.seq;
        const changes = page.items.filter((e) => e.action !== 'read');
        for (const s of feed.subscribers) {
          const mine = changes.filter((e) => e.seq > s.cursor);
          if (last !== undefined && last > s.cursor) s.cursor = last;
          if (mine.length > 0) s.deliver(mine);
        }
      }
    } catch (err) {
      options.onError?.(err);
    } finally {
      feed.running = false;
    }
    schedule(tenantId, feed, full ? 0 : pollMs);
  };

  return {
    async subscribe(tenantId, deliver, after) {
      const start = after ?? (await dataVersionOf(options.db, tenantId)) - 1;
      let feed = tenants.get(tenantId);
      if (feed === undefined) {
        feed = { subscribers: new Set(), timer: undefined, running: false };
        tenants.set(tenantId, feed);
      }
      const subscriber: Subscriber = { cursor: start, deliver };
      feed.subscribers.add(subscriber);
      schedule(tenantId, feed, pollMs);
      const owner = feed;
      return {
        after: start,
        unsubscribe() {
          owner.subscribers.delete(subscriber);
          if (owner.subscribers.size > 0) return;
          if (owner.timer !== undefined) clearTimeout(owner.timer);
          owner.timer = undefined;
          if (tenants.get(tenantId) === owner) tenants.delete(tenantId);
        },
      };
    },
    count: (tenantId) => tenants.get(tenantId)?.subscribers.size ?? 0,
    close() {
      closed = true;
      for (const feed of tenants.values()) {
        if (feed.timer !== undefined) clearTimeout(feed.timer);
        feed.timer = undefined;
      }
    },
  };
}
