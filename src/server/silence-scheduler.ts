/**
 * The silence scheduler: a loop inside the service that, every `tickMs`,
 * applies the silences of the tenants whose next silence start or end has
 * come (`SilenceRepository.settleDue`), so that an alert is suppressed or
 * released within a second of it, with no request needed. Several
 * instances on one database may all run it: a tenant's pass holds the
 * tenant's lock and changes only what is not yet in line, so each change
 * happens once.
 */
import type { SilenceRepository } from '../storage/repositories/index.js';

/** Options of {@link startSilenceScheduler}. */
export interface SilenceSchedulerOptions {
  /** Time between two passes, ms (default 250). */
  readonly tickMs?: number;
  /** Told of a pass that failed (the loop goes on). */
  readonly onError?: (err: unknown) => void;
}

/** A running scheduler. */
export interface SilenceScheduler {
  /** Ends the loop after the pass in progress. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the loop; its timer does not keep the process alive.
 *
 * @example
 * ```ts
 * const scheduler = startSilenceScheduler(repos.silences);
 * // ...
 * await scheduler.stop();
 * ```
 */
export function startSilenceScheduler(
  silences: SilenceRepository,
  options: SilenceSchedulerOptions = {},
): SilenceScheduler {
  const tickMs = options.tickMs ?? 250;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> = Promise.resolve();
  const run = (): void => {
    pass = (async () => {
      try {
        await silences.settleDue(new Date());
      } catch (err) {
        options.onError?.(err);
      }
      if (!stopped) {
        timer = setTimeout(run, tickMs);
        timer.unref();
      }
    })();
  };
  run();
  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await pass;
    },
  };
}
