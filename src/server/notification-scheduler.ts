/**
 * The notification scheduler: two loops inside the service. The first
 * routes new events into groups, flushes groups whose timer is due into the
 * outbox and escalates (`NotificationGroups.pass`), sleeping until the next
 * due time (at most `tickMs`). The second claims due notifications from the
 * outbox and delivers them, `concurrency` at a time, recording each attempt.
 * Several instances on one database may run both: groups are locked with
 * `FOR UPDATE SKIP LOCKED`, and a claimed notification is leased.
 */
import type {
  AttemptOutcome,
  ClaimedNotification,
  NotificationGroups,
  NotificationOutbox,
} from '../storage/repositories/index.js';

/** Sends one claimed notification; never throws (a failure is an outcome). */
export type DeliverFn = (notification: ClaimedNotification) => Promise<AttemptOutcome>;

/** Options of {@link startNotificationScheduler}. */
export interface NotificationSchedulerOptions {
  /** Longest sleep between two passes, ms (default 200): how soon another instance's events are seen. */
  readonly tickMs?: number;
  /** Notifications in flight at once (default 32). */
  readonly concurrency?: number;
  /** Told of a pass or an attempt that failed (the loops go on). */
  readonly onError?: (err: unknown) => void;
  /** Told of each attempt's outcome. */
  readonly onAttempt?: (n: ClaimedNotification, state: string, outcome: AttemptOutcome) => void;
}

/** A running scheduler. */
export interface NotificationScheduler {
  /** Wakes both loops now (after a change that queued events in this process). */
  poke(): void;
  /** Ends the loops after the passes and attempts in progress. Idempotent. */
  stop(): Promise<void>;
}

/** A loop that runs `step` until stopped, sleeping as `step` says or until poked. */
function loop(
  step: () => Promise<number>,
  onError: ((err: unknown) => void) | undefined,
): { poke(): void; stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  let poked = false;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (poked || stopped) {
        poked = false;
        resolve();
        return;
      }
      wake = resolve;
      timer = setTimeout(resolve, ms);
      timer.unref();
    }).finally(() => {
      wake = undefined;
      if (timer !== undefined) clearTimeout(timer);
    });
  const done = (async () => {
    while (!stopped) {
      let wait: number;
      try {
        wait = await step();
      } catch (err) {
        onError?.(err);
        wait = 1_000;
      }
      if (!stopped && wait > 0) await sleep(wait);
    }
  })();
  return {
    poke() {
      poked = true;
      wake?.();
    },
    async stop() {
      stopped = true;
      wake?.();
      await done;
    },
  };
}

/**
 * Starts both loops; their timers do not keep the process alive.
 *
 * @example
 * ```ts
 * const scheduler = startNotificationScheduler(groups, outbox, deliver);
 * // ...
 * await scheduler.stop();
 * ```
 */
export function startNotificationScheduler(
  groups: NotificationGroups,
  outbox: NotificationOutbox,
  deliver: DeliverFn,
  options: NotificationSchedulerOptions = {},
): NotificationScheduler {
  const tickMs = options.tickMs ?? 200;
  const concurrency = options.concurrency ?? 32;
  const inFlight = new Set<Promise<void>>();
  let delivery: ReturnType<typeof loop> | undefined;

  // Outcomes are recorded in batches, one transaction per tenant: under
  // load each settles many attempts (a transaction per attempt was the
  // bottleneck of delivery on PGlite).
  const outcomes: { n: ClaimedNotification; outcome: AttemptOutcome }[] = [];
  let settling: Promise<void> | undefined;
  const settleAll = async (): Promise<void> => {
    while (outcomes.length > 0) {
      const batch = outcomes.splice(0, outcomes.length);
      const byTenant = new Map<string, typeof batch>();
      for (const o of batch) {
        const list = byTenant.get(o.n.tenantId) ?? [];
        list.push(o);
        byTenant.set(o.n.tenantId, list);
      }
      for (const [tenantId, list] of byTenant) {
        try {
          const states = await outbox.settleMany(
            tenantId,
            list.map((o) => ({ notification: o.n, outcome: o.outcome })),
            new Date(),
          );
          list.forEach((o, k) => {
            options.onAttempt?.(o.n, states[k] as string, o.outcome);
          });
        } catch (err) {
          options.onError?.(err);
        }
      }
    }
  };
  const kick = (): Promise<void> => {
    settling ??= settleAll().finally(() => {
      settling = undefined;
      // Outcomes that arrived after the last batch was taken get a run of their own.
      if (outcomes.length > 0) void kick();
    });
    return settling;
  };
  const settle = (n: ClaimedNotification, outcome: AttemptOutcome): Promise<void> => {
    outcomes.push({ n, outcome });
    return kick();
  };

  const attempt = async (n: ClaimedNotification): Promise<void> => {
    let outcome: AttemptOutcome;
    try {
      outcome = await deliver(n);
    } catch (err) {
      outcome = { ok: false, retryable: true, error: String(err), durationMs: 0 };
    }
    await settle(n, outcome);
  };

  const routing = loop(async () => {
    const queued = await groups.pass(new Date());
    if (queued.length > 0) delivery?.poke();
    const due = await groups.nextDue();
    if (due === null) return tickMs;
    return Math.max(1, Math.min(tickMs, due.getTime() - Date.now()));
  }, options.onError);

  delivery = loop(async () => {
    const room = concurrency - inFlight.size;
    if (room <= 0) {
      await Promise.race(inFlight);
      return 0;
    }
    const claimed = await outbox.claim(new Date(), room);
    for (const n of claimed) {
      const p = attempt(n).finally(() => {
        inFlight.delete(p);
        delivery?.poke();
      });
      inFlight.add(p);
    }
    return claimed.length > 0 ? 0 : tickMs;
  }, options.onError);

  return {
    poke() {
      routing.poke();
      delivery?.poke();
    },
    async stop() {
      await Promise.all([routing.stop(), delivery?.stop()]);
      await Promise.all(inFlight);
      while (settling !== undefined) await settling;
    },
  };
}
