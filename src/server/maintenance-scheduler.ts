/**
 * The maintenance scheduler: a loop inside the service that, every `tickMs`,
 * runs one maintenance pass (`runMaintenancePass`: `ANALYZE` or, on PGlite,
 * `VACUUM` of at most one table whose counters passed autovacuum's default
 * thresholds), so the planner's statistics follow the data after bulk
 * ingests with no autovacuum to do it. Several instances on one database may
 * all run it: a pass takes an advisory lock and does nothing when another
 * instance holds it.
 */
import {
  type HotUpdateLedger,
  type MaintenanceAction,
  type MaintenanceThresholds,
  runMaintenancePass,
} from '../storage/maintenance.js';
import type { Database } from '../storage/types.js';

/** Options of {@link startMaintenanceScheduler}. */
export interface MaintenanceSchedulerOptions {
  /** Time between two passes, ms (default 10,000). */
  readonly tickMs?: number;
  /** When to analyze and vacuum (default: PostgreSQL's autovacuum defaults). */
  readonly thresholds?: MaintenanceThresholds;
  /** Told of every pass that analyzed or vacuumed a table. */
  readonly onAction?: (action: MaintenanceAction) => void;
  /** Told of a pass that failed (the loop goes on). */
  readonly onError?: (err: unknown) => void;
}

/** A running scheduler. */
export interface MaintenanceScheduler {
  /** Ends the loop after the pass in progress. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the loop, first pass after one tick; its timer does not keep the
 * process alive.
 *
 * @example
 * ```ts
 * const scheduler = startMaintenanceScheduler(db, {
 *   onAction: (a) => log.info(a, 'maintenance'),
 * });
 * // ...
 * await scheduler.stop();
 * ```
 */
export function startMaintenanceScheduler(
  db: Database,
  options: MaintenanceSchedulerOptions = {},
): MaintenanceScheduler {
  const tickMs = options.tickMs ?? 10_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> = Promise.resolve();
  const ledger: HotUpdateLedger = new Map();
  const schedule = (): void => {
    timer = setTimeout(run, tickMs);
    timer.unref();
  };
  const run = (): void => {
    pass = (async () => {
      try {
        const action = await runMaintenancePass(db, options.thresholds, ledger);
        if (action.kind === 'analyze' || action.kind === 'vacuum') options.onAction?.(action);
      } catch (err) {
        options.onError?.(err);
      }
      if (!stopped) schedule();
    })();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await pass;
    },
  };
}
